"""Filters refuse unknown values, accept aliases, and agree across tools (no filter silently matches nothing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.models.table import rows_of
from awsinv_mcp.server.app import build_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def server():
    return build_server(Settings(source="synthetic"))


async def call(c: Client, name: str, args: dict) -> tuple[bool, object]:
    r = await c.call_tool(name, args)
    text = r.content[0].text
    return bool(r.is_error), (text if r.is_error else json.loads(text))


async def test_cost_account_alias_equals_account_id_and_unknown_account_is_refused(server) -> None:
    async with Client(server) as c:
        _, summary = await call(c, "get_inventory_summary", {})
        acct = summary["accounts"][0]
        _, by_id = await call(c, "get_cost_summary", {"account": acct["id"]})
        _, by_alias = await call(c, "get_cost_summary", {"account": acct["alias"]})
        bad, msg = await call(c, "get_cost_forecast", {"account": "nope"})
        bad_region, region_msg = await call(c, "get_cost_summary", {"region": "mars-1"})
    assert by_id["total_amount"] > 0
    assert by_alias["total_amount"] == by_id["total_amount"]
    assert bad and "unknown account 'nope'" in msg and acct["id"] in msg
    assert bad_region and "unknown region 'mars-1'" in region_msg


async def test_cost_filters_matching_nothing_say_so(server) -> None:
    async with Client(server) as c:
        _, summary = await call(c, "get_cost_summary", {"tag": "Team=nope"})
        _, forecast = await call(c, "get_cost_forecast", {"service": "bogus", "months": 1})
        _, trend = await call(c, "get_cost_trend", {"service": "bogus", "months": 2})
        _, fine = await call(c, "get_cost_summary", {"service": "rds"})
        _, future = await call(c, "get_cost_summary", {"start": "2030-01-01", "end": "2030-02-01"})
    assert summary["total_amount"] == 0
    assert any("no spend matched the filters (tag=Team=nope)" in w["message"] for w in summary["warnings"])
    assert any("service=bogus" in w["message"] for w in forecast["warnings"])
    assert any("service=bogus" in w["message"] for w in trend["warnings"])
    assert fine["total_amount"] > 0 and not any("no spend" in w["message"] for w in fine["warnings"])
    assert any("past today" in w["message"] for w in future["warnings"])


async def test_unknown_team_and_application_are_refused_not_silently_empty(server) -> None:
    async with Client(server) as c:
        team_err, team_msg = await call(c, "list_db_instances", {"team": "nope"})
        app_err, app_msg = await call(c, "get_findings", {"application": "nope"})
        env_err, env_msg = await call(c, "get_findings", {"environment": "qa-nope"})
        _, payments = await call(c, "list_db_instances", {"team": "PAYMENTS", "limit": 1})
    assert team_err and "unknown team 'nope'" in team_msg and "payments" in team_msg
    assert app_err and "unknown application 'nope'" in app_msg
    assert env_err and "unknown environment 'qa-nope'" in env_msg
    assert payments["total"] > 0


async def test_production_spellings_agree_between_inventory_and_analysis(server) -> None:
    async with Client(server) as c:
        _, full = await call(c, "list_db_instances", {"environment": "production", "limit": 1})
        _, short = await call(c, "list_db_instances", {"environment": "prod", "limit": 1})
        _, engines = await call(c, "analyze_engines", {"environment": "prd"})
    assert full["total"] > 0 and short["total"] == full["total"]
    assert engines["totals"]["db_instances"] == full["total"]


async def test_summary_storage_matches_analyze_engines(server) -> None:
    async with Client(server) as c:
        _, summary = await call(c, "get_inventory_summary", {})
        _, engines = await call(c, "analyze_engines", {})
    assert summary["allocated_storage_gb"] == engines["totals"]["allocated_gb"]


async def test_get_db_instance_names_the_other_account_and_refuses_empty(server) -> None:
    async with Client(server) as c:
        _, page = await call(c, "list_db_instances", {"limit": 1, "detail": True})
        row = rows_of(page)[0]
        _, summary = await call(c, "get_inventory_summary", {})
        other = next(a["alias"] for a in summary["accounts"] if a["id"] != row["account"])
        err, msg = await call(c, "get_db_instance", {"identifier": row["identifier"], "account": other})
        upper_err, upper = await call(c, "get_db_instance", {"identifier": row["identifier"].upper()})
        empty_err, empty_msg = await call(c, "get_db_instance", {"identifier": "  "})
    assert err and row["arn"] in msg and "not in the account/region given" in msg
    assert not upper_err and upper["instance"]["arn"] == row["arn"]
    assert empty_err and "identifier is empty" in empty_msg


async def test_closed_set_filters_are_case_insensitive_and_refuse_unknown_values(server) -> None:
    async with Client(server) as c:
        _, lower = await call(c, "list_db_snapshots", {"snapshot_type": "manual", "limit": 1})
        _, upper = await call(c, "list_db_snapshots", {"snapshot_type": "Manual", "limit": 1})
        snap_err, snap_msg = await call(c, "list_db_snapshots", {"snapshot_type": "bogus"})
        type_err, type_msg = await call(c, "get_findings", {"resource_type": "bogus"})
        _, typed = await call(c, "assess_security", {"resource_type": "db_instance", "limit": 1})
    assert lower["total"] > 0 and upper["total"] == lower["total"]
    assert snap_err and "unknown snapshot_type 'bogus'" in snap_msg and "automated" in snap_msg
    assert type_err and "unknown resource_type 'bogus'" in type_msg and "db_instance" in type_msg
    assert typed["total"] > 0


async def test_rule_of_another_review_and_cluster_arn_get_pointed_answers(server) -> None:
    async with Client(server) as c:
        perf_err, perf_msg = await call(c, "analyze_performance", {"rule": "rds.storage_encrypted"})
        _, sec = await call(c, "assess_security", {"rule": "rds.storage_encrypted", "limit": 1})
        _, clusters = await call(c, "list_db_clusters", {"limit": 1, "detail": True})
        arn_err, arn_msg = await call(c, "get_db_instance", {"identifier": rows_of(clusters)[0]["arn"]})
    assert perf_err and "no performance rule matches 'rds.storage_encrypted'" in perf_msg
    assert sec["total"] >= 0 and "summary" in sec
    assert arn_err and "list_db_clusters" in arn_msg


async def test_q_with_an_arn_selects_exactly_that_resource(server) -> None:
    async with Client(server) as c:
        _, page = await call(c, "list_db_instances", {"limit": 3, "detail": True})
        row = rows_of(page)[2]
        _, by_arn = await call(c, "list_db_instances", {"q": row["arn"].upper(), "detail": True})
        _, clusters = await call(c, "list_db_clusters", {"limit": 1, "detail": True})
        _, cluster = await call(c, "list_db_clusters", {"q": rows_of(clusters)[0]["arn"]})
    assert by_arn["total"] == 1 and rows_of(by_arn)[0]["arn"] == row["arn"]
    assert cluster["total"] == 1


async def test_status_filters_refuse_values_aws_never_reports(server) -> None:
    from awsinv_mcp.inventory import kinds

    async with Client(server) as c:
        bad, msg = await call(c, "list_db_instances", {"status": "running"})
        ec2_bad, ec2_msg = await call(c, "list_ec2_instances", {"state": "available"})
        _, stopped = await call(c, "list_db_instances", {"status": "Stopped", "limit": 1})
        _, running = await call(c, "list_ec2_instances", {"state": "running", "limit": 1})
    assert bad and "unknown status 'running'" in msg and "available" in msg and "stopped" in msg
    assert ec2_bad and "unknown state 'available'" in ec2_msg and "running" in ec2_msg
    assert stopped["total"] > 0 and running["total"] > 0
    from awsinv_mcp.inventory.synthetic import generate

    snap = generate(seed=42, scale=150, now=datetime(2026, 11, 25, tzinfo=UTC))
    for kind in kinds.KINDS:  # every status the demo estate carries is one AWS documents
        listing = kind.listing
        if listing is not None and listing.statuses:
            seen = {getattr(r, listing.status_attr).lower() for r in kind.records(snap)}
            assert seen <= set(listing.statuses), (kind.name, seen - set(listing.statuses))
