"""Database dialects as classes: one per engine, variants subclass their parent, found through a registry.

A `Dialect` owns what differs between engines: the sqlglot dialect and parameter style the guard renders with,
session setup and execution inside a read-only transaction (streaming, bounded by `Caps`), EXPLAIN and its plan,
result column types, the catalog loader, the health probes. The function allow-lists and sensitive tables are
tables in `dbinspect/policy.py` keyed by `Dialect.name`. `dialect(name)` is the only way to get one; an unknown name
is an error, never a fallback. Adding a dialect: one subclass here registered in `DIALECTS`, a catalog module, its
health probes, its policy entries and its driver (`dbinspect/connections.py`).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any, ClassVar, Literal, NamedTuple

from awsinv_mcp.dbinspect.policy import ALLOWED_PRAGMAS, FUNCTIONS, PRAGMAS_WITH_ARGUMENT
from awsinv_mcp.errors import UserError
from awsinv_mcp.models.database import QueryColumn

ParamStyle = Literal["pyformat", "named"]
Result = tuple[Any, list[Any], bool]
"""(cursor description, rows, stopped by the byte cap)"""


class Caps(NamedTuple):
    """What one statement may read: rows, and bytes of values (approximate, before JSON)."""

    rows: int
    bytes: int


def _value_size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | bytearray | memoryview) else 8


def fetch_bounded(cur: Any, caps: Caps) -> tuple[list[Any], bool, bool]:
    """Rows in chunks until `caps.rows` rows or past `caps.bytes` of values.

    Chunks start at one row and grow only while the rows seen so far say the next chunk fits the bytes left, so at
    most about one row beyond the byte cap is ever held. Returns (rows, stopped by bytes, result exhausted).
    """
    rows: list[Any] = []
    size, chunk = 0, 1
    while len(rows) < caps.rows:
        average = size / len(rows) if rows else caps.bytes
        fits = max(1, int((caps.bytes - size) / max(average, 1)))
        want = min(chunk, caps.rows - len(rows), fits)
        part = cur.fetchmany(want)
        for row in part:
            rows.append(row)
            size += sum(map(_value_size, row)) + 2
            if size > caps.bytes:
                return rows, True, False
        if len(part) < want:
            return rows, False, True
        chunk = min(chunk * 4, 1000)
    return rows, False, False


_DECLARABLE = ("SELECT", "VALUES", "TABLE")
"""Statements PostgreSQL can DECLARE as a cursor (WITH may hide a data-modifying CTE the server refuses there)."""


def read(cur: Any, caps: Caps) -> Result:
    """A cursor's description and its rows within `caps` (a statement without a result set reads nothing)."""
    if cur.description is None:
        return None, [], False
    rows, by_bytes, _ = fetch_bounded(cur, caps)
    return cur.description, rows, by_bytes


class Dialect:
    """What differs between engines (see the module docstring). Instances are stateless singletons."""

    name: ClassVar[str]
    family: ClassVar[str]  # engines sharing SQL syntax: postgresql, mysql, sqlite
    sqlglot_name: ClassVar[str]
    param_style: ClassVar[ParamStyle] = "pyformat"
    transactional: ClassVar[bool] = True  # a health probe ends with a rollback
    analyzes: ClassVar[bool] = True  # explain_query(analyze=True) runs the statement
    hides_foreign_keys: ClassVar[bool] = False  # a SELECT-only login may not see them in information_schema

    def sqlglot(self) -> Any:
        """The sqlglot dialect to parse and render with."""
        return self.sqlglot_name

    def run(self, conn: Any, checked: Any, caps: Caps, timeout: float) -> Result:
        """Run a checked statement read-only within `timeout`, reading at most `caps`."""
        raise NotImplementedError

    def explain(self, inner: str, analyze: bool) -> str:
        raise NotImplementedError

    def plan(self, description: Any, rows: list[Any]) -> Any:
        if len(rows) == 1 and len(rows[0]) == 1:
            value = rows[0][0]
            if isinstance(value, str):
                try:
                    return json.loads(value)
                except ValueError:
                    return value
            return value
        return ["\t".join(str(v) for v in row) for row in rows]

    def plan_nodes(self, plan: Any) -> Any:
        """The plan as `dbinspect.plans.Nodes` (what explain_query's summary reads)."""
        raise NotImplementedError

    def columns(self, description: Any, rows: list[Any], conn: Any) -> list[QueryColumn]:
        raise NotImplementedError

    def catalog(self) -> ModuleType:
        """The module loading this engine's schema catalog."""
        raise NotImplementedError

    def probe(self, conn: Any, sql: str) -> list[tuple[Any, ...]]:
        """One health probe's rows."""
        with conn.cursor() as cur:
            cur.execute(sql, {})
            return list(cur.fetchall())

    def health(self, probe: Any, answer: Any) -> None:
        raise NotImplementedError


class PostgreSQL(Dialect):
    name, family, sqlglot_name = "postgresql", "postgresql", "postgres"

    def run(self, conn: Any, checked: Any, caps: Caps, timeout: float) -> Result:
        ms = max(1, int(timeout * 1000))
        try:
            with conn.cursor() as cur:
                cur.execute(
                    f"SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {ms}; "
                    f"SET LOCAL lock_timeout = {ms}; SET LOCAL idle_in_transaction_session_timeout = {ms + 5000}"
                )
            # a plain query streams through a server-side cursor; EXPLAIN and SHOW cannot be DECLAREd
            streams = checked.kind == "query" and checked.sql.lstrip("( \n").upper().startswith(_DECLARABLE)
            named = {"name": "awsinv_run", "scrollable": False} if streams else {}
            with conn.cursor(**named) as cur:
                cur.execute(checked.sql, checked.params)
                return read(cur, caps)
        finally:
            conn.rollback()

    def explain(self, inner: str, analyze: bool) -> str:
        return f"EXPLAIN ({'ANALYZE, BUFFERS, ' if analyze else ''}FORMAT JSON) {inner}"

    def plan_nodes(self, plan: Any) -> Any:
        from awsinv_mcp.dbinspect.plans import postgres_nodes

        return postgres_nodes(plan)

    def columns(self, description: Any, rows: list[Any], conn: Any) -> list[QueryColumn]:
        types = conn.adapters.types
        out = []
        for d in description:
            info = types.get(d[1])
            name = info.name if info else str(d[1])
            array = info is not None and d[1] == info.array_oid != info.oid
            out.append(QueryColumn(name=d[0], type=f"{name}[]" if array else name))
        return out

    def catalog(self) -> ModuleType:
        from awsinv_mcp.dbinspect import catalog_postgres

        return catalog_postgres

    def probe(self, conn: Any, sql: str) -> list[tuple[Any, ...]]:
        with conn.cursor() as cur:
            cur.execute("SET LOCAL statement_timeout = 5000")
            cur.execute(sql, {})
            return list(cur.fetchall())

    def health(self, probe: Any, answer: Any) -> None:
        from awsinv_mcp.dbinspect.health import postgres_health

        postgres_health(probe, answer)


class MySQL(Dialect):
    name, family, sqlglot_name = "mysql", "mysql", "mysql"
    replication_status = "SHOW REPLICA STATUS"
    replication_grant = "GRANT REPLICATION CLIENT ON *.* TO <login>"
    hides_foreign_keys = True  # the catalog module's hidden_foreign_keys reads SHOW CREATE TABLE instead

    def sqlglot(self) -> Any:
        return _mysql_dialect()

    def statement_timeout(self, timeout: float) -> str:
        return f"max_execution_time = {int(timeout * 1000)}"

    def run(self, conn: Any, checked: Any, caps: Caps, timeout: float) -> Result:
        from pymysql.cursors import SSCursor

        setting = self.statement_timeout(timeout)
        name = setting.split(" ")[0]
        with conn.cursor() as cur:
            cur.execute(f"SET SESSION {setting}")
            cur.execute("START TRANSACTION READ ONLY")
        try:
            with conn.cursor(SSCursor) as cur:  # unbuffered: rows arrive as they are read
                cur.execute(checked.sql, checked.params)
                description = cur.description
                rows, by_bytes, _ = fetch_bounded(cur, caps) if description else ([], False, True)
                # closing reads what is left row by row and drops it (bounded by the forced LIMIT and the timeout)
            return description, list(rows), by_bytes
        finally:
            conn.rollback()
            with conn.cursor() as reset:
                reset.execute(f"SET SESSION {name} = DEFAULT")

    def explain(self, inner: str, analyze: bool) -> str:
        return f"EXPLAIN ANALYZE {inner}" if analyze else f"EXPLAIN FORMAT=JSON {inner}"

    def plan_nodes(self, plan: Any) -> Any:
        from awsinv_mcp.dbinspect.plans import mysql_nodes

        return mysql_nodes(plan)  # MariaDB's JSON plans too

    def columns(self, description: Any, rows: list[Any], conn: Any) -> list[QueryColumn]:
        return [QueryColumn(name=d[0], type=_mysql_type(d[1])) for d in description]

    def catalog(self) -> ModuleType:
        from awsinv_mcp.dbinspect import catalog_mysql

        return catalog_mysql

    def health(self, probe: Any, answer: Any) -> None:
        from awsinv_mcp.dbinspect.health import mysql_health

        mysql_health(probe, answer, self.replication_status, self.replication_grant)


class MariaDB(MySQL):
    name = "mariadb"
    replication_status = "SHOW SLAVE STATUS"
    replication_grant = "GRANT SLAVE MONITOR ON *.* TO <login>"

    def statement_timeout(self, timeout: float) -> str:
        return f"max_statement_time = {timeout:.3f}"

    def explain(self, inner: str, analyze: bool) -> str:
        return f"{'ANALYZE' if analyze else 'EXPLAIN'} FORMAT=JSON {inner}"


class SQLite(Dialect):
    name, family, sqlglot_name = "sqlite", "sqlite", "sqlite"
    param_style = "named"
    transactional = False
    analyzes = False

    def run(self, conn: Any, checked: Any, caps: Caps, timeout: float) -> Result:
        import sqlite3

        deadline = time.monotonic() + timeout
        conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 2_000)
        conn.set_authorizer(_sqlite_authorizer())
        length = conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max(caps.bytes, 1_000_000))  # refuse giant values up front
        try:
            cur = conn.execute(checked.sql, checked.params)
            try:
                return read(cur, caps)
            finally:
                cur.close()
        finally:
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, length)
            conn.set_authorizer(None)
            conn.set_progress_handler(None, 0)
            conn.rollback()

    def explain(self, inner: str, analyze: bool) -> str:
        return f"EXPLAIN QUERY PLAN {inner}"

    def plan(self, description: Any, rows: list[Any]) -> Any:
        return [{"id": r[0], "parent": r[1], "detail": r[3]} for r in rows]

    def plan_nodes(self, plan: Any) -> Any:
        from awsinv_mcp.dbinspect.plans import sqlite_nodes

        return sqlite_nodes(plan)

    def columns(self, description: Any, rows: list[Any], conn: Any) -> list[QueryColumn]:
        return [QueryColumn(name=d[0], type=_sqlite_type(rows, i)) for i, d in enumerate(description)]

    def catalog(self) -> ModuleType:
        from awsinv_mcp.dbinspect import catalog_sqlite

        return catalog_sqlite

    def probe(self, conn: Any, sql: str) -> list[tuple[Any, ...]]:
        return conn.execute(sql).fetchall()

    def health(self, probe: Any, answer: Any) -> None:
        from awsinv_mcp.dbinspect.health import sqlite_health

        sqlite_health(probe, answer)


DIALECTS: dict[str, Dialect] = {d.name: d for d in (PostgreSQL(), MySQL(), MariaDB(), SQLite())}


def dialect(name: str) -> Dialect:
    """The dialect called `name`; an unknown one is an error (never a silent fallback to another engine)."""
    found = DIALECTS.get(name)
    if found is None:
        raise UserError(f"unknown database dialect {name!r}; one of: {', '.join(DIALECTS)}")
    return found


def sqlglot_dialect(name: str) -> Any:
    """sqlglot's dialect for one of ours."""
    return dialect(name).sqlglot()


def _sqlite_authorizer() -> Callable[..., int]:
    import sqlite3

    allowed_functions = FUNCTIONS["sqlite"] | {"like", "glob", "regexp", "match"}
    ok, deny = sqlite3.SQLITE_OK, sqlite3.SQLITE_DENY
    reads = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE}

    def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _src: str | None) -> int:
        if action in reads:
            return ok
        if action == sqlite3.SQLITE_UPDATE and arg1 in ("sqlite_master", "sqlite_temp_master"):
            return ok  # SQLite's own schema load when a table-valued PRAGMA is prepared (the file is read-only)
        if action == sqlite3.SQLITE_FUNCTION:
            return ok if (arg2 or "").lower() in allowed_functions else deny
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            return ok if name in ALLOWED_PRAGMAS and (arg2 is None or name in PRAGMAS_WITH_ARGUMENT) else deny
        return deny

    return authorize


_MYSQL_NAMES = {
    "tiny": "tinyint", "short": "smallint", "int24": "mediumint", "long": "int", "longlong": "bigint",
    "newdecimal": "decimal", "var_string": "varchar", "varchar": "varchar", "string": "char", "newdate": "date",
    "tiny_blob": "blob", "medium_blob": "blob", "long_blob": "blob",
}  # fmt: skip
"""The protocol's field type names (pymysql.constants.FIELD_TYPE) as SQL spells them; the rest are the same."""


def _mysql_type(code: int) -> str:
    from pymysql.constants import FIELD_TYPE

    names: dict[int, str] = {}
    for key, value in vars(FIELD_TYPE).items():  # the first name wins: TINY before its alias CHAR, ENUM before INTERVAL
        if key.isupper():
            names.setdefault(value, key.lower())
    name = names.get(code, str(code))
    return _MYSQL_NAMES.get(name, name)


def _sqlite_type(rows: list[Any], index: int) -> str:
    for row in rows:
        value = row[index]
        if value is not None:
            return {int: "integer", float: "real", str: "text", bytes: "blob"}.get(type(value), "unknown")
    return "unknown"


@functools.cache
def _mysql_dialect() -> Any:
    from sqlglot import exp
    from sqlglot.dialects.mysql import MySQL

    class AwsinvMySQL(MySQL):
        """MySQL as sqlglot has it, but `a REGEXP b` stays an operator (MariaDB has no REGEXP_LIKE)."""

        class Generator(MySQL.Generator):
            TRANSFORMS = {
                **MySQL.Generator.TRANSFORMS,
                exp.RegexpLike: lambda self, e: self.binary(e, "REGEXP"),
            }

    return AwsinvMySQL()
