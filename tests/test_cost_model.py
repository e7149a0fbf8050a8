"""synthetic mode: the cost model agrees with the inventory and the price tables, sums up, trends, forecasts."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime
from itertools import pairwise

import pytest

from awsinv_mcp import pricing
from awsinv_mcp.analysis.analysis import Analysis
from awsinv_mcp.config import Settings
from awsinv_mcp.cost.service import CostService, Filters
from awsinv_mcp.cost.shape import RDS, UNTAGGED
from awsinv_mcp.cost.spend import current_monthly_spend
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.store import InventoryStore
from awsinv_mcp.inventory.synthetic import generate

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
REF = (date(2026, 10, 1), date(2026, 11, 1))  # the last full month before NOW: the inventory as it is


@pytest.fixture(scope="module")
def snapshot():
    return generate(seed=42, scale=150, now=NOW)


def extended_support_charges(snap, as_of):
    return Analysis(Estate(snap)).extended_support_charges(as_of)


def service_for(snap, **settings) -> CostService:
    s = Settings(source="synthetic", **settings)
    store = InventoryStore(s, collector=lambda *_: snap)
    return CostService(s, store, clock=lambda: NOW, extended_support=extended_support_charges)


@pytest.fixture(scope="module")
def svc(snapshot) -> CostService:
    return service_for(snapshot)


def hours_in(since: datetime | None, start: date, end: date) -> int:
    first = max(start, since.date()) if since else start
    return max((end - first).days, 0) * 24


def expected_rds_by_team(snap) -> dict[str | None, float]:
    """The database part of REF, priced independently from the tables, per team (no reservations)."""
    start, end = REF
    month_hours = (end - start).days * 24
    out: dict[str | None, float] = defaultdict(float)
    clusters = snap.clusters_by_key
    for db in snap.db_instances:
        h = hours_in(db.created_at, start, end)
        if db.status != "stopped":
            if db.instance_class == "db.serverless":
                c = clusters[(db.account, db.region, db.cluster)]
                out[db.team] += pricing.serverless_acu_hour(db.region) * (c.serverless_v2_min_acu or 0.5) * h
            else:
                c = clusters.get((db.account, db.region, db.cluster)) if db.cluster else None
                io_opt = bool(c and c.storage_type == "aurora-iopt1")
                maz = db.multi_az and not db.cluster
                out[db.team] += (
                    pricing.instance_hourly(db.engine, db.instance_class, db.region, maz, db.license_model, io_opt) * h
                )
        if not db.cluster and not db.storage_type.startswith("aurora"):
            gb = pricing.storage_gb_month(db.storage_type, db.region, db.multi_az) * db.allocated_gb
            iops = pricing.billable_iops(db.storage_type, db.iops, db.engine, db.allocated_gb)
            if iops:
                gb += pricing.iops_month(db.storage_type, db.region, db.multi_az) * iops
            out[db.team] += gb * h / month_hours
    for c in snap.db_clusters:
        if c.engine.startswith("aurora"):
            rate = pricing.aurora_storage_gb_month(c.region, c.storage_type == "aurora-iopt1")
            out[c.team] += rate * c.allocated_gb * hours_in(c.created_at, start, end) / month_hours
    for s in snap.db_snapshots:
        if s.snapshot_type != "automated":
            rate = pricing.snapshot_gb_month(s.region, s.engine.startswith("aurora"))
            out[s.team] += rate * s.allocated_gb * hours_in(s.created_at, start, end) / month_hours
    for resource, monthly, since in extended_support_charges(snap, NOW.date()):
        charged_from = max(since, resource.created_at.date()) if since else resource.created_at.date()
        h = hours_in(datetime.combine(charged_from, datetime.min.time()), start, end)
        out[resource.team] += monthly / pricing.HOURS_PER_MONTH * h
    return out


def test_database_part_equals_instances_priced_from_tables(snapshot) -> None:
    snap = replace(snapshot, reserved_db_instances=())  # on-demand everywhere: no reservation to match
    svc = service_for(snap)
    answer = svc.summary(start=REF[0].isoformat(), end=REF[1].isoformat(), group_by="Team", filters=Filters("rds"))
    expected = expected_rds_by_team(snap)
    got = {i.group["TAG:Team"]: i.total for i in answer.items}
    assert set(got) == {t or UNTAGGED for t in expected}
    for team, amount in expected.items():
        assert got[team or UNTAGGED] == pytest.approx(amount, abs=0.02), team
    assert answer.total_amount == pytest.approx(sum(expected.values()), abs=0.1)
    assert any(line.charge.kind == "support" for line in svc.model().lines)  # Extended Support is in it


def test_reservations_lower_the_bill(snapshot, svc) -> None:
    assert snapshot.reserved_db_instances
    on_demand = service_for(replace(snapshot, reserved_db_instances=()))
    window = {"start": REF[0].isoformat(), "end": REF[1].isoformat(), "filters": Filters("rds")}
    with_ri = svc.summary(**window, group_by="USAGE_TYPE", top=100)
    assert with_ri.total_amount < on_demand.summary(**window).total_amount
    assert any("HeavyUsage:" in i.group["USAGE_TYPE"] for i in with_ri.items)


@pytest.mark.parametrize(
    "group_by",
    ["SERVICE", "REGION", "LINKED_ACCOUNT", "Team", "TAG:Application", ["SERVICE", "Environment"], "USAGE_TYPE"],
)
def test_sum_of_groups_equals_total(svc, group_by) -> None:
    window = {"start": "2025-11-01", "end": "2026-11-01"}
    total = svc.summary(**window)
    grouped = svc.summary(**window, group_by=group_by, top=5)
    assert grouped.total_amount == pytest.approx(total.total_amount, abs=0.01 * len(grouped.items) + 0.01)
    for i in range(12):
        column = sum(item.amounts[i] for item in grouped.items)
        assert column == pytest.approx(total.items[0].amounts[i], abs=0.01 * len(grouped.items) + 0.01)
    assert all(item.total == pytest.approx(sum(item.amounts), abs=0.01) for item in grouped.items)


def test_cost_by_team_account_region_agrees_with_inventory(snapshot, svc) -> None:
    teams = {d.team for d in snapshot.db_instances if d.team}
    by_team = svc.summary(group_by="Team", filters=Filters("rds"))
    assert {i.group["TAG:Team"] for i in by_team.items} - {UNTAGGED} <= teams | {
        s.team for s in snapshot.db_snapshots if s.team
    }
    accounts = {a.id for a in snapshot.accounts}
    by_account = svc.summary(group_by="LINKED_ACCOUNT")
    assert {i.group["LINKED_ACCOUNT"] for i in by_account.items} <= accounts
    one = by_account.items[0].group["LINKED_ACCOUNT"]
    filtered = svc.summary(filters=Filters(account=one))
    assert filtered.total_amount == pytest.approx(by_account.items[0].total, abs=0.05)
    regions = svc.summary(group_by="REGION")
    assert {i.group["REGION"] for i in regions.items} <= set(snapshot.regions)


def test_daily_sums_to_the_month(svc) -> None:
    monthly = svc.summary(start="2026-09-01", end="2026-11-01", group_by="SERVICE")
    daily = svc.summary(start="2026-09-01", end="2026-11-01", granularity="DAILY", group_by="SERVICE")
    assert len(daily.periods) == 61 and daily.periods[0] == "2026-09-01"
    for m_item in monthly.items:
        d_item = next(d for d in daily.items if d.group == m_item.group)
        assert sum(d_item.amounts[:30]) == pytest.approx(m_item.amounts[0], abs=0.5)


def test_history_has_a_trend_and_variation_and_is_deterministic(snapshot, svc) -> None:
    series = svc.summary(start="2025-11-01", end="2026-11-01").items[0].amounts
    assert len(series) == 12 and all(a > 0 for a in series)
    assert series[-1] > series[0] * 1.05  # growth over the year
    changes = {round(b / a, 4) for a, b in pairwise(series)}
    assert len(changes) > 6  # months differ
    s3 = svc.summary(start="2025-11-01", end="2026-11-01", filters=Filters("s3")).items[0].amounts
    assert any(abs(b / a - 1.03) > 0.005 for a, b in pairwise(s3))  # noise on top of growth
    again = service_for(snapshot).summary(start="2025-11-01", end="2026-11-01").items[0].amounts
    assert again == series
    reseeded = service_for(snapshot, seed=7).summary(start="2025-11-01", end="2026-11-01").items[0].amounts
    assert reseeded != series and reseeded[-1] == series[-1]  # noise differs; the reference month does not


def test_no_costs_after_the_snapshot_or_before_creation(svc, snapshot) -> None:
    future = svc.summary(start="2026-12-01", end="2027-02-01")
    assert future.total_amount == 0.0
    records = (*snapshot.db_instances, *snapshot.db_clusters, *snapshot.db_snapshots)
    first = min(r.created_at for r in records).date()
    assert first > date(2010, 2, 1)
    before = svc.summary(start="2010-01-01", end=first.isoformat(), filters=Filters("rds"))
    assert before.total_amount == 0.0
    since = svc.summary(
        start=first.replace(day=1).isoformat(), end=first.replace(day=28).isoformat(), filters=Filters("rds")
    )
    assert since.total_amount > 0


def test_trend_answer(svc) -> None:
    t = svc.trend(months=12, group_by="Team")
    assert t.source == "synthetic" and t.ce_requests == 0
    assert len(t.periods) == len(t.totals) == len(t.mom_change_pct) == 12 and t.mom_change_pct[0] is None
    assert t.periods[-1] == "2026-10-01"
    assert t.mom_change_pct[-1] == pytest.approx((t.totals[-1] - t.totals[-2]) / t.totals[-2] * 100, abs=0.06)
    assert t.items and t.items[0].last >= t.items[-1].last
    assert 0 < len(t.top_movers) <= 5
    assert abs(t.top_movers[0].change) == max(abs(i.change) for i in t.items)
    cur = t.forecast.current_month
    assert cur.period == "2026-11-01" and cur.actual_to_date > 0
    assert cur.mean == pytest.approx(cur.actual_to_date + cur.forecast_rest, abs=0.02)
    assert cur.lower <= cur.mean <= cur.upper
    nxt = t.forecast.next_month
    assert nxt.period == "2026-12-01" and nxt.lower <= nxt.mean <= nxt.upper


def test_forecast_answer_shape(svc) -> None:
    f = svc.forecast(months=3, level=95)
    assert f.periods == ["2026-11-25", "2026-12-01", "2027-01-01"]
    assert len(f.mean) == len(f.lower) == len(f.upper) == 3
    assert all(lo <= m <= hi for lo, m, hi in zip(f.lower, f.mean, f.upper, strict=True))
    assert f.mean[0] < f.mean[1] / 3  # the current month's remaining 6 days only
    assert f.total.mean == pytest.approx(sum(f.mean), abs=0.02) and f.prediction_interval_level == 95
    narrow = svc.forecast(months=3, level=60)
    assert narrow.upper[1] - narrow.lower[1] < f.upper[1] - f.lower[1]
    daily = svc.forecast(start="2026-12-01", end="2026-12-08", granularity="DAILY")
    assert len(daily.periods) == 7 and daily.mean[0] == pytest.approx(f.mean[1] / 31, rel=0.01)


def test_current_monthly_spend(svc) -> None:
    spend = current_monthly_spend(svc)
    ref = svc.summary(start=REF[0].isoformat(), end=REF[1].isoformat(), group_by="SERVICE", top=100)
    assert spend is not None and spend.period == "2026-10-01" and spend.source == "synthetic"
    assert spend.total == ref.total_amount
    assert spend.database == next(i.total for i in ref.items if i.group["SERVICE"] == RDS)
    assert 0 < spend.database < spend.total
    assert spend.share(spend.database / 10, of="database") == 10.0


def test_team_summary_for_12_months_stays_small(svc) -> None:
    from awsinv_mcp.server.tooling import respond

    answer = svc.summary(start="2025-11-01", end="2026-11-01", group_by="Team")
    text = respond(answer).content[0].text
    assert len(text.encode()) < 4096, len(text)
    assert json.loads(text)["periods"][0] == "2025-11-01"


def test_usage_metrics_refused_in_synthetic_mode(svc) -> None:
    from awsinv_mcp.errors import UserError

    with pytest.raises(UserError, match="costs only"):
        svc.summary(metric="UsageQuantity")


@pytest.mark.anyio
async def test_tools_through_mcp_client_synthetic(snapshot) -> None:
    from mcp import Client

    from awsinv_mcp.server.app import build_server

    s = Settings(source="synthetic")
    server = build_server(s, collector=lambda *_: snapshot)
    async with Client(server) as c:
        team = await c.call_tool("get_cost_summary", {"start": "2025-11-01", "end": "2026-11-01", "group_by": "Team"})
        trend = await c.call_tool(
            "get_cost_trend", {"months": 6, "group_by": ["SERVICE"], "tag": "Environment=Production"}
        )
        forecast = await c.call_tool("get_cost_forecast", {"months": 2})
        bad = await c.call_tool("get_cost_summary", {"start": "2026-05-01", "end": "2026-04-01"})
    assert not team.is_error and team.structured_content["source"] == "synthetic"
    assert len(team.content[0].text.encode()) < 4096 and len(team.structured_content["periods"]) == 12
    assert not trend.is_error and len(trend.structured_content["periods"]) == 6
    assert trend.structured_content["items"][0]["group"]["SERVICE"] == RDS
    assert not forecast.is_error and len(forecast.structured_content["mean"]) == 2
    assert forecast.structured_content["collected_at"] and forecast.structured_content["warnings"] == []
    assert bad.is_error and "must be before end" in bad.content[0].text


def test_monthly_spend_of_the_server_cost_service(snapshot) -> None:
    from awsinv_mcp.server.context import AppContext

    context = AppContext(Settings(source="synthetic"), collector=lambda *_: snapshot)
    spend = current_monthly_spend(context.costs)
    assert spend is not None and spend.source == "synthetic" and spend.total > spend.database > 0
