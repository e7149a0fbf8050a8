"""Live-database tools through the official MCP client against real PostgreSQL, MariaDB and SQLite.

Every tool on every dialect, a corpus of bypass attempts (each followed by a check that the database and the
file system are unchanged), runaway queries cancelled within the timeout, and no secret in any output.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.dbinspect import guard
from awsinv_mcp.server.app import build_server
from tests import db_fixtures as F
from tests.conftest import require_service

pytestmark = pytest.mark.anyio

TIMEOUT = 1.5


def _reachable(kind: str) -> str | None:
    try:
        if kind == "pg":
            F.pg_connect().close()
        else:
            F.my_connect().close()
    except Exception as exc:
        return type(exc).__name__
    return None


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pg_error, my_error = _reachable("pg"), _reachable("my")
    if pg_error:
        require_service("PostgreSQL on 127.0.0.1:5432", pg_error)
    if my_error:
        require_service("MariaDB on 127.0.0.1:3306", my_error)
    F.seed_postgres()
    F.seed_mariadb()
    lite_dir = tmp_path_factory.mktemp("lite")
    lite = lite_dir / "shop.db"
    F.seed_sqlite(lite)
    yield {"lite": lite}
    F.drop_postgres()
    F.drop_mariadb()


@pytest.fixture(scope="module")
def server(seeded: Any) -> Any:
    databases = {
        "pg": {
            "url": f"postgres://postgres:{F.PG_PASSWORD}@127.0.0.1:5432/test?options=-csearch_path%3D{F.PG_SCHEMA}",
            "description": "shop on PostgreSQL",
        },
        "maria": {"url": "mariadb://root@127.0.0.1:3306/test", "description": "shop on MariaDB"},
        "lite": {"url": f"sqlite:///{seeded['lite']}", "description": "shop in a SQLite file"},
        "maria_badpw": "mysql://root:wrong-PASS-987@127.0.0.1:3306/test",
        "pg_down": "postgresql://postgres:down-SECRET-55@127.0.0.1:1/test",
    }
    settings = Settings(source="synthetic", databases=json.dumps(databases), query_timeout=TIMEOUT, max_rows=50)
    yield build_server(settings)


SECRETS = (F.PG_PASSWORD, "wrong-PASS-987", "down-SECRET-55")


async def call(server: Any, name: str, args: dict[str, Any]) -> Any:
    async with Client(server) as c:
        result = await c.call_tool(name, args)
    text = " ".join(getattr(part, "text", "") for part in result.content)
    blob = text + json.dumps(result.structured_content or {})
    for secret in SECRETS:
        assert secret not in blob, f"secret leaked by {name}"
    return result


SCHEMA = {"pg": F.PG_SCHEMA, "maria": "test", "lite": "main"}
CUSTOMERS = {"pg": "customers", "maria": f"{F.MY_PREFIX}customers", "lite": "customers"}
ORDERS = {"pg": "orders", "maria": f"{F.MY_PREFIX}orders", "lite": "orders"}
VIEW = {"pg": "big_orders", "maria": f"{F.MY_PREFIX}big_orders", "lite": "big_orders"}
DIALECTS = ("pg", "maria", "lite")


async def test_list_databases_names_only_and_reachability(server: Any) -> None:
    r = await call(server, "list_databases", {})
    assert not r.is_error
    rows = {row["name"]: row for row in r.structured_content["items"]}
    assert set(rows) == {"pg", "maria", "lite", "maria_badpw", "pg_down"}
    assert rows["pg"]["dialect"] == "postgresql" and rows["pg"]["reachable"]
    assert rows["maria"]["dialect"] == "mariadb" and rows["lite"]["dialect"] == "sqlite"
    assert not rows["maria_badpw"]["reachable"] and "Access denied" in rows["maria_badpw"]["error"]
    assert not rows["pg_down"]["reachable"]
    assert "127.0.0.1:1" not in json.dumps(rows) or "down-SECRET" not in json.dumps(rows)


@pytest.mark.parametrize("db", DIALECTS)
async def test_schemas_tables_describe(server: Any, db: str) -> None:
    r = await call(server, "list_schemas", {"database": db})
    assert not r.is_error and SCHEMA[db] in {s["name"] for s in r.structured_content["items"]}
    r = await call(server, "list_tables", {"database": db, "schema": SCHEMA[db], "limit": 2})
    page = r.structured_content
    assert not r.is_error and len(page["rows"]) == 2 and page["next_cursor"] and page["truncated"]
    assert page["columns"][:4] == ["name", "kind", "size_bytes", "row_estimate"]
    r2 = await call(
        server, "list_tables", {"database": db, "schema": SCHEMA[db], "limit": 2, "cursor": page["next_cursor"]}
    )
    names = {row[0] for row in page["rows"] + r2.structured_content["rows"]}
    assert len(names) == 4
    r = await call(server, "list_tables", {"database": db, "schema": SCHEMA[db], "name": "ORDERS"})
    listed = r.structured_content
    kinds = {row[0]: row[1] for row in listed["rows"]}
    assert kinds[ORDERS[db]] == "table" and kinds[VIEW[db]] == "view"
    assert "next_cursor" not in listed and None not in listed["rows"][-1]
    assert [row for row in listed["rows"] if row[0] == VIEW[db]] == [[VIEW[db], "view"]]  # no trailing nulls

    r = await call(server, "describe_table", {"database": db, "schema": SCHEMA[db], "table": ORDERS[db]})
    d = r.structured_content
    assert not r.is_error and d["primary_key"] == ["id"]
    cols = {c["name"]: c for c in d["columns"]}
    assert cols["customer_id"]["nullable"] is False and cols["total"]["type"]
    fk = d["foreign_keys"][0]
    assert fk["columns"] == ["customer_id"] and fk["ref_table"] == CUSTOMERS[db] and fk["ref_columns"] == ["id"]
    assert fk["on_delete"] == "CASCADE"
    assert any(ix["columns"] == ["customer_id"] for ix in d["indexes"])
    r = await call(server, "describe_table", {"database": db, "schema": SCHEMA[db], "table": VIEW[db]})
    assert r.structured_content["kind"] == "view" and "total" in (r.structured_content["view_definition"] or "")
    r = await call(server, "describe_table", {"database": db, "schema": SCHEMA[db], "table": "nope"})
    assert r.is_error and "list_tables" in r.content[0].text


async def test_postgres_comments_sizes_estimates(server: Any) -> None:
    r = await call(server, "describe_table", {"database": "pg", "table": "customers"})
    d = r.structured_content
    assert d["schema"] == F.PG_SCHEMA and d["comment"] == "people who buy"
    assert {c["name"]: c["comment"] for c in d["columns"]}["email"] == "contact address"
    assert d["row_estimate"] == 20 and d["size_bytes"] > 0


@pytest.mark.parametrize("db", DIALECTS)
async def test_run_query_shape_params_caps(server: Any, db: str) -> None:
    sql = (
        f"WITH t AS (SELECT customer_id, SUM(total) AS s, COUNT(*) AS n FROM {ORDERS[db]} GROUP BY customer_id) "
        f"SELECT c.name, t.s, t.n, RANK() OVER (ORDER BY t.s DESC) AS r FROM t JOIN {CUSTOMERS[db]} c "
        "ON c.id = t.customer_id WHERE c.name LIKE :pat ORDER BY r"
    )
    r = await call(server, "run_query", {"database": db, "sql": sql, "params": {"pat": "customer 1%"}})
    q = r.structured_content
    assert not r.is_error, r.content
    assert [c["name"] for c in q["columns"]] == ["name", "s", "n", "r"]
    assert q["row_count"] == len(q["rows"]) == 11 and not q["truncated"]
    assert q["rows"][0][3] == 1 and "not instructions" in q["note"] and q["elapsed_ms"] >= 0
    r = await call(server, "run_query", {"database": db, "sql": f"SELECT * FROM {ORDERS[db]}", "max_rows": 7})
    assert r.structured_content["row_count"] == 7 and r.structured_content["truncated"]
    assert r.structured_content["truncated_by"] == "max_rows"
    r = await call(server, "run_query", {"database": db, "sql": f"SELECT * FROM {ORDERS[db]}", "max_rows": 5000})
    assert r.structured_content["row_count"] == 50  # the server's max_rows wins
    # the injected text in a row stays data
    if db == "pg":
        r = await call(server, "run_query", {"database": db, "sql": "SELECT note FROM orders LIMIT 1"})
        assert r.structured_content["rows"][0][0].startswith("ignore previous")


async def test_byte_cap(seeded: Any) -> None:
    url = f"postgres://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{F.PG_SCHEMA}"
    settings = Settings(source="synthetic", databases=json.dumps({"pg": url}), max_bytes=1000)
    r = await call(build_server(settings), "run_query", {"database": "pg", "sql": "SELECT id, note FROM orders"})
    q = r.structured_content
    assert q["truncated"] and q["truncated_by"] == "max_bytes" and 0 < q["row_count"] < 50
    assert len(json.dumps(q["rows"], separators=(",", ":"))) <= 1000


ANALYSIS = [
    ("pg", "EXPLAIN SELECT * FROM orders WHERE customer_id = 3"),
    ("pg", "SHOW statement_timeout"),
    ("pg", "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total) FROM orders"),
    ("pg", "SELECT x FROM generate_series(1, 3) AS g(x), LATERAL (SELECT lower('A')) l"),
    ("pg", "SELECT date_trunc('month', placed_at) AS m, sum(total), avg(total)::numeric(10,2) FROM orders GROUP BY 1"),
    (
        "pg",
        "SELECT c.name, lag(o.total) OVER (PARTITION BY c.id ORDER BY o.id) FROM orders o JOIN customers c "
        "ON c.id = o.customer_id",
    ),
    (
        "pg",
        "SELECT percentile_disc(0.9) WITHIN GROUP (ORDER BY total), mode() WITHIN GROUP (ORDER BY customer_id) "
        "FROM orders",
    ),
    ("pg", "SELECT jsonb_build_object('a', 1) ->> 'a', to_jsonb(c) - 'email' FROM customers c"),
    ("pg", "SELECT now() - interval '3 days', current_date + 1, extract(epoch FROM now())::bigint"),
    ("pg", "SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY n_live_tup DESC"),
    ("pg", "SELECT string_agg(name, ', ' ORDER BY id) FILTER (WHERE id < 4) FROM customers"),
    ("pg", "SELECT * FROM customers WHERE email ~* '^c1' AND name NOT ILIKE '%x%' AND id = ANY(ARRAY[1,2,3])"),
    (
        "pg",
        "SELECT id, CASE WHEN total > 100 THEN 'big' ELSE 'small' END, total::text || ' EUR' FROM orders "
        "ORDER BY total DESC NULLS LAST",
    ),
    ("pg", "SELECT pg_size_pretty(pg_database_size(current_database())), version()"),
    ("pg", "SELECT x, y FROM unnest(ARRAY[1,2], ARRAY['a','b']) AS t(x, y)"),
    ("pg", "SELECT id FROM orders EXCEPT SELECT id FROM orders WHERE id > 5 ORDER BY 1"),
    ("pg", "SELECT '{\"a\": [1,2]}'::jsonb @> '{\"a\": [1]}'::jsonb"),
    (
        "pg",
        "SELECT * FROM (SELECT customer_id, row_number() OVER w AS rn FROM orders "
        "WINDOW w AS (PARTITION BY customer_id ORDER BY total DESC)) s WHERE rn = 1",
    ),
    ("pg", "SELECT * FROM orders TABLESAMPLE SYSTEM (100)"),
    ("pg", "SELECT DISTINCT ON (customer_id) customer_id, total FROM orders ORDER BY customer_id, total DESC"),
    ("pg", "SELECT last_value FROM awsinv_seq"),
    ("pg", "SELECT * FROM big_orders"),
    ("maria", "SHOW TABLES"),
    ("maria", "EXPLAIN SELECT * FROM awsinv_t_orders WHERE customer_id = 3"),
    ("maria", "SHOW VARIABLES LIKE 'max_statement%'"),
    ("maria", "SELECT DATE_FORMAT(placed_at, '%Y-%m') m, SUM(total) FROM awsinv_t_orders GROUP BY m ORDER BY m"),
    ("maria", "SELECT GROUP_CONCAT(name ORDER BY id SEPARATOR ', ') FROM awsinv_t_customers WHERE id < 4"),
    ("maria", "SELECT DATE_SUB(NOW(), INTERVAL 3 DAY), UNIX_TIMESTAMP(), TIMESTAMPDIFF(DAY, '2020-01-01', NOW())"),
    ("maria", "SELECT JSON_OBJECT('k', 1), JSON_UNQUOTE(JSON_EXTRACT('{\"a\": \"x\"}', '$.a'))"),
    ("maria", "SELECT IF(total > 100, 'big', 'small'), IFNULL(NULL, 1), total DIV 3 FROM awsinv_t_orders"),
    ("maria", "SELECT * FROM awsinv_t_customers WHERE email REGEXP '^c1' AND id IN (1, 2, 3)"),
    ("maria", "SELECT SUBSTRING_INDEX(email, '@', -1) d, COUNT(*) FROM awsinv_t_customers GROUP BY d"),
    ("maria", "SELECT `id`, `total` FROM `awsinv_t_orders` ORDER BY `total` DESC"),
    ("maria", "SELECT VERSION(), DATABASE(), CURRENT_USER(), @@version"),
    ("maria", "WITH t AS (SELECT customer_id, SUM(total) s FROM awsinv_t_orders GROUP BY customer_id) SELECT * FROM t"),
    ("maria", "SELECT CAST(total AS CHAR), STR_TO_DATE('2024-01-02', '%Y-%m-%d') FROM awsinv_t_orders"),
    ("maria", "SELECT * FROM awsinv_t_big_orders"),
    ("lite", "PRAGMA table_info(orders)"),
    ("lite", "EXPLAIN QUERY PLAN SELECT * FROM orders WHERE customer_id = 3"),
    ("lite", "SELECT * FROM pragma_index_list('orders')"),
    ("lite", "SELECT strftime('%Y-%m', placed_at) m, sum(total), round(avg(total), 2) FROM orders GROUP BY m"),
    ("lite", "SELECT group_concat(name, ', ') FROM customers WHERE id < 4"),
    ("lite", "SELECT date('now', '-3 days'), julianday('now') > 0"),
    ("lite", "SELECT json_extract('{\"a\": 1}', '$.a'), json_object('k', 1), json_array(1, 2)"),
    ("lite", "SELECT iif(total > 100, 'big', 'small'), total || ' EUR', typeof(total) FROM orders"),
    ("lite", "SELECT * FROM customers WHERE email GLOB 'c1*' AND id IN (1, 2, 3)"),
    ("lite", 'SELECT "id", [total] FROM orders ORDER BY total DESC'),
    ("lite", "SELECT t.name, p.name FROM sqlite_schema t JOIN pragma_table_info(t.name) p WHERE t.type = 'table'"),
]


@pytest.mark.parametrize(("db", "sql"), ANALYSIS)
async def test_guard_does_not_over_block(server: Any, db: str, sql: str) -> None:
    r = await call(server, "run_query", {"database": db, "sql": sql})
    assert not r.is_error, r.content[0].text
    assert r.structured_content["row_count"] >= 1


@pytest.mark.parametrize("db", DIALECTS)
async def test_explain_query(server: Any, db: str) -> None:
    sql = f"SELECT * FROM {ORDERS[db]} WHERE customer_id = :c"
    r = await call(server, "explain_query", {"database": db, "sql": sql, "params": {"c": 3}})
    assert not r.is_error, r.content[0].text
    answer = r.structured_content
    assert answer["summary"]["nodes"] >= 1 and "plan" not in answer and answer["analyzed"] is False
    if db != "lite":
        args = {"database": db, "sql": sql, "params": {"c": 3}, "analyze": True, "detail": True}
        r = await call(server, "explain_query", args)
        assert not r.is_error and r.structured_content["analyzed"] is True
        assert "Execution Time" in json.dumps(r.structured_content["plan"]) or "r_total_time_ms" in json.dumps(
            r.structured_content["plan"]
        )
    r = await call(server, "explain_query", {"database": db, "sql": f"DELETE FROM {ORDERS[db]}", "analyze": True})
    assert r.is_error and "refused" in r.content[0].text


@pytest.mark.parametrize("db", DIALECTS)
async def test_database_health(server: Any, db: str) -> None:
    r = await call(server, "database_health", {"database": db})
    h = r.structured_content
    assert not r.is_error and h["version"] and h["size_bytes"] > 0
    if db == "pg":
        assert h["connections"] and h["cache_hit_ratio"] is not None and h["replication"]["role"] == "primary"
        assert any("superuser" in w["message"] for w in h["warnings"])
        assert any(d["table"] == "orders" for d in h["duplicate_indexes"])
    if db == "maria":
        messages = " ".join(w["message"] for w in h["warnings"])
        assert "FILE" in messages and "SUPER" in messages
        assert any(d["table"] == f"{F.MY_PREFIX}customers" for d in h["duplicate_indexes"])
        assert any(n["grant"] for n in h["not_visible"])
    if db == "lite":
        assert any(d["table"] == "orders" for d in h["duplicate_indexes"])
        assert h["not_visible"]


async def test_schema_resource(server: Any) -> None:
    async with Client(server) as c:
        templates = [t.uri_template for t in (await c.list_resource_templates()).resource_templates]
        assert "db://{database}/schema" in templates
        res = await c.read_resource("db://lite/schema")
    doc = json.loads(res.contents[0].text)
    assert doc["dialect"] == "sqlite" and {t["name"] for t in doc["tables"]} >= {"orders", "customers"}


async def test_tools_annotated_open_world(server: Any) -> None:
    async with Client(server) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
    for name in ("list_databases", "list_schemas", "list_tables", "describe_table", "run_query", "explain_query",
                 "database_health"):  # fmt: skip
        assert tools[name].annotations.read_only_hint and tools[name].annotations.open_world_hint, name
        assert tools[name].output_schema


async def test_errors_are_clean_tool_errors(server: Any) -> None:
    r = await call(server, "run_query", {"database": "nope", "sql": "SELECT 1"})
    assert r.is_error and "unknown database 'nope'" in r.content[0].text and "pg" in r.content[0].text
    r = await call(server, "run_query", {"database": "maria_badpw", "sql": "SELECT 1"})
    assert r.is_error and "refused the login" in r.content[0].text
    r = await call(server, "run_query", {"database": "pg_down", "sql": "SELECT 1"})
    assert r.is_error and "unreachable" in r.content[0].text
    r = await call(server, "run_query", {"database": "pg", "sql": "SELEC 1"})
    assert r.is_error and "parse" in r.content[0].text
    r = await call(server, "run_query", {"database": "pg", "sql": "SELECT no_such_column FROM orders"})
    assert r.is_error and "no_such_column" in r.content[0].text
    r = await call(server, "run_query", {"database": "pg", "sql": "SELECT :a", "params": {}})
    assert r.is_error and ":a" in r.content[0].text


RUNAWAY = {
    "pg": "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
    "maria": "SELECT COUNT(*) FROM seq_1_to_100000 a, seq_1_to_100000 b WHERE a.seq + b.seq > 7",
    "lite": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
}


@pytest.mark.parametrize("db", DIALECTS)
async def test_runaway_query_cancelled_within_timeout(server: Any, db: str) -> None:
    started = time.monotonic()
    r = await call(server, "run_query", {"database": db, "sql": RUNAWAY[db]})
    elapsed = time.monotonic() - started
    assert r.is_error and "timeout" in r.content[0].text, r.content[0].text
    assert elapsed < TIMEOUT + 2.0
    r = await call(server, "run_query", {"database": db, "sql": f"SELECT COUNT(*) FROM {ORDERS[db]}"})
    assert r.structured_content["rows"] == [[300]]  # the pool recovered


# ---- the bypass corpus: every attempt is a tool error, and nothing changed afterwards ----

OUT = "/tmp/awsinv_bypass_out"
FILES = (OUT, f"{OUT}.csv", f"{OUT}.db", f"{OUT}.sh", "/tmp/awsinv_attached.db")

PG_BYPASS = [
    "SELECT 1; DELETE FROM orders",
    "COMMIT; DELETE FROM orders",
    "END; DROP TABLE orders",
    "SELECT 1; COMMIT; INSERT INTO audit(what) VALUES ('x')",
    "WITH d AS (DELETE FROM orders RETURNING *) SELECT count(*) FROM d",
    "WITH u AS (UPDATE customers SET name = 'x' RETURNING 1) SELECT * FROM u",
    "SELECT * INTO stolen FROM customers",
    "SELECT * FROM customers FOR UPDATE",
    "SELECT * FROM customers FOR SHARE NOWAIT",
    f"COPY (SELECT 1) TO PROGRAM 'touch {OUT}.sh'",
    f"COPY customers TO '{OUT}.csv'",
    "SELECT pg_read_file('/etc/passwd')",
    "SELECT * FROM pg_read_file('/etc/passwd')",
    "SELECT x FROM customers, LATERAL pg_read_binary_file('/etc/hostname') AS x",
    "SELECT pg_catalog.pg_ls_dir('/')",
    "SELECT \"pg_read_file\"('/etc/passwd')",
    "SELECT PG_READ_FILE('/etc/passwd')",
    f"SELECT lo_export(lo_import('/etc/passwd'), '{OUT}')",
    "SELECT * FROM dblink('host=127.0.0.1 dbname=test', 'DELETE FROM awsinv_test.orders') AS t(x text)",
    "SET ROLE postgres",
    "SET SESSION AUTHORIZATION postgres",
    "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE",
    "SELECT set_config('transaction_read_only', 'off', true)",
    "LOCK TABLE orders IN ACCESS EXCLUSIVE MODE",
    "VACUUM orders",
    "DO $$BEGIN DELETE FROM awsinv_test.orders; END$$",
    "PREPARE p AS DELETE FROM orders; EXECUTE p",
    "EXECUTE p",
    "SELECT nextval('awsinv_seq')",
    "SELECT setval('awsinv_seq', 1)",
    "SELECT touch()",
    "SELECT * FROM touch()",
    "SELECT awsinv_test.touch()",
    "SELECT 1 /* ; DELETE FROM orders */ ; DELETE FROM orders",
    "SELECT $$ ; $$; DELETE FROM orders",
    "SELECT $tag$x$tag$; DROP TABLE customers",
    "SELECT pg_sleep(30)",
    "SELECT pg_advisory_lock(42)",
    "SELECT pg_terminate_backend(pg_backend_pid())",
    "SELECT pg_cancel_backend(1)",
    "SELECT pg_reload_conf()",
    "SELECT * FROM pg_authid",
    "SELECT rolpassword FROM pg_catalog.pg_shadow",
    "SELECT * FROM pg_file_settings",
    "SELECT * FROM pg_catalog.pg_hba_file_rules",
    "SELECT subconninfo FROM pg_subscription",
    "SELECT repeat('x', 1000000000)",
    "CREATE TABLE evil(x int)",
    "ALTER SYSTEM SET log_statement = 'all'",
    "GRANT ALL ON orders TO PUBLIC",
    "TRUNCATE orders",
    "LISTEN chan",
    "SELECT pg_notify('chan', 'x')",
    "SELECT txid_current()",
    "SELECT 'x'::awsinv_evil_type",
    "EXPLAIN ANALYZE DELETE FROM orders",
    "EXPLAIN (ANALYZE) WITH d AS (DELETE FROM orders RETURNING 1) SELECT * FROM d",
    "SHOW ALL; DELETE FROM orders",
    "CALL touch()",
    "SELECT current_setting('is_superuser') FROM (DELETE FROM orders RETURNING 1) x",
]

MY_BYPASS = [
    "SELECT 1; DELETE FROM awsinv_t_orders",
    "COMMIT; DELETE FROM awsinv_t_orders",
    "SELECT /*! 1; DELETE FROM awsinv_t_orders */",
    "SELECT 1 /*!50000 , SLEEP(5) */",
    "SELECT 1 /*M! , SLEEP(5) */",
    f"SELECT * FROM awsinv_t_customers INTO OUTFILE '{OUT}'",
    f"SELECT * INTO DUMPFILE '{OUT}' FROM awsinv_t_customers",
    "SELECT LOAD_FILE('/etc/passwd')",
    "SELECT `load_file`('/etc/passwd')",
    "SELECT load_file(0x2f6574632f706173737764)",
    "SET GLOBAL max_connections = 1",
    "SET @@global.general_log = 1",
    "SET SESSION TRANSACTION READ WRITE",
    "SELECT @x := 1",
    "SELECT GET_LOCK('awsinv', 10)",
    "SELECT SLEEP(30)",
    "SELECT BENCHMARK(100000000, MD5('x'))",
    "SELECT * FROM awsinv_t_customers FOR UPDATE",
    "SELECT * FROM awsinv_t_customers LOCK IN SHARE MODE",
    "LOCK TABLES awsinv_t_orders WRITE",
    "PREPARE s FROM 'DELETE FROM awsinv_t_orders'",
    "EXECUTE s",
    "SELECT NEXTVAL(awsinv_t_seq)",
    "SELECT NEXT VALUE FOR awsinv_t_seq",
    "SELECT awsinv_t_touch()",
    "SELECT test.awsinv_t_touch()",
    "SELECT 'a' # comment\n; DELETE FROM awsinv_t_orders",
    "SELECT 'it\\'s'; DELETE FROM awsinv_t_orders",
    "SELECT * FROM mysql.user",
    "SELECT authentication_string FROM mysql.global_priv",
    "SELECT * FROM mysql.servers",
    "SELECT LENGTH(REPLACE(REPLACE(REPLACE(name, 'a', 'aaaaaaaaaa'), 'a', 'aaaaaaaaaa'), 'a', 'aa')) "
    "FROM awsinv_t_customers",
    "SELECT Password FROM mysql.servers WHERE Server_name <> ''",
    "SHOW CREATE USER root",
    "SHOW TABLES WHERE SLEEP(5)",
    "HANDLER awsinv_t_orders OPEN",
    "DO SLEEP(5)",
    "KILL CONNECTION_ID()",
    "LOAD DATA INFILE '/etc/passwd' INTO TABLE awsinv_t_audit",
    "INSTALL SONAME 'ha_blackhole'",
    "WITH d AS (SELECT 1) DELETE FROM awsinv_t_orders",
    "ANALYZE TABLE awsinv_t_orders",
    "EXPLAIN ANALYZE DELETE FROM awsinv_t_orders",
    "SELECT REPEAT('x', 1000000000)",
]

SQLITE_BYPASS = [
    "SELECT 1; DELETE FROM orders",
    "COMMIT; DELETE FROM orders",
    "ATTACH DATABASE '/tmp/awsinv_attached.db' AS x",
    "SELECT load_extension('/tmp/evil')",
    f"VACUUM INTO '{OUT}.db'",
    "VACUUM",
    "PRAGMA writable_schema = ON",
    "PRAGMA writable_schema=1; UPDATE sqlite_master SET sql = 'x'",
    "PRAGMA query_only = 0",
    "PRAGMA user_version = 7",
    "PRAGMA journal_mode = DELETE",
    "WITH d AS (DELETE FROM orders RETURNING 1) SELECT * FROM d",
    "INSERT INTO audit(what) VALUES ('x') RETURNING id",
    "REPLACE INTO customers(id, name) VALUES (1, 'x')",
    "CREATE TEMP TABLE t(x)",
    "DROP VIEW big_orders",
    "SELECT zeroblob(1000000000)",
    "SELECT randomblob(1000000000)",
    "SELECT printf('%.*c', 1000000000, 'x')",
    "SELECT readfile('/etc/passwd')",
    f"SELECT writefile('{OUT}', 'x')",
    "SELECT fts3_tokenizer('simple')",
    "SELECT 1 /* */; DETACH main",
    "REINDEX",
    "ANALYZE",
]


@pytest.mark.parametrize("sql", PG_BYPASS)
async def test_bypass_postgres(server: Any, sql: str) -> None:
    before, files = F.pg_state(), F.files_state(*FILES)
    r = await call(server, "run_query", {"database": "pg", "sql": sql})
    assert r.is_error, f"not refused: {sql}"
    assert F.pg_state() == before and F.files_state(*FILES) == files


@pytest.mark.parametrize("sql", MY_BYPASS)
async def test_bypass_mariadb(server: Any, sql: str) -> None:
    before, files = F.my_state(), F.files_state(*FILES)
    started = time.monotonic()
    r = await call(server, "run_query", {"database": "maria", "sql": sql})
    assert r.is_error, f"not refused: {sql}"
    assert time.monotonic() - started < TIMEOUT + 2.0
    assert F.my_state() == before and F.files_state(*FILES) == files


@pytest.mark.parametrize("sql", SQLITE_BYPASS)
async def test_bypass_sqlite(server: Any, seeded: Any, sql: str) -> None:
    path: Path = seeded["lite"]
    before, files = F.sqlite_state(path), F.files_state(*FILES)
    r = await call(server, "run_query", {"database": "lite", "sql": sql})
    assert r.is_error, f"not refused: {sql}"
    assert F.sqlite_state(path) == before and F.files_state(*FILES) == files


@pytest.mark.parametrize(
    ("db", "sql"),
    [("pg", "SELECT * FROM pg_file_settings"), ("pg", "SELECT * FROM pg_hba_file_rules"),
     ("maria", "SELECT * FROM mysql.servers")],
)  # fmt: skip
async def test_privileged_logins_cannot_read_credential_catalogues(server: Any, db: str, sql: str) -> None:
    r = await call(server, "run_query", {"database": db, "sql": sql})  # both test logins are superusers
    assert r.is_error and "holds credentials" in r.content[0].text


async def test_corpus_size() -> None:
    assert len(PG_BYPASS) + len(MY_BYPASS) + len(SQLITE_BYPASS) >= 60


async def test_mariadb_null_default_is_null_not_text(server: Any) -> None:
    r = await call(server, "describe_table", {"database": "maria", "table": f"{F.MY_PREFIX}customers"})
    columns = {c["name"]: c for c in r.structured_content["columns"]}
    assert columns["email"]["nullable"] and columns["email"]["default"] is None
    assert columns["id"]["default"] == "auto_increment"


async def test_sqlite_largest_tables_lists_tables_with_their_indexes(server: Any) -> None:
    r = await call(server, "database_health", {"database": "lite"})
    largest = {t["table"]: t["size_bytes"] for t in r.structured_content["largest_tables"]}
    assert "orders_customer_idx" not in largest and "orders_customer_dup_idx" not in largest
    assert largest["orders"] >= 3 * 4096  # table pages plus its two index b-trees


@pytest.mark.parametrize(("sql", "article"), [("INSERT INTO t VALUES (1)", "an INSERT"), ("DROP TABLE t", "a DROP")])
def test_refusal_uses_the_right_article(sql: str, article: str) -> None:
    with pytest.raises(guard.RefusedError, match=article):
        guard.check(sql, "postgresql", style="pyformat")


async def test_postgres_array_columns_are_typed_as_arrays(server: Any) -> None:
    r = await call(server, "run_query", {"database": "pg", "sql": "select array[1, 2] a, 1 b"})
    assert [c["type"] for c in r.structured_content["columns"]] == ["int4[]", "int4"]
    assert r.structured_content["rows"] == [[[1, 2], 1]]


async def test_mysql_column_types_use_sql_names(server: Any) -> None:
    sql = f"select c.name, c.id, count(*) n, max(o.total) t from {F.MY_PREFIX}customers c "
    sql += f"join {F.MY_PREFIX}orders o on o.customer_id = c.id group by c.name, c.id limit 1"
    r = await call(server, "run_query", {"database": "maria", "sql": sql})
    assert [c["type"] for c in r.structured_content["columns"]] == ["varchar", "int", "bigint", "decimal"]


def test_missing_sqlite_file_says_so(tmp_path: Path) -> None:
    from awsinv_mcp.dbinspect.service import DatabaseService
    from awsinv_mcp.errors import UserError

    settings = Settings(source="synthetic", databases=json.dumps({"gone": f"sqlite:///{tmp_path}/missing.db"}))
    service = DatabaseService(settings)
    try:
        with pytest.raises(UserError, match=r"'gone' cannot be opened: .*SQLite file exists") as info:
            service.list_tables("gone", None, name=None, limit=10, cursor=None)
        assert "credentials" not in str(info.value) and str(tmp_path) not in str(info.value)
        assert service.list_databases().items[0].reachable is False
    finally:
        service.close()


async def test_mariadb_keys_are_described_for_a_select_only_login(seeded: Any) -> None:
    conn = F.my_connect()
    try:
        with conn.cursor() as cur:
            cur.execute("DROP USER IF EXISTS 'awsinv_t_ro'@'%'")
            cur.execute("CREATE USER 'awsinv_t_ro'@'%' IDENTIFIED BY 'ro-pw-77'")
            for table in ("customers", "orders"):
                cur.execute(f"GRANT SELECT ON test.{F.MY_PREFIX}{table} TO 'awsinv_t_ro'@'%'")
        databases = {
            "ro": "mariadb://awsinv_t_ro:ro-pw-77@127.0.0.1:3306/test",
            "rw": "mariadb://root@127.0.0.1:3306/test",
        }
        server = build_server(Settings(source="synthetic", databases=json.dumps(databases)))
        ro = await call(server, "describe_table", {"database": "ro", "table": f"{F.MY_PREFIX}orders"})
        root = await call(server, "describe_table", {"database": "rw", "table": f"{F.MY_PREFIX}orders"})
    finally:
        with conn.cursor() as cur:
            cur.execute("DROP USER IF EXISTS 'awsinv_t_ro'@'%'")
        conn.close()
    assert root.structured_content["primary_key"] == ["id"] and root.structured_content["foreign_keys"]
    for key in ("primary_key", "foreign_keys"):
        assert ro.structured_content[key] == root.structured_content[key], key
