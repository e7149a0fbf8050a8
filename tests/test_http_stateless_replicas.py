"""`serve --transport http --stateless` (issue 12 item 3): no session ids, so a plain round-robin balancer may send
each request of a 2025-era client to any replica. Two real server processes answer one client's requests in turn."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from mcp import Client

from tests.http_server import MCP_HEADERS, running_server

PROTOCOL = "2025-11-25"


def _post(base: str, body: dict[str, Any]) -> httpx2.Response:
    headers = {**MCP_HEADERS, "mcp-protocol-version": PROTOCOL}
    return httpx2.post(f"{base}/mcp", json=body, headers=headers, timeout=60)


def _result(response: httpx2.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    text = response.text
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        text = next(line[5:] for line in text.splitlines() if line.startswith("data:"))
    answer = json.loads(text)
    assert "error" not in answer, answer
    return answer["result"]


def test_requests_alternate_between_two_stateless_replicas() -> None:
    with running_server(AWSINV_HTTP_STATELESS="true") as a, running_server(AWSINV_HTTP_STATELESS="true") as b:
        init = {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "rr", "version": "1"}}
        first = _post(a, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init})
        assert "mcp-session-id" not in first.headers and _result(first)["serverInfo"]["name"] == "awsinv-mcp"
        call = {"name": "get_inventory_summary", "arguments": {}}
        answers = [
            _result(_post(base, {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": call}))
            for i, base in enumerate((b, a, b), start=2)  # round robin: never the replica that was initialised
        ]
    summaries = [r["structuredContent"] for r in answers]
    assert all(s["source"] == "synthetic" and s["db_instances"] == summaries[0]["db_instances"] for s in summaries)


def test_a_stateful_server_still_wants_its_session() -> None:
    with running_server() as base:
        call = {"name": "get_inventory_summary", "arguments": {}}
        refused = _post(base, {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": call})
    assert refused.status_code in (400, 404), refused.text


@pytest.mark.anyio
async def test_the_official_client_works_against_a_stateless_server() -> None:
    with running_server(AWSINV_HTTP_STATELESS="true") as base:
        async with Client(f"{base}/mcp", mode="legacy") as client:
            result = await client.call_tool("list_db_instances", {"limit": 2})
    assert not result.is_error and result.structured_content["source"] == "synthetic"
