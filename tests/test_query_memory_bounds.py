"""`run_query` memory follows its caps, not the result (issue 18 item 3).

The real `serve --transport http` process with real PostgreSQL, MariaDB and a SQLite file: 201 rows of 1 MB values,
three calls at once, must not grow the server by anything near the result's size (before: +745 MB for one call); a
100 MB SQLite value is refused before it is materialised; every LIMIT form is forced down to the row cap.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests import db_fixtures as F
from tests.conftest import require_service
from tests.http_server import start_http, stop

pytestmark = pytest.mark.anyio

ROWS, VALUE = 201, 1_000_000
PG_TABLE = "awsinv_mem_big"
MY_TABLE = "awsinv_mem_big"
GROWTH_LIMIT_MB = 40  # max_bytes is 1 MB; the result is 201 MB per call, 603 MB for three at once


def _seed_pg() -> None:
    with F.pg_connect() as conn:
        conn.execute(f"DROP TABLE IF EXISTS public.{PG_TABLE}")
        conn.execute(f"CREATE TABLE public.{PG_TABLE} AS SELECT g AS id, repeat('x', {VALUE}) AS v "
                     f"FROM generate_series(1, {ROWS}) g")  # fmt: skip


def _seed_my() -> None:
    conn = F.my_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {MY_TABLE}")
            cur.execute(f"CREATE TABLE {MY_TABLE} (id INT PRIMARY KEY, v LONGTEXT)")
            for i in range(1, ROWS + 1):
                cur.execute(f"INSERT INTO {MY_TABLE} VALUES (%s, REPEAT('x', {VALUE}))", (i,))
    finally:
        conn.close()


def _drop() -> None:
    with F.pg_connect() as conn:
        conn.execute(f"DROP TABLE IF EXISTS public.{PG_TABLE}")
    conn = F.my_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {MY_TABLE}")
    finally:
        conn.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[subprocess.Popen, str]]:
    for name, connect in (("PostgreSQL on 127.0.0.1:5432", F.pg_connect), ("MariaDB on 127.0.0.1:3306", F.my_connect)):
        try:
            connect().close()
        except Exception as exc:
            require_service(name, type(exc).__name__)
    _seed_pg()
    _seed_my()
    lite = tmp_path_factory.mktemp("lite") / "big.db"
    with sqlite3.connect(lite) as conn:
        conn.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, v BLOB)")
        conn.execute("INSERT INTO big VALUES (1, zeroblob(100000000)), (2, 'small')")
    databases = {
        "pg": "postgresql://postgres@127.0.0.1:5432/test",
        "maria": "mariadb://root@127.0.0.1:3306/test",
        "lite": f"sqlite:///{lite}",
    }
    proc, base = start_http(AWSINV_DATABASES=json.dumps(databases), AWSINV_MAX_ROWS="1000",
                            AWSINV_MAX_BYTES="1000000")  # fmt: skip
    try:
        yield proc, base
    finally:
        stop(proc)
        _drop()


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"{field} not in /proc/{pid}/status")


async def _query(base: str, database: str, sql: str) -> Any:
    async with (
        httpx2.AsyncClient(timeout=120) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
    ):
        return await client.call_tool("run_query", {"database": database, "sql": sql})


@pytest.mark.parametrize(("database", "table"), [("pg", f"public.{PG_TABLE}"), ("maria", MY_TABLE)])
async def test_big_values_do_not_grow_the_server_beyond_the_caps(served: Any, database: str, table: str) -> None:
    proc, base = served
    await _query(base, database, "SELECT 1")  # connect, warm the pool and the guard
    before = _rss_mb(proc.pid, "VmHWM")
    results: list[Any] = []

    async def one() -> None:
        results.append(await _query(base, database, f"SELECT id, v FROM {table} ORDER BY id"))

    async with anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(one)
    grown = _rss_mb(proc.pid, "VmHWM") - before  # the peak: transient buffers count
    print(f"{database}: peak RSS grew {grown:.0f} MB")
    for r in results:
        assert not r.is_error, r.content
        body = r.structured_content
        assert body["truncated"] and body["truncated_by"] == "max_bytes"
        assert body["row_count"] <= 2
    assert grown < GROWTH_LIMIT_MB, f"server grew {grown:.0f} MB answering three 201 MB results"


async def test_a_giant_sqlite_value_is_refused_before_it_is_read(served: Any) -> None:
    proc, base = served
    before = _rss_mb(proc.pid)
    big = await _query(base, "lite", "SELECT v FROM big WHERE id = 1")
    small = await _query(base, "lite", "SELECT v FROM big WHERE id = 2")
    assert big.is_error and "larger than" in big.content[0].text and "substr" in big.content[0].text
    assert not small.is_error and small.structured_content["rows"] == [["small"]]
    assert _rss_mb(proc.pid) - before < 60


@pytest.mark.parametrize("limit", ["LIMIT ALL", "LIMIT 1e9", "LIMIT NULL", "LIMIT 2*500000", "LIMIT :n"])
async def test_every_limit_form_is_forced_down_to_the_row_cap(served: Any, limit: str) -> None:
    from awsinv_mcp.dbinspect import guard

    sql = f"SELECT g FROM generate_series(1, 100000) g {limit}"
    params = {"n": 10**9} if ":n" in limit else {}
    assert guard.check(sql, "postgresql", params, row_limit=1001).sql.endswith("LIMIT 1001")
    _, base = served
    async with (
        httpx2.AsyncClient(timeout=120) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
    ):
        r = await client.call_tool("run_query", {"database": "pg", "sql": sql, "params": params})
    assert not r.is_error, r.content
    assert r.structured_content["row_count"] == 1000 and r.structured_content["truncated_by"] == "max_rows"
