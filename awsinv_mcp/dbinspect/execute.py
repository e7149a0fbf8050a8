"""Run a guarded statement: read-only transaction per dialect, server-side timeout, row and byte caps.

Per call, on a pooled connection:
- PostgreSQL: `SET TRANSACTION READ ONLY` + `SET LOCAL statement_timeout/lock_timeout`, the statement,
  always ROLLBACK (the SET LOCALs die with the transaction);
- MySQL / MariaDB: session timeout (`max_execution_time` ms / `max_statement_time` s),
  `START TRANSACTION READ ONLY`, the statement, ROLLBACK, the timeout reset to DEFAULT;
- SQLite: a progress handler that interrupts past the deadline and an authorizer that allows only reads
  and allow-listed functions, both removed afterwards (the connection itself is `mode=ro` + `query_only`).
Any failure discards the connection instead of returning it to the pool, so no session state outlives a call.
Plain queries get `LIMIT max_rows+1` from the guard's tree and are fetched as max_rows+1 rows to set `truncated`.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from awsinv_mcp.dbinspect import guard
from awsinv_mcp.dbinspect.engines import Database
from awsinv_mcp.dbinspect.policy import ALLOWED_PRAGMAS, FUNCTIONS, PRAGMAS_WITH_ARGUMENT
from awsinv_mcp.errors import UpstreamError, UserError
from awsinv_mcp.models.database import UNTRUSTED_NOTE, PlanAnswer, QueryColumn, QueryResult

_SAFE = (int, str, float, bool, type(None))


def run_query(
    db: Database,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    max_rows: int,
    max_bytes: int,
) -> QueryResult:
    """The guarded statement's first `max_rows` rows (and at most `max_bytes` of them as JSON)."""
    started = time.perf_counter()
    with db.connection() as conn:
        dialect = db.dialect
        checked = guard.check(sql, dialect, params, style=_style(dialect), row_limit=max_rows + 1)
        description, rows = _execute(db, conn, dialect, checked, max_rows + 1)
    truncated_by = "max_rows" if len(rows) > max_rows else None
    rows = rows[:max_rows]
    columns = _columns(dialect, description, rows, conn)
    rows = jsonable_rows(rows, description)
    rows, cut = cap_bytes(rows, max_bytes)
    if cut:
        truncated_by = "max_bytes"
    return QueryResult.model_construct(  # rows come from the driver: no per-value validation of 10,000s of values
        database=db.name,
        statement=checked.kind,
        columns=columns,
        rows=list(map(list, rows)),
        row_count=len(rows),
        truncated=truncated_by is not None,
        truncated_by=truncated_by,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
        note=UNTRUSTED_NOTE,
    )


def explain_query(
    db: Database, sql: str, params: Mapping[str, Any] | None = None, *, analyze: bool = False
) -> PlanAnswer:
    """The plan of a plain query; with `analyze` it runs inside a read-only transaction that is rolled back."""
    started = time.perf_counter()
    with db.connection() as conn:
        dialect = db.dialect
        inner = guard.check_plain_query(sql, dialect, params, style=_style(dialect))
        statement = explain_statement(dialect, inner, analyze)
        checked = guard.CheckedSQL("explain", statement, dict(params or {}), analyze)
        description, rows = _execute(db, conn, dialect, checked, 10_000)
    return PlanAnswer(
        database=db.name,
        analyzed=analyze and dialect != "sqlite",
        plan=_plan(dialect, description, rows),
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def explain_statement(dialect: str, inner: str, analyze: bool) -> str:
    if dialect == "postgresql":
        return f"EXPLAIN ({'ANALYZE, BUFFERS, ' if analyze else ''}FORMAT JSON) {inner}"
    if dialect == "mariadb":
        return f"{'ANALYZE' if analyze else 'EXPLAIN'} FORMAT=JSON {inner}"
    if dialect == "mysql":
        return f"EXPLAIN ANALYZE {inner}" if analyze else f"EXPLAIN FORMAT=JSON {inner}"
    return f"EXPLAIN QUERY PLAN {inner}"


def _plan(dialect: str, description: Any, rows: list[Any]) -> Any:
    if dialect == "sqlite":
        return [{"id": r[0], "parent": r[1], "detail": r[3]} for r in rows]
    if len(rows) == 1 and len(rows[0]) == 1:
        value = rows[0][0]
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
    return ["\t".join(str(v) for v in row) for row in rows]


def _style(dialect: str) -> guard.ParamStyle:
    return "named" if dialect == "sqlite" else "pyformat"


def _execute(db: Database, conn: Any, dialect: str, checked: guard.CheckedSQL, fetch: int) -> tuple[Any, list[Any]]:
    timeout = db.timeout
    try:
        if dialect == "postgresql":
            return _run_postgres(conn, checked, fetch, timeout)
        if dialect in ("mysql", "mariadb"):
            return _run_mysql(conn, dialect, checked, fetch, timeout)
        return _run_sqlite(conn, dialect, checked, fetch, timeout)
    except UserError:
        raise
    except Exception as exc:
        raise translate_error(db, exc, timeout) from None


def _run_postgres(conn: Any, checked: guard.CheckedSQL, fetch: int, timeout: float) -> tuple[Any, list[Any]]:
    ms = max(1, int(timeout * 1000))
    try:
        with conn.cursor() as cur:
            cur.execute(
                f"SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = {ms}; "
                f"SET LOCAL lock_timeout = {ms}; SET LOCAL idle_in_transaction_session_timeout = {ms + 5000}"
            )
            cur.execute(checked.sql, checked.params)
            rows = cur.fetchmany(fetch) if cur.description else []
            return cur.description, rows
    finally:
        conn.rollback()


def _run_mysql(conn: Any, dialect: str, checked: guard.CheckedSQL, fetch: int, timeout: float) -> tuple[Any, list[Any]]:
    setting = (
        f"max_statement_time = {timeout:.3f}" if dialect == "mariadb" else f"max_execution_time = {int(timeout * 1000)}"
    )
    name = setting.split(" ")[0]
    with conn.cursor() as cur:
        cur.execute(f"SET SESSION {setting}")
        try:
            cur.execute("START TRANSACTION READ ONLY")
            try:
                cur.execute(checked.sql, checked.params)
                rows = list(cur.fetchmany(fetch)) if cur.description else []
                return cur.description, rows
            finally:
                conn.rollback()
        finally:
            cur.execute(f"SET SESSION {name} = DEFAULT")


def _run_sqlite(
    conn: Any, dialect: str, checked: guard.CheckedSQL, fetch: int, timeout: float
) -> tuple[Any, list[Any]]:
    deadline = time.monotonic() + timeout
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 2_000)
    conn.set_authorizer(_sqlite_authorizer())
    try:
        cur = conn.execute(checked.sql, checked.params)
        try:
            rows = cur.fetchmany(fetch) if cur.description else []
            return cur.description, rows
        finally:
            cur.close()
    finally:
        conn.set_authorizer(None)
        conn.set_progress_handler(None, 0)
        conn.rollback()


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


def translate_error(db: Database, exc: BaseException, timeout: float) -> UserError:
    """A clean tool error for a driver failure (timeouts and read-only violations said plainly; no secrets)."""
    text = db.redact(str(getattr(exc, "orig", exc)))
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), type(exc).__name__)[:300]
    sqlstate = getattr(exc, "sqlstate", None)
    code = exc.args[0] if getattr(exc, "args", None) and isinstance(exc.args[0], int) else None
    lowered = text.lower()
    if sqlstate == "57014" or code in (1969, 3024) or "interrupted" in lowered or "max_statement_time" in lowered:
        return UpstreamError(
            f"query cancelled: it exceeded the {timeout:g} s statement timeout on {db.name!r}. "
            "Narrow it (WHERE, LIMIT, fewer joins) or use explain_query to see the plan."
        )
    if sqlstate == "25006" or code == 1792 or "read-only" in lowered or "readonly" in lowered:
        return guard.RefusedError(f"refused by the server: the transaction is read-only ({first})")
    if "not authorized" in lowered:
        return guard.RefusedError(f"refused by the server's authorizer ({first})")
    return UpstreamError(f"database {db.name!r} rejected the statement: {first}")


def _columns(dialect: str, description: Any, rows: list[Any], conn: Any) -> list[QueryColumn]:
    if not description:
        return []
    names = [d[0] for d in description]
    if dialect == "postgresql":
        types = conn.adapters.types
        out = []
        for d in description:
            info = types.get(d[1])
            name = info.name if info else str(d[1])
            out.append(f"{name}[]" if info and d[1] == info.array_oid != info.oid else name)
        return [QueryColumn(name=n, type=t) for n, t in zip(names, out, strict=True)]
    if dialect in ("mysql", "mariadb"):
        return [QueryColumn(name=n, type=_mysql_type(d[1])) for n, d in zip(names, description, strict=True)]
    return [QueryColumn(name=n, type=_sqlite_type(rows, i)) for i, n in enumerate(names)]


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


_NATIVE = (int, str, float, bool, type(None), dt.datetime, dt.date, dt.time, uuid.UUID)
"""Types left as they are: JSON natives, and the ones pydantic's serializer renders (ISO dates, UUID text)."""


def jsonable_rows(rows: list[Any], description: Any = None) -> list[Any]:
    """Rows whose values serialise to JSON; only the columns holding other types are converted (by column)."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    changed = False
    for i, column in enumerate(columns):
        kinds = set(map(type, column))
        if kinds.issubset(_NATIVE):
            continue
        changed = True
        if kinds <= {decimal.Decimal, type(None)}:
            spec = description[i] if description else None
            columns[i] = _decimal_column(column, spec[4] if spec else None, spec[5] if spec else None)
        else:
            columns[i] = tuple(map(_jsonable, column))
    return list(zip(*columns, strict=True)) if changed else rows


def _decimal_column(column: tuple[Any, ...], precision: int | None, scale: int | None) -> tuple[Any, ...]:
    """NUMERIC values as JSON numbers when exact (declared precision up to 15 digits), else each on its own."""
    if precision and 0 < precision <= 15 and scale is not None and scale >= 0:
        convert: Callable[[Any], Any] = int if scale == 0 else float
        return tuple(None if v is None else convert(v) for v in column)
    return tuple(None if v is None else _decimal(v) for v in column)


def _decimal(value: decimal.Decimal) -> Any:
    text = str(value)
    if not value.is_finite() or "E" in text or len(text.lstrip("-").replace(".", "").lstrip("0")) > 15:
        return text
    return float(text) if "." in text else int(text)


def _jsonable(value: Any) -> Any:
    if isinstance(value, _SAFE):
        return value
    if isinstance(value, decimal.Decimal):
        return _decimal(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        return "\\x" + raw[:256].hex() + ("..." if len(raw) > 256 else "")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


def cap_bytes(rows: list[Any], max_bytes: int) -> tuple[list[Any], bool]:
    """Keep the leading rows whose compact JSON fits in `max_bytes`; True when rows were cut."""
    from pydantic_core import to_json

    if not rows or len(to_json(rows)) <= max_bytes:
        return rows, False
    size = 2
    for i, row in enumerate(rows):
        size += len(to_json(row)) + 1
        if size > max_bytes:
            return rows[:i], True
    return rows, False
