"""Malformed JSON-RPC gets a short, correct error on both transports, never silence (issue 17, items 9, 10).

Raw JSON-RPC over the real `awsinv-mcp serve` process: its stdin/stdout, and its streamable HTTP endpoint
with httpx. Over stdio a non-JSON line got no -32700 and a batch got no answer at all (a batching client
hung); over HTTP a batch got a 1.2 KB validation dump and a bogus `MCP-Protocol-Version` an error about
`params._meta` envelope keys.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from mcp import Client

from awsinv_mcp.models.table import rows_of
from tests.http_server import INIT, MCP_HEADERS, running_server, server_env

TIMEOUT_S = 30.0


class StdioServer:
    """`awsinv-mcp serve` on pipes; `send` writes one line, `recv` returns the next stdout line as JSON."""

    def __init__(self, **env: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "awsinv_mcp", "serve"],
            env=server_env(**env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def send(self, message: Any) -> None:
        line = message if isinstance(message, str | bytes) else json.dumps(message)
        data = line.encode() if isinstance(line, str) else line
        assert self.proc.stdin is not None
        self.proc.stdin.write(data + b"\n")
        self.proc.stdin.flush()

    def recv(self) -> Any:
        try:
            return json.loads(self.lines.get(timeout=TIMEOUT_S))  # every stdout line is JSON
        except queue.Empty:
            raise AssertionError(f"no answer within {TIMEOUT_S} s") from None

    def initialize(self, version: str) -> None:
        self.send({**INIT, "params": {**INIT["params"], "protocolVersion": version}})
        assert self.recv()["result"]["protocolVersion"] == version
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def ping(self, request_id: int) -> None:
        self.send({"jsonrpc": "2.0", "id": request_id, "method": "ping"})
        assert self.recv() == {"jsonrpc": "2.0", "id": request_id, "result": {}}

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            assert self.proc.wait(20) == 0
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def stdio() -> Iterator[StdioServer]:
    server = StdioServer()
    yield server
    server.close()


def _error(answer: dict[str, Any], code: int, request_id: Any = None) -> str:
    assert answer["jsonrpc"] == "2.0" and answer["id"] == request_id and "result" not in answer, answer
    assert answer["error"]["code"] == code, answer
    return answer["error"]["message"]


def test_stdio_answers_lines_that_are_not_one_message(stdio: StdioServer) -> None:
    stdio.initialize("2025-11-25")
    stdio.send("this is not json")
    assert "not valid JSON" in _error(stdio.recv(), -32700)
    stdio.send('{"jsonrpc": "2.0", "id": 4')  # cut short
    _error(stdio.recv(), -32700)
    stdio.send("42")
    assert "JSON object" in _error(stdio.recv(), -32600)
    stdio.send({"jsonrpc": "2.0", "id": 7, "method": 5})
    assert '"method" must be a string' in _error(stdio.recv(), -32600, 7)
    stdio.send({"jsonrpc": "1.0", "id": "a", "method": "ping"})
    assert '"jsonrpc" must be "2.0"' in _error(stdio.recv(), -32600, "a")
    stdio.send("   ")  # blank lines are ignored, not answered
    stdio.ping(9)  # the next line is the ping's answer: the session is intact


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25"])
def test_stdio_refuses_a_batch_where_the_protocol_has_none(stdio: StdioServer, version: str) -> None:
    stdio.initialize(version)
    stdio.send([{"jsonrpc": "2.0", "id": 2, "method": "ping"}])
    message = _error(stdio.recv(), -32600)
    assert "2025-06-18" in message and version in message and "on its own" in message
    stdio.ping(3)


def test_stdio_refuses_a_batch_before_initialize(stdio: StdioServer) -> None:
    stdio.send([INIT])
    assert "not negotiated" in _error(stdio.recv(), -32600)
    stdio.initialize("2025-11-25")


def test_stdio_processes_batches_on_2025_03_26(stdio: StdioServer) -> None:
    stdio.initialize("2025-03-26")
    stdio.send(
        [
            {"jsonrpc": "2.0", "id": 2, "method": "ping"},
            {"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
            {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}},
            {"jsonrpc": "2.0", "id": 4, "method": 5},
            {**INIT, "id": 5},
            {"jsonrpc": "2.0", "id": 2, "method": "ping"},  # duplicate id
        ]
    )
    replies = stdio.recv()
    assert isinstance(replies, list) and len(replies) == 5
    by_id: dict[Any, list[dict[str, Any]]] = {}
    for reply in replies:
        by_id.setdefault(reply["id"], []).append(reply)
    assert any(r.get("result") == {} for r in by_id[2]) and any("error" in r for r in by_id[2])
    assert {t["name"] for t in by_id[3][0]["result"]["tools"]} >= {"list_db_instances"}
    assert by_id[4][0]["error"]["code"] == -32600
    assert "initialize" in by_id[5][0]["error"]["message"]
    stdio.send([{"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 2}}])
    stdio.send([])
    assert "empty batch" in _error(stdio.recv(), -32600)  # the notification-only batch got no answer
    stdio.ping(6)


def test_stdio_refuses_an_oversized_line_and_carries_on(stdio: StdioServer) -> None:
    stdio.initialize("2025-11-25")
    stdio.send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "ping", "params": {"pad": "x" * 5_000_000}}))
    assert "4 MiB" in _error(stdio.recv(), -32600)
    stdio.ping(3)


@pytest.mark.anyio
async def test_the_official_client_still_works_over_stdio() -> None:
    from mcp import StdioServerParameters

    params = StdioServerParameters(command=sys.executable, args=["-m", "awsinv_mcp", "serve"], env=server_env())
    async with Client(params, mode="legacy") as client:
        result = await client.call_tool("list_db_instances", {"limit": 2})
        assert not result.is_error and len(rows_of(result.structured_content)) == 2


# -- HTTP -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http_base() -> Iterator[str]:
    with running_server() as base:
        yield base


def _session(http: httpx2.Client) -> dict[str, str]:
    r = http.post("/mcp", json=INIT, headers=MCP_HEADERS)
    headers = {**MCP_HEADERS, "mcp-session-id": r.headers["mcp-session-id"], "mcp-protocol-version": "2025-11-25"}
    http.post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
    return headers


@pytest.mark.parametrize("with_session", [False, True])
def test_http_batch_gets_a_short_error(http_base: str, with_session: bool) -> None:
    with httpx2.Client(base_url=http_base, timeout=TIMEOUT_S) as http:
        headers = _session(http) if with_session else MCP_HEADERS
        r = http.post("/mcp", json=[{"jsonrpc": "2.0", "id": 2, "method": "ping"}], headers=headers)
    assert r.status_code == 400 and len(r.content) < 400
    assert "2025-06-18" in _error(r.json(), -32600)


def test_http_malformed_bodies_get_short_errors(http_base: str) -> None:
    with httpx2.Client(base_url=http_base, timeout=TIMEOUT_S) as http:
        headers = _session(http)
        invalid = http.post("/mcp", json={"jsonrpc": "2.0", "id": 5, "method": ["ping"]}, headers=headers)
        not_json = http.post("/mcp", content=b"{nope", headers=headers)
        ok = http.post("/mcp", json={"jsonrpc": "2.0", "id": 6, "method": "ping"}, headers=headers)
    assert invalid.status_code == 400 and "method" in _error(invalid.json(), -32600, 5)
    assert not_json.status_code == 400 and "not valid JSON" in _error(not_json.json(), -32700)
    assert ok.status_code == 200 and '"id":6' in ok.text


@pytest.mark.parametrize("version", ["bogus", "2025-11-25x", "1999-01-01"])
def test_http_unknown_protocol_version_header_names_the_supported_ones(http_base: str, version: str) -> None:
    with httpx2.Client(base_url=http_base, timeout=TIMEOUT_S) as http:
        headers = {**_session(http), "mcp-protocol-version": version}
        r = http.post("/mcp", json={"jsonrpc": "2.0", "id": 2, "method": "ping"}, headers=headers)
        bare = http.post("/mcp", json={"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, headers=headers)
    assert r.status_code == 400 and bare.status_code == 400
    message = _error(r.json(), -32022, 2)
    assert version in message and "2025-11-25" in message and "2026-07-28" in message and "_meta" not in message
    assert r.json()["error"]["data"]["requested"] == version and "2025-06-18" in r.json()["error"]["data"]["supported"]
    assert bare.json()["id"] == 3  # the refusal answers the request it refuses


def test_http_unknown_version_of_a_per_request_era_request_lists_what_discover_lists(http_base: str) -> None:
    meta = {
        "io.modelcontextprotocol/protocolVersion": "v999.0.0",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    body = {"jsonrpc": "2.0", "id": 301, "method": "server/discover", "params": {"_meta": meta}}
    headers = {**MCP_HEADERS, "mcp-protocol-version": "v999.0.0", "mcp-method": "server/discover"}
    r = httpx2.post(f"{http_base}/mcp", json=body, headers=headers, timeout=TIMEOUT_S)
    assert r.status_code == 400 and r.json()["id"] == 301
    data = r.json()["error"]["data"]
    assert data == {"supported": ["2026-07-28"], "requested": "v999.0.0"}


def test_http_origin_check_still_comes_first(http_base: str) -> None:
    headers = {**MCP_HEADERS, "origin": "http://evil.example.com", "mcp-protocol-version": "bogus"}
    r = httpx2.post(f"{http_base}/mcp", content=b"[1]", headers=headers, timeout=TIMEOUT_S)
    assert r.status_code == 403


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_the_official_client_still_works_over_http(http_base: str, mode: str) -> None:
    async with Client(f"{http_base}/mcp", mode=mode) as client:
        result = await client.call_tool("get_inventory_summary", {})
        assert result.structured_content["db_instances"] == 60
