"""Faults and load (issue 18): what a user gets when things go wrong, against a baseline from the same run.

1. Refresh after a cancelled refresh (`serve --transport http`, 30,000-instance synthetic estate, progress token,
   cancelled after 0.5 s): time of the next refresh vs a refresh with nothing cancelled.
2. `run_query` memory: peak RSS growth of the server process for one and for three concurrent 201 x 1 MB-row results
   (PostgreSQL), vs the same rows fetched in-process the way the drivers did before (client-side `fetchall`).
3. The estate after a refresh during an outage (moto in-process, every call answering ExpiredToken): DB instances
   answered by the store (last good data kept) vs what the collection itself returned (what the store served before).
4. Refresh time with one stalled region (8 s per call there) with `AWSINV_COLLECT_DEADLINE=2` vs no deadline.
5. `list_db_instances` latency while 45 slow queries run on one database, vs idle.
6. A read once the cache expired while one region stalls: answered from the last snapshot (background collection)
   vs the time a reader waited before (it collected itself: figure 4's refresh times).

    .venv/bin/python bench/bench_faults.py
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import db_fixtures as F
from tests.http_server import start_http, stop


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _call(base: str, name: str, args: dict[str, Any] | None = None, **kw: Any) -> Any:
    async with (
        httpx2.AsyncClient(timeout=300) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
    ):
        return await client.call_tool(name, args or {}, **kw)


# 1 ------------------------------------------------------------------------------------------------------------
async def refresh_after_cancel() -> None:
    proc, base = start_http(AWSINV_SCALE="30000", AWSINV_CACHE_TTL="10")
    try:
        await _call(base, "get_inventory_summary")
        started = time.monotonic()
        await _call(base, "refresh_inventory")
        plain = time.monotonic() - started

        async def progress(*_: Any) -> None:
            return None

        with anyio.move_on_after(0.5):
            await _call(base, "refresh_inventory", progress_callback=progress)
        started = time.monotonic()
        await _call(base, "refresh_inventory")
        after = time.monotonic() - started
    finally:
        stop(proc)
    print(f"1. refresh after a cancelled refresh: {after:.2f} s (a plain refresh: {plain:.2f} s; "
          f"ratio {after / plain:.2f}x; before the fix: never, the store stayed locked)")  # fmt: skip


# 2 ------------------------------------------------------------------------------------------------------------
async def query_memory() -> None:
    with F.pg_connect() as conn:
        conn.execute("DROP TABLE IF EXISTS public.awsinv_bench_big")
        conn.execute("CREATE TABLE public.awsinv_bench_big AS SELECT g id, repeat('x', 1000000) v "
                     "FROM generate_series(1, 201) g")  # fmt: skip
    sql = "SELECT id, v FROM public.awsinv_bench_big ORDER BY id"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with F.pg_connect() as conn:
        rows = conn.execute(sql).fetchall()  # the drivers' default: the whole result in memory
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
    del rows
    databases = json.dumps({"pg": "postgresql://postgres@127.0.0.1:5432/test"})
    proc, base = start_http(AWSINV_DATABASES=databases, AWSINV_MAX_BYTES="1000000")
    try:
        await _call(base, "run_query", {"database": "pg", "sql": "SELECT 1"})
        start = _peak_mb(proc.pid)
        await _call(base, "run_query", {"database": "pg", "sql": sql})
        one = _peak_mb(proc.pid) - start
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(_call, base, "run_query", {"database": "pg", "sql": sql})
        three = _peak_mb(proc.pid) - start
    finally:
        stop(proc)
        with F.pg_connect() as conn:
            conn.execute("DROP TABLE IF EXISTS public.awsinv_bench_big")
    print(f"2. run_query 201 x 1 MB rows, max_bytes 1 MB: server peak RSS +{one:.0f} MB for one call, "
          f"+{three:.0f} MB for three at once (a client-side fetchall of the same rows: +{baseline:.0f} MB; "
          f"before the fix the server grew 745 MB for one call)")  # fmt: skip


# 3, 4 -----------------------------------------------------------------------------------------------------------
def outage_and_stall() -> None:
    import boto3
    import moto

    from awsinv_mcp.config import Settings
    from awsinv_mcp.inventory.aws.collector import collect
    from awsinv_mcp.inventory.store import InventoryStore
    from tests.aws_support import Faults, db_instance, op

    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}  # fmt: skip
    os.environ.update(env)
    regions = ["us-east-1", "eu-west-1", "eu-central-1"]
    with moto.mock_aws():
        for region in regions:
            rds = boto3.client("rds", region_name=region)
            for n in range(11):
                db_instance(rds, f"db-{region}-{n}")
        faults = Faults()
        collected: list[Any] = []

        def collector(s: Settings, progress: Any, cancel: threading.Event | None) -> Any:
            snap = collect(s, progress, hook=faults, cancel=cancel)
            collected.append(snap)
            return snap

        store = InventoryStore(Settings(source="aws", regions=regions, collect_deadline=2.0), collector)
        total = len(store.refresh().snapshot.db_instances)
        rule = faults.add(lambda *_: True, "ExpiredToken", status=400)
        kept = store.refresh().snapshot
        print(f"3. estate after a refresh while every call answers ExpiredToken: {len(kept.db_instances)}/{total} "
              f"DB instances kept, {len(kept.warnings)} warnings (the collection alone: "
              f"{len(collected[-1].db_instances)}/{total}, {len(collected[-1].warnings)} warnings)")  # fmt: skip
        faults.rules.remove(rule)
        stores = {
            label: InventoryStore(Settings(source="aws", regions=regions, collect_deadline=deadline), collector)
            for label, deadline in (("deadline 2 s", 2.0), ("no deadline", 3600.0))
        }
        for store in stores.values():
            store.refresh()  # a good collection first: the stalled region's last good data
        faults.add(op("rds", "DescribeDBInstances", "eu-west-1"), delay=8.0)
        timings = {}
        for label, store in stores.items():
            started = time.monotonic()
            snap = store.refresh().snapshot
            timings[label] = (time.monotonic() - started, len(snap.db_instances))
        (t1, n1), (t2, n2) = timings["deadline 2 s"], timings["no deadline"]
        print(f"4. refresh with one region stalled 8 s per call: {t1:.1f} s with a 2 s deadline ({n1} instances), "
              f"{t2:.1f} s without ({n2} instances): {t2 / t1:.1f}x faster")  # fmt: skip
        now = [0.0]
        store = InventoryStore(Settings(source="aws", regions=regions, cache_ttl=60), collector, clock=lambda: now[0])
        store.refresh()  # with the stall: 2 s here would be 8 s without a deadline
        now[0] = 61.0  # the cache expired; the next collection stalls again
        started = time.monotonic()
        stale = store.estate()
        read = time.monotonic() - started
        until = time.monotonic() + 60
        while store.estate() is stale and time.monotonic() < until:  # let the background collection end inside moto
            time.sleep(0.05)
        print(f"6. a read once the cache expired, one region stalled: {read * 1000:.1f} ms (answered from the last "
              f"snapshot while the collection runs in the background; before, the reader collected: {t1:.1f} s with "
              f"the 2 s deadline, {t2:.1f} s without)")  # fmt: skip


# 5 ------------------------------------------------------------------------------------------------------------
async def latency_under_slow_queries() -> None:
    databases = json.dumps({"pg": "postgresql://postgres@127.0.0.1:5432/test"})
    proc, base = start_http(AWSINV_DATABASES=databases, AWSINV_QUERY_TIMEOUT="10")
    slow = "SELECT count(*) FROM generate_series(1, 2000000000) g"
    try:
        async with (
            httpx2.AsyncClient(timeout=300) as http,
            Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
        ):

            async def lat() -> float:
                started = time.monotonic()
                await client.call_tool("list_db_instances", {"limit": 5})
                return time.monotonic() - started

            idle = statistics.median([await lat() for _ in range(7)])
            busy_answers: list[str] = []

            async def slow_one() -> None:
                r = await client.call_tool("run_query", {"database": "pg", "sql": slow})
                busy_answers.append(r.content[0].text[:60])

            async with anyio.create_task_group() as tg:
                for _ in range(45):
                    tg.start_soon(slow_one)
                await anyio.sleep(2.5)  # the slow queries are running (or have been told the database is busy)
                during = statistics.median([await lat() for _ in range(7)])
        busy = sum("busy" in a for a in busy_answers)
    finally:
        stop(proc)
    print(f"5. list_db_instances latency: {idle * 1000:.0f} ms idle, {during * 1000:.0f} ms while 45 slow queries "
          f"run ({during / idle:.1f}x); {busy}/45 slow calls were told the database is busy")  # fmt: skip


def main() -> None:
    anyio.run(refresh_after_cancel)
    anyio.run(query_memory)
    outage_and_stall()
    anyio.run(latency_under_slow_queries)


if __name__ == "__main__":
    main()
