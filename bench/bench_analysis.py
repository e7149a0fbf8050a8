"""Benchmark of the analysis: every rule over the synthetic estate at 10k and 100k DB instances.

Prints, per scale: a plain pass over the same snapshot (every field of every record read once, the baseline
measured in the same run), the full analysis (all rules, findings sorted), their ratio (goal <= 20x) and the
growth from 10k to 100k (goal: linear, ~10x). Then the byte size of each analysis tool's default answer at
the largest scale (goal < 8 KB) and of the "unencrypted and public production databases" question on a
fleet of ~50 (goal < 1 KB), through a real in-process MCP client.

    .venv/bin/python bench/bench_analysis.py [--scales 10000,100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import gc
import operator
import sys
import time
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import anyio
from mcp import Client

from awsinv_mcp.analysis.report import RULES, context, run_all
from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.store import InventoryStore
from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.models.inventory import Snapshot
from awsinv_mcp.server.app import build_server

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
COLLECTIONS = ("db_instances", "db_clusters", "db_snapshots", "ec2_instances", "volumes", "s3_buckets",
               "security_groups", "subnets")  # fmt: skip


def estate(scale: int) -> Snapshot:
    return generate(seed=42, scale=scale, now=NOW, settings=Settings(source="synthetic", scale=scale))


def plain_pass(snap: Snapshot) -> int:
    """Read every field of every record once (the cheapest full look at the snapshot)."""
    touched = 0
    for name in COLLECTIONS:
        records = getattr(snap, name)
        if not records:
            continue
        getter = operator.attrgetter(*(f.name for f in fields(records[0])))
        for r in records:
            touched += len(getter(r))
    return touched


def python_pass(snap: Snapshot) -> int:
    """The same look written as a Python loop (one getattr per field): what a rule-free scan costs in Python."""
    touched = 0
    for name in COLLECTIONS:
        records = getattr(snap, name)
        if not records:
            continue
        names = [f.name for f in fields(records[0])]
        for r in records:
            for n in names:
                getattr(r, n)
            touched += len(names)
    return touched


def timed(fn: Any, rounds: int) -> float:
    """Best wall time of `rounds` calls (the least disturbed by other load), garbage collected before each."""
    times = []
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def size(result: Any) -> int:
    assert not result.is_error, result.content[0].text
    return len(result.content[0].text.encode())


async def answer_sizes(snap: Snapshot) -> dict[str, int]:
    store = InventoryStore(Settings(source="synthetic"), collector=lambda *_: snap)
    server = build_server(Settings(source="synthetic"), store=store)
    sizes = {}
    async with Client(server) as client:
        sizes["get_findings {}"] = size(await client.call_tool("get_findings", {}))
        sizes["assess_security {}"] = size(await client.call_tool("assess_security", {}))
        sizes["analyze_performance {}"] = size(await client.call_tool("analyze_performance", {}))
        for group_by in ("engine", "version", "region", "account", "environment", "team", "application"):
            sizes[f"analyze_engines {{group_by: {group_by}}}"] = size(
                await client.call_tool("analyze_engines", {"group_by": group_by})
            )
        resource = await client.read_resource("inventory://findings")
        sizes["resource inventory://findings"] = len(resource.contents[0].text.encode())
    return sizes


QUESTION = {"environment": "production", "rule": "*storage_encrypted,rds.internet_exposed|rds.publicly_accessible",
            "match_all": True, "view": "resources"}  # fmt: skip


async def question_size(snap: Snapshot, args: dict[str, Any]) -> tuple[int, int]:
    store = InventoryStore(Settings(source="synthetic"), collector=lambda *_: snap)
    async with Client(build_server(Settings(source="synthetic"), store=store)) as client:
        result = await client.call_tool("get_findings", args)
        return size(result), result.structured_content["total"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scales = [int(s) for s in args.scales.split(",")]
    ctx = context(["production", "prod", "prd"], NOW.date())
    per_instance = {}
    snap = None
    print(f"{'scale':>8} {'records':>9} {'findings':>9} {'plain s':>8} {'py-loop s':>9} {'analysis s':>10} "
          f"{'ratio':>6} {'vs py-loop':>10}")  # fmt: skip
    for scale in scales:
        snap = estate(scale)
        records = sum(len(getattr(snap, c)) for c in COLLECTIONS)
        plain = timed(lambda s=snap: plain_pass(s), args.rounds)
        loop = timed(lambda s=snap: python_pass(s), args.rounds)
        findings = len(run_all(snap, ctx).findings)  # warm-up: lazy indexes and data files
        full = timed(lambda s=snap: run_all(s, ctx), args.rounds)
        per_instance[scale] = full / scale
        print(f"{scale:>8} {records:>9} {findings:>9} {plain:>8.3f} {loop:>9.3f} {full:>10.3f} {full / plain:>5.1f}x "
              f"{full / loop:>9.1f}x")  # fmt: skip
    if len(scales) > 1:
        lo, hi = scales[0], scales[-1]
        growth = per_instance[hi] * hi / (per_instance[lo] * lo)
        print(f"growth {lo} -> {hi}: {growth:.1f}x for {hi / lo:.0f}x the instances "
              f"(per instance {per_instance[lo] * 1e6:.1f} us -> {per_instance[hi] * 1e6:.1f} us)")  # fmt: skip
    assert snap is not None
    print(f"\nper category at {scales[-1]} (rules run alone, same snapshot):")
    for category in ("security", "performance", "version", "cost"):
        rules = [r for r in RULES.values() if r.category == category]
        t = timed(lambda rs=rules: run_all(snap, ctx, rs), args.rounds)
        print(f"  {category:<12} {len(rules):>3} rules {t:>7.3f} s")
    print(f"\ndefault answer sizes at {scales[-1]} DB instances (bytes of the JSON text the model reads):")
    for name, n in anyio.run(answer_sizes, snap).items():
        print(f"  {name:<40} {n:>6}")
    either = {k: v for k, v in QUESTION.items() if k != "match_all"}
    for label, question in (("unencrypted AND public", QUESTION), ("unencrypted OR public", either)):
        print(f"\n'which production databases are {label}': get_findings {question}")
        for scale in (50, 150):
            fleet = estate(scale)
            n, total = anyio.run(question_size, fleet, question)
            print(f"  fleet of {len(fleet.db_instances)}: {n} bytes, {total} resources")


if __name__ == "__main__":
    main()
