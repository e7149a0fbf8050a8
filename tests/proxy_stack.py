"""The deployment of compose.yaml on loopback: `serve --transport http`, `web --url` and Debian's nginx with
`deploy/nginx.conf`, used by tests/test_nginx_proxy.py and bench/bench_proxy.py.

nginx runs as an unprivileged process (as `nobody` when the caller is root) with its own prefix in a temp
folder, on an ephemeral loopback port. It connects to the upstreams from 127.0.0.2 (`proxy_bind`), the one
address the upstreams trust for `X-Forwarded-*` (`AWSINV_TRUSTED_PROXIES`), so a client on 127.0.0.1 that
talks to them directly is not trusted.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.http_server import free_port, server_env, stop, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
TOKEN = "proxy-stack-token"
PROXY_ADDRESS = "127.0.0.2"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def render_nginx_conf(folder: Path, *, port: int, mcp_port: int, web_port: int) -> str:
    """deploy/nginx.conf with loopback ports and paths in `folder`; every substitution must apply exactly once
    (a changed nginx.conf fails here rather than being tested half)."""
    text = NGINX_CONF.read_text()
    for old, new in (
        ("server server:5001;", f"server 127.0.0.1:{mcp_port};"),
        ("server web:8080;", f"server 127.0.0.1:{web_port};"),
        ("listen 8080;", f"listen 127.0.0.1:{port};"),
        ("error_log /dev/stderr warn;", f"error_log {folder}/error.log warn;"),
        ("access_log /dev/stdout;", f"access_log {folder}/access.log;"),
        ("proxy_http_version 1.1;", f"proxy_http_version 1.1;\n        proxy_bind {PROXY_ADDRESS};"),
    ):
        if text.count(old) != 1:
            raise AssertionError(f"deploy/nginx.conf should contain {old!r} exactly once")
        text = text.replace(old, new)
    text, count = re.subn(r"/tmp/nginx\b", str(folder), text)
    assert count >= 6, "deploy/nginx.conf keeps its pid and temp files under /tmp/nginx"
    return text


@dataclass
class Stack:
    proxy: str  # http://127.0.0.1:<nginx>
    web: str  # the web page, directly
    mcp: str  # the MCP server's /mcp, directly
    folder: Path


def _spawn(args: list[str], env: dict[str, str], stack: ExitStack) -> subprocess.Popen:
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    stack.callback(stop, proc)
    return proc


@contextmanager
def proxy_stack(anthropic_base_url: str) -> Iterator[Stack]:
    """Start the three processes (polling each until healthy); stop them on exit."""
    nginx = nginx_binary()
    assert nginx is not None, "nginx is not installed (apt-get install nginx)"
    mcp_port, web_port, port = free_port(), free_port(), free_port()
    common = {"AWSINV_AUTH_TOKEN": TOKEN, "AWSINV_TRUSTED_PROXIES": PROXY_ADDRESS}
    with ExitStack() as stack:
        folder = Path(tempfile.mkdtemp(prefix="awsinv-nginx-"))
        stack.callback(shutil.rmtree, folder, True)
        mcp = _spawn(
            [sys.executable, "-m", "awsinv_mcp", "serve", "--transport", "http", "--port", str(mcp_port)],
            server_env(**common),
            stack,
        )
        mcp_url = f"http://127.0.0.1:{mcp_port}"
        web_env = server_env(**common, ANTHROPIC_BASE_URL=anthropic_base_url, ANTHROPIC_API_KEY="test-key")
        wait_healthy(f"{mcp_url}/healthz", mcp)
        web = _spawn(
            [sys.executable, "-m", "awsinv_mcp", "web", "--port", str(web_port), "--url", f"{mcp_url}/mcp",
             "--token", TOKEN],
            web_env,
            stack,
        )  # fmt: skip
        web_url = f"http://127.0.0.1:{web_port}"
        (folder / "nginx.conf").write_text(render_nginx_conf(folder, port=port, mcp_port=mcp_port, web_port=web_port))
        kwargs = {}
        if os.geteuid() == 0:  # never run the proxy as root: hand the folder to nobody
            nobody = pwd.getpwnam("nobody")
            for path in [folder, *folder.iterdir()]:
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
            kwargs = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        proxy = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, **kwargs,
        )  # fmt: skip
        stack.callback(lambda: (proxy.terminate(), proxy.wait(10)))
        wait_healthy(f"{web_url}/healthz", web)
        wait_healthy(f"http://127.0.0.1:{port}/healthz", proxy)
        yield Stack(proxy=f"http://127.0.0.1:{port}", web=web_url, mcp=f"{mcp_url}/mcp", folder=folder)
