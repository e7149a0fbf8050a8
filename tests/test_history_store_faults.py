"""The history store stopped and restarted under a running server (real PostgreSQL behind a loopback proxy the
test closes and reopens): answers keep coming from memory with a named warning, the snapshots collected
meanwhile are stored once the store answers again; a diff never mixes sources."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.history import timespec
from awsinv_mcp.inventory.history.reader import StoredSnapshot
from awsinv_mcp.server.app import build_server
from tests.db_fixtures import scratch_pg_database
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.anyio
DB = f"awsinv_hist_faults_{os.getpid()}"


@pytest.fixture
def proxied_store() -> Iterator[tuple[str, TcpProxy]]:
    with scratch_pg_database(DB):
        proxy = TcpProxy(("127.0.0.1", 5432))  # the store's only way to PostgreSQL: the test closes and reopens it
        try:
            yield f"postgresql://postgres@127.0.0.1:{proxy.port}/{DB}?connect_timeout=3", proxy
        finally:
            proxy.close()


async def _call(client: Client, name: str, args: dict | None = None) -> tuple[bool, dict | str]:
    result = await client.call_tool(name, args or {})
    text = result.content[0].text
    return bool(result.is_error), (text if result.is_error else json.loads(text))


def _store_warnings(answer: dict) -> list[str]:
    return [w["message"] for w in answer["warnings"] if w["scope"] == "history store"]


async def test_store_down_at_start_and_mid_run(proxied_store: tuple[str, TcpProxy]) -> None:
    url, proxy = proxied_store
    settings = Settings(source="synthetic", scale=20, store=url)
    async with Client(build_server(settings)) as c:
        # down at start: the first collection answers from memory and says so, in every answer
        err, summary = await _call(c, "get_inventory_summary")
        assert not err and "unreachable" in _store_warnings(summary)[0]
        err, listed = await _call(c, "list_db_instances", {"limit": 1})
        assert not err and _store_warnings(listed)
        err, message = await _call(c, "list_snapshots")
        assert err and "history store" in message and "unreachable" in message and "postgres@" not in message

        # back: the next collection stores the one kept in memory, then its own; no warning any more
        proxy.open()
        err, _ = await _call(c, "refresh_inventory")
        assert not err
        err, summary = await _call(c, "get_inventory_summary")
        assert not _store_warnings(summary)
        err, listed = await _call(c, "list_snapshots")
        assert not err and listed["total"] == 2 and sum(listed["items"][0]["findings"].values()) > 0

        # down mid-run (open connections cut): warning again; back: both stored
        proxy.close()
        err, _ = await _call(c, "refresh_inventory")
        err, summary = await _call(c, "get_inventory_summary")
        assert not err and _store_warnings(summary)
        proxy.open()
        await _call(c, "refresh_inventory")
        err, listed = await _call(c, "list_snapshots")
        assert not err and listed["total"] == 4, listed
        err, summary = await _call(c, "get_inventory_summary")
        assert not _store_warnings(summary)


def _stored(source: str, hours: int) -> StoredSnapshot:
    at = datetime(2026, 11, 25, tzinfo=UTC) + timedelta(hours=hours)
    return StoredSnapshot(id=f"{source}-{hours}", source=source, collected_at=at, records=1, status={})


def test_a_time_resolves_to_a_snapshot_of_the_compared_source_only() -> None:
    snaps = [_stored("aws", 0), _stored("synthetic", 1), _stored("aws", 2), _stored("synthetic", 3)]
    now = snaps[-1].collected_at
    assert timespec.resolve("2h", snaps, now).id == "synthetic-1"  # any source when none is asked for
    assert timespec.resolve("2h", snaps, now, source="aws").id == "aws-0"
    assert timespec.resolve("1h", snaps, now, source="aws").id == "aws-2"
