"""History store bench (issue 12): bytes per snapshot vs a full copy, write time, load of the latest snapshot vs
generating it, get_changes-style diffs over 1 and over all snapshots, one resource's history.

`.venv/bin/python bench/bench_history.py --scale 100000 --snapshots 30 [--pg] [--findings]` (1% of DB instances
change per snapshot). SQLite always; PostgreSQL with --pg (database awsinv_hist_bench, created and dropped).
--findings stores each snapshot's findings with it, as the server and `awsinv-mcp collect` do (the analysis time
is not counted in the write time). The load of the latest snapshot is measured as a replica does it
(`HistoryStore.load`: membership, bodies, records rebuilt).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta

from awsinv_mcp.inventory.diff import changed_keys, field_changes
from awsinv_mcp.inventory.history.codec import encode
from awsinv_mcp.inventory.history.sql import HistoryStore
from awsinv_mcp.inventory.kinds import KINDS
from awsinv_mcp.inventory.synthetic import generate

NOW = datetime(2026, 11, 1, tzinfo=UTC)
CLASSES = ("db.r6g.large", "db.r6g.xlarge", "db.m6g.large", "db.t4g.medium")


def history(scale: int, count: int):
    snap = generate(seed=42, scale=scale, now=NOW)
    yield snap
    step = max(1, len(snap.db_instances) // 100)
    for i in range(1, count):
        dbs = list(snap.db_instances)
        for j in range(i % step, len(dbs), step):
            dbs[j] = dataclasses.replace(dbs[j], instance_class=CLASSES[(i + j) % len(CLASSES)])
        snap = dataclasses.replace(snap, collected_at=NOW + timedelta(hours=i), db_instances=tuple(dbs))
        yield snap


def changes(store: HistoryStore, a: str, b: str) -> int:
    before, after = store.members(a), store.members(b)
    added, removed, changed = changed_keys(before, after)
    page = changed[:100]
    bodies = store.bodies([before[k] for k in page] + [after[k] for k in page])
    for k in page:
        field_changes(bodies[before[k]], bodies[after[k]])
    return len(added) + len(removed) + len(changed)


def findings_of(snap):
    from awsinv_mcp.analysis.analysis import Analysis
    from awsinv_mcp.inventory.estate import Estate

    return Analysis(Estate(snap)).report(snap.collected_at.date()).findings


def run(name: str, url: str, size_of, scale: int, count: int, with_findings: bool = False) -> None:
    store = HistoryStore(url)
    t = time.perf_counter()
    first = generate(seed=42, scale=scale, now=NOW)
    generate_s = time.perf_counter() - t
    full = sum(len(encode(k, r).body) for k in KINDS for r in k.records(first))
    writes, sizes, ids = [], [], []
    for snap in history(scale, count):
        found = findings_of(snap) if with_findings else ()
        t = time.perf_counter()
        ids.append(store.save(snap, found).id)
        writes.append(time.perf_counter() - t)
        sizes.append(size_of())
    per_snapshot = (sizes[-1] - sizes[0]) / max(1, count - 1)
    t = time.perf_counter()
    loaded = store.load(store.latest("synthetic"))
    load_s = time.perf_counter() - t
    members = store.members(ids[-1])
    assert len(loaded.db_instances) == len(first.db_instances)
    t = time.perf_counter()
    one = changes(store, ids[-2], ids[-1])
    one_s = time.perf_counter() - t
    t = time.perf_counter()
    allc = changes(store, ids[0], ids[-1])
    all_s = time.perf_counter() - t
    db = first.db_instances[0].identifier
    t = time.perf_counter()
    versions = store.versions_of(db, "db_instance")
    hist_s = time.perf_counter() - t
    store.close()
    print(f"[{name}] scale {scale}, {count} snapshots, {len(members):,} records each")
    print(f"  full copy (canonical JSON of one snapshot): {full:,} B; first snapshot stored: {sizes[0]:,} B")
    print(f"  stored per further snapshot: {per_snapshot:,.0f} B = {per_snapshot / full:.1%} of a full copy")
    print(f"  write: first {writes[0]:.2f} s, then median {sorted(writes[1:])[len(writes[1:]) // 2]:.2f} s")
    print(f"  load latest snapshot (HistoryStore.load): {load_s:.2f} s vs generating it {generate_s:.2f} s")
    print(f"  changes over 1 snapshot: {one_s:.2f} s ({one} changed); over {count}: {all_s:.2f} s ({allc} changed)")
    print(f"  one resource's history: {hist_s * 1000:.0f} ms ({len(versions)} versions)")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--scale", type=int, default=100_000)
    p.add_argument("--snapshots", type=int, default=30)
    p.add_argument("--pg", action="store_true")
    p.add_argument("--findings", action="store_true", help="store each snapshot's findings with it")
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "h.db")

        def sqlite_size() -> int:
            return sum(os.path.getsize(path + s) for s in ("", "-wal") if os.path.exists(path + s))

        run("sqlite", f"sqlite:///{path}", sqlite_size, a.scale, a.snapshots, a.findings)
    if a.pg:
        import psycopg

        admin = psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True)
        admin.execute("DROP DATABASE IF EXISTS awsinv_hist_bench WITH (FORCE)")
        admin.execute("CREATE DATABASE awsinv_hist_bench")
        try:
            with psycopg.connect("host=127.0.0.1 user=postgres dbname=awsinv_hist_bench") as conn:

                def pg_size() -> int:
                    return conn.execute("SELECT pg_database_size('awsinv_hist_bench')").fetchone()[0]

                url = "postgresql://postgres@127.0.0.1/awsinv_hist_bench"
                run("postgresql", url, pg_size, a.scale, a.snapshots, a.findings)
        finally:
            admin.execute("DROP DATABASE IF EXISTS awsinv_hist_bench WITH (FORCE)")


if __name__ == "__main__":
    main()
