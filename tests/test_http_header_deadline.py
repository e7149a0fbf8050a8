"""Connections that never finish their request headers are timed out (issue 18, item 13).

uvicorn closed idle keep-alive connections but never one whose headers trickle in (or never come). Both
HTTP commands (`serve --transport http` and `web`) now answer 408 and close such a connection after
`AWSINV_HTTP_HEADER_TIMEOUT` seconds, while complete requests and long responses are unaffected.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx2
import pytest

from tests.http_server import INIT, MCP_HEADERS, running_server, server_env, stop

TIMEOUT = "1"
DEADLINE_S = 15.0


@pytest.fixture(scope="module")
def serve_port() -> Iterator[int]:
    with running_server(AWSINV_HTTP_HEADER_TIMEOUT=TIMEOUT) as base:
        yield int(base.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def web_port() -> Iterator[int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "awsinv_mcp", "web", "--port", "0"],
        env=server_env(AWSINV_HTTP_HEADER_TIMEOUT=TIMEOUT),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", proc.stdout.readline() if proc.stdout else "")
        assert match, "awsinv-mcp web did not print its address"
        yield int(match.group(1))
    finally:
        stop(proc)


def _read_until_closed(sock: socket.socket) -> tuple[bytes, float]:
    started = time.monotonic()
    sock.settimeout(DEADLINE_S)
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data, time.monotonic() - started


@pytest.mark.parametrize("which", ["serve", "web"])
@pytest.mark.parametrize("sent", [b"", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", b"GET /hea"])
def test_incomplete_headers_get_408_and_the_connection_closes(
    request: pytest.FixtureRequest, which: str, sent: bytes
) -> None:
    port = request.getfixturevalue(f"{which}_port")
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.sendall(sent)
        with socket.create_connection(("127.0.0.1", port)) as fine:  # others are served meanwhile
            fine.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer, _ = _read_until_closed(fine)
            assert answer.startswith(b"HTTP/1.1 200")
        data, waited = _read_until_closed(slow)
    assert data.startswith(b"HTTP/1.1 408") and b"not received within 1 s" in data
    assert waited < DEADLINE_S


def test_a_trickling_second_request_on_a_kept_alive_connection_is_timed_out(serve_port: int) -> None:
    with socket.create_connection(("127.0.0.1", serve_port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        sock.settimeout(DEADLINE_S)
        first = b""
        while not first.endswith(b"}"):  # the whole first answer (a small JSON body)
            first += sock.recv(4096)
        assert first.startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        data, _ = _read_until_closed(sock)
    assert data.startswith(b"HTTP/1.1 408")


def test_a_long_response_stream_outlives_the_header_deadline(serve_port: int) -> None:
    base = f"http://127.0.0.1:{serve_port}"
    with httpx2.Client(base_url=base, timeout=30) as http:
        session = http.post("/mcp", json=INIT, headers=MCP_HEADERS).headers["mcp-session-id"]
        headers = {**MCP_HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
        http.post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
        with http.stream("GET", "/mcp", headers={**headers, "accept": "text/event-stream"}) as stream:
            assert stream.status_code == 200
            opened = time.monotonic()
            while time.monotonic() - opened < 2 * float(TIMEOUT) + 0.5:  # past the deadline, still open
                ping = http.post("/mcp", json={"jsonrpc": "2.0", "id": 2, "method": "ping"}, headers=headers)
                assert ping.status_code == 200
                assert not stream.is_closed
                time.sleep(0.25)
