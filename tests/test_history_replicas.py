"""Two `serve --transport http` replicas on one PostgreSQL history store: asked to refresh at once they collect
once (the store-wide advisory lock) and answer with the same snapshot, a cursor from one continues on the
other, and a snapshot one stores is noticed by the other within seconds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from awsinv_mcp.inventory.history.sql import HistoryStore
from tests.db_fixtures import scratch_pg_database
from tests.http_server import server_env, start_http, stop

pytestmark = pytest.mark.anyio
DB = f"awsinv_hist_replicas_{os.getpid()}"
URL = f"postgresql://postgres@127.0.0.1:5432/{DB}"
ENV = {"AWSINV_STORE": URL, "AWSINV_SCALE": "800", "AWSINV_SOURCE": "synthetic"}


@pytest.fixture
def replicas() -> Iterator[tuple[str, str]]:
    with scratch_pg_database(DB):
        procs = []
        try:
            for _ in range(2):
                procs.append(start_http(**ENV))
            yield procs[0][1], procs[1][1]
        finally:
            for proc, _ in procs:
                stop(proc)


async def _call(base: str, name: str, args: dict | None = None) -> dict[str, Any]:
    async with (
        httpx2.AsyncClient(timeout=120) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
    ):
        result = await client.call_tool(name, args or {})
    assert not result.is_error, result.content[0].text
    return json.loads(result.content[0].text)


def _stored() -> list[str]:
    store = HistoryStore(URL, create=False)
    try:
        return [s.id for s in store.snapshots()]
    finally:
        store.close()


async def test_two_replicas_share_one_store(replicas: tuple[str, str]) -> None:
    a, b = replicas
    first = await _call(a, "get_inventory_summary")  # a collects and stores
    second = await _call(b, "get_inventory_summary")  # b finds it fresh in the store and loads it
    assert second["collected_at"] == first["collected_at"] and len(_stored()) == 1

    answers: dict[str, dict[str, Any]] = {}

    async def refresh(base: str) -> None:
        answers[base] = await _call(base, "refresh_inventory")

    async with anyio.create_task_group() as tg:  # both asked at once: one collects, the other reuses it
        tg.start_soon(refresh, a)
        tg.start_soon(refresh, b)
    assert answers[a]["collected_at"] == answers[b]["collected_at"] != first["collected_at"]
    assert len(_stored()) == 2

    page_one = await _call(a, "list_db_instances", {"limit": 5, "sort": "engine"})
    on_b = await _call(b, "list_db_instances", {"limit": 5, "sort": "engine", "cursor": page_one["next_cursor"]})
    on_a = await _call(a, "list_db_instances", {"limit": 5, "sort": "engine", "cursor": page_one["next_cursor"]})
    rows = lambda answer: {k: v for k, v in answer.items() if k != "next_cursor"}  # noqa: E731
    assert on_b == on_a and rows(on_b) != rows(page_one)  # the same second page, whichever replica serves it

    # a collection by another process (the collect job) is noticed by both replicas within seconds
    done = subprocess.run(
        [sys.executable, "-m", "awsinv_mcp", "collect"], env=server_env(**ENV), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    newest = _stored()[-1]
    deadline = time.monotonic() + 30
    seen: set[str] = set()
    while time.monotonic() < deadline and len(seen) < 2:
        for base in (a, b):
            summary = await _call(base, "get_inventory_summary")
            if summary["collected_at"] != answers[a]["collected_at"]:
                seen.add(base)
        await anyio.sleep(0.2)
    assert seen == {a, b}, f"not every replica answered from {newest} within 30 s"


@pytest.fixture
def pg_store_url() -> Iterator[str]:
    with scratch_pg_database(DB) as url:
        yield url


def test_a_stored_snapshot_is_announced_to_listening_replicas(pg_store_url: str) -> None:
    """PostgreSQL NOTIFY: a replica waiting for a snapshot wakes when another process stores one (not at its
    timeout); nothing stored, it times out."""
    import threading
    from datetime import UTC, datetime

    from awsinv_mcp.inventory.synthetic import generate

    listener, writer = HistoryStore(pg_store_url), HistoryStore(pg_store_url)
    try:
        assert listener.wait_for_snapshot(0.2) is False  # LISTEN is set up; nothing was stored
        woke: list[bool] = []
        waiting = threading.Thread(target=lambda: woke.append(listener.wait_for_snapshot(60)))
        waiting.start()
        writer.save(generate(seed=1, scale=5, now=datetime.now(UTC)))
        waiting.join(90)
        assert woke == [True]
    finally:
        listener.close()
        writer.close()
