"""Reservations are proposed for production only by default; find_cost_savings leaves out what was not asked for."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from mcp import Client

from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext
from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from tests.test_savings_rules import AS_OF, NOW, db, estate, run

pytestmark = pytest.mark.anyio


def test_reservations_skip_non_production_unless_asked() -> None:
    snap = estate(
        db("prod", environment="production"),
        db("untagged"),
        db("stage", environment="staging"),
        db("dev", environment="development", created_at=NOW - timedelta(days=900)),
    )
    assert set(run("cost.reserved_instances", snap)) == {"prod", "untagged"}
    every = AnalysisContext(as_of=AS_OF, extra={"ri_all_environments": True})
    found = {f.resource_id for f in RULES["cost.reserved_instances"].check(snap, every)}
    assert found == {"prod", "untagged", "stage", "dev"}


async def test_compact_answer_has_no_null_remediation_or_evidence() -> None:
    async with Client(build_server(Settings(source="synthetic", seed=42, scale=150))) as client:
        compact = json.loads((await client.call_tool("find_cost_savings", {"limit": 5})).content[0].text)
        detailed = json.loads(
            (await client.call_tool("find_cost_savings", {"limit": 5, "detail": True})).content[0].text
        )
    assert compact["rules"] and all(set(r) == {"title"} for r in compact["rules"].values())
    assert all("evidence" not in row for row in compact["items"])
    assert all(r["remediation"] for r in detailed["rules"].values())
    assert all(row["evidence"] for row in detailed["items"])
    assert compact["total_monthly_savings_usd"] == detailed["total_monthly_savings_usd"] > 0


async def test_totals_are_split_by_bound_over_the_mcp_client() -> None:
    async with Client(build_server(Settings(source="synthetic", seed=42, scale=150))) as client:
        answer = json.loads((await client.call_tool("find_cost_savings", {"limit": 50})).content[0].text)
        old = json.loads(
            (await client.call_tool("find_cost_savings", {"rule": "old_manual_snapshot", "limit": 1})).content[0].text
        )
    split = answer["by_bound"]
    assert set(split) == {"estimate", "lower_bound", "upper_bound"} and split["upper_bound"] > 0
    assert sum(split.values()) == pytest.approx(answer["total_monthly_savings_usd"], abs=0.05)
    assert {row["savings_bound"] for row in answer["items"]} <= set(split)
    assert old["items"][0]["savings_bound"] == "upper_bound"  # snapshots are incremental
    assert old["by_bound"]["upper_bound"] == old["total_monthly_savings_usd"] and old["by_bound"]["estimate"] == 0
