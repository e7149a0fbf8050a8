"""Live databases in few calls (issue 16 item 5), against the real PostgreSQL and MariaDB through the official MCP
client: a 2,000-table schema listed in at most two list_tables calls, each well within the answer cap, rows
columnar without nulls; explain_query's summary from real plans (the pure functions of dbinspect/plans.py on plans
the servers produced), the raw plan only with detail=true."""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from typing import Any

import pytest
from mcp import Client

from awsinv_mcp import budget
from awsinv_mcp.config import Settings
from awsinv_mcp.dbinspect import plans
from awsinv_mcp.dbinspect.catalog import PAGE_BYTES
from awsinv_mcp.models.table import rows_of
from awsinv_mcp.server.app import build_server
from tests import db_fixtures as F
from tests.conftest import require_service

pytestmark = pytest.mark.anyio

TABLES = 2000
BIG_ROWS = 20_000
SUFFIX = uuid.uuid4().hex[:8]
PG_SCHEMA = f"awsinv_budget_{SUFFIX}"
MY_BIG = f"awsinv_budget_big_{SUFFIX}"


def _pg_drop() -> None:
    """In batches: one DROP SCHEMA CASCADE of 2,000 tables exceeds max_locks_per_transaction."""
    with F.pg_connect() as conn:
        names = [
            r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [PG_SCHEMA]).fetchall()
        ]
        for start in range(0, len(names), 100):
            conn.execute(", ".join(f'"{PG_SCHEMA}"."{n}"' for n in names[start : start + 100]).join(
                ("DROP TABLE IF EXISTS ", " CASCADE")
            ))  # fmt: skip
        conn.execute(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE')


@pytest.fixture(scope="module")
def pg() -> Any:
    try:
        F.pg_connect().close()
    except Exception as exc:
        require_service("PostgreSQL on 127.0.0.1:5432", type(exc).__name__)
    with F.pg_connect() as conn:
        conn.execute(f'CREATE SCHEMA "{PG_SCHEMA}"')
        conn.execute(f'SET search_path = "{PG_SCHEMA}"')
        parts = [f"CREATE TABLE customer_order_line_{i:04d} (id int, note text);" for i in range(TABLES)]
        for start in range(0, TABLES, 200):
            conn.execute("".join(parts[start : start + 200]))
        conn.execute(
            f"CREATE TABLE big (id int PRIMARY KEY, a int, b int, note text);"
            f"INSERT INTO big SELECT g, g % 100, g % 100, 'row ' || g FROM generate_series(1, {BIG_ROWS}) g;"
            "CREATE VIEW big_view AS SELECT id FROM big; ANALYZE"
        )
    yield PG_SCHEMA
    _pg_drop()


@pytest.fixture(scope="module")
def maria() -> Any:
    try:
        F.my_connect().close()
    except Exception as exc:
        require_service("MariaDB on 127.0.0.1:3306", type(exc).__name__)
    conn = F.my_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE TABLE {MY_BIG} (id int PRIMARY KEY, a int, note varchar(40), KEY a_idx (a))")
            cur.execute(f"INSERT INTO {MY_BIG} SELECT seq, seq % 100, CONCAT('row ', seq) FROM seq_1_to_{BIG_ROWS}")
            cur.execute(f"ANALYZE TABLE {MY_BIG}")
            cur.fetchall()
        yield MY_BIG
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {MY_BIG}")
        conn.close()


@pytest.fixture(scope="module")
def server(pg: str, maria: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    lite = tmp_path_factory.mktemp("lite") / "shop.db"
    F.seed_sqlite(lite)
    databases = {
        "pg": f"postgres://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{pg}",
        "maria": "mariadb://root@127.0.0.1:3306/test",
        "lite": f"sqlite:///{lite}",
    }
    return build_server(Settings(source="synthetic", databases=json.dumps(databases)))


async def test_two_thousand_tables_in_two_calls_within_the_budget(server: Any) -> None:
    rows: list[list[Any]] = []
    calls, args = 0, {"database": "pg"}
    async with Client(server) as client:
        while True:
            result = await client.call_tool("list_tables", args)
            calls += 1
            assert not result.is_error, result.content[0].text
            text = result.content[0].text
            assert len(text.encode()) <= PAGE_BYTES + 1_000 < budget.MAX_ANSWER_BYTES
            page = result.structured_content
            assert json.loads(text) == page and "null" not in text
            assert page["columns"] == ["name", "kind", "size_bytes", "row_estimate"]
            rows += page["rows"]
            if "next_cursor" not in page:
                break
            assert page["truncated"] and calls < 3
            args = {"database": "pg", "cursor": page["next_cursor"]}
    assert calls == 2 and len(rows) == page["total"] == TABLES + 2
    by_name = {r[0]: r for r in rows}
    assert by_name["big"][1] == "table" and by_name["big"][3] == BIG_ROWS and by_name["big"][2] > 0
    assert by_name["big_view"] == ["big_view", "view"]
    assert by_name["customer_order_line_1999"] == ["customer_order_line_1999", "table", 0, 0]
    # the one inverse every client uses reads this table too (models/table.py)
    assert rows_of(page)[-1].keys() == {"name", "kind", "size_bytes", "row_estimate"}


async def test_limit_pages_and_its_bounds(server: Any) -> None:
    async with Client(server) as client:
        three = await client.call_tool("list_tables", {"database": "lite", "limit": 3})
        too_many = await client.call_tool("list_tables", {"database": "lite", "limit": 20_000})
        zero = await client.call_tool("list_tables", {"database": "lite", "limit": 0})
    assert len(three.structured_content["rows"]) == 3 and three.structured_content["next_cursor"]
    assert too_many.is_error and "between 1 and 10000" in too_many.content[0].text
    assert zero.is_error and "limit" in zero.content[0].text


@pytest.mark.parametrize("db", ["pg", "maria"])
async def test_unknown_schema_is_a_clear_error(server: Any, db: str) -> None:
    async with Client(server) as client:
        result = await client.call_tool("list_tables", {"database": db, "schema": f"no_such_{SUFFIX}"})
    assert result.is_error and "does not exist" in result.content[0].text and "list_schemas" in result.content[0].text


def test_configured_databases_are_prepared_without_connecting(tmp_path: Any) -> None:
    """The server imports the database stack in the background at start (bench/bench_list_tables.py: the first
    list_tables after a pause), opening no connection; not when the databases toolset is off."""
    from awsinv_mcp.server.context import AppContext

    down = json.dumps({"down": "postgresql://u:pw@127.0.0.1:1/x", "lite": f"sqlite:///{tmp_path}/none.db"})
    context = AppContext(Settings(source="synthetic", databases=down))
    context.prepare_databases()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        service = context._databases
        if service is not None and all(service.registry.get(n)._engine is not None for n in ("down", "lite")):
            break
        time.sleep(0.05)
    else:
        pytest.fail("the configured databases were not prepared within 30 s")
    engines = [service.registry.get(n)._engine for n in ("down", "lite")]
    assert all(e.pool.checkedin() == 0 and e.pool.checkedout() == 0 for e in engines)  # nothing connected
    assert not (tmp_path / "none.db").exists()
    context.close()
    off = AppContext(Settings(source="synthetic", databases=down, toolsets=["inventory"]))
    off.prepare_databases()
    assert off._databases is None


async def _explain(server: Any, db: str, sql: str, **extra: Any) -> dict[str, Any]:
    async with Client(server) as client:
        result = await client.call_tool("explain_query", {"database": db, "sql": sql, **extra})
    assert not result.is_error, result.content[0].text
    return result.structured_content


async def test_postgres_summary_names_the_large_scan_and_the_index(server: Any) -> None:
    scan = await _explain(server, "pg", "SELECT * FROM big WHERE note = 'row 5'")
    assert "plan" not in scan and not scan["analyzed"]
    assert scan["summary"]["seq_scans"] == [{"table": "big", "rows": BIG_ROWS}]
    assert scan["summary"]["costliest"][0]["table"] == "big" and scan["summary"]["cost"] > 0
    lookup = await _explain(server, "pg", "SELECT * FROM big WHERE id = :id", params={"id": 5})
    assert lookup["summary"]["indexes"] == ["big_pkey"] and lookup["summary"]["seq_scans"] == []
    small = await _explain(server, "pg", "SELECT * FROM customer_order_line_0001 WHERE note = 'x'")
    assert small["summary"]["seq_scans"] == []  # an empty table's full scan is not worth a line
    # a and b are always equal: the planner multiplies their selectivities and expects 100x fewer rows
    ran = await _explain(server, "pg", "SELECT * FROM big WHERE a = 1 AND b = 1", analyze=True, detail=True)
    summary = ran["summary"]
    assert ran["analyzed"] and summary["ms"] > 0 and all("ms" in step for step in summary["costliest"])
    assert summary["misestimates"][0]["table"] == "big"
    assert summary["misestimates"][0]["actual_rows"] == BIG_ROWS // 100 and summary["misestimates"][0]["rows"] < 20
    assert ran["plan"][0]["Plan"]["Relation Name"] == "big" and "Execution Time" in ran["plan"][0]
    # under a LIMIT the sort returns 5 of its 20,000 estimated rows: stopped early, not misestimated
    limited = await _explain(server, "pg", "SELECT * FROM big ORDER BY note LIMIT 5", analyze=True)
    assert limited["summary"]["misestimates"] == [] and limited["summary"]["costliest"]
    # the pure function over the raw plan the server returned, with a threshold and sizes of our own
    again = plans.summarize(plans.postgres_nodes(ran["plan"]), {"big": 50}, large=100)
    assert again["misestimates"] == summary["misestimates"] and "seq_scans" not in again
    assert plans.summarize(plans.postgres_nodes(ran["plan"]), {}, large=BIG_ROWS)["seq_scans"] == [
        {"table": "big", "rows": BIG_ROWS}  # rows read: the rows returned plus those the filter removed
    ]


async def test_mariadb_summary_from_its_json_plans(server: Any, maria: str) -> None:
    scan = await _explain(server, "maria", f"SELECT * FROM {maria} WHERE note = 'row 5'")
    assert "plan" not in scan
    [seq] = scan["summary"]["seq_scans"]
    assert seq["table"] == maria and abs(seq["rows"] - BIG_ROWS) < BIG_ROWS / 10  # InnoDB's estimate
    assert scan["summary"]["costliest"] == [] or scan["summary"]["costliest"][0]["table"] == maria
    lookup = await _explain(server, "maria", f"SELECT * FROM {maria} WHERE a = :a", params={"a": 7}, detail=True)
    assert lookup["summary"]["indexes"] == ["a_idx"] and lookup["summary"]["seq_scans"] == []
    assert lookup["plan"]["query_block"]["nested_loop"][0]["table"]["key"] == "a_idx"
    ran = await _explain(server, "maria", f"SELECT * FROM {maria} WHERE note LIKE 'row 1%'", analyze=True, detail=True)
    summary = ran["summary"]
    assert ran["analyzed"] and summary["ms"] > 0
    step = summary["costliest"][0]
    assert step["table"] == maria and step["node"] == "full scan" and step["actual_rows"] == BIG_ROWS
    assert step["ms"] > 0
    # the pure function on the raw ANALYZE FORMAT=JSON plan: sizes given win over the plan's row estimate
    assert "seq_scans" not in plans.summarize(plans.mysql_nodes(ran["plan"]), {maria: 10})
    assert "seq_scans" not in plans.summarize(plans.mysql_nodes(ran["plan"]), {}, large=BIG_ROWS * 2)
    assert plans.summarize(plans.mysql_nodes(ran["plan"]), {maria: BIG_ROWS})["seq_scans"] == [
        {"table": maria, "rows": BIG_ROWS}
    ]


async def test_sqlite_summary_lists_scans_and_indexes(server: Any) -> None:
    scan = await _explain(server, "lite", "SELECT * FROM orders WHERE total > 100")
    assert scan["summary"]["seq_scans"] == [{"table": "orders"}]  # no statistics: size unknown, listed
    lookup = await _explain(server, "lite", "SELECT * FROM orders WHERE customer_id = 3", detail=True)
    assert lookup["summary"]["indexes"][0].startswith("orders_customer") and lookup["summary"]["seq_scans"] == []
    assert any("USING INDEX" in row["detail"] for row in lookup["plan"])


def test_sqlite_nodes_of_real_plans() -> None:
    conn = sqlite3.connect(":memory:")
    conn.executescript(F.SQLITE_SEED)
    rows = conn.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.name = 'x' "
        "ORDER BY o.total"
    ).fetchall()
    summary = plans.summarize(plans.sqlite_nodes([{"id": r[0], "parent": r[1], "detail": r[3]} for r in rows]))
    # SQLite names a table by its alias in the plan; it has no costs or row counts
    assert summary == {"nodes": 3, "seq_scans": [{"table": "o"}], "indexes": ["PRIMARY KEY"]}


def test_mysql_tree_text() -> None:
    """MySQL 8's EXPLAIN ANALYZE answers a tree of text (no MySQL server here: the documented format)."""
    tree = (
        "-> Nested loop inner join  (cost=4.95 rows=9) (actual time=0.153..0.200 rows=9 loops=1)\n"
        "    -> Table scan on c  (cost=1.15 rows=9) (actual time=0.089..0.110 rows=9 loops=1)\n"
        "    -> Index lookup on o using idx_c (c_id=c.id)  (cost=0.31 rows=1) "
        "(actual time=0.008..0.009 rows=120 loops=9)\n"
    )
    summary = plans.summarize(plans.mysql_nodes(tree), large=5)
    assert summary["cost"] == 4.95 and summary["indexes"] == ["idx_c"]
    assert summary["seq_scans"] == [{"table": "c", "rows": 9}]
    assert summary["misestimates"] == [
        {"node": "Index lookup", "table": "o", "index": "idx_c", "cost": 0.31, "ms": 0.081, "rows": 1,
         "actual_rows": 120, "loops": 9}
    ]  # fmt: skip
