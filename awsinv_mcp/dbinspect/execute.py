"""Run a guarded statement: read-only transaction per dialect, server-side timeout, row and byte caps.

Per call, on a pooled connection, through the database's `Dialect` (`dbinspect/dialects.py`):
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
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from awsinv_mcp.dbinspect import catalog, guard, plans
from awsinv_mcp.dbinspect.dialects import Caps, Dialect, Result, dialect
from awsinv_mcp.dbinspect.engines import Database
from awsinv_mcp.errors import UpstreamError, UserError
from awsinv_mcp.models.database import UNTRUSTED_NOTE, PlanAnswer, QueryResult

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
        d = dialect(db.dialect)  # mysql vs mariadb is known once connected
        checked = guard.check(sql, d.name, params, style=d.param_style, row_limit=max_rows + 1)
        description, rows, by_bytes = _execute(db, conn, d, checked, Caps(max_rows + 1, max_bytes))
        columns = d.columns(description, rows, conn) if description else []
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
    db: Database, sql: str, params: Mapping[str, Any] | None = None, *, analyze: bool = False, detail: bool = False
) -> PlanAnswer:
    """The plan of a plain query, summarised (`dbinspect/plans.py`), and the raw plan with `detail`; with
    `analyze` it runs inside a read-only transaction that is rolled back."""
    started = time.perf_counter()
    with db.connection() as conn:
        d = dialect(db.dialect)
        inner = guard.check_plain_query(sql, d.name, params, style=d.param_style)
        checked = guard.CheckedSQL("explain", d.explain(inner, analyze), dict(params or {}), analyze)
        description, rows, _ = _execute(db, conn, d, checked, Caps(10_000, 50_000_000))
    plan = d.plan(description, rows)
    nodes = d.plan_nodes(plan)
    sizes = None
    if any(n.full_scan and n.table for n in nodes.nodes):  # how large the scanned tables are: the catalog says
        sizes = {t["name"]: t.get("row_estimate") for t in catalog.table_list(db, None)[1]}
    return PlanAnswer(
        database=db.name,
        analyzed=analyze and d.analyzes,
        summary=plans.summarize(nodes, sizes),
        plan=plan if detail else None,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
    )


def _execute(db: Database, conn: Any, d: Dialect, checked: guard.CheckedSQL, caps: Caps) -> Result:
    try:
        return d.run(conn, checked, caps, db.timeout)
    except UserError:
        raise
    except Exception as exc:
        raise translate_error(db, exc, db.timeout) from None


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
