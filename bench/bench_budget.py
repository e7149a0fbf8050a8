"""Answer budget benchmark (issue 16): what tools/list and the tools' answers cost a model, in bytes of the JSON
text it reads (about 4 bytes a token).

Run: .venv/bin/python bench/bench_budget.py [--scales 150,10000,100000]

1. tools/list per toolset and for all, model-facing part (names, descriptions, input schemas) and whole result,
   against the SDK's own listing of the same tools without `slim_tools` (baseline, same run).
2. Every estate tool's default answer (no arguments) and its widest call (bounded integers at their maximum,
   detail on) at each scale, with the answer cap (`awsinv_mcp/budget.py`) on and off (baseline, same run).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from awsinv_mcp import budget
from awsinv_mcp.config import TOOLSETS, Settings
from awsinv_mcp.server import catalog, tooling
from awsinv_mcp.server.app import build_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.test_answer_size_cap import widest  # the same widest call the test makes


def _dump(tools: list[Any]) -> list[dict[str, Any]]:
    return [t.model_dump(by_alias=True, exclude_none=True, mode="json") for t in tools]


async def tools_list() -> None:
    print("tools/list bytes: model-facing / whole (raw SDK listing -> slimmed, ratio)")
    for chosen in [*([name] for name in TOOLSETS), list(TOOLSETS)]:
        server = build_server(Settings(source="synthetic", toolsets=chosen))
        async with Client(server) as c:
            slim = _dump((await c.list_tools()).tools)
        raw = _dump(await server.list_tools())
        (rf, rw), (sf, sw) = budget.tools_list_bytes(raw), budget.tools_list_bytes(slim)
        label = ",".join(chosen) if len(chosen) == 1 else "all"
        if not slim:
            print(f"  {label:<10} no tools yet")
            continue
        print(f"  {label:<10} {len(slim):>2} tools  facing {rf:>6,} -> {sf:>6,} ({sf / rf:.2f})"
              f"  whole {rw:>6,} -> {sw:>6,} ({sw / rw:.2f})")  # fmt: skip


async def answers(scale: int) -> dict[str, tuple[int, int, int]]:
    """tool -> (default bytes, widest bytes with the cap, widest bytes without it)."""
    server = build_server(Settings(source="synthetic", scale=scale))
    out: dict[str, tuple[int, int, int]] = {}
    async with Client(server) as c:
        for tool in catalog.tools_of(("inventory", "analysis", "cost")):
            if tool.name in ("refresh_inventory", "get_db_instance"):
                continue
            default = len((await c.call_tool(tool.name, {})).content[0].text.encode())
            args = widest(tool.arguments().model_json_schema())
            capped = len((await c.call_tool(tool.name, args)).content[0].text.encode())
            limit, budget.MAX_ANSWER_BYTES = budget.MAX_ANSWER_BYTES, 10**12
            try:
                uncapped = len((await c.call_tool(tool.name, args)).content[0].text.encode())
            finally:
                budget.MAX_ANSWER_BYTES = limit
            out[tool.name] = (default, capped, uncapped)
    return out


async def main(scales: list[int]) -> None:
    await tools_list()
    for scale in scales:
        sizes = await answers(scale)
        print(f"\nanswers at {scale:,} DB instances: default / widest uncapped -> capped (ratio)")
        for name, (default, capped, uncapped) in sizes.items():
            print(f"  {name:<26} {default:>7,}   {uncapped:>9,} -> {capped:>7,} ({capped / uncapped:.2f})")
        print(f"  largest default {max(d for d, _, _ in sizes.values()):,} B; largest capped "
              f"{max(c for _, c, _ in sizes.values()):,} B (cap {budget.MAX_ANSWER_BYTES:,})")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="150,10000,100000")
    ns = parser.parse_args()
    assert tooling.budget is budget  # the cap is read at call time from this module
    anyio.run(main, [int(s) for s in ns.scales.split(",")])
