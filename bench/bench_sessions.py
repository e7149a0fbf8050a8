"""Sessions one client can hold: a flood of bare `initialize` requests against the HTTP server.

Serves the same server twice on 127.0.0.1, each in its own process: once behind the SDK's defaults
(`streamable_http_app()` as `build_http_app` called it before: 10,000 sessions, 30-minute idle timeout; the
baseline) and once as `awsinv-mcp serve --transport http` serves it now (`build_http_app`: SessionGuard,
`AWSINV_MAX_SESSIONS`). One client sends `--flood` bare `initialize` requests (no `initialized`, no DELETE),
32 at a time; then a second client connects with the official `mcp.Client` and calls a tool. Figures: the
flood's answers, the sessions it still holds afterwards (every id probed), whether the second client got in,
and the server's RSS (from /proc) before and after.

    .venv/bin/python bench/bench_sessions.py [--flood 10300] [--max-sessions 256]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.http_server import INIT, MCP_HEADERS, free_port, rss_kb, server_env, stop, wait_healthy

CONCURRENCY = 32
PING = {"jsonrpc": "2.0", "id": 2, "method": "ping"}


def serve(variant: str, port: int) -> None:
    """The server process: `sdk` (the SDK's session defaults, as before) or `ours` (build_http_app)."""
    import uvicorn
    from mcp.server.mcpserver import MCPServer

    from awsinv_mcp.cli import configure_logging
    from awsinv_mcp.config import Settings
    from awsinv_mcp.server.app import build_server
    from awsinv_mcp.server.http import build_http_app, security_settings
    from awsinv_mcp.server.serving import uvicorn_config

    settings = Settings()
    configure_logging("WARNING")
    mcp = build_server(settings, lazy=True)
    if variant == "ours":
        app: Any = build_http_app(mcp, host="127.0.0.1", port=port, token=None, settings=settings)
    else:

        @MCPServer.custom_route(mcp, "/healthz", methods=["GET"])
        async def healthz(request: Any) -> Any:
            from starlette.responses import JSONResponse

            return JSONResponse({"status": "ok"})

        app = mcp.streamable_http_app(host="127.0.0.1", transport_security=security_settings("127.0.0.1", port))
    config = uvicorn_config(app, host="127.0.0.1", port=port, log_level="warning", header_timeout=10.0)
    uvicorn.Server(config).run()


async def flood(base: str, count: int) -> tuple[dict[int | str, int], list[str], float]:
    statuses: dict[int | str, int] = {}
    ids: list[str] = []
    started = time.perf_counter()
    async with httpx2.AsyncClient(base_url=base, timeout=60) as http:
        limiter = anyio.CapacityLimiter(CONCURRENCY)

        async def one() -> None:
            async with limiter:
                try:
                    r = await http.post("/mcp", json=INIT, headers=MCP_HEADERS)
                except httpx2.HTTPError as exc:  # a server too busy to answer in time: counted, not fatal
                    statuses[type(exc).__name__] = statuses.get(type(exc).__name__, 0) + 1
                    return
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.status_code == 200:
                ids.append(r.headers["mcp-session-id"])

        async with anyio.create_task_group() as tg:
            for _ in range(count):
                tg.start_soon(one)
    return statuses, ids, time.perf_counter() - started


async def held(base: str, ids: list[str]) -> int:
    alive = 0
    async with httpx2.AsyncClient(base_url=base, timeout=60) as http:
        limiter = anyio.CapacityLimiter(CONCURRENCY)

        async def probe(session: str) -> None:
            nonlocal alive
            headers = {**MCP_HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25"}
            async with limiter:
                with contextlib.suppress(httpx2.HTTPError):
                    r = await http.post("/mcp", json=PING, headers=headers)
                    alive += r.status_code == 200

        async with anyio.create_task_group() as tg:
            for session in ids:
                tg.start_soon(probe, session)
    return alive


async def second_client(base: str) -> str:
    started = time.perf_counter()
    try:
        with anyio.fail_after(60):
            async with Client(f"{base}/mcp", mode="legacy") as client:
                r = await client.call_tool("get_inventory_summary", {})
        return f"served in {(time.perf_counter() - started) * 1000:.0f} ms ({r.structured_content['db_instances']} DBs)"
    except TimeoutError:
        return "no answer within 60 s"
    except Exception as exc:  # the baseline refuses it: that is the figure
        text = str(exc) or type(exc).__name__
        return f"refused: {text[:80]}"


def measure(variant: str, count: int, max_sessions: int) -> dict[str, Any]:
    port = free_port()
    env = server_env(AWSINV_MAX_SESSIONS=str(max_sessions))
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", variant, "--port", str(port)], env=env, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(f"{base}/healthz", proc, deadline_s=60)
        anyio.run(second_client, base)  # warm: tool modules registered, estate built
        rss_before = rss_kb(proc.pid)
        statuses, ids, elapsed = anyio.run(flood, base, count)
        rss_after = rss_kb(proc.pid)
        print(f"  {variant}: flood done in {elapsed:.0f} s", file=sys.stderr, flush=True)
        second = anyio.run(second_client, base)
        print(f"  {variant}: second client: {second}", file=sys.stderr, flush=True)
        alive = anyio.run(held, base, ids)
        return {
            "statuses": statuses,
            "elapsed": elapsed,
            "held": alive,
            "second": second,
            "rss": (rss_before / 1024, rss_after / 1024),
        }
    finally:
        stop(proc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=10_300)
    parser.add_argument("--max-sessions", type=int, default=256, help="AWSINV_MAX_SESSIONS for the guarded server")
    parser.add_argument("--serve", choices=["sdk", "ours"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    print(
        f"load average {os.getloadavg()[0]:.1f}; flood: {args.flood:,} bare initialize requests, {CONCURRENCY} at once"
    )
    print("\n| server | the flood's answers | sessions it holds after | a second client | RSS before -> after |")
    print("|---|---|---:|---|---:|")
    rows = {}
    for variant, label in (("sdk", "SDK defaults (before, baseline)"), ("ours", "build_http_app (now)")):
        rows[variant] = r = measure(variant, args.flood, args.max_sessions)
        answers = ", ".join(f"{n:,}x{code}" for code, n in sorted(r["statuses"].items(), key=str))
        print(
            f"| {label} | {answers} in {r['elapsed']:.1f} s | {r['held']:,} | {r['second']} | "
            f"{r['rss'][0]:.0f} -> {r['rss'][1]:.0f} MB |"
        )
    sdk, ours = rows["sdk"], rows["ours"]
    growth = (ours["rss"][1] - ours["rss"][0]) / max(sdk["rss"][1] - sdk["rss"][0], 0.1)
    print(f"\nratios now / before: sessions held {ours['held'] / max(sdk['held'], 1):.3f}x, RSS growth {growth:.2f}x")


if __name__ == "__main__":
    main()
