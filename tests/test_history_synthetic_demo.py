"""Demo mode keeps a history without a store: the synthetic source's 30 daily snapshots end with today's demo
estate, carry the seeded churn (created, deleted, upgraded, resized, made public then fixed, backups shortened,
tags changed, snapshot made public), are the same for the same seed, and the history tools answer from them
through the official MCP client (views, filters, paging, findings opened and resolved)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.diff import changed_keys
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.history.reader import FINDING
from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.inventory.synthetic.history import SyntheticHistory
from awsinv_mcp.inventory.tags import Environments
from awsinv_mcp.server.app import build_server

pytestmark = pytest.mark.anyio
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _findings(snap, day):
    from awsinv_mcp.analysis.analysis import Analysis

    return Analysis(Estate(snap, Environments.from_settings(Settings())), today=lambda: day).report().findings


def _history(seed: int = 42, days: int = 30) -> SyntheticHistory:
    return SyntheticHistory(generate(seed=seed, scale=150, now=NOW), seed=seed, days=days, findings_of=_findings)


def test_the_plan_covers_every_kind_of_churn_and_the_latest_is_the_estate() -> None:
    history = _history()
    whats = {c.what for c in history.plan}
    assert whats == {
        "created", "deleted", "engine upgraded", "class resized", "made public", "public access fixed",
        "backups shortened", "tags changed", "snapshot made public",
    }  # fmt: skip
    snaps = history.snapshots()
    assert len(snaps) == 30 and snaps[-1].id == history.latest.id and snaps[-1].collected_at == NOW
    assert all(a.collected_at < b.collected_at for a, b in itertools.pairwise(snaps))
    assert history.snapshot(29) is history.latest
    # every change of the plan shows between the snapshots before and after its day, and nothing else
    for c in history.plan:
        before = history.members(snaps[c.day - 1].id, c.kind.name)
        after = history.members(snaps[c.day].id, c.kind.name)
        added, removed, changed = changed_keys(before, after)
        same_day = {x.key for x in history.plan if x.day == c.day and x.kind == c.kind}
        assert {k for _, k in added + removed + changed} == same_day
        assert (c.kind.name, c.key) in {"created": added, "deleted": removed}.get(c.what, changed)


def test_same_seed_same_history_other_seed_other_history() -> None:
    one, two, other = _history(), _history(), _history(seed=43)
    plan = lambda h: [(c.day, c.what, c.key) for c in h.plan]  # noqa: E731
    assert plan(one) == plan(two) and plan(one) != plan(other)
    assert [s.status["findings"] for s in one.snapshots()] == [s.status["findings"] for s in two.snapshots()]
    assert _history(days=1).plan == [] and len(_history(days=1).snapshots()) == 1


async def _call(client: Client, name: str, args: dict | None = None) -> tuple[bool, dict | str]:
    result = await client.call_tool(name, args or {})
    text = result.content[0].text
    return bool(result.is_error), (text if result.is_error else json.loads(text))


async def test_history_tools_answer_in_demo_mode() -> None:
    settings = Settings(source="synthetic", store=None, scale=150)
    async with Client(build_server(settings)) as c:
        _, summary = await _call(c, "get_inventory_summary")
        err, listed = await _call(c, "list_snapshots")
        assert not err, listed
        assert listed["total"] == 30 and {s["source"] for s in listed["items"]} == {"synthetic"}
        newest, oldest = listed["items"][0], listed["items"][-1]
        assert newest["collected_at"] == summary["collected_at"]  # the latest snapshot is today's demo estate
        assert newest["counts"]["db_instance"] == summary["db_instances"]
        assert sum(newest["findings"].values()) > 0

        err, changes = await _call(c, "get_changes", {"since": oldest["snapshot_id"], "limit": 500})
        assert not err, changes
        assert changes["source"] == "synthetic" and changes["to_snapshot"]["snapshot_id"] == newest["snapshot_id"]
        db = changes["summary"]["db_instance"]
        assert db["added"] == 2 and db["removed"] == 2 and db["modified"] >= 6
        assert changes["summary"]["db_snapshot"]["modified"] >= 1
        fields = {f for i in changes["items"] if i["change"] == "modified" for f in i["fields"]}
        assert {"engine_version", "instance_class", "backup_retention_days", "tags.Owner", "public"} <= fields
        assert "publicly_accessible" not in fields  # made public, then fixed: no change over the whole window
        assert (
            sum(changes["findings_summary"]["opened"].values()) + sum(changes["findings_summary"]["resolved"].values())
            > 0
        )

        # paging: two pages of a filtered list add up to the whole of it
        err, removed = await _call(c, "get_changes", {"since": oldest["snapshot_id"], "change": "removed"})
        assert {i["change"] for i in removed["items"]} == {"removed"} and removed["total"] == 2
        err, first = await _call(c, "get_changes", {"since": oldest["snapshot_id"], "limit": 3})
        err, rest = await _call(
            c, "get_changes", {"since": oldest["snapshot_id"], "limit": 500, "cursor": first["next_cursor"]}
        )
        assert first["items"] + rest["items"] == changes["items"] and rest["next_cursor"] is None

        err, snaps_only = await _call(c, "get_changes", {"since": "30d", "resource_type": "db_snapshot"})
        assert {i["resource_type"] for i in snaps_only["items"]} == {"db_snapshot"}
        one = changes["items"][0]
        err, narrowed = await _call(
            c, "get_changes", {"since": "30d", "account": one["account"], "region": one["region"]}
        )
        assert narrowed["items"] and all(
            (i["account"], i["region"]) == (one["account"], one["region"]) for i in narrowed["items"]
        )
        err, mysql = await _call(c, "get_changes", {"since": "30d", "engine": "postgres"})
        assert not err and mysql["total"] < changes["total"]

        # the resource: since the previous snapshot
        latest = json.loads((await c.read_resource("inventory://changes")).contents[0].text)
        assert latest["from_snapshot"]["snapshot_id"] == listed["items"][1]["snapshot_id"]
        assert latest["to_snapshot"]["snapshot_id"] == newest["snapshot_id"]
        err, same = await _call(c, "get_changes", {"since": listed["items"][1]["snapshot_id"], "limit": 50})
        assert latest["items"] == same["items"] and latest["summary"] == same["summary"]
        review = await c.get_prompt("change_review", {"since": "24h"})
        assert 'get_changes with since="24h", view="findings"' in review.messages[0].content.text

        err, message = await _call(c, "get_changes", {"since": "30d", "change": "opened"})
        assert err and "added, removed, modified" in message
        err, message = await _call(c, "get_changes", {"since": "30d", "engine": "db2"})
        assert err and "unknown engine" in message


async def test_made_public_then_fixed_shows_in_findings_and_resource_history() -> None:
    settings = Settings(source="synthetic", store=None, scale=150)
    history = SyntheticHistory(
        generate(seed=42, scale=150, now=datetime.now(UTC)), seed=42, days=30, findings_of=_findings
    )
    made, fixed = (next(c for c in history.plan if c.what == w) for w in ("made public", "public access fixed"))
    identifier = made.key.split("/")[0]
    async with Client(build_server(settings)) as c:
        _, listed = await _call(c, "list_snapshots")
        ids = [s["snapshot_id"] for s in reversed(listed["items"])]
        err, opened = await _call(
            c, "get_changes", {"since": ids[made.day - 1], "until": ids[made.day], "view": "findings"}
        )
        assert not err, opened
        mine = [i for i in opened["items"] if i["resource_id"] == identifier]
        assert mine and {i["change"] for i in mine} == {"opened"}
        assert {i["rule"] for i in mine} & {"rds.publicly_accessible", "rds.internet_exposed"}
        assert opened["findings_summary"]["opened"]

        err, hist = await _call(c, "get_resource_history", {"resource": identifier})
        assert not err, hist
        assert hist["source"] == "synthetic" and len(hist["versions"]) == 30
        by_id = {v["snapshot_id"]: v for v in hist["versions"]}
        went_public, went_private = by_id[ids[made.day]], by_id[ids[fixed.day]]
        assert went_public["fields"]["publicly_accessible"] == [False, True]
        assert went_private["fields"]["publicly_accessible"] == [True, False]
        opened_rules = {f["rule"] for f in went_public["findings_opened"]}
        assert opened_rules and opened_rules == {f["rule"] for f in went_private["findings_resolved"]}


def test_the_finding_kind_is_not_a_resource_kind() -> None:
    from awsinv_mcp.inventory import kinds

    assert FINDING not in kinds.BY_NAME
