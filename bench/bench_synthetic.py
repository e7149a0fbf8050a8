"""Time synthetic estate generation at 150, 1k, 10k and 100k DB instances.

Baseline, measured in the same run: building the same number of bare `DBInstance` records (identifier,
account, region, engine only), the floor any generator of these records pays. The ratio shows what the
realistic draws cost on top. Also prints the record counts and the peak RSS of the process.

    .venv/bin/python bench/bench_synthetic.py [--scales 150,1000,10000,100000] [--seed 42]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime

from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.models.inventory import DBInstance

REPEATS = {150: 5, 1000: 5, 10_000: 3, 100_000: 1}


def bare_records(scale: int) -> float:
    gc.disable()
    try:
        start = time.perf_counter()
        records = [
            DBInstance(account="123456789012", region="us-east-1", identifier=f"db-{i}", engine="postgres")
            for i in range(scale)
        ]
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    del records
    return elapsed


def timed_generation(seed: int, scale: int) -> tuple[float, float, dict[str, int]]:
    """(wall seconds, CPU seconds, record counts): CPU time is the steadier figure on a shared machine."""
    start, cpu = time.perf_counter(), time.process_time()
    snap = generate(seed=seed, scale=scale, now=datetime.now(UTC))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    names = ("db_instances", "db_clusters", "db_snapshots", "ec2_instances", "volumes", "security_groups")
    counts = {name: len(getattr(snap, name)) for name in (*names, "s3_buckets", "reserved_db_instances")}
    return elapsed, cpu, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="150,1000,10000,100000")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")]

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {load} (timings scale with load)")
    start = time.perf_counter()
    generate(seed=args.seed, scale=10, now=datetime.now(UTC))  # first call: faker import and class tables
    print(f"first call (imports, faker pools, class tables) at scale 10: {time.perf_counter() - start:.3f} s")
    print(f"{'scale':>8} {'generate s':>11} {'cpu s':>7} {'baseline s':>11} {'ratio':>6} {'us/DB':>7}  records")
    for scale in scales:
        repeats = REPEATS.get(scale, 1)
        runs = [timed_generation(args.seed, scale) for _ in range(repeats)]
        gen = statistics.median(t for t, _, _ in runs)
        cpu = statistics.median(c for _, c, _ in runs)
        base = statistics.median(bare_records(scale) for _ in range(repeats))
        counts = runs[0][2]
        listing = " ".join(f"{k}={v}" for k, v in counts.items())
        print(
            f"{scale:>8} {gen:>11.3f} {cpu:>7.3f} {base:>11.3f} {gen / base:>6.1f} {gen / scale * 1e6:>7.1f}  {listing}"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB (median of {REPEATS} runs per scale)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
