"""check_version_compliance, find_cost_savings and lifecycle://engines over a real MCP client."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.models.table import rows_of
from awsinv_mcp.server.app import build_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def server():
    return build_server(Settings(source="synthetic", seed=42, scale=150))


async def call(client: Client, name: str, **args: object) -> tuple[dict, int, bool]:
    result = await client.call_tool(name, args)
    text = result.content[0].text  # type: ignore[union-attr]
    return (json.loads(text) if not result.is_error else {"error": text}), len(text.encode()), bool(result.is_error)


async def test_tools_are_listed_with_short_descriptions_and_schemas(server) -> None:
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    for name in ("check_version_compliance", "find_cost_savings"):
        t = tools[name]
        assert len(t.description or "") <= 330, (name, len(t.description or ""))
        assert t.annotations is not None and t.annotations.read_only_hint
        assert {"columns", "rows", "total", "next_cursor", "source"} <= set(t.output_schema["properties"])
    assert tools["check_version_compliance"].annotations.open_world_hint  # type: ignore[union-attr]
    assert tools["find_cost_savings"].annotations.open_world_hint  # type: ignore[union-attr]  # Cost Explorer


async def test_version_compliance_default_answer_and_paging(server) -> None:
    async with Client(server) as client:
        body, size, err = await call(client, "check_version_compliance", as_of="2026-11-25")
        assert not err and size < 8000
        assert body["source"] == "synthetic" and body["as_of"] == "2026-11-25" and len(rows_of(body)) == 10
        assert sum(body["by_status"].values()) == body["total"]
        statuses = [r["status"] for r in rows_of(body)]
        order = ["end_of_support", "extended_support", "ending_soon", "standard"]
        assert statuses == sorted(statuses, key=order.index)
        row = rows_of(body)[0]
        assert set(row) >= {
            "resource_id",
            "resource_type",
            "account",
            "region",
            "engine",
            "engine_version",
            "major",
            "status",
            "end_of_standard_support",
            "end_of_extended_support",
            "extended_support_monthly_usd",
            "upgrade_target",
        }
        seen = {(r["account"], r["region"], r["resource_id"]) for r in rows_of(body)}
        page2, _, _ = await call(client, "check_version_compliance", as_of="2026-11-25", cursor=body["next_cursor"])
        assert not seen & {(r["account"], r["region"], r["resource_id"]) for r in rows_of(page2)}
        es, _, _ = await call(
            client,
            "check_version_compliance",
            as_of="2026-11-25",
            status="extended_support",
            environment="production",
            limit=50,
        )
        assert es["total"] == es["by_status"]["extended_support"] > 0
        assert all(r["extended_support_monthly_usd"] > 0 for r in rows_of(es))
        total = sum(r["extended_support_monthly_usd"] for r in rows_of(es))
        if es["next_cursor"] is None:
            assert es["extended_support_monthly_usd"] == pytest.approx(total, abs=0.05)
        bad, _, err = await call(client, "check_version_compliance", status="retired")
        assert err and "unknown status" in bad["error"]


async def test_cost_savings_default_answer_totals_and_filters(server) -> None:
    async with Client(server) as client:
        body, size, err = await call(client, "find_cost_savings", as_of="2026-11-25")
        assert not err and size < 8000
        assert body["currency"] == "USD" and body["total"] > 0 and len(rows_of(body)) == 10
        assert 0 < body["savings_pct_of_spend"] < 100  # of last month's synthetic spend
        savings = [r["monthly_savings_usd"] for r in rows_of(body)]
        assert savings == sorted(savings, reverse=True)
        assert all(r["how"] and r["action"] for r in rows_of(body))
        assert body["total_monthly_savings_usd"] == pytest.approx(
            sum(v["monthly_usd"] for v in body["by_rule"].values()), abs=0.1
        )
        assert set(body["rules"]) == {r["rule"] for r in rows_of(body)}
        ri, _, _ = await call(
            client, "find_cost_savings", as_of="2026-11-25", rule="reserved_instances", detail=True, limit=3
        )
        assert set(ri["by_rule"]) == {"cost.reserved_instances"} and ri["savings_pct_of_spend"] is None
        assert rows_of(ri)[0]["evidence"]["reserved_1y_hourly_usd"] < rows_of(ri)[0]["evidence"]["on_demand_hourly_usd"]
        assert ri["rules"]["cost.reserved_instances"]["remediation"]
        big, _, _ = await call(client, "find_cost_savings", as_of="2026-11-25", min_savings_usd=500, limit=500)
        assert all(r["monthly_savings_usd"] >= 500 for r in rows_of(big))
        bad, _, err = await call(client, "find_cost_savings", rule="free_lunch")
        assert err and "unknown cost rule" in bad["error"]


async def test_lifecycle_resource(server) -> None:
    async with Client(server) as client:
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        assert "lifecycle://engines" in resources
        content = (await client.read_resource("lifecycle://engines")).contents[0]
    body = json.loads(content.text)  # type: ignore[union-attr]
    assert body["read_on"] == "2026-11-25"
    pg = body["engines"]["postgres"]
    assert pg["source"].startswith("https://docs.aws.amazon.com/") and pg["extended_support"] is True
    assert pg["majors"]["13"] == {
        "end_of_standard_support": "2026-02-28",
        "end_of_extended_support": "2029-02-28",
        "upgrade_target": "17",
        "confirmed": True,
    }
    assert body["engines"]["mariadb"]["extended_support"] is False
    rates = body["extended_support_rates"]
    assert rates["vcpu_hour"]["us-east-1"] == {"year1_2": 0.1, "year3": 0.2} and rates["source"].startswith("https://")
