"""Live-database benchmarks against the local PostgreSQL (127.0.0.1:5432, db test), baselines in the same run.

1. Catalog: on a 2,000-table schema, list_tables (all pages) plus describe_table of every table, against
   SQLAlchemy's Inspector doing the same per table (columns, pk, fks, indexes, comment), and against the
   Inspector's batched get_multi_* calls.
2. Query: a 10,000-row run_query (guard, read-only transaction, caps, answer model, compact JSON text as the
   tool sends it) against a plain psycopg fetch of the same rows as dicts plus json.dumps.

Run: .venv/bin/python bench/bench_dbinspect.py [--tables 2000] [--rounds 5]. Drops its schema at the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import psycopg
from psycopg.rows import dict_row

from awsinv_mcp.config import Settings
from awsinv_mcp.dbinspect.service import DatabaseService
from awsinv_mcp.server.tooling import respond

DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
URL = "postgresql://postgres@127.0.0.1:5432/test"
SCHEMA = "awsinv_bench"


def seed(tables: int) -> None:
    drop()
    with psycopg.connect(DSN, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {SCHEMA}")
        parts = []
        for i in range(tables):
            ref = f", parent_id int REFERENCES {SCHEMA}.t{i - 1:04d}(id)" if i else ""
            parts.append(
                f"CREATE TABLE {SCHEMA}.t{i:04d} (id serial PRIMARY KEY, name text NOT NULL, amount numeric(12,2), "
                f"created timestamptz DEFAULT now(), flag boolean{ref});"
                f"CREATE INDEX ON {SCHEMA}.t{i:04d} (name);"
            )
        for start in range(0, len(parts), 200):
            conn.execute("".join(parts[start : start + 200]))
        conn.execute(
            f"CREATE TABLE {SCHEMA}.big AS SELECT g AS id, 'name ' || g AS name, (g * 1.25)::numeric(12,2) AS amount, "
            "now() - g * interval '1 minute' AS created, g % 2 = 0 AS flag FROM generate_series(1, 10000) g"
        )
        conn.execute("ANALYZE")  # what autovacuum would have done on a live schema


def drop() -> None:
    """Drop in batches: one DROP SCHEMA CASCADE of 2,000 tables exceeds max_locks_per_transaction."""
    with psycopg.connect(DSN, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename DESC", [SCHEMA]
        ).fetchall()
        names = [f"{SCHEMA}.{r[0]}" for r in rows]
        for start in range(0, len(names), 100):
            conn.execute(f"DROP TABLE IF EXISTS {', '.join(names[start : start + 100])} CASCADE")
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def ours_catalog() -> tuple[float, int]:
    service = DatabaseService(Settings(databases=json.dumps({"pg": URL})))
    try:
        service.list_databases()  # connect outside the timing, like the Inspector's engine below
        started = time.perf_counter()
        names, cursor = [], None
        while True:
            page = service.list_tables("pg", SCHEMA, name=None, limit=500, cursor=cursor)
            names += [row[0] for row in page.rows]
            cursor = page.next_cursor
            if not cursor:
                break
        columns = sum(len(service.describe_table("pg", SCHEMA, n).columns) for n in names)
        return time.perf_counter() - started, columns
    finally:
        service.close()


def inspector_per_table(limit: int | None) -> tuple[float, int, int]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(URL.replace("postgresql://", "postgresql+psycopg://"))
    try:
        engine.connect().close()
        started = time.perf_counter()
        insp = inspect(engine)
        names = sorted(insp.get_table_names(schema=SCHEMA) + insp.get_view_names(schema=SCHEMA))
        done = names[:limit] if limit else names
        columns = 0
        for n in done:
            columns += len(insp.get_columns(n, schema=SCHEMA))
            insp.get_pk_constraint(n, schema=SCHEMA)
            insp.get_foreign_keys(n, schema=SCHEMA)
            insp.get_indexes(n, schema=SCHEMA)
            insp.get_table_comment(n, schema=SCHEMA)
        elapsed = time.perf_counter() - started
        return elapsed * len(names) / len(done), columns, len(done)
    finally:
        engine.dispose()


def inspector_multi() -> float:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(URL.replace("postgresql://", "postgresql+psycopg://"))
    try:
        engine.connect().close()
        started = time.perf_counter()
        insp = inspect(engine)
        insp.get_table_names(schema=SCHEMA)
        insp.get_multi_columns(schema=SCHEMA)
        insp.get_multi_pk_constraint(schema=SCHEMA)
        insp.get_multi_foreign_keys(schema=SCHEMA)
        insp.get_multi_indexes(schema=SCHEMA)
        insp.get_multi_table_comment(schema=SCHEMA)
        return time.perf_counter() - started
    finally:
        engine.dispose()


def query_rounds(rounds: int) -> dict[str, list[float]]:
    sql = f"SELECT id, name, amount, created, flag FROM {SCHEMA}.big ORDER BY id"
    service = DatabaseService(Settings(databases=json.dumps({"pg": URL}), max_rows=10_000, max_bytes=50_000_000))
    out: dict[str, list[float]] = {"ours": [], "plain": [], "ours_bytes": [], "plain_bytes": [], "tuples_bytes": []}
    try:
        with psycopg.connect(DSN) as conn:
            service.run_query("pg", sql)  # warm both sides once
            conn.execute(sql).fetchall()
            for _ in range(rounds):
                started = time.perf_counter()
                result = service.run_query("pg", sql)
                text = respond(result).content[0].text  # what the run_query tool sends
                out["ours"].append(time.perf_counter() - started)
                assert result.row_count == 10_000 and not result.truncated
                out["ours_bytes"].append(len(text.encode()))

                started = time.perf_counter()
                with conn.cursor(row_factory=dict_row) as cur:
                    rows = cur.execute(sql).fetchall()
                plain = json.dumps(rows, default=str)
                out["plain"].append(time.perf_counter() - started)
                conn.rollback()
                out["plain_bytes"].append(len(plain.encode()))
                with conn.cursor() as cur:
                    out["tuples_bytes"].append(len(json.dumps(cur.execute(sql).fetchall(), default=str).encode()))
                conn.rollback()
    finally:
        service.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--inspector-sample", type=int, default=0, help="time the Inspector on N tables only")
    args = parser.parse_args()
    started = time.perf_counter()
    seed(args.tables)
    print(f"seeded {args.tables} tables + a 10,000-row table in {time.perf_counter() - started:.1f} s")
    try:
        ours = [ours_catalog() for _ in range(3)]
        ours_s = statistics.median(t for t, _ in ours)
        insp_s, _, insp_n = inspector_per_table(args.inspector_sample or None)
        multi_s = statistics.median(inspector_multi() for _ in range(3))
        print(
            f"catalog, {args.tables + 1} tables ({ours[0][1]} columns): list_tables + describe_table of each: "
            f"{ours_s:.2f} s (median of 3, cold cache and a new connection each)"
        )
        label = "" if not args.inspector_sample else f" (timed on {insp_n} tables, scaled)"
        print(f"  Inspector per table (columns, pk, fks, indexes, comment){label}: {insp_s:.2f} s", end="")
        print(f" -> ours {insp_s / ours_s:.1f}x faster")
        print(f"  Inspector get_multi_* (batched): {multi_s:.2f} s -> ratio {multi_s / ours_s:.1f}x")
        q = query_rounds(args.rounds)
        ours_q, plain_q = statistics.median(q["ours"]), statistics.median(q["plain"])
        ours_b, plain_b = q["ours_bytes"][0], q["plain_bytes"][0]
        print(f"run_query 10,000 rows (median of {args.rounds}): {ours_q * 1000:.0f} ms, {ours_b:,} bytes")
        print(f"  psycopg dict rows + json.dumps: {plain_q * 1000:.0f} ms, {plain_b:,} bytes", end="")
        print(f" (tuples: {q['tuples_bytes'][0]:,} bytes)")
        print(f"  time ratio {ours_q / plain_q:.2f}x, bytes ratio {ours_b / plain_b:.2f}")
    finally:
        drop()
        print("dropped the bench schema")


if __name__ == "__main__":
    main()
