"""SQLite catalog through the table-valued PRAGMA functions: a whole file in four queries, never per table."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from typing import Any

from awsinv_mcp.models.database import SchemaCatalog, SchemaRow

TABLES = """
SELECT name, type, sql FROM sqlite_schema
WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name
"""

COLUMNS = """
SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk
FROM sqlite_schema m JOIN pragma_table_info(m.name) p
WHERE m.type IN ('table', 'view') ORDER BY m.name, p.cid
"""

FOREIGN_KEYS = """
SELECT m.name, f.id, f."table", f."from", f."to", f.on_delete, f.on_update
FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f
WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq
"""

INDEXES = """
SELECT m.name, il.name, il."unique", il.origin, ii.name
FROM sqlite_schema m JOIN pragma_index_list(m.name) il JOIN pragma_index_info(il.name) ii
WHERE m.type = 'table' ORDER BY m.name, il.name, ii.seqno
"""


def default_schema(conn: Any) -> str:
    return "main"


def list_schemas(conn: Any) -> list[SchemaRow]:
    rows = conn.execute(
        "SELECT sum(type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'), sum(type = 'view') FROM sqlite_schema"
    ).fetchone()
    return [SchemaRow(name="main", tables=rows[0] or 0, views=rows[1] or 0)]


def _sizes(conn: Any) -> dict[str, int]:
    try:
        return dict(conn.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    except sqlite3.Error:  # dbstat is an optional compile-time feature
        return {}


def _estimates(conn: Any) -> dict[str, int]:
    try:
        rows = conn.execute("SELECT tbl, stat FROM sqlite_stat1 WHERE idx IS NULL OR idx = tbl").fetchall()
    except sqlite3.Error:  # no ANALYZE has run
        return {}
    return {tbl: int(str(stat).split()[0]) for tbl, stat in rows if stat}


def table_list(conn: Any, schema: str) -> list[dict[str, Any]]:
    """Name, kind, row estimate (sqlite_stat1) and size (dbstat) of every table and view."""
    sizes, estimates = _sizes(conn), _estimates(conn)
    return [
        {"name": name, "kind": kind, "row_estimate": estimates.get(name), "size_bytes": sizes.get(name)}
        for name, kind, _ in conn.execute(TABLES).fetchall()
    ]


def load_schema(conn: Any, schema: str) -> SchemaCatalog:
    """Every table and view with columns, keys and indexes: four catalog queries plus two optional ones."""
    tables = conn.execute(TABLES).fetchall()
    columns = conn.execute(COLUMNS).fetchall()
    foreign = conn.execute(FOREIGN_KEYS).fetchall()
    indexes = conn.execute(INDEXES).fetchall()
    sizes, estimates = _sizes(conn), _estimates(conn)
    cols: dict[str, list[dict[str, Any]]] = defaultdict(list)
    pks: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for table, name, typ, notnull, default, pk in columns:
        cols[table].append(
            {"name": name, "type": typ or "", "nullable": not notnull and not pk, "default": default, "comment": None}
        )
        if pk:
            pks[table].append((pk, name))
    fk_parts: dict[tuple[str, int], dict[str, Any]] = {}
    for table, fid, ref_table, col, ref_col, on_delete, on_update in foreign:
        fk = fk_parts.setdefault(
            (table, fid),
            {
                "name": None,
                "columns": [],
                "ref_schema": "main",
                "ref_table": ref_table,
                "ref_columns": [],
                "on_delete": on_delete,
                "on_update": on_update,
            },
        )
        fk["columns"].append(col)
        fk["ref_columns"].append(ref_col or "")
    fks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (table, _), fk in fk_parts.items():
        fks[table].append(fk)
    idx_parts: dict[tuple[str, str], dict[str, Any]] = {}
    for table, name, unique, origin, col in indexes:
        entry = idx_parts.setdefault(
            (table, name), {"name": name, "columns": [], "unique": bool(unique), "primary": origin == "pk"}
        )
        entry["columns"].append(col or "<expression>")
    idx: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (table, name), entry in idx_parts.items():
        idx[table].append({**entry, "size_bytes": sizes.get(name)})
    out = {}
    for name, kind, sql in tables:
        out[name] = {
            "schema": schema,
            "name": name,
            "kind": kind,
            "columns": cols.get(name, []),
            "primary_key": [n for _, n in sorted(pks.get(name, []))],
            "foreign_keys": fks.get(name, []),
            "indexes": idx.get(name, []),
            "row_estimate": estimates.get(name),
            "size_bytes": sizes.get(name),
            "view_definition": sql if kind == "view" else None,
        }
    return SchemaCatalog(schema, out)
