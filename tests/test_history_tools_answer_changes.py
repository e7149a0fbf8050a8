"""list_snapshots and get_changes through the official MCP client: every collection lands in the store
(AWSINV_STORE) and get_changes names exactly the records added, removed and modified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from tests.test_history_store_keeps_snapshots import _two_snapshots

pytestmark = pytest.mark.anyio


def _server(store: str | None):
    first, second, *_ = _two_snapshots()
    queue = [first, second]

    def collector(settings, progress, cancel=None):
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return build_server(Settings(source="synthetic", store=store, cache_ttl=0), collector=collector)


async def _call(client: Client, name: str, args: dict | None = None) -> tuple[bool, dict | str]:
    result = await client.call_tool(name, args or {})
    text = result.content[0].text
    return bool(result.is_error), (text if result.is_error else json.loads(text))


async def test_changes_between_two_collections(tmp_path: Path) -> None:
    first, second, a, b, gone = _two_snapshots()
    async with Client(_server(f"sqlite:///{tmp_path / 'h.db'}")) as c:
        await _call(c, "get_inventory_summary")
        err, _ = await _call(c, "refresh_inventory")
        assert not err
        err, listed = await _call(c, "list_snapshots")
        assert not err
        assert [s["snapshot_id"] for s in listed["items"]] == [second.id, first.id]
        assert listed["items"][0]["warning_count"] == 1

        err, changes = await _call(c, "get_changes", {"since": first.id})
        assert not err, changes
        assert changes["from_snapshot"]["snapshot_id"] == first.id
        assert changes["to_snapshot"]["snapshot_id"] == second.id
        assert changes["summary"] == {"db_instance": {"added": 1, "removed": 2, "modified": 1}}
        assert changes["total"] == len(changes["items"]) == 4
        modified = [i for i in changes["items"] if i["change"] == "modified"]
        assert modified == [
            {
                "change": "modified", "resource_type": "db_instance", "resource_id": a.identifier,
                "account": a.account, "region": a.region, "environment": a.environment, "team": a.team,
                "fields": {"instance_class": [a.instance_class, "db.r6g.4xlarge"],
                           "tags.Owner": [a.tags.get("Owner"), "someone-else"]},
            }
        ]  # fmt: skip
        removed = sorted(i["resource_id"] for i in changes["items"] if i["change"] == "removed")
        assert removed == sorted([b.identifier, gone.identifier])

        err, none = await _call(c, "get_changes", {"since": first.id, "resource_type": "s3_bucket"})
        assert not err and none["total"] == 0 and none["summary"] == {}

        err, message = await _call(c, "get_changes", {"since": "last tuesday"})
        assert err and "ISO date" in message and "7d" in message
        err, message = await _call(c, "get_changes", {"since": "7d", "resource_type": "lambda"})
        assert err and "db_instance" in message


async def test_aws_source_without_a_store_history_says_how_to_set_one() -> None:
    server = build_server(Settings(source="aws", store=None), collector=lambda *a: _two_snapshots()[0])
    async with Client(server) as c:
        err, message = await _call(c, "list_snapshots")
    assert err and "AWSINV_STORE=sqlite:///" in message


async def test_resource_history_follows_one_resource(tmp_path: Path) -> None:
    first, second, a, _b, gone = _two_snapshots()
    async with Client(_server(f"sqlite:///{tmp_path / 'h.db'}")) as c:
        await _call(c, "get_inventory_summary")
        await _call(c, "refresh_inventory")
        err, hist = await _call(c, "get_resource_history", {"resource": a.identifier})
        assert not err, hist
        assert (hist["resource_type"], hist["account"], hist["region"]) == ("db_instance", a.account, a.region)
        assert [(v["snapshot_id"], v["change"]) for v in hist["versions"]] == [
            (first.id, "added"),
            (second.id, "modified"),
        ]
        assert hist["versions"][1]["fields"]["instance_class"] == [a.instance_class, "db.r6g.4xlarge"]

        err, hist = await _call(c, "get_resource_history", {"resource": gone.identifier})
        assert [v["change"] for v in hist["versions"]] == ["added", "removed"]

        err, message = await _call(c, "get_resource_history", {"resource": "no-such-db"})
        assert err and "no-such-db" in message and "list_snapshots" in message
