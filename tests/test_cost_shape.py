"""Cost query parsing and the columnar answer (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from awsinv_mcp.cost.shape import (
    EC2_OTHER,
    RDS,
    CostQuery,
    GroupKey,
    Rows,
    build_answer,
    build_items,
    make_filter,
    make_query,
    parse_group_by,
)
from awsinv_mcp.cost.trend import linear_forecast, mom_changes, top_movers
from awsinv_mcp.errors import UserError

TAGS = ("Team", "Application", "Environment")
TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("value", "labels"),
    [
        (None, []),
        ("SERVICE", ["SERVICE"]),
        ("service", ["SERVICE"]),
        ("Team", ["TAG:Team"]),
        ("team", ["TAG:Team"]),
        ("TAG:team", ["TAG:Team"]),
        ("TAG:CostCenter", ["TAG:CostCenter"]),
        ("CostCenter", ["TAG:CostCenter"]),
        (["account", "usage_type"], ["LINKED_ACCOUNT", "USAGE_TYPE"]),
        ("SERVICE, Team", ["SERVICE", "TAG:Team"]),
        (["REGION", "region"], ["REGION"]),
    ],
)
def test_parse_group_by(value, labels) -> None:
    assert [k.label for k in parse_group_by(value, TAGS)] == labels


@pytest.mark.parametrize("value", [["SERVICE", "REGION", "Team"], "TAG:"])
def test_parse_group_by_refuses(value) -> None:
    with pytest.raises(UserError):
        parse_group_by(value, TAGS)


def test_filters_to_cost_explorer_expression() -> None:
    f = make_filter(service="rds,ebs", account="111111111111", tag="team=payments,search", tag_keys=TAGS)
    assert f.ce() == {
        "And": [
            {"Dimensions": {"Key": "SERVICE", "Values": [RDS, EC2_OTHER]}},
            {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": ["111111111111"]}},
            {"Tags": {"Key": "Team", "Values": ["payments", "search"]}},
        ]
    }
    assert make_filter(region="eu-west-1").ce() == {"Dimensions": {"Key": "REGION", "Values": ["eu-west-1"]}}
    assert make_filter().ce() is None
    with pytest.raises(UserError, match="Team=payments"):
        make_filter(tag="payments")


def test_query_defaults_and_validation() -> None:
    q = make_query(today=TODAY)
    assert (q.start, q.end, q.granularity, q.metric) == (
        date(2026, 5, 1),
        date(2026, 11, 1),
        "MONTHLY",
        "UnblendedCost",
    )
    assert q.ce_request() == {
        "TimePeriod": {"Start": "2026-05-01", "End": "2026-11-01"},
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost"],
    }
    assert make_query(today=TODAY, start="2026-11-01").end == TODAY  # this month so far
    assert make_query(today=TODAY, metric="amortizedcost").metric == "AmortizedCost"
    for bad in (
        {"start": "2026-06-01", "end": "2026-05-01"},
        {"start": "yesterday"},
        {"granularity": "HOURLY"},
        {"metric": "Cost"},
        {"start": "2026-01-01", "end": "2026-11-01", "granularity": "DAILY"},
    ):
        with pytest.raises(UserError):
            make_query(today=TODAY, **bad)


def test_answer_folds_the_tail_and_keeps_the_total() -> None:
    key = (GroupKey("TAG", "Team"),)
    q = CostQuery(date(2026, 9, 1), date(2026, 11, 1), group_by=key)
    amounts = {(f"team{i}",): [float(i), float(i) + 0.005] for i in range(30)}
    rows = Rows(["2026-09-01", "2026-10-01"], amounts, estimated=["2026-10-01"])
    answer = build_answer(rows, q, source="synthetic", collected_at=datetime(2026, 11, 25, tzinfo=UTC), top=5)
    assert len(answer.items) == 6 and answer.items[0].group == {"TAG:Team": "team29"}
    assert answer.items[-1].group == {"TAG:Team": "(other) 25 groups"}
    assert answer.total_amount == pytest.approx(sum(sum(v) for v in amounts.values()), abs=0.1)
    assert [w.message.split()[0] for w in answer.warnings] == ["25", "periods"]


def test_trend_arithmetic() -> None:
    assert mom_changes([100.0, 110.0, 99.0, 0.0, 5.0]) == [None, 10.0, -10.0, -100.0, None]
    exact = linear_forecast([10.0, 20.0, 30.0, 40.0], 2)
    assert [round(m, 6) for m, _, _ in exact] == [50.0, 60.0]
    assert all(lo == m == hi for m, lo, hi in exact)  # a perfect line has no residual spread
    noisy = linear_forecast([10.0, 22.0, 28.0, 41.0, 49.0], 2, level=80)
    wide = linear_forecast([10.0, 22.0, 28.0, 41.0, 49.0], 2, level=95)
    assert noisy[0][1] < noisy[0][0] < noisy[0][2] and wide[0][2] - wide[0][1] > noisy[0][2] - noisy[0][1]
    assert noisy[1][2] - noisy[1][1] > noisy[0][2] - noisy[0][1]  # further out, wider
    from awsinv_mcp.models.costs import GroupChange

    changes = [
        GroupChange(group={"T": t}, last=1, change=c, change_pct=None) for t, c in (("a", 5), ("b", -9), ("c", 0))
    ]
    assert [m.group["T"] for m in top_movers(changes)] == ["b", "a"]


def test_periods_and_total_are_the_same_however_spend_is_grouped() -> None:
    # three groups whose rounded amounts each lose part of a cent against the raw column sums
    amounts = {("a",): [0.004, 10.004], ("b",): [0.004, 0.004], ("c",): [0.004, 0.004]}
    columns = [sum(s[i] for s in amounts.values()) for i in range(2)]
    grouped, _ = build_items(parse_group_by("SERVICE"), amounts, 2, 20)
    (flat,), _ = build_items((), {(): columns}, 2, 20)
    for p in range(2):
        assert round(sum(i.amounts[p] for i in grouped), 2) == flat.amounts[p]
    assert round(sum(i.total for i in grouped), 2) == flat.total == 10.02
    assert all(round(sum(i.amounts), 2) == i.total for i in grouped)
