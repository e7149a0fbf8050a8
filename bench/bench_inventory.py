"""Foundation benchmark: synthetic estate at 1k/10k/100k, tool latency, answer sizes, stdio cold start.

Run: .venv/bin/python bench/bench_inventory.py [--sizes 1000,10000,100000] [--rounds 5]
Prints a Markdown table; ratios compare against baselines measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from mcp import Client, StdioServerParameters

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.server.app import build_server

BARE_SERVER = '''
from mcp.server.mcpserver import MCPServer
mcp = MCPServer("bare")
@mcp.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"
mcp.run("stdio")
'''


def compact(obj: object) -> int:
    return len(json.dumps(obj, separators=(",", ":"), default=str).encode())


async def tool_figures(scale: int) -> dict[str, float]:
    settings = Settings(source="synthetic", scale=scale)
    t0 = time.perf_counter()
    snap = generate(seed=42, scale=scale, now=datetime.now(UTC), settings=settings)
    gen_s = time.perf_counter() - t0
    server = build_server(settings, collector=lambda *_: snap)
    out: dict[str, float] = {"generate_s": gen_s}
    async with Client(server) as c:
        for label, name, args in (
            ("summary", "get_inventory_summary", {}),
            ("filtered_page", "list_db_instances", {"engine": "postgres", "environment": "production", "limit": 50}),
            ("default_page", "list_db_instances", {}),
        ):
            t0 = time.perf_counter()
            r = await c.call_tool(name, args)
            out[f"{label}_ms"] = (time.perf_counter() - t0) * 1000
            out[f"{label}_bytes"] = len(r.content[0].text.encode())
            if label == "summary":  # second call is served from the per-snapshot cache
                t0 = time.perf_counter()
                await c.call_tool(name, args)
                out["summary_cached_ms"] = (time.perf_counter() - t0) * 1000
    return out


async def tools_list_sizes() -> tuple[int, int, int]:
    server = build_server(Settings(source="synthetic", scale=50))
    async with Client(server) as c:
        tools = (await c.list_tools()).tools
    model_part = [{"name": t.name, "description": t.description, "input_schema": t.input_schema} for t in tools]
    whole = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]
    return len(tools), compact(model_part), compact({"tools": whole})


async def cold_start(params: StdioServerParameters) -> float:
    t0 = time.perf_counter()
    async with Client(params) as c:
        await c.list_tools()
    return time.perf_counter() - t0


async def cold_starts(rounds: int) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSINV_")} | {"AWSINV_SOURCE": "synthetic"}
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_server.py"
        bare.write_text(BARE_SERVER)
        ours = StdioServerParameters(command=sys.executable, args=["-m", "awsinv_mcp", "serve"], env=env)
        base = StdioServerParameters(command=sys.executable, args=[str(bare)], env=env)
        await cold_start(ours), await cold_start(base)  # warm the page cache
        a, b = [], []
        for _ in range(rounds):  # interleaved
            a.append(await cold_start(ours))
            b.append(await cold_start(base))
    return statistics.median(a), statistics.median(b)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(
        "| DB instances | generate s | summary ms (cached) | summary bytes | filtered page ms | "
        "default page ms | default page bytes |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        f = await tool_figures(size)
        print(
            f"| {size:,} | {f['generate_s']:.2f} | {f['summary_ms']:.0f} ({f['summary_cached_ms']:.1f}) | "
            f"{f['summary_bytes']:,.0f} | {f['filtered_page_ms']:.0f} | {f['default_page_ms']:.0f} | "
            f"{f['default_page_bytes']:,.0f} |"
        )
    n, model_bytes, whole_bytes = await tools_list_sizes()
    print(
        f"\ntools/list: {n} tools; model-read part (names, descriptions, input schemas) {model_bytes:,} B; "
        f"whole result with output schemas {whole_bytes:,} B"
    )
    ours, bare = await cold_starts(args.rounds)
    print(
        f"\ncold start over stdio (spawn -> tools/list answered), median of {args.rounds}: "
        f"awsinv-mcp {ours * 1000:.0f} ms, bare one-tool MCPServer {bare * 1000:.0f} ms, ratio {ours / bare:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
