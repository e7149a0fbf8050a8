"""Request bodies of the web app are capped (issue 18, item 10).

`POST /infrastructure-ai` with 10 / 100 / 300 MB bodies answered 200 at peak RSS 235 / 453 / 1,096 MB. Bodies
over `MAX_BODY_BYTES` now get a clear 413 before the app holds them: declared (Content-Length) or chunked,
against the real `awsinv-mcp web` process, whose RSS is read from /proc.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from awsinv_mcp.clients.web.app import create_app
from awsinv_mcp.clients.web.body_limit import MAX_BODY_BYTES
from awsinv_mcp.config import Settings
from tests.http_server import rss_kb, server_env, stop
from tests.web_stub import stub_server

BASE = "http://127.0.0.1"
CHUNK = b"x" * 65_536


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(source="synthetic"), mcp_target=stub_server(10)), base_url=BASE) as c:
        yield c


def test_a_declared_oversized_body_is_refused_unread(client: TestClient) -> None:
    body = json.dumps({"query": "x" * (MAX_BODY_BYTES + 10)})
    r = client.post("/infrastructure-ai", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "too large" in r.json()["error"]


def test_a_chunked_oversized_body_is_refused(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // len(CHUNK) + 2):
            yield CHUNK

    r = client.post("/api/v1/chat/stream", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_bodies_within_the_cap_reach_the_app(client: TestClient) -> None:
    history = [{"role": "user", "content": "q" * 4000}, {"role": "assistant", "content": "a" * 4000}] * 20
    r = client.post("/infrastructure-ai", json={"query": "", "history": history})
    assert r.status_code == 400 and "query" in r.json()["error"]  # the app's own validation answered


@pytest.fixture(scope="module")
def web_process() -> Iterator[tuple[subprocess.Popen, int]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "awsinv_mcp", "web", "--port", "0", "--source", "synthetic"],
        env=server_env(AWSINV_SCALE="30"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, f"web did not start: {line!r} {proc.stderr.read() if proc.poll() is not None else ''}"
        yield proc, int(match.group(1))
    finally:
        stop(proc)


def _post_raw(port: int, declared: int | None, send_bytes: int) -> tuple[int, bytes]:
    """POST up to `send_bytes` of body (declared length or chunked) and return (status, response body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        framing = f"content-length: {declared}" if declared is not None else "transfer-encoding: chunked"
        head = f"POST /infrastructure-ai HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\n"
        sock.sendall(f"{head}{framing}\r\n\r\n".encode())
        sent = 0
        try:
            while sent < send_bytes:
                sock.sendall(CHUNK if declared is not None else b"%x\r\n%b\r\n" % (len(CHUNK), CHUNK))
                sent += len(CHUNK)
        except OSError:
            pass  # the server answered and closed: it does not read the rest
        response = b""
        try:
            while chunk := sock.recv(65_536):
                response += chunk
        except OSError:
            pass
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1") else 0
    return status, response.partition(b"\r\n\r\n")[2]


def test_the_web_process_refuses_huge_bodies_without_holding_them(web_process: tuple[subprocess.Popen, int]) -> None:
    proc, port = web_process
    before = rss_kb(proc.pid)
    started = time.monotonic()
    for declared in (100_000_000, None):
        status, body = _post_raw(port, declared, 40_000_000)
        assert status == 413, body[:200]
        assert b"too large" in body
    assert time.monotonic() - started < 60
    growth_mb = (rss_kb(proc.pid) - before) / 1024
    assert growth_mb < 40, f"RSS grew {growth_mb:.0f} MB for two 40 MB bodies (was 150+ MB each)"
