"""Behind Debian's nginx with deploy/nginx.conf: the MCP client, a streamed chat turn and foreign Origins.

Needs the `nginx` binary (.ci/run installs Debian's package); skipped loudly without it outside CI.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.conftest import require_service
from tests.fake_anthropic import FakeMessagesAPI, text, tool_use
from tests.proxy_stack import TOKEN, Stack, nginx_binary, proxy_stack
from tests.test_transports import INIT, MCP_HEADERS

pytestmark = pytest.mark.nginx
AUTH = {"authorization": f"Bearer {TOKEN}"}
ANSWER = "The demo estate has 60 DB instances across three accounts; " * 6


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeMessagesAPI]:
    api = FakeMessagesAPI([])
    api.start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def stack(fake_api: FakeMessagesAPI) -> Iterator[Stack]:
    if nginx_binary() is None:
        require_service("nginx", "no nginx binary; apt-get install nginx")
    with proxy_stack(fake_api.base_url) as running:
        yield running


def stream_chat(base: str, headers: dict[str, str] | None = None) -> list[tuple[float, dict]]:
    """POST a chat turn to /api/v1/chat/stream; each SSE event with its arrival time (seconds after the POST)."""
    events: list[tuple[float, dict]] = []
    start = time.perf_counter()
    with httpx2.stream(
        "POST", f"{base}/api/v1/chat/stream", json={"query": "How many databases?"},
        headers={**AUTH, **(headers or {})}, timeout=60,
    ) as response:  # fmt: skip
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                events.append((time.perf_counter() - start, json.loads(line[6:])))
    return events


@pytest.mark.anyio
async def test_mcp_client_through_the_proxy(stack: Stack) -> None:
    async with (
        httpx2.AsyncClient(headers=AUTH, timeout=30) as http,
        Client(streamable_http_client(f"{stack.proxy}/mcp", http_client=http)) as client,
    ):
        assert "list_db_instances" in {t.name for t in (await client.list_tools()).tools}
        summary = await client.call_tool("get_inventory_summary", {})
        assert not summary.is_error and summary.structured_content["db_instances"] == 60


def test_streamed_chat_turn_passes_unbuffered(stack: Stack, fake_api: FakeMessagesAPI) -> None:
    fake_api.script[:] = [tool_use("get_inventory_summary", {}), dataclasses.replace(text(ANSWER), pause_s=0.03)]
    origin = {"origin": stack.proxy}  # the page's own origin, as the browser sends it through the proxy
    events = stream_chat(stack.proxy, origin)
    kinds = [e["type"] for _, e in events]
    assert kinds[-1] == "done" and "tool_start" in kinds and "tool_end" in kinds
    assert "".join(e["text"] for _, e in events if e["type"] == "text") == ANSWER
    assert events[-1][1]["answer"] == ANSWER
    first_text = next(t for t, e in events if e["type"] == "text")
    # 30 deltas 30 ms apart: unbuffered, the first arrives long before the last (buffered, all at once)
    assert events[-1][0] - first_text > 0.4, [round(t, 3) for t, _ in events]
    sent = fake_api.headers[-1]
    assert sent.get("x-forwarded-for") is None  # the proxy's headers stop at the web app


def test_foreign_origin_is_refused_through_the_proxy(stack: Stack) -> None:
    evil = {"origin": "http://evil.example"}
    mcp = httpx2.post(f"{stack.proxy}/mcp", json=INIT, headers={**MCP_HEADERS, **AUTH, **evil}, timeout=10)
    assert mcp.status_code == 403
    chat = httpx2.post(f"{stack.proxy}/infrastructure-ai", json={"query": "hi"}, headers={**AUTH, **evil}, timeout=10)
    assert chat.status_code == 403 and chat.json()["error"].startswith("cross-origin request refused")
    same = httpx2.post(f"{stack.proxy}/mcp", json=INIT, headers={**MCP_HEADERS, **AUTH, "origin": stack.proxy})
    assert same.status_code == 200


def test_forwarded_headers_count_only_from_the_trusted_proxy(stack: Stack) -> None:
    """A client on 127.0.0.1 (not the proxy's 127.0.0.2) cannot claim the proxy's host to pass the Origin check."""
    public = stack.proxy.removeprefix("http://")
    forged = {"origin": stack.proxy, "x-forwarded-host": public, "x-forwarded-proto": "http"}
    direct = httpx2.post(f"{stack.web}/infrastructure-ai", json={"query": "hi"}, headers={**AUTH, **forged})
    assert direct.status_code == 403


def test_proxy_limits_and_health(stack: Stack) -> None:
    assert httpx2.get(f"{stack.proxy}/healthz", timeout=10).json() == {"status": "ok"}
    assert httpx2.get(f"{stack.proxy}/api/v1/inventory/summary", timeout=10).status_code == 401  # token still needed
    big = b"x" * (2 * 1024 * 1024)
    too_big = httpx2.post(f"{stack.proxy}/infrastructure-ai", content=big, headers=AUTH, timeout=10)
    assert too_big.status_code == 413  # client_max_body_size, before Python reads a byte
    metadata = httpx2.get(f"{stack.proxy}/.well-known/oauth-protected-resource/mcp", timeout=10)
    assert metadata.status_code == 401 and "AWSINV_AUTH_TOKEN" in metadata.json()["error"]  # routed to the server
