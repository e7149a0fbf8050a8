"""Run a guarded statement: read-only transaction per dialect, server-side timeout, row and byte caps.

Per call, on a pooled connection:
- PostgreSQL: `SET TRANSACTION READ ONLY` + `SET LOCAL statement_timeout/lock_timeout`, the statement,
  always ROLLBACK (the SET LOCALs die with the transaction);
- MySQL / MariaDB: session timeout (`max_execution_time` ms / `max_statement_time` s),
  `START TRANSACTION READ ONLY`, the statement, ROLLBACK, the timeout reset to DEFAULT;
- SQLite: a progress handler that interrupts past the deadline and an authorizer that allows only reads
  and allow-listed functions, both removed afterwards (the connection itself is `mode=ro` + `query_only`).
Any failure discards the connection instead of returning it to the pool, so no session state outlives a call.
Plain queries get `LIMIT max_rows+1` from the guard's tree (every LIMIT form is forced down) and are read in
growing chunks through a streaming cursor (PostgreSQL: a server-side cursor; MySQL: an unbuffered one) that stops
at max_rows+1 rows or once the values read pass `max_bytes`, so memory follows the caps, not the result. A MySQL
result's unread rows are dropped one by one as the cursor closes; SQLite refuses a value longer than the byte
cap before it is materialised (SQLITE_LIMIT_LENGTH).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

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
        dialect = db.dialect  # mysql vs mariadb is known once connected
        checked = guard.check(sql, dialect, params, style=_style(dialect), row_limit=max_rows + 1)
        description, rows, by_bytes = _execute(db, conn, dialect, checked, Caps(max_rows + 1, max_bytes))
        columns = _columns(dialect, description, rows, conn)
    truncated_by = "max_rows" if len(rows) > max_rows else None
    rows = rows[:max_rows]
    rows = jsonable_rows(rows, description)
    rows, cut = cap_bytes(rows, max_bytes)
    if cut or by_bytes:
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
        description, rows, _ = _execute(db, conn, dialect, checked, Caps(10_000, 50_000_000))
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


_DECLARABLE = ("SELECT", "VALUES", "TABLE")
"""Statements PostgreSQL can DECLARE as a cursor (WITH may hide a data-modifying CTE the server refuses there)."""


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


def _execute(
    db: Database, conn: Any, dialect: str, checked: guard.CheckedSQL, caps: Caps
) -> tuple[Any, list[Any], bool]:
    timeout = db.timeout
    try:
        if dialect == "postgresql":
            return _run_postgres(conn, checked, caps, timeout)
        if dialect in ("mysql", "mariadb"):
            return _run_mysql(conn, dialect, checked, caps, timeout)
        return _run_sqlite(conn, dialect, checked, caps, timeout)
    except UserError:
        raise
    except Exception as exc:
        raise translate_error(db, exc, timeout) from None


def _run_postgres(conn: Any, checked: guard.CheckedSQL, caps: Caps, timeout: float) -> tuple[Any, list[Any], bool]:
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
            if cur.description is None:
                return None, [], False
            rows, by_bytes, _ = fetch_bounded(cur, caps)
            return cur.description, rows, by_bytes
    finally:
        conn.rollback()


def _run_mysql(
    conn: Any, dialect: str, checked: guard.CheckedSQL, caps: Caps, timeout: float
) -> tuple[Any, list[Any], bool]:
    from pymysql.cursors import SSCursor

    setting = (
        f"max_statement_time = {timeout:.3f}" if dialect == "mariadb" else f"max_execution_time = {int(timeout * 1000)}"
    )
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


def _run_sqlite(
    conn: Any, dialect: str, checked: guard.CheckedSQL, caps: Caps, timeout: float
) -> tuple[Any, list[Any], bool]:
    import sqlite3

    deadline = time.monotonic() + timeout
    conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 2_000)
    conn.set_authorizer(_sqlite_authorizer())
    length = conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max(caps.bytes, 1_000_000))  # refuse giant values up front
    try:
        cur = conn.execute(checked.sql, checked.params)
        try:
            if cur.description is None:
                return None, [], False
            rows, by_bytes, _ = fetch_bounded(cur, caps)
            return cur.description, rows, by_bytes
        finally:
            cur.close()
    finally:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, length)
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
    if "too big" in lowered or "toobig" in lowered:
        return UserError(
            f"a value in the result is larger than this server's byte cap on {db.name!r}; "
            "select part of it (substr(column, 1, 1000), length(column)) instead of the whole value"
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
