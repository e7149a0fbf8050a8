"""Review regression: cost totals and period amounts do not drift by cents with the grouping."""

from __future__ import annotations

from awsinv_mcp.cost.shape import build_items, parse_group_by


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
