"""A cancelled `refresh_inventory` releases everything (issue 18 item 1).

Against the real `serve --transport http` process with the official client: a refresh carrying a progress token is
cancelled mid-collection; later refreshes and reads from a new session must answer, the previous snapshot must be
kept, and SIGTERM must still stop the process while a request is in flight.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from awsinv_mcp.config import Settings
from awsinv_mcp.errors import Cancelled
from awsinv_mcp.inventory.store import InventoryStore
from awsinv_mcp.inventory.synthetic.estate import generate
from tests.http_server import start_http, stop

pytestmark = pytest.mark.anyio

# big enough that one synthetic collection takes seconds, small enough for CI
ENV = {"AWSINV_SCALE": "30000", "AWSINV_CACHE_TTL": "10"}


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen, str]]:
    proc, base = start_http(**ENV)
    try:
        yield proc, base
    finally:
        stop(proc)


async def _call(base: str, name: str, args: dict[str, Any] | None = None, **kw: Any) -> Any:
    async with (
        httpx2.AsyncClient(timeout=120) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
    ):
        return await client.call_tool(name, args or {}, **kw)


async def _cancelled_refresh(base: str, after_s: float) -> list[float]:
    progress: list[float] = []

    async def on_progress(done: float, total: float | None, message: str | None) -> None:
        progress.append(done)

    with anyio.move_on_after(after_s) as scope:
        await _call(base, "refresh_inventory", progress_callback=on_progress)
    assert scope.cancelled_caught, "the refresh finished before it could be cancelled: raise AWSINV_SCALE"
    return progress


async def test_refresh_and_reads_answer_after_a_cancelled_refresh_with_progress(served: Any) -> None:
    _, base = served
    first = await _call(base, "get_inventory_summary")
    assert not first.is_error
    before = first.structured_content["collected_at"]

    await _cancelled_refresh(base, after_s=0.5)

    with anyio.fail_after(120):  # the defect: these hung for the life of the process
        summary = await _call(base, "get_inventory_summary")
        assert not summary.is_error
        assert summary.structured_content["collected_at"] >= before
        again = await _call(base, "refresh_inventory")
        assert not again.is_error and again.structured_content["db_instances"] > 0
        after = await _call(base, "get_inventory_summary")
    assert after.structured_content["collected_at"] > before


async def test_cancelled_refresh_keeps_the_previous_snapshot(served: Any) -> None:
    _, base = served
    before = (await _call(base, "get_inventory_summary")).structured_content
    await _cancelled_refresh(base, after_s=0.3)
    now = (await _call(base, "get_inventory_summary")).structured_content
    assert now["collected_at"] == before["collected_at"]  # within the TTL: the old snapshot, not a half one
    assert now["db_instances"] == before["db_instances"]


async def test_sigterm_stops_the_server_with_a_refresh_in_flight(served: Any) -> None:
    proc, base = served
    await _call(base, "get_inventory_summary")
    async with anyio.create_task_group() as tg:
        tg.start_soon(_call_quietly, base)
        await anyio.sleep(0.5)  # not readiness: give the refresh time to be in flight when SIGTERM comes
        started = time.monotonic()
        proc.terminate()
        with anyio.fail_after(20):
            while proc.poll() is None:
                await anyio.sleep(0.05)
        tg.cancel_scope.cancel()
    assert time.monotonic() - started < 15, "SIGTERM took too long"


async def _call_quietly(base: str) -> None:
    with contextlib.suppress(Exception):  # the server goes away mid-call, as intended
        await _call(base, "refresh_inventory")


def test_a_cancelled_synthetic_collection_stops_and_the_store_keeps_its_snapshot() -> None:
    """The demo collector stops between its generation steps too (before: it ran to the end after a cancel, holding
    the store's collection lock meanwhile)."""
    store = InventoryStore(Settings(source="synthetic", scale=3000))
    kept = store.refresh()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        generate(1, 3000, datetime.now(UTC), cancel=cancel)
    with pytest.raises(Cancelled):
        store.refresh(None, cancel)
    assert store.peek() is kept
