"""A cancelled `refresh_inventory` on the wire (issue 17 item 8): no answer, no more progress, no swap.

Raw JSON-RPC over the real `awsinv-mcp serve` process (stdio, and streamable HTTP with httpx), so every message the
server writes is seen: a refresh
carrying a progress token is cancelled with `notifications/cancelled` once its first progress arrives. The
specification says the cancelled request gets no response; its progress must stop, and the snapshot must stay the
one collected before (even after the abandoned collection has had time to finish).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.http_server import running_server
from tests.test_jsonrpc_edge import StdioServer, _session

ENV = {"AWSINV_SCALE": "30000", "AWSINV_CACHE_TTL": "600"}  # one collection takes seconds


@pytest.fixture
def stdio() -> Iterator[StdioServer]:
    server = StdioServer(**ENV)
    try:
        yield server
    finally:
        server.close()


def _call(stdio: StdioServer, request_id: int, name: str, meta: dict[str, Any] | None = None) -> None:
    params: dict[str, Any] = {"name": name, "arguments": {}}
    if meta:
        params["_meta"] = meta
    stdio.send({"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params})


def _until_answer(stdio: StdioServer, request_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The answer to `request_id` and every other message received before it."""
    others = []
    while (message := stdio.recv()).get("id") != request_id:
        others.append(message)
    return message, others


def test_a_cancelled_refresh_gets_no_answer_no_more_progress_and_keeps_the_snapshot(stdio: StdioServer) -> None:
    stdio.initialize("2025-11-25")
    _call(stdio, 2, "get_inventory_summary")
    before = _until_answer(stdio, 2)[0]["result"]["structuredContent"]

    _call(stdio, 3, "refresh_inventory", {"progressToken": "cancel-me"})
    stdio.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3, "reason": "t"}})
    stdio.send({"jsonrpc": "2.0", "id": 4, "method": "ping"})
    pong, before_pong = _until_answer(stdio, 4)  # the cancellation has been read once the ping sent after it answers
    assert pong["result"] == {} and all(m.get("method") == "notifications/progress" for m in before_pong)

    # a second refresh runs after the cancelled collection is abandoned; meanwhile nothing may answer id 3,
    # and no progress for the cancelled token may arrive once the ping was answered
    _call(stdio, 5, "refresh_inventory")
    answer, between = _until_answer(stdio, 5)
    assert "result" in answer and not answer["result"].get("isError"), answer
    assert [m for m in between if m.get("id") == 3] == [], "the cancelled request was answered"
    late = [m for m in between if m.get("params", {}).get("progressToken") == "cancel-me"]
    assert late == [], f"{len(late)} progress notification(s) after the cancellation"

    _call(stdio, 6, "get_inventory_summary")
    after = _until_answer(stdio, 6)[0]["result"]["structuredContent"]
    fresh = answer["result"]["structuredContent"]
    assert after["collected_at"] == fresh["collected_at"] > before["collected_at"]  # the second refresh's, once


def test_over_http_the_cancelled_stream_ends_at_once_without_later_progress() -> None:
    """Streamable HTTP (2025-11-25) must end the request's SSE stream with a response, so the SDK writes -32800 there
    (`mcp/server/streamable_http.py`, `_terminate_unanswered_request`); it must come when the cancellation is read,
    not when the abandoned collection ends (nine seconds later before), and nothing may follow it."""
    with running_server(**ENV) as base, httpx2.Client(base_url=base, timeout=60) as http:
        headers = _session(http)
        call = {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                "params": {"name": "refresh_inventory", "arguments": {}, "_meta": {"progressToken": "p"}}}  # fmt: skip
        cancel = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 3}}
        events: list[dict[str, Any]] = []
        with http.stream("POST", "/mcp", json=call, headers=headers) as stream:
            assert stream.status_code == 200
            lines = stream.iter_lines()  # the stream is open: the call is running (its only progress comes at the end)
            started = time.monotonic()
            assert http.post("/mcp", json=cancel, headers=headers).status_code == 202
            events += [json.loads(line[5:]) for line in lines if line.startswith("data:")]
            took = time.monotonic() - started
    assert events[-1] == {"jsonrpc": "2.0", "id": 3, "error": {"code": -32800, "message": "Request cancelled"}}
    assert [e for e in events if "id" in e] == [events[-1]], "the cancelled call was answered otherwise"
    assert took < 5, f"the stream ended {took:.1f} s after the cancellation"
