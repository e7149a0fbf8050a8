"""The layers under the guard, connection configuration, URL normalisation, AWS-native connections, redaction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from awsinv_mcp.config import Settings
from awsinv_mcp.dbinspect import execute, guard
from awsinv_mcp.dbinspect.connections import load_specs, normalize_url, redact
from awsinv_mcp.dbinspect.dialects import dialect
from awsinv_mcp.dbinspect.engines import DatabaseRegistry
from awsinv_mcp.dbinspect.service import DatabaseService
from awsinv_mcp.errors import UserError
from tests import db_fixtures as F
from tests.conftest import require_service


@pytest.mark.parametrize(
    ("url", "driver", "dialect"),
    [
        ("postgres://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db", "postgresql"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db", "postgresql"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg://u@h/db", "postgresql"),
        ("mysql://root@h:3306/test", "mysql+pymysql://root@h:3306/test", "mysql"),
        ("mariadb://root@h/test", "mysql+pymysql://root@h/test", "mysql"),
    ],
)
def test_normalize_url(url: str, driver: str, dialect: str) -> None:
    out, found_dialect, _, path = normalize_url(url)
    assert (out, found_dialect, path) == (driver, dialect, None)


def test_normalize_sqlite_and_secrets(tmp_path: Path) -> None:
    _, dialect, _, path = normalize_url(f"sqlite:///{tmp_path}/x.db")
    assert dialect == "sqlite" and path == f"{tmp_path}/x.db"
    assert normalize_url("sqlite://")[3] == ":memory:"
    _, _, secrets, _ = normalize_url("postgres://u:p%40ss-word@h/db?sslpassword=key-pw")
    assert {"p%40ss-word", "p@ss-word", "key-pw"} <= set(secrets)
    with pytest.raises(UserError, match="not supported"):
        normalize_url("oracle://u@h/db")


def test_redact() -> None:
    text = "could not connect to postgresql://app:hunter22@db.example/x: password hunter22 rejected"
    out = redact(text, ["hunter22"])
    assert "hunter22" not in out and "app:***@" in out


def test_config_file_and_env(tmp_path: Path) -> None:
    cfg = tmp_path / "awsinv.toml"
    cfg.write_text(
        '[databases.orders]\nurl = "postgres://u:pw-in-file@h/orders"\ndescription = "orders"\n'
        '[databases.rds]\nrds = "orders-prod"\nregion = "eu-west-1"\niam_auth = true\nuser = "reader"\n'
        'sslmode = "verify-full"\nca_bundle = "/etc/rds-ca.pem"\nengine = "postgres"\n'
    )
    settings = Settings(config_file=str(cfg), databases=json.dumps({"lite": "sqlite://", "orders": "mysql://x@h/y"}))
    specs = load_specs(settings)
    assert set(specs) == {"orders", "rds", "lite"}
    assert specs["orders"].dialect == "mysql"  # the environment overrides the file
    rds = specs["rds"]
    assert rds.aws and rds.aws.iam_auth and rds.aws.rds == "orders-prod" and rds.dialect == "postgresql"
    assert rds.options == {"sslmode": "verify-full", "ca_bundle": "/etc/rds-ca.pem"}
    assert "pw-in-file" not in repr(load_specs(Settings(config_file=str(cfg)))["orders"])
    with pytest.raises(UserError, match="JSON object"):
        load_specs(Settings(databases="[1]"))
    with pytest.raises(UserError, match="needs 'url'"):
        load_specs(Settings(databases=json.dumps({"x": {"description": "no url"}})))


# ---- the guard on its own ----

ALLOWED = [
    ("postgresql", "SELECT a, count(*) FILTER (WHERE b > 1) FROM t GROUP BY ROLLUP (a)"),
    ("postgresql", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r"),
    ("postgresql", "SELECT x::int, j->>'k', j #>> '{a,b}', arr[1:2] FROM t WHERE s ILIKE 'a%'"),
    ("postgresql", "SELECT ntile(4) OVER w FROM t WINDOW w AS (ORDER BY x)"),
    ("postgresql", "TABLE t"),
    ("postgresql", "VALUES (1), (2)"),
    ("mysql", "SELECT DATE_FORMAT(NOW(), '%Y-%m'), IFNULL(a, 0) FROM t LIMIT 5, 10"),
    ("mysql", "EXPLAIN FORMAT=JSON SELECT * FROM t"),
    ("sqlite", "SELECT strftime('%Y', d), group_concat(x, ',') FROM t"),
    ("sqlite", "PRAGMA main.index_list('t')"),
]


@pytest.mark.parametrize(("dialect", "sql"), ALLOWED)
def test_guard_allows_analysis(dialect: str, sql: str) -> None:
    checked = guard.check(sql, dialect, style="named" if dialect == "sqlite" else "pyformat")
    assert checked.sql and checked.kind in ("query", "explain", "pragma")


def test_guard_renders_what_it_checked() -> None:
    checked = guard.check("select \"PG_SIZE_PRETTY\"(a) -- x\nfrom t where b like 'x%' and c = :c", "postgresql",
                          {"c": 1}, row_limit=11)  # fmt: skip
    assert checked.sql == "SELECT pg_size_pretty(a) FROM t WHERE b LIKE 'x%%' AND c = %(c)s LIMIT 11"
    assert guard.check("SELECT a FROM t LIMIT 5", "sqlite", style="named", row_limit=11).sql.endswith("LIMIT 5")
    assert guard.check("SELECT a FROM t LIMIT 500", "sqlite", style="named", row_limit=11).sql.endswith("LIMIT 11")
    with pytest.raises(UserError, match="not used"):
        guard.check("SELECT 1", "postgresql", {"x": 1})
    with pytest.raises(UserError, match="positional"):
        guard.check("SELECT ?", "sqlite", style="named")


# ---- defence in depth: statements that skip the guard still cannot write ----


def _registry(**databases: str) -> DatabaseRegistry:
    return DatabaseRegistry(Settings(databases=json.dumps(databases), query_timeout=2))


def _raw(registry: DatabaseRegistry, name: str, sql: str) -> Any:
    db = registry.get(name)
    with db.connection() as conn:
        return execute._execute(
            db, conn, dialect(db.dialect), guard.CheckedSQL("query", sql, {}), execute.Caps(10, 1_000_000)
        )


def test_postgres_transaction_is_read_only_without_the_guard() -> None:
    try:
        F.pg_connect().close()
    except Exception as exc:
        require_service("PostgreSQL on 127.0.0.1:5432", type(exc).__name__)
    F.seed_postgres()
    registry = _registry(pg="postgresql://postgres@127.0.0.1:5432/test")
    try:
        before = F.pg_state()
        for sql in (
            f"INSERT INTO {F.PG_SCHEMA}.audit(what) VALUES ('x')",
            f"SELECT nextval('{F.PG_SCHEMA}.awsinv_seq')",
            f"SELECT {F.PG_SCHEMA}.touch()",
            f"CREATE TABLE {F.PG_SCHEMA}.evil(x int)",
        ):
            with pytest.raises(guard.RefusedError, match="read-only"):
                _raw(registry, "pg", sql)
        assert F.pg_state() == before
        # SET LOCAL died with the rolled-back transaction: the pooled session is back to defaults
        _raw(registry, "pg", "SELECT 1")
        with registry.get("pg").connection() as conn:
            assert conn.execute("SHOW statement_timeout").fetchone() == ("0",)
            assert conn.execute("SHOW transaction_read_only").fetchone() == ("on",)
            conn.rollback()
    finally:
        registry.close()
        F.drop_postgres()


def test_mariadb_transaction_is_read_only_without_the_guard() -> None:
    try:
        F.my_connect().close()
    except Exception as exc:
        require_service("MariaDB on 127.0.0.1:3306", type(exc).__name__)
    F.seed_mariadb()
    registry = _registry(maria="mariadb://root@127.0.0.1:3306/test")
    try:
        before = F.my_state()
        for sql in (f"INSERT INTO {F.MY_PREFIX}audit(what) VALUES ('x')", f"DELETE FROM {F.MY_PREFIX}orders"):
            with pytest.raises(guard.RefusedError, match=r"read-only|READ ONLY"):
                _raw(registry, "maria", sql)
        assert F.my_state() == before
        _raw(registry, "maria", "SELECT 1")
        with registry.get("maria").connection() as conn, conn.cursor() as cur:
            cur.execute("SELECT @@SESSION.max_statement_time, @@SESSION.tx_read_only")
            assert cur.fetchone() == (0.0, 1)
    finally:
        registry.close()
        F.drop_mariadb()


def test_sqlite_connection_is_read_only_without_the_guard(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    F.seed_sqlite(path)
    registry = _registry(lite=f"sqlite:///{path}")
    try:
        before = F.sqlite_state(path)
        for sql in ("DELETE FROM orders", f"ATTACH '{tmp_path}/other.db' AS o", "PRAGMA query_only = 0"):
            with pytest.raises(UserError):
                _raw(registry, "lite", sql)
        assert F.sqlite_state(path) == before
    finally:
        registry.close()


# ---- AWS-native connections (moto) against the real PostgreSQL ----


def test_secrets_manager_and_iam_connections_never_show_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        F.pg_connect().close()
    except Exception as exc:
        require_service("PostgreSQL on 127.0.0.1:5432", type(exc).__name__)
    import boto3
    from moto import mock_aws

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAAWSINVTESTKEY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-key-never-shown")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    password = "rds-SECRET-from-secretsmanager"
    with mock_aws():
        rds = boto3.client("rds", region_name="eu-west-1")
        instance_arn = rds.create_db_instance(
            DBInstanceIdentifier="orders-prod",
            Engine="postgres",
            DBInstanceClass="db.t3.micro",
            MasterUsername="postgres",
            MasterUserPassword="master-pw-unused",
            DBName="test",
            AllocatedStorage=20,
            EnableIAMDatabaseAuthentication=True,
        )["DBInstance"]["DBInstanceArn"]
        arn = boto3.client("secretsmanager", region_name="eu-west-1").create_secret(
            Name="orders-prod-reader", SecretString=json.dumps({"username": "postgres", "password": password})
        )["ARN"]
        databases = {
            "by_secret": {"rds": "orders-prod", "secret_arn": arn, "host": "127.0.0.1", "port": 5432,
                          "description": "orders via Secrets Manager"},
            "by_iam": {"rds": instance_arn, "iam_auth": True, "host": "127.0.0.1", "sslmode": "prefer"},
            "by_endpoint": {"rds": instance_arn, "secret_arn": arn},
            "missing": {"rds": "no-such-db", "region": "eu-west-1"},
        }  # fmt: skip
        service = DatabaseService(Settings(databases=json.dumps(databases), query_timeout=2))
        try:
            listing = service.list_databases().model_dump_json()
            secret_rows = service.run_query("by_secret", "SELECT current_user, 1 AS one").rows
            iam_rows = service.run_query("by_iam", "SELECT current_user").rows
            with pytest.raises(UserError) as missing:
                service.run_query("missing", "SELECT 1")
            with pytest.raises(UserError) as endpoint:  # the endpoint RDS reports (moto's does not resolve)
                service.run_query("by_endpoint", "SELECT 1")
            db = service.registry.get("by_iam")
            token = db._resolved.token_provider()
        finally:
            service.close()
    assert secret_rows == [["postgres", 1]] and iam_rows == [["postgres"]]
    assert "AWS lookup failed" in str(missing.value)
    assert "orders-prod." in str(endpoint.value) and "unreachable" in str(endpoint.value)
    assert "X-Amz-Signature" in token  # a real presigned IAM token was generated and sent as the password
    outputs = listing + json.dumps(secret_rows) + str(missing.value) + str(endpoint.value)
    for secret in (password, "master-pw-unused", "aws-secret-key-never-shown", token):
        assert secret not in outputs
    assert [row["name"] for row in json.loads(listing)["items"]] == ["by_endpoint", "by_iam", "by_secret", "missing"]


@pytest.mark.parametrize(
    ("dialect", "sql", "reason"),
    [
        ("postgresql", "SELECT " + "(" * 3000 + "1" + ")" * 3000, "nested too deeply"),
        ("mysql", "SELECT 1 /*!99999 , SLEEP(1) */", "executable comments"),
        ("mariadb", "ANALYZE TABLE t", "maintenance"),
        ("postgresql", "SELECT query_to_xml('DELETE FROM t', true, true, '')", "query_to_xml"),
        ("postgresql", "SELECT * FROM t WHERE x IN (SELECT pg_sleep(1))", "pg_sleep"),
        ("sqlite", "PRAGMA table_info = t", "read form"),
        ("postgresql", "SELECT 1 \x00", "NUL"),
        ("postgresql", "", "empty"),
    ],
)
def test_guard_refuses_with_reason(dialect: str, sql: str, reason: str) -> None:
    with pytest.raises(guard.RefusedError, match=reason):
        guard.check(sql, dialect)


# ---- over the wire: the stdio server with a SQLite database from AWSINV_DATABASES ----


@pytest.mark.anyio
async def test_run_query_over_stdio(tmp_path: Path) -> None:
    import os
    import sys

    from mcp import Client, StdioServerParameters

    path = tmp_path / "shop.db"
    F.seed_sqlite(path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSINV_")}
    env |= {"AWSINV_SOURCE": "synthetic", "AWSINV_DATABASES": json.dumps({"shop": f"sqlite:///{path}"})}
    params = StdioServerParameters(command=sys.executable, args=["-m", "awsinv_mcp", "serve"], env=env)
    async with Client(params) as client:
        ok = await client.call_tool(
            "run_query", {"database": "shop", "sql": "SELECT id, total FROM orders", "max_rows": 3}
        )
        refused = await client.call_tool("run_query", {"database": "shop", "sql": "DELETE FROM orders"})
    assert not ok.is_error and ok.structured_content["rows"] == [[1, 7.5], [2, 15.0], [3, 22.5]]
    assert json.loads(ok.content[0].text)["truncated"] is True
    assert refused.is_error and "refused" in refused.content[0].text
    assert F.sqlite_state(path)[2] == ["shop.db"]
