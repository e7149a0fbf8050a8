"""Botocore sharing on and off (`AWSINV_SHARE_BOTOCORE`), and the cold-start ratio, in one run (issue 11 item 7).

The AWS collection (moto in-process, 6 regions, 4 accounts reached by AssumeRole, a few records per region) is
timed with sharing off (the default) and on, interleaved, median of `--rounds`: wall time and the process's CPU
time (`time.process_time`, every thread). Then the stdio cold start of `awsinv-mcp serve` against a bare one-tool
MCPServer (`bench/bench_inventory.py:cold_starts`).

    .venv/bin/python bench/bench_botocore_sharing.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import anyio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "ap-northeast-1"]
ROLES = [f"arn:aws:iam::21000000000{n}:role/AwsInvReader" for n in range(1, 4)]


def collections(rounds: int) -> dict[str, tuple[float, float]]:
    import boto3
    import moto

    from awsinv_mcp.config import Settings
    from awsinv_mcp.inventory.aws.collector import collect
    from tests.aws_support import db_instance

    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": os.devnull,
                       "AWS_SHARED_CREDENTIALS_FILE": os.devnull})  # fmt: skip
    out: dict[str, list[tuple[float, float]]] = {"off": [], "on": []}
    with moto.mock_aws():
        for region in REGIONS:
            rds = boto3.client("rds", region_name=region)
            for n in range(3):
                db_instance(rds, f"db-{region}-{n}")
        for _ in range(rounds + 1):  # the first round of each warms imports and moto
            for mode in ("off", "on"):
                settings = Settings(source="aws", regions=REGIONS, role_arns=ROLES, share_botocore=mode == "on")
                wall, cpu = time.perf_counter(), time.process_time()
                snap = collect(settings)
                out[mode].append((time.perf_counter() - wall, time.process_time() - cpu))
                assert snap.db_instances, snap.warnings
    return {m: (statistics.median(w for w, _ in v[1:]), statistics.median(c for _, c in v[1:])) for m, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    figures = collections(rounds)
    (w_off, c_off), (w_on, c_on) = figures["off"], figures["on"]
    print(f"collection, {len(REGIONS)} regions x {1 + len(ROLES)} accounts (moto), median of {rounds}:")
    print(f"  sharing off (default): wall {w_off:.2f} s, CPU {c_off:.2f} s")
    print(
        f"  sharing on:            wall {w_on:.2f} s, CPU {c_on:.2f} s  "
        f"(wall {w_on / w_off:.2f}x, CPU {c_on / c_off:.2f}x)"
    )
    from bench_inventory import cold_starts

    ours, bare = anyio.run(cold_starts, rounds)
    print(f"cold start over stdio: {ours * 1000:.0f} ms vs a bare one-tool MCPServer {bare * 1000:.0f} ms: "
          f"ratio {ours / bare:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
