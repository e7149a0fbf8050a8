"""Review findings on the live-database tools: MariaDB NULL defaults, SQLite largest tables, refusal wording."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from awsinv_mcp.config import Settings
from awsinv_mcp.dbinspect import guard
from tests import db_fixtures as F
from tests.test_db_live import call, seeded, server  # noqa: F401  (module fixtures reused)

pytestmark = pytest.mark.anyio


async def test_mariadb_null_default_is_null_not_text(server: Any) -> None:  # noqa: F811
    r = await call(server, "describe_table", {"database": "maria", "table": f"{F.MY_PREFIX}customers"})
    columns = {c["name"]: c for c in r.structured_content["columns"]}
    assert columns["email"]["nullable"] and columns["email"]["default"] is None
    assert columns["id"]["default"] == "auto_increment"


async def test_sqlite_largest_tables_lists_tables_with_their_indexes(server: Any) -> None:  # noqa: F811
    r = await call(server, "database_health", {"database": "lite"})
    largest = {t["table"]: t["size_bytes"] for t in r.structured_content["largest_tables"]}
    assert "orders_customer_idx" not in largest and "orders_customer_dup_idx" not in largest
    assert largest["orders"] >= 3 * 4096  # table pages plus its two index b-trees


@pytest.mark.parametrize(("sql", "article"), [("INSERT INTO t VALUES (1)", "an INSERT"), ("DROP TABLE t", "a DROP")])
def test_refusal_uses_the_right_article(sql: str, article: str) -> None:
    with pytest.raises(guard.RefusedError, match=article):
        guard.check(sql, "postgresql", style="pyformat")


async def test_postgres_array_columns_are_typed_as_arrays(server: Any) -> None:  # noqa: F811
    r = await call(server, "run_query", {"database": "pg", "sql": "select array[1, 2] a, 1 b"})
    assert [c["type"] for c in r.structured_content["columns"]] == ["int4[]", "int4"]
    assert r.structured_content["rows"] == [[[1, 2], 1]]


async def test_mysql_column_types_use_sql_names(server: Any) -> None:  # noqa: F811
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
