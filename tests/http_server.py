"""The real `awsinv-mcp serve` process for tests and benches: stdio parameters and an HTTP server on loopback.

(No tests live here.) The server always binds 127.0.0.1 on an ephemeral port and gets a clean environment:
the caller's `AWSINV_*` variables are dropped and a small synthetic estate is selected.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx2

ENV = {"AWSINV_SOURCE": "synthetic", "AWSINV_SCALE": "60", "AWSINV_LOG_LEVEL": "WARNING"}
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSINV_")}
    env.update(ENV)
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, proc: subprocess.Popen, deadline_s: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited early: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx2.get(url, timeout=1.0).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} not healthy within {deadline_s}s")


def start_http(token: str | None = None, host: str = "127.0.0.1", **env: str) -> tuple[subprocess.Popen, str]:
    """`serve --transport http` on a free port; returns the process and its base URL once /healthz answers."""
    port = free_port()
    if token:
        env["AWSINV_AUTH_TOKEN"] = token
    proc = subprocess.Popen(
        [sys.executable, "-m", "awsinv_mcp", "serve", "--transport", "http", "--host", host, "--port", str(port)],
        env=server_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/healthz", proc)
    except BaseException:
        proc.kill()
        proc.wait(10)
        raise
    return proc, base


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@contextlib.contextmanager
def running_server(token: str | None = None, **env: str) -> Iterator[str]:
    """A served `awsinv-mcp serve --transport http` for the block; yields its base URL."""
    proc, base = start_http(token, **env)
    try:
        yield base
    finally:
        stop(proc)


def rss_kb(pid: int) -> int:
    """Resident set size of a process, from /proc."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")
