"""Redaction and the audit log: is the server still responsive while it audits a huge argument?

Starts `awsinv-mcp serve --transport http` twice on 127.0.0.1 (synthetic estate, a SQLite database named
`test`): once with `AWSINV_AUDIT_LOG` set, once without (the baseline, same run). Through the official
`mcp.Client` it calls
- `list_db_instances {"q": "x" * 50_000}` while another connection polls `/healthz` every 20 ms: once as the
  process's first tool call (cold), then `--repeat` times in a row (warm); the figures are the worst and the
  median `/healthz` latency meanwhile, against idle `/healthz`;
- `run_query` with a 100,001-character `sql` (refused: over the 100,000-character cap), timed.
It also times `redact_text` itself on hostile strings (a run of one letter, `a.a.a.`, `tokentoken...`).

    .venv/bin/python bench/bench_redaction.py [--size 50000] [--sql 100001] [--skip-functions]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from awsinv_mcp.redact import redact_text
from tests.http_server import running_server

POLL_S = 0.02


async def healthz_ms(http: httpx2.AsyncClient, base: str) -> float:
    t0 = time.perf_counter()
    r = await http.get(f"{base}/healthz")
    r.raise_for_status()
    return (time.perf_counter() - t0) * 1000


async def polled(http: httpx2.AsyncClient, base: str, work: Any) -> tuple[float, list[float]]:
    """Run `work()` while polling `/healthz`; its duration (s) and the latencies seen meanwhile (ms)."""
    during: list[float] = []
    done = anyio.Event()
    elapsed = 0.0

    async def run() -> None:
        nonlocal elapsed
        t0 = time.perf_counter()
        try:
            await work()
        finally:
            elapsed = time.perf_counter() - t0
            done.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(run)
        while not done.is_set():
            during.append(await healthz_ms(http, base))
            await anyio.sleep(POLL_S)
    return elapsed, during


async def measure(base: str, size: int, sql_chars: int, repeat: int) -> dict[str, float]:
    out: dict[str, float] = {}
    async with (
        httpx2.AsyncClient(timeout=httpx2.Timeout(600.0)) as http,
        httpx2.AsyncClient(timeout=httpx2.Timeout(600.0)) as mcp_http,
        Client(streamable_http_client(f"{base}/mcp", http_client=mcp_http)) as client,
    ):
        idle = [await healthz_ms(http, base) for _ in range(30)]
        out["healthz_idle_ms"] = statistics.median(idle)
        big = {"q": "x" * size}
        # cold: the first tool call of the process (it also registers the tool modules and builds the estate)
        out["cold_s"], cold = await polled(http, base, lambda: client.call_tool("list_db_instances", big))
        out["cold_worst_ms"] = max(cold, default=0.0)

        async def series() -> None:
            for _ in range(repeat):
                await client.call_tool("list_db_instances", big)

        warm_s, warm = await polled(http, base, series)
        out["warm_call_ms"] = warm_s / repeat * 1000
        out["warm_median_ms"] = statistics.median(warm) if warm else 0.0
        out["warm_worst_ms"] = max(warm, default=0.0)
        t0 = time.perf_counter()
        r = await client.call_tool("run_query", {"database": "test", "sql": "select 1 -- " + "x" * (sql_chars - 12)})
        out["sql_refusal_s"] = time.perf_counter() - t0
        assert r.is_error, "a 100,001-character sql must be refused"
    return out


def function_figures() -> list[tuple[str, int, float]]:
    rows = []
    for label, unit in (("x" * 1, "x"), ("a.", "a."), ("token", "token"), ("postgres://u:", "postgres://u:")):
        for n in (10_000, 100_000):
            text = (unit * (n // len(unit) + 1))[:n]
            t0 = time.perf_counter()
            redact_text(text)
            rows.append((label, n, (time.perf_counter() - t0) * 1000))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--sql", type=int, default=100_001)
    parser.add_argument("--repeat", type=int, default=20, help="warm calls in a row while /healthz is polled")
    parser.add_argument("--skip-functions", action="store_true", help="skip timing redact_text directly")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    if not args.skip_functions:
        print("| input | chars | redact_text ms |\n|---|---:|---:|")
        for label, n, ms in function_figures():
            print(f"| `{label}` repeated | {n:,} | {ms:,.1f} |")
    with tempfile.TemporaryDirectory() as tmp:
        env = {"AWSINV_DATABASES": '{"test": "sqlite:///:memory:"}'}
        results = {}
        for label, extra in (("audit off (baseline)", {}), ("audit on", {"AWSINV_AUDIT_LOG": f"{tmp}/audit.jsonl"})):
            with running_server(**env, **extra) as base:
                results[label] = anyio.run(measure, base, args.size, args.sql, args.repeat)
    print(
        "\n| server | /healthz idle ms | cold call s / worst /healthz ms | warm call ms | "
        "/healthz during warm calls: median / worst ms | long sql refused in s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label, r in results.items():
        print(
            f"| {label} | {r['healthz_idle_ms']:.1f} | {r['cold_s']:.2f} / {r['cold_worst_ms']:.0f} | "
            f"{r['warm_call_ms']:.1f} | {r['warm_median_ms']:.1f} / {r['warm_worst_ms']:.1f} | "
            f"{r['sql_refusal_s']:.2f} |"
        )
    on, off = results["audit on"], results["audit off (baseline)"]
    print(
        f"\nratios audit on / off: cold call {on['cold_s'] / off['cold_s']:.2f}x, warm call "
        f"{on['warm_call_ms'] / off['warm_call_ms']:.2f}x, worst /healthz during warm calls "
        f"{on['warm_worst_ms'] / max(off['warm_worst_ms'], 0.1):.2f}x, "
        f"sql refusal {on['sql_refusal_s'] / off['sql_refusal_s']:.2f}x"
    )


if __name__ == "__main__":
    main()
