"""MySQL / MariaDB catalog from information_schema: a whole schema in four queries, never per table."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from awsinv_mcp.models.database import SchemaCatalog, SchemaRow

SYSTEM = ("information_schema", "performance_schema", "mysql", "sys")

SCHEMAS = """
SELECT s.SCHEMA_NAME,
       SUM(t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')), SUM(t.TABLE_TYPE = 'VIEW')
FROM information_schema.SCHEMATA s LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME
GROUP BY s.SCHEMA_NAME ORDER BY s.SCHEMA_NAME
"""

TABLES = """
SELECT t.TABLE_NAME, t.TABLE_TYPE, t.TABLE_ROWS, t.DATA_LENGTH + t.INDEX_LENGTH, t.TABLE_COMMENT, v.VIEW_DEFINITION
FROM information_schema.TABLES t
LEFT JOIN information_schema.VIEWS v ON v.TABLE_SCHEMA = t.TABLE_SCHEMA AND v.TABLE_NAME = t.TABLE_NAME
WHERE t.TABLE_SCHEMA = %(schema)s ORDER BY t.TABLE_NAME
"""

TABLE_LIST = """
SELECT TABLE_NAME, TABLE_TYPE, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH, TABLE_COMMENT
FROM information_schema.TABLES WHERE TABLE_SCHEMA = %(schema)s ORDER BY TABLE_NAME
"""
"""The table list alone (list_tables before the whole catalog is loaded): one query, no view definitions."""

COLUMNS = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE = 'YES', COLUMN_DEFAULT, COLUMN_COMMENT, EXTRA
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %(schema)s
ORDER BY TABLE_NAME, ORDINAL_POSITION
"""

KEYS = """
SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, tc.CONSTRAINT_TYPE, k.COLUMN_NAME,
       k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, rc.DELETE_RULE, rc.UPDATE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.TABLE_CONSTRAINTS tc ON tc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
     AND tc.TABLE_NAME = k.TABLE_NAME AND tc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA
     AND rc.TABLE_NAME = k.TABLE_NAME AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = %(schema)s AND tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'FOREIGN KEY')
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
"""

INDEXES = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE = 0, COLUMN_NAME, INDEX_TYPE
FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %(schema)s
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
"""


def _fetch(conn: Any, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql, params or {})
        return list(cur.fetchall())


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


def default_schema(conn: Any) -> str:
    try:
        row = _fetch(conn, "SELECT DATABASE()")[0][0]
    finally:
        conn.rollback()
    return _text(row) or "mysql"


def list_schemas(conn: Any) -> list[SchemaRow]:
    try:
        rows = _fetch(conn, SCHEMAS)
    finally:
        conn.rollback()
    return [
        SchemaRow(name=_text(r[0]), tables=int(r[1] or 0), views=int(r[2] or 0), system=_text(r[0]) in SYSTEM)
        for r in sorted(rows, key=lambda r: (_text(r[0]) in SYSTEM, _text(r[0])))
    ]


def _table(name: str, ttype: str, estimate: Any, size: Any, comment: Any) -> dict[str, Any]:
    kind = "view" if ttype == "VIEW" else "table"
    return {
        "name": name,
        "kind": kind,
        "row_estimate": int(estimate) if estimate is not None and kind == "table" else None,
        "size_bytes": int(size) if size is not None and kind == "table" else None,
        "comment": (comment or None) if kind == "table" else None,
    }


def table_list(conn: Any, schema: str) -> list[dict[str, Any]]:
    """Name, kind, row estimate, size and comment of every table and view of `schema`: one query."""
    try:
        rows = _fetch(conn, TABLE_LIST, {"schema": schema})
    finally:
        conn.rollback()
    return [_table(*row) for row in rows]


def load_schema(conn: Any, schema: str) -> SchemaCatalog:
    """Every table and view of `schema` with columns, keys and indexes: four round trips in all."""
    p = {"schema": schema}
    try:
        tables, columns, keys, indexes = (_fetch(conn, q, p) for q in (TABLES, COLUMNS, KEYS, INDEXES))
    finally:
        conn.rollback()
    cols: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for table, name, typ, nullable, default, comment, extra in columns:
        default = _text(default)
        if default == "NULL":  # MariaDB spells a NULL default as the literal text NULL
            default = None
        if extra and "auto_increment" in str(extra).lower():
            default = "auto_increment"
        cols[table].append(
            {
                "name": name,
                "type": _text(typ),
                "nullable": bool(nullable),
                "default": default,
                "comment": comment or None,
            }
        )
    pks: dict[str, list[str]] = defaultdict(list)
    fk_parts: dict[tuple[str, str], dict[str, Any]] = {}
    for table, cname, ctype, column, ref_schema, ref_table, ref_column, on_delete, on_update in keys:
        if ctype == "PRIMARY KEY":
            pks[table].append(column)
            continue
        fk = fk_parts.setdefault(
            (table, cname),
            {
                "name": cname,
                "columns": [],
                "ref_schema": ref_schema,
                "ref_table": ref_table,
                "ref_columns": [],
                "on_delete": on_delete,
                "on_update": on_update,
            },
        )
        fk["columns"].append(column)
        fk["ref_columns"].append(ref_column)
    fks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (table, _), fk in fk_parts.items():
        fks[table].append(fk)
    idx_parts: dict[tuple[str, str], dict[str, Any]] = {}
    for table, name, unique, column, method in indexes:
        entry = idx_parts.setdefault(
            (table, name),
            {"name": name, "columns": [], "unique": bool(unique), "primary": name == "PRIMARY", "method": method},
        )
        entry["columns"].append(column)
    idx: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (table, _), entry in idx_parts.items():
        idx[table].append(entry)
    out = {}
    for name, ttype, estimate, size, comment, view_def in tables:
        row = _table(name, ttype, estimate, size, comment)
        out[name] = {
            "schema": schema,
            **row,
            "columns": cols.get(name, []),
            # a SELECT-only login sees no KEY_COLUMN_USAGE rows, but STATISTICS shows the PRIMARY index
            "primary_key": pks.get(name) or next((i["columns"] for i in idx.get(name, []) if i["primary"]), []),
            "foreign_keys": fks.get(name, []),
            "indexes": idx.get(name, []),
            "view_definition": view_def,
        }
    return SchemaCatalog(schema, out)


_IDENT = r"`((?:[^`]|``)+)`"
_FK = re.compile(
    rf"CONSTRAINT {_IDENT} FOREIGN KEY \(([^)]*)\) REFERENCES (?:{_IDENT}\.)?{_IDENT} \(([^)]*)\)"
    r"((?: ON (?:DELETE|UPDATE) (?:RESTRICT|CASCADE|SET NULL|NO ACTION|SET DEFAULT))*)"
)


def _names(text: str) -> list[str]:
    return [m.group(1).replace("``", "`") for m in re.finditer(_IDENT, text)]


def _quote(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def hidden_foreign_keys(conn: Any, schema: str, table: str) -> list[dict[str, Any]]:
    """Foreign keys read from SHOW CREATE TABLE, which a SELECT-only login may run while information_schema's key
    views show it nothing (MariaDB)."""
    try:
        rows = _fetch(conn, f"SHOW CREATE TABLE {_quote(schema)}.{_quote(table)}")
    finally:
        conn.rollback()
    ddl = str(rows[0][1]) if rows and len(rows[0]) > 1 else ""
    out = []
    for m in _FK.finditer(ddl):
        actions = dict(re.findall(r"ON (DELETE|UPDATE) (RESTRICT|CASCADE|SET NULL|NO ACTION|SET DEFAULT)", m.group(6)))
        out.append({
            "name": m.group(1).replace("``", "`"), "columns": _names(m.group(2)),
            "ref_schema": (m.group(3) or schema).replace("``", "`"), "ref_table": m.group(4).replace("``", "`"),
            "ref_columns": _names(m.group(5)),
            "on_delete": actions.get("DELETE", "RESTRICT"), "on_update": actions.get("UPDATE", "RESTRICT"),
        })  # fmt: skip
    return out
