"""One client cannot exhaust the HTTP sessions (issue 18, item 4).

10,300 bare `initialize` requests created 10,000 sessions (RSS 70 -> 441 MB) and every later client got 503
for up to 30 minutes. Now: sessions never used after `initialize` end within seconds, idle sessions make
room at the cap (the flooding client's own first), and only a server whose sessions are all busy answers
503, with `Retry-After` and what to do. Against the SDK's real streamable HTTP app, served by uvicorn.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx2
import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from starlette.requests import Request
from starlette.responses import JSONResponse

from awsinv_mcp.server.sessions import SessionGuard
from tests.http_server import INIT, MCP_HEADERS, running_server
from tests.web_stub import ServedApp

PING = {"jsonrpc": "2.0", "id": 9, "method": "ping"}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
DEADLINE_S = 20.0


def tiny_app(*, max_sessions: int, idle_timeout: float, init_timeout: float) -> SessionGuard:
    mcp = MCPServer("tiny")

    @mcp.tool()
    def hello() -> str:
        return "hi"

    @mcp.custom_route("/healthz", methods=["GET"])
    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    app = mcp.streamable_http_app(max_sessions=max_sessions + 16, session_idle_timeout=10 * idle_timeout)
    return SessionGuard(app, max_sessions=max_sessions, idle_timeout=idle_timeout, init_timeout=init_timeout)


def open_session(http: httpx2.Client, *, used: bool = True, who: str = "a") -> str:
    r = http.post("/mcp", json=INIT, headers={**MCP_HEADERS, "authorization": f"Bearer {who}"})
    assert r.status_code == 200, r.text
    session = r.headers["mcp-session-id"]
    if used:
        http.post("/mcp", json=INITIALIZED, headers=headers(session, who))
    return session


def headers(session: str, who: str = "a") -> dict[str, str]:
    return {
        **MCP_HEADERS,
        "mcp-session-id": session,
        "mcp-protocol-version": "2025-11-25",
        "authorization": f"Bearer {who}",
    }


def alive(http: httpx2.Client, session: str, who: str = "a") -> bool:
    status = http.post("/mcp", json=PING, headers=headers(session, who)).status_code
    assert status in (200, 404), status
    return status == 200


def wait_until(condition: Callable[[], object], deadline_s: float = DEADLINE_S) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < deadline_s, "condition not met in time"
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.fixture
def guard() -> SessionGuard:
    return tiny_app(max_sessions=6, idle_timeout=3.0, init_timeout=0.5)


@pytest.fixture
def served(guard: SessionGuard) -> Iterator[ServedApp]:
    with ServedApp(guard) as served:
        yield served


def test_sessions_never_used_after_initialize_end_quickly(served: ServedApp, guard: SessionGuard) -> None:
    with httpx2.Client(base_url=served.url, timeout=30) as http:
        bare = open_session(http, used=False)
        kept = open_session(http)
        waited = wait_until(lambda: bare not in guard.sessions)  # watched in-process: a request would use it
        assert waited < 5.0
        assert not alive(http, bare) and alive(http, kept)


def test_idle_sessions_end_after_the_idle_timeout(served: ServedApp, guard: SessionGuard) -> None:
    with httpx2.Client(base_url=served.url, timeout=30) as http:
        session = open_session(http)
        started = time.monotonic()
        wait_until(lambda: session not in guard.sessions)
        assert time.monotonic() - started >= 2.5  # not before it was idle for the timeout (3 s)
        assert not alive(http, session)


def test_a_flood_evicts_its_own_sessions_first(served: ServedApp) -> None:
    with httpx2.Client(base_url=served.url, timeout=30) as http:
        others = [open_session(http, who="b") for _ in range(2)]
        flood = [open_session(http, who="a") for _ in range(40)]  # the cap is 6: room is made every time
        assert all(alive(http, s, "b") for s in others)
        survivors = [s for s in flood if alive(http, s, "a")]
        assert survivors == flood[-4:]


def test_busy_sessions_are_kept_and_a_new_one_gets_a_clear_503(served: ServedApp) -> None:
    with httpx2.Client(base_url=served.url, timeout=30) as http:
        sessions = [open_session(http) for _ in range(6)]
        streams = []
        try:
            for session in sessions:  # an open GET stream keeps a session busy
                stream = http.stream("GET", "/mcp", headers={**headers(session), "accept": "text/event-stream"})
                assert stream.__enter__().status_code == 200
                streams.append(stream)
            r = http.post("/mcp", json=INIT, headers=MCP_HEADERS)
            assert r.status_code == 503 and r.headers["retry-after"].isdigit()
            message = r.json()["error"]["message"]
            assert "6" in message and "retry" in message and "DELETE" in message
        finally:
            for stream in streams:
                stream.__exit__(None, None, None)
        wait_until(lambda: http.post("/mcp", json=INIT, headers=MCP_HEADERS).status_code == 200)


@pytest.mark.anyio
async def test_the_served_command_keeps_room_for_a_real_client() -> None:
    with running_server(AWSINV_MAX_SESSIONS="10") as base:
        with httpx2.Client(base_url=base, timeout=30) as http:
            flood = [http.post("/mcp", json=INIT, headers=MCP_HEADERS) for _ in range(60)]
            assert {r.status_code for r in flood} == {200}
            ids = [r.headers["mcp-session-id"] for r in flood]
            async with Client(f"{base}/mcp", mode="legacy") as client:
                result = await client.call_tool("get_inventory_summary", {})
                assert result.structured_content["db_instances"] == 60
            held = sum(alive(http, s) for s in ids)
        assert held <= 10
