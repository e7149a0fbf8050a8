"""list_tables on a 2,000-table PostgreSQL schema next to the reference PostgreSQL MCP server, same run (issue 16).

Creates a scratch database (unique name, dropped at the end) on 127.0.0.1:5432 with `--tables` tables in `public`
(the only schema the reference server lists), analyzed. Each round starts both servers fresh (cold caches, no
pooled connection) and talks to them over stdio with the official MCP client; server start-up is not timed.
- ours: `awsinv-mcp serve`, list_tables with its default arguments, following next_cursor to the end
  (calls, bytes of the text a model reads, seconds), as the server's first call right after initialize (Python
  imports the database stack and registers its tools on first use), as its first call 3 s after tools/list (the
  server prepares configured databases in the background meanwhile), and after list_databases (the documented
  first step: the connection is open, the catalog not yet read);
- reference: `npx -y @modelcontextprotocol/server-postgres URL`, its list of tables (resources/list: names only,
  one call) and its `query` tool with the SQL listing the same name, kind, row estimate and size, as the first
  call (and resources/list 3 s after tools/list) and as the second (its pooled connection open; it caches
  nothing).
Prints medians over `--rounds` and the ratios ours / reference.

Run: .venv/bin/python bench/bench_list_tables.py [--tables 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import psycopg
from mcp import Client, StdioServerParameters

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.http_server import server_env  # the clean environment the stdio tests give the server

ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
REFERENCE = "@modelcontextprotocol/server-postgres"
REFERENCE_SQL = """
SELECT c.relname AS name, c.relkind AS kind, c.reltuples::bigint AS row_estimate,
       pg_total_relation_size(c.oid) AS size_bytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'p', 'f') ORDER BY 1
"""

PAUSE_S = 3.0
LABELS = {
    "ours": "awsinv-mcp list_tables, default arguments, first call of the server",
    "ours_paused": f"awsinv-mcp list_tables, default arguments, first call, {PAUSE_S:g} s after tools/list",
    "ours_warm": "awsinv-mcp list_tables, default arguments, after list_databases (connection open, catalog cold)",
    "resources": f"{REFERENCE} resources/list (names only), first call of the server",
    "resources_paused": f"{REFERENCE} resources/list (names only), first call, {PAUSE_S:g} s after tools/list",
    "resources_warm": f"{REFERENCE} resources/list (names only), second call",
    "query": f"{REFERENCE} query tool (name, kind, row estimate, size), first call",
    "query_warm": f"{REFERENCE} query tool (name, kind, row estimate, size), second call",
}
Measure = tuple[int, int, float, int]
"""(calls, bytes, seconds, tables listed)"""


def create(name: str, tables: int) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(ADMIN_DSN.replace("dbname=test", f"dbname={name}"), autocommit=True) as conn:
        parts = [
            f"CREATE TABLE customer_order_line_{i:04d} (id serial PRIMARY KEY, name text NOT NULL, "
            f"amount numeric(12,2), created timestamptz DEFAULT now());"
            for i in range(tables)
        ]
        for start in range(0, len(parts), 200):
            conn.execute("".join(parts[start : start + 200]))
        conn.execute("ANALYZE")  # what autovacuum would have done on a live schema


def drop(name: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


Run = Callable[[Client], Awaitable[tuple[int, int, int]]]


async def timed(params: StdioServerParameters, run: Run, before: Run | None = None) -> Measure:
    """`run` timed in a fresh server, right after `before` (untimed) when given."""
    async with Client(params) as client:
        if before is not None:
            await before(client)
        started = time.perf_counter()
        calls, size, listed = await run(client)
        return calls, size, time.perf_counter() - started, listed


async def tools_listed_then_pause(client: Client) -> tuple[int, int, int]:
    """What a client does first (tools/list), then the pause while its model reads the list and decides."""
    await client.list_tools()
    await anyio.sleep(PAUSE_S)
    return 0, 0, 0


async def databases_listed(client: Client) -> tuple[int, int, int]:
    """The documented first step (server instructions): list_databases, which opens a connection to each."""
    result = await client.call_tool("list_databases", {})
    assert result.structured_content["items"][0]["reachable"], result
    return 1, 0, 0


async def ours(client: Client) -> tuple[int, int, int]:
    calls = size = listed = 0
    args: dict[str, Any] = {"database": "bench"}
    while True:
        result = await client.call_tool("list_tables", args)
        assert not result.is_error, result.content[0].text
        calls += 1
        size += len(result.content[0].text.encode())
        listed += len(result.structured_content["rows"])
        cursor = result.structured_content.get("next_cursor")
        if not cursor:
            return calls, size, listed
        args = {"database": "bench", "cursor": cursor}


async def reference_resources(client: Client) -> tuple[int, int, int]:
    result = await client.list_resources()
    body = result.model_dump_json(by_alias=True, exclude_none=True)
    return 1, len(body.encode()), len(result.resources)


async def reference_query(client: Client) -> tuple[int, int, int]:
    result = await client.call_tool("query", {"sql": REFERENCE_SQL})
    assert not result.is_error, result.content[0].text
    text = result.content[0].text
    return 1, len(text.encode()), len(json.loads(text))


def median(runs: list[Measure]) -> Measure:
    return runs[0][0], runs[0][1], statistics.median(r[2] for r in runs), runs[0][3]


async def main(tables: int, rounds: int) -> None:
    name = f"awsinv_bench_lt_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    mine = StdioServerParameters(
        command=sys.executable,
        args=["-m", "awsinv_mcp", "serve", "--toolsets", "databases"],
        env=server_env(AWSINV_DATABASES=json.dumps({"bench": url})),
    )
    reference = StdioServerParameters(command="npx", args=["-y", REFERENCE, url], env=dict(os.environ))
    create(name, tables)
    try:
        results: dict[str, list[Measure]] = {key: [] for key in LABELS}
        for _ in range(rounds):
            results["ours"].append(await timed(mine, ours))
            results["ours_paused"].append(await timed(mine, ours, tools_listed_then_pause))
            results["ours_warm"].append(await timed(mine, ours, databases_listed))
            results["resources"].append(await timed(reference, reference_resources))
            results["resources_paused"].append(await timed(reference, reference_resources, tools_listed_then_pause))
            results["resources_warm"].append(await timed(reference, reference_resources, reference_resources))
            results["query"].append(await timed(reference, reference_query))
            results["query_warm"].append(await timed(reference, reference_query, reference_query))
    finally:
        drop(name)
    print(f"{tables} tables in public of a scratch database, {rounds} rounds, fresh servers each time, medians")
    print("| listing | calls | bytes | seconds | tables listed |")
    print("| --- | --- | --- | --- | --- |")
    for key, label in LABELS.items():
        calls, size, seconds, listed = median(results[key])
        print(f"| {label} | {calls} | {size:,} | {seconds:.3f} | {listed:,} |")
    for mode in ("", "_paused", "_warm"):
        o = median(results[f"ours{mode}"])
        for key in ("resources", "query") if mode != "_paused" else ("resources",):
            _, size, seconds, _ = median(results[key + mode])
            print(f"ours / reference {key}{mode or ' (cold)'}: time {o[2] / seconds:.2f}x, bytes {o[1] / size:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    anyio.run(main, options.tables, options.rounds)
