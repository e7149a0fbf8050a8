"""aws mode: Cost Explorer through moto's injectable results and botocore's Stubber (pages, errors, forecast)."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from awsinv_mcp.config import Settings
from awsinv_mcp.cost.explorer import CostExplorer
from awsinv_mcp.cost.service import CostService, Filters
from awsinv_mcp.errors import UpstreamError, UserError
from awsinv_mcp.inventory.store import InventoryStore

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


def aws_service(client=None, **settings) -> CostService:
    s = Settings(source="aws", **settings)
    return CostService(s, InventoryStore(s), explorer=CostExplorer(s, client=client), clock=lambda: NOW)


def month(
    start: str,
    end: str,
    groups: list[tuple[list[str], float]] | None = None,
    total: float = 0.0,
    estimated: bool = False,
) -> dict:
    entry = {"TimePeriod": {"Start": start, "End": end}, "Estimated": estimated, "Total": {}, "Groups": []}
    if groups is None:
        entry["Total"] = {"UnblendedCost": {"Amount": str(total), "Unit": "USD"}}
    else:
        entry["Groups"] = [
            {"Keys": keys, "Metrics": {"UnblendedCost": {"Amount": str(amount), "Unit": "USD"}}}
            for keys, amount in groups
        ]
    return entry


SIX = [
    ("2026-05-01", "2026-06-01"),
    ("2026-06-01", "2026-07-01"),
    ("2026-07-01", "2026-08-01"),
    ("2026-08-01", "2026-09-01"),
    ("2026-09-01", "2026-10-01"),
    ("2026-10-01", "2026-11-01"),
]


def test_moto_injected_results_and_cache_counts_requests() -> None:
    from moto import mock_aws

    with mock_aws():
        import requests

        results = [
            month(s, e, [(["Amazon Relational Database Service"], 100.0 + i), (["Amazon Simple Storage Service"], 5)])
            for i, (s, e) in enumerate(SIX)
        ]
        r = requests.post(
            "http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results",
            json={"results": [{"ResultsByTime": results, "DimensionValueAttributes": []}]},
        )
        assert r.status_code == 201
        svc = aws_service(client=boto3.client("ce", region_name="us-east-1"))
        first = svc.summary(group_by="SERVICE")
        again = svc.summary(group_by=["service"])  # same request after parsing: served from the cache
        other = svc.summary(group_by="SERVICE", filters=Filters(service="rds"))  # a new request
    assert first.source == "aws" and first.ce_requests == 1
    assert first.periods == [s for s, _ in SIX]
    assert first.items[0].group == {"SERVICE": "Amazon Relational Database Service"}
    assert first.items[0].amounts == [100.0, 101.0, 102.0, 103.0, 104.0, 105.0]
    assert first.items[1].total == 30.0
    assert first.total_amount == pytest.approx(sum(i.total for i in first.items)) == 645.0
    assert again.ce_requests == 0 and again.items == first.items
    assert other.ce_requests == 1 and other.total_amount == 0.0  # moto's queue is empty: an empty answer
    assert svc.explorer.requests_made == 2


def stubbed(settings: dict | None = None) -> tuple[CostService, Stubber]:
    client = boto3.client("ce", region_name="us-east-1")
    return aws_service(client=client, **(settings or {})), Stubber(client)


def test_pagination_merges_pages_and_second_call_costs_nothing() -> None:
    svc, stub = stubbed()
    expected = {
        "TimePeriod": {"Start": "2026-05-01", "End": "2026-11-01"},
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost"],
        "GroupBy": [{"Type": "TAG", "Key": "Team"}],
    }
    page1 = [month(s, e, [(["Team$payments"], 10.0)]) for s, e in SIX]
    # the same periods again on page 2, with more groups (Cost Explorer splits groups across pages)
    page2 = [month(s, e, [(["Team$search"], 2.5), (["Team$"], 1.0)]) for s, e in SIX]
    stub.add_response("get_cost_and_usage", {"ResultsByTime": page1, "NextPageToken": "t1"}, expected)
    stub.add_response("get_cost_and_usage", {"ResultsByTime": page2}, {**expected, "NextPageToken": "t1"})
    with stub:
        first = svc.summary(group_by="team")
        second = svc.summary(group_by="TAG:Team")
        stub.assert_no_pending_responses()
    assert first.ce_requests == 2 and second.ce_requests == 0
    assert [i.group["TAG:Team"] for i in first.items] == ["payments", "search", "(untagged)"]
    assert first.items[1].amounts == [2.5] * 6
    assert first.total_amount == 81.0
    assert svc.explorer.requests_made == 2


def test_cache_lives_for_cost_cache_ttl() -> None:
    now = [1000.0]
    client = boto3.client("ce", region_name="us-east-1")
    s = Settings(source="aws", cost_cache_ttl=3600)
    svc = CostService(s, InventoryStore(s), explorer=CostExplorer(s, client, timer=lambda: now[0]), clock=lambda: NOW)
    body = {"ResultsByTime": [month(s, e, total=1.0) for s, e in SIX]}
    stub = Stubber(client)
    stub.add_response("get_cost_and_usage", body)
    stub.add_response("get_cost_and_usage", body)
    with stub:
        assert svc.summary().ce_requests == 1
        now[0] += 3599
        assert svc.summary().ce_requests == 0
        now[0] += 2
        assert svc.summary().ce_requests == 1
    assert svc.explorer.requests_made == 2


@pytest.mark.parametrize(
    ("code", "message", "expect"),
    [
        ("DataUnavailableException", "Data is not available.", "not enabled"),
        ("AccessDeniedException", "User not enabled for cost explorer access", "not enabled"),
        (
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/x is not authorized to perform: ce:GetCostAndUsage",
            "lacks ce:GetCostAndUsage",
        ),
        ("LimitExceededException", "Rate exceeded", "throttling"),
    ],
)
def test_errors_are_clear(code: str, message: str, expect: str) -> None:
    svc, stub = stubbed()
    stub.add_client_error("get_cost_and_usage", service_error_code=code, service_message=message, http_status_code=400)
    with stub, pytest.raises(UpstreamError) as info:
        svc.summary()
    assert expect in str(info.value)
    assert "arn:aws:iam" not in str(info.value)
    assert svc.explorer.requests_made == 1


def test_forecast_shape_and_interval() -> None:
    svc, stub = stubbed()
    body = {
        "Total": {"Amount": "3000.0", "Unit": "USD"},
        "ForecastResultsByTime": [
            {
                "TimePeriod": {"Start": "2026-11-25", "End": "2026-12-01"},
                "MeanValue": "500",
                "PredictionIntervalLowerBound": "450",
                "PredictionIntervalUpperBound": "560",
            },
            {
                "TimePeriod": {"Start": "2026-12-01", "End": "2027-01-01"},
                "MeanValue": "2500",
                "PredictionIntervalLowerBound": "2200",
                "PredictionIntervalUpperBound": "2900",
            },
        ],
    }
    expected = {
        "TimePeriod": {"Start": "2026-11-25", "End": "2027-01-01"},
        "Metric": "UNBLENDED_COST",
        "Granularity": "MONTHLY",
        "PredictionIntervalLevel": 90,
        "Filter": {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Relational Database Service"]}},
    }
    stub.add_response("get_cost_forecast", body, expected)
    spent = {  # this month so far, for current_month (issue 13: reported as get_cost_trend reports it)
        "TimePeriod": {"Start": "2026-11-01", "End": "2026-11-25"},
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost"],
        "Filter": expected["Filter"],
    }
    stub.add_response("get_cost_and_usage", {"ResultsByTime": [month("2026-11-01", "2026-11-25", total=1200.0)]}, spent)
    with stub:
        ans = svc.forecast(months=2, level=90, filters=Filters(service="rds"))
        again = svc.forecast(months=2, level=90, filters=Filters(service="rds"))
    assert ans.source == "aws" and ans.ce_requests == 2 and again.ce_requests == 0
    cur = ans.current_month
    assert (cur.period, cur.actual_to_date, cur.forecast_rest) == ("2026-11-01", 1200.0, 500.0)
    assert (cur.mean, cur.lower, cur.upper) == (1700.0, 1650.0, 1760.0)
    assert ans.periods == ["2026-11-25", "2026-12-01"]
    assert ans.mean == [500.0, 2500.0] and ans.lower == [450.0, 2200.0] and ans.upper == [560.0, 2900.0]
    assert ans.total.mean == 3000.0 and ans.total.lower == 2650.0 and ans.total.upper == 3460.0
    assert ans.prediction_interval_level == 90


def test_forecast_rejects_the_past() -> None:
    svc, _ = stubbed()
    with pytest.raises(UserError, match="starts today"):
        svc.forecast(start="2026-01-01")


def test_trend_aws_one_usage_request_plus_one_forecast() -> None:
    svc, stub = stubbed()
    months12 = [
        (f"{y}-{m:02d}-01", f"{y + (m == 12)}-{m % 12 + 1:02d}-01")
        for y, m in [(2025, 11), (2025, 12)] + [(2026, k) for k in range(1, 11)]
    ]
    results = [
        month(s, e, [(["Team$payments"], 100 + 10 * i), (["Team$search"], 50)]) for i, (s, e) in enumerate(months12)
    ]
    results.append(month("2026-11-01", "2026-11-25", [(["Team$payments"], 190), (["Team$search"], 40)], estimated=True))
    stub.add_response("get_cost_and_usage", {"ResultsByTime": results})
    stub.add_response(
        "get_cost_forecast",
        {
            "Total": {"Amount": "500", "Unit": "USD"},
            "ForecastResultsByTime": [
                {
                    "TimePeriod": {"Start": "2026-11-25", "End": "2026-12-01"},
                    "MeanValue": "60",
                    "PredictionIntervalLowerBound": "50",
                    "PredictionIntervalUpperBound": "70",
                },
                {
                    "TimePeriod": {"Start": "2026-12-01", "End": "2027-01-01"},
                    "MeanValue": "330",
                    "PredictionIntervalLowerBound": "300",
                    "PredictionIntervalUpperBound": "360",
                },
            ],
        },
    )
    with stub:
        t = svc.trend(months=12, group_by="Team")
    assert t.ce_requests == 2
    assert t.periods[0] == "2025-11-01" and t.periods[-1] == "2026-10-01" and len(t.totals) == 12
    assert t.totals[-1] == 260.0 and t.mom_change_pct[-1] == pytest.approx(4.0)
    assert t.items[0].group == {"TAG:Team": "payments"} and t.items[0].change == 10.0
    assert t.top_movers[0].group == {"TAG:Team": "payments"}
    assert t.forecast.current_month.actual_to_date == 230.0 and t.forecast.current_month.mean == 290.0
    assert t.forecast.next_month.mean == 330.0 and t.forecast.next_month.upper == 360.0


@pytest.mark.anyio
async def test_tools_through_mcp_client_aws_mode() -> None:
    import json

    from mcp import Client

    from awsinv_mcp.server.app import build_server

    s = Settings(source="aws")
    client = boto3.client("ce", region_name="us-east-1")
    svc = CostService(s, InventoryStore(s), explorer=CostExplorer(s, client), clock=lambda: NOW)
    server = build_server(s, costs=svc)
    stub = Stubber(client)
    stub.add_response("get_cost_and_usage", {"ResultsByTime": [month(a, b, [(["eu-west-1"], 7.0)]) for a, b in SIX]})
    stub.add_client_error("get_cost_forecast", service_error_code="DataUnavailableException", service_message="x")
    with stub:
        async with Client(server) as c:
            tools = {t.name: t for t in (await c.list_tools()).tools}
            ok = await c.call_tool("get_cost_summary", {"group_by": "REGION"})
            cached = await c.call_tool("get_cost_summary", {"group_by": ["REGION"]})
            bad = await c.call_tool("get_cost_forecast", {})
            wrong = await c.call_tool("get_cost_summary", {"group_by": ["SERVICE", "REGION", "Team"]})
    for name in ("get_cost_summary", "get_cost_trend", "get_cost_forecast"):
        assert tools[name].annotations.open_world_hint is True and tools[name].annotations.read_only_hint is True
        assert "ce_requests" in tools[name].output_schema["properties"]
    data = ok.structured_content
    assert not ok.is_error and data["source"] == "aws" and data["ce_requests"] == 1
    assert data["items"] == [{"group": {"REGION": "eu-west-1"}, "amounts": [7.0] * 6, "total": 42.0}]
    assert json.loads(ok.content[0].text) == data and "\n" not in ok.content[0].text
    assert cached.structured_content["ce_requests"] == 0
    assert bad.is_error and "Cost Explorer is not enabled" in bad.content[0].text
    assert wrong.is_error and "at most 2" in wrong.content[0].text


def test_an_html_error_page_is_summarised_not_passed_through() -> None:
    from botocore.exceptions import ClientError

    from awsinv_mcp.cost.explorer import translate_error
    from awsinv_mcp.inventory.aws.errors import Where, describe

    page = "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body>" + "<p>x</p>" * 2000 + "</body></html>"
    exc = ClientError({"Error": {"Code": "404", "Message": page}}, "GetCostAndUsage")
    message = str(translate_error(exc, "GetCostAndUsage"))
    assert "<" not in message and "HTML error page: 404 Not Found" in message and len(message) < 300
    _, warning = describe(exc, "ce:GetCostAndUsage", Where("123456789012", region="us-east-1", service="ce"))
    assert "<" not in warning and len(warning) < 400


def test_trend_and_forecast_agree_on_the_current_month_in_aws_mode() -> None:
    """Cost Explorer answers the same month-to-date spend and the same forecast of the rest of November to both
    tools: get_cost_trend's current_month and get_cost_forecast's are then the same object (issue 13 item 6)."""
    svc, stub = stubbed()
    months = [(f"2026-{m:02d}-01", f"2026-{m + 1:02d}-01") for m in range(9, 11)]
    history = [month(s, e, total=1000.0) for s, e in months]
    stub.add_response("get_cost_and_usage", {"ResultsByTime": [*history, month("2026-11-01", "2026-11-25", total=700)]})
    rest = {"TimePeriod": {"Start": "2026-11-25", "End": "2026-12-01"}, "MeanValue": "250",
            "PredictionIntervalLowerBound": "200", "PredictionIntervalUpperBound": "320"}  # fmt: skip
    december = {"TimePeriod": {"Start": "2026-12-01", "End": "2027-01-01"}, "MeanValue": "1100"}
    january = {"TimePeriod": {"Start": "2027-01-01", "End": "2027-02-01"}, "MeanValue": "1150"}
    stub.add_response("get_cost_forecast", {"ForecastResultsByTime": [rest, december]})
    stub.add_response("get_cost_forecast", {"ForecastResultsByTime": [rest, december, january]})
    stub.add_response("get_cost_and_usage", {"ResultsByTime": [month("2026-11-01", "2026-11-25", total=700)]})
    with stub:
        trend = svc.trend(months=2)
        forecast = svc.forecast()
    stub.assert_no_pending_responses()
    assert trend.forecast.current_month == forecast.current_month
    cur = forecast.current_month
    assert (cur.period, cur.actual_to_date, cur.forecast_rest, cur.mean) == ("2026-11-01", 700.0, 250.0, 950.0)
    assert (cur.lower, cur.upper) == (900.0, 1020.0)
    assert forecast.periods[0] == "2026-11-25" and forecast.mean[0] == cur.forecast_rest
