"""The real server process over stdio and streamable HTTP, driven by the official MCP client."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from awsinv_mcp.models.table import rows_of
from tests.http_server import INIT, MCP_HEADERS, server_env, start_http, stop

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def http_server() -> Iterator[str]:
    proc, base = start_http()
    yield base
    stop(proc)


@pytest.fixture(scope="module")
def http_server_with_token() -> Iterator[str]:
    proc, base = start_http(token="s3cret-token")
    yield base
    stop(proc)


async def test_stdio_round_trip() -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "awsinv_mcp", "serve"], env=server_env())
    async with Client(params) as c:
        names = {t.name for t in (await c.list_tools()).tools}
        assert {"get_inventory_summary", "list_db_instances"} <= names
        r = await c.call_tool("get_inventory_summary", {})
        assert not r.is_error and r.structured_content["db_instances"] == 60
        bad = await c.call_tool("get_db_instance", {"identifier": "no-such-db"})
        assert bad.is_error and "list_db_instances" in bad.content[0].text


def test_stdio_stdout_carries_only_protocol() -> None:
    """With stdin closed at once the server exits; stdout must stay empty (logs go to stderr)."""
    proc = subprocess.run(
        [sys.executable, "-m", "awsinv_mcp", "serve", "--log-level", "DEBUG"],
        env=server_env(),
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout == ""


async def test_http_client_round_trip(http_server: str) -> None:
    async with Client(f"{http_server}/mcp") as c:
        tools = (await c.list_tools()).tools
        assert len(tools) >= 8
        r = await c.call_tool("list_db_instances", {"limit": 3})
        assert r.structured_content["total"] == 60 and len(rows_of(r.structured_content)) == 3


def test_http_exact_path_health_and_origin(http_server: str) -> None:
    assert httpx2.get(f"{http_server}/healthz").json()["status"] == "ok"
    ok = httpx2.post(f"{http_server}/mcp", json=INIT, headers=MCP_HEADERS)
    assert ok.status_code == 200, ok.text  # answered at /mcp itself, no redirect
    evil = httpx2.post(f"{http_server}/mcp", json=INIT, headers={**MCP_HEADERS, "origin": "http://evil.example.com"})
    assert evil.status_code == 403
    rebinding = httpx2.post(f"{http_server}/mcp", json=INIT, headers={**MCP_HEADERS, "host": "evil.example.com"})
    assert rebinding.status_code in (403, 421)


async def test_http_token_required(http_server_with_token: str) -> None:
    base = http_server_with_token
    assert httpx2.get(f"{base}/healthz").status_code == 200  # open for load balancers
    assert httpx2.post(f"{base}/mcp", json=INIT, headers=MCP_HEADERS).status_code == 401
    wrong = httpx2.post(f"{base}/mcp", json=INIT, headers={**MCP_HEADERS, "authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "s3cret" not in wrong.text
    auth = {"authorization": "Bearer s3cret-token"}
    assert httpx2.post(f"{base}/mcp", json=INIT, headers={**MCP_HEADERS, **auth}).status_code == 200
    async with (
        httpx2.AsyncClient(headers=auth) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http)) as c,
    ):
        r = await c.call_tool("get_inventory_summary", {})
        assert r.structured_content["source"] == "synthetic"


def test_refuses_public_bind_without_token() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "awsinv_mcp", "serve", "--transport", "http", "--host", "0.0.0.0", "--port", "1"],
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "AWSINV_AUTH_TOKEN" in lines[0]
