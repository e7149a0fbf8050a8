"""Readers never wait for a collection once a snapshot exists (issue 18 item 6).

When the cache expires, the first reader starts one collection in the background and every reader answers from the
last snapshot meanwhile (before: that reader collected, and with a stalled region every read blocked until the
deadline). A failing background collection leaves the last snapshot in place.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.store import InventoryStore
from awsinv_mcp.inventory.synthetic.estate import generate


class SlowCollector:
    """Collects the small demo estate; from the second call on, waits for `release` (a stalled region)."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = threading.Event()
        self.fail = False

    def __call__(self, settings: Settings, progress: Any, cancel: threading.Event | None) -> Any:
        self.calls += 1
        if self.calls > 1:
            assert self.release.wait(30)
            if self.fail:
                raise RuntimeError("the endpoint went away")
        return generate(1, 20, datetime.now(UTC))


def _poll(condition: Any) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, "the background collection never finished"
        time.sleep(0.01)


def _store(collector: SlowCollector, now: list[float]) -> InventoryStore[Any]:
    return InventoryStore(Settings(source="synthetic", cache_ttl=10), collector, clock=lambda: now[0])


def test_an_expired_cache_is_answered_at_once_and_replaced_in_the_background() -> None:
    now = [0.0]
    collector = SlowCollector()
    store = _store(collector, now)
    first = store.estate()
    now[0] = 11.0  # the cache expired
    started = time.monotonic()
    reads = [store.estate() for _ in range(5)]
    assert time.monotonic() - started < 5  # the collection is stalled: only an answer from the snapshot is this fast
    assert all(r is first for r in reads)
    assert collector.calls == 2  # one background collection for five readers
    collector.release.set()
    _poll(lambda: store.peek() is not first)
    assert store.estate() is not first and collector.calls == 2


def test_a_failed_background_collection_keeps_the_last_snapshot_and_is_retried() -> None:
    now = [0.0]
    collector = SlowCollector()
    collector.fail = True
    collector.release.set()
    store = _store(collector, now)
    first = store.estate()
    now[0] = 11.0
    assert store.estate() is first
    answers = []
    _poll(lambda: answers.append(store.estate()) or collector.calls == 3)  # a later reader tries again
    assert all(a is first for a in answers)  # answered from the last snapshot all along
