"""Answer budget benchmark (issue 16): what tools/list and the tools' answers cost a model, in bytes of the JSON
text it reads (about 4 bytes a token).

Run: .venv/bin/python bench/bench_budget.py [--scales 150,10000,100000]

1. tools/list per toolset and for all, model-facing part (names, descriptions, input schemas) and whole result,
   against the SDK's own listing of the same tools without `slim_tools` (baseline, same run).
2. Every tool's default answer (no arguments; a tool that needs an argument answers a short error, shown as
   such; the history tools read a temporary SQLite store holding the one snapshot) at each scale, and every
   estate tool's widest call (bounded integers at their maximum, detail on) with the answer cap
   (`awsinv_mcp/budget.py`) on and off (baseline, same run).
3. The 56-instance fleet of issue 16: a synthetic estate of 56 DB instances listed in one `list_db_instances`
   call (limit=56): text bytes and bytes per instance.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
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


async def defaults(scale: int, store: str) -> dict[str, str]:
    """tool -> its default answer's bytes (no arguments), or "error" for a tool that needs an argument."""
    server = build_server(Settings(source="synthetic", scale=scale, store=store))
    out: dict[str, str] = {}
    async with Client(server) as c:
        await c.call_tool("get_inventory_summary", {})  # the collection (and the history store's one snapshot)
        for tool in catalog.TOOLS:
            if tool.name == "refresh_inventory":
                continue
            result = await c.call_tool(tool.name, {})
            size = len(result.content[0].text.encode())
            out[tool.name] = f"error ({size})" if result.is_error else f"{size:,}"
    return out


async def fleet(n: int = 56) -> tuple[int, int]:
    """(text bytes of one list_db_instances call listing all `n` instances of an n-instance estate, rows)."""
    server = build_server(Settings(source="synthetic", scale=n))
    async with Client(server) as c:
        result = await c.call_tool("list_db_instances", {"limit": n})
        data = result.structured_content or {}
        assert not result.is_error and data.get("total") == n, result.content[0].text[:200]
        return len(result.content[0].text.encode()), n


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


async def main(scales: list[int], widest_too: bool) -> None:
    await tools_list()
    size, n = await fleet()
    print(f"\n{n}-instance fleet, one list_db_instances call: {size:,} B ({size / n:.0f} B per instance)")
    table: dict[str, dict[int, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for scale in scales:
            for name, value in (await defaults(scale, f"sqlite:///{tmp}/history-{scale}.db")).items():
                table.setdefault(name, {})[scale] = value
    print(f"\ndefault answers (no arguments), bytes at {' / '.join(f'{s:,}' for s in scales)} DB instances")
    for name, values in table.items():
        print(f"  {name:<26} " + " / ".join(values[s] for s in scales))
    if not widest_too:
        return
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
    parser.add_argument("--no-widest", action="store_true", help="skip the widest calls (the answer cap)")
    ns = parser.parse_args()
    assert tooling.budget is budget  # the cap is read at call time from this module
    anyio.run(main, [int(s) for s in ns.scales.split(",")], not ns.no_widest)
