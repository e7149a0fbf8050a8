"""Version compliance and cost savings at 10k and 100k DB instances, against a plain pass in the same run.

    .venv/bin/python bench/bench_versions_savings.py [--scales 10000,100000] [--rounds 3]

Baseline: one plain pass over the same snapshot touching the fields the analysis reads (engine, version,
class, region, status, utilisation) once per DB instance. Measured: check_version_compliance (all rows,
summaries), the version rules, every cost rule (find_cost_savings' work), each a fresh computation (caches
cleared). Then the byte size of each tool's default answer over MCP at the largest scale.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, date, datetime

import anyio
from mcp import Client

from awsinv_mcp.analysis import savings, version_rules, versions
from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext
from awsinv_mcp.analysis.savings_report import _run as run_cost_rules
from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.models.inventory import Snapshot
from awsinv_mcp.server.app import build_server

AS_OF = date(2026, 11, 25)


def plain_pass(snap: Snapshot) -> int:
    n = 0
    for d in snap.db_instances:
        u = d.utilisation
        n += len(d.engine) + len(d.engine_version) + len(d.instance_class) + len(d.region) + len(d.status)
        n += 1 if u is not None and u.cpu_avg is not None else 0
    return n


def clear() -> None:
    versions._cached_rows.cache_clear()
    savings._plans.cache_clear()


def timed(fn, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        clear()
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def answer_sizes(snap: Snapshot, settings: Settings) -> dict[str, tuple[int, float]]:
    server = build_server(settings, collector=lambda *_: snap)
    out = {}
    async with Client(server) as client:
        for name, args in (
            ("check_version_compliance", {"as_of": AS_OF.isoformat()}),
            ("find_cost_savings", {"as_of": AS_OF.isoformat()}),
            ("check_version_compliance", {"as_of": AS_OF.isoformat(), "engine": "postgres",
                                          "environment": "production", "status": "extended_support", "limit": 5}),
        ):  # fmt: skip
            started = time.perf_counter()
            result = await client.call_tool(name, args)
            text = result.content[0].text  # type: ignore[union-attr]
            label = name if len(args) == 1 else f"{name} (production PostgreSQL in Extended Support, 5 rows)"
            out[label] = (len(text.encode()), time.perf_counter() - started)
            json.loads(text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ctx = AnalysisContext(as_of=AS_OF)
    assert version_rules.RULES is RULES
    vrules_list = [r for r in RULES.values() if r.category == "version"]
    snap = None
    settings = Settings(source="synthetic")
    for scale in (int(s) for s in args.scales.split(",")):
        settings = Settings(source="synthetic", scale=scale)
        snap = generate(seed=42, scale=scale, now=datetime(2026, 11, 25, tzinfo=UTC), settings=settings)
        base = timed(lambda snap=snap: plain_pass(snap), args.rounds)
        comp = timed(lambda snap=snap: versions.check_version_compliance(snap, AS_OF), args.rounds)
        vrules = timed(lambda snap=snap: [list(r.check(snap, ctx)) for r in vrules_list], args.rounds)
        cost = timed(lambda snap=snap: run_cost_rules(snap, ctx), args.rounds)
        clear()
        n_cost = len(run_cost_rules(snap, ctx))
        print(f"{len(snap.db_instances):>7} DB instances ({len(snap.db_clusters)} clusters): plain pass "
              f"{base * 1000:.1f} ms | check_version_compliance {comp * 1000:.0f} ms ({comp / base:.1f}x) | "
              f"version rules {vrules * 1000:.0f} ms ({vrules / base:.1f}x) | cost rules {cost * 1000:.0f} ms "
              f"({cost / base:.1f}x, {n_cost} findings)")  # fmt: skip
    if snap is not None:
        for label, (size, elapsed) in anyio.run(answer_sizes, snap, settings).items():
            print(f"default answer {label}: {size:,} bytes, first call {elapsed * 1000:.0f} ms")


if __name__ == "__main__":
    main()
