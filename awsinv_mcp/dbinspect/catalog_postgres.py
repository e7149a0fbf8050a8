"""PostgreSQL catalog: a whole schema in four queries (tables, columns, constraints, indexes), never per table.

Row estimates and sizes come from planner statistics (pg_class.reltuples/relpages, kept by autovacuum and
ANALYZE), so a 2,000-table schema costs no file access; a table never analyzed gets its exact size instead.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from awsinv_mcp.models.database import SchemaCatalog, SchemaRow

KINDS = {"r": "table", "v": "view", "m": "materialized view", "p": "partitioned table", "f": "foreign table"}
_FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

SCHEMAS = """
SELECT n.nspname,
       count(*) FILTER (WHERE c.relkind IN ('r', 'p', 'f')),
       count(*) FILTER (WHERE c.relkind IN ('v', 'm')),
       n.nspname IN ('pg_catalog', 'information_schema')
FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid
WHERE n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp_%%'
GROUP BY n.nspname ORDER BY 4, 1
"""

_TABLE_ROWS = """
SELECT c.oid, c.relname, c.relkind, CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END,
       CASE WHEN c.relkind NOT IN ('r', 'm', 'p') THEN NULL
            WHEN c.reltuples >= 0 THEN (c.relpages + coalesce(toast.relpages, 0) + coalesce(
                (SELECT sum(ic.relpages) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                 WHERE i.indrelid = c.oid), 0))::bigint * current_setting('block_size')::bigint
            ELSE pg_total_relation_size(c.oid) END,
       d.description{view_definition}
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
ORDER BY c.relname
"""
TABLES = _TABLE_ROWS.format(view_definition=", CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END")
TABLE_LIST = _TABLE_ROWS.format(view_definition="")
"""The table list alone (list_tables before the whole catalog is loaded): one query, no view definitions."""

COLUMNS = """
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), ds.description, a.attidentity
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass
     AND ds.objsubid = a.attnum
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'v', 'm', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""

CONSTRAINTS = """
SELECT con.conrelid, con.conname, con.contype,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord),
       fn.nspname, fc.relname,
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord),
       con.confdeltype, con.confupdtype
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE n.nspname = %(schema)s AND con.contype IN ('p', 'f')
ORDER BY con.conrelid, con.conname
"""

INDEXES = """
SELECT i.indrelid, ic.relname, i.indisunique, i.indisprimary, am.amname,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k),
       CASE WHEN c.reltuples >= 0 THEN ic.relpages::bigint * current_setting('block_size')::bigint
            ELSE pg_relation_size(i.indexrelid) END
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = ic.relam
WHERE n.nspname = %(schema)s
ORDER BY i.indrelid, ic.relname
"""


def _fetch(conn: Any, sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql, params or {})
        return cur.fetchall()


def default_schema(conn: Any) -> str:
    try:
        return _fetch(conn, "SELECT coalesce(current_schema(), 'public')")[0][0]
    finally:
        conn.rollback()


def list_schemas(conn: Any) -> list[SchemaRow]:
    try:
        rows = _fetch(conn, SCHEMAS)
    finally:
        conn.rollback()
    return [SchemaRow(name=r[0], tables=r[1], views=r[2], system=r[3]) for r in rows]


def table_list(conn: Any, schema: str) -> list[dict[str, Any]]:
    """Name, kind, row estimate, size and comment of every table and view of `schema`: one query."""
    try:
        rows = _fetch(conn, TABLE_LIST, {"schema": schema})
    finally:
        conn.rollback()
    return [
        {"name": name, "kind": KINDS[kind], "row_estimate": estimate, "size_bytes": size, "comment": comment}
        for _, name, kind, estimate, size, comment in rows
    ]


def load_schema(conn: Any, schema: str) -> SchemaCatalog:
    """Every table and view of `schema` with columns, keys and indexes: four round trips in all."""
    p = {"schema": schema}
    try:
        tables, columns, constraints, indexes = (_fetch(conn, q, p) for q in (TABLES, COLUMNS, CONSTRAINTS, INDEXES))
    finally:
        conn.rollback()
    cols: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for oid, name, typ, nullable, default, comment, identity in columns:
        if identity and not default:
            default = f"generated {'always' if identity == 'a' else 'by default'} as identity"
        cols[oid].append({"name": name, "type": typ, "nullable": nullable, "default": default, "comment": comment})
    pks: dict[int, list[str]] = {}
    fks: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for oid, name, kind, keys, ref_schema, ref_table, ref_keys, on_delete, on_update in constraints:
        if kind == "p":
            pks[oid] = list(keys)
        else:
            fks[oid].append(
                {
                    "name": name,
                    "columns": list(keys),
                    "ref_schema": ref_schema,
                    "ref_table": ref_table,
                    "ref_columns": list(ref_keys),
                    "on_delete": _FK_ACTIONS.get(on_delete),
                    "on_update": _FK_ACTIONS.get(on_update),
                }
            )
    idx: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for oid, name, unique, primary, method, keys, size in indexes:
        idx[oid].append(
            {
                "name": name,
                "columns": list(keys),
                "unique": unique,
                "primary": primary,
                "method": method,
                "size_bytes": size,
            }
        )
    out = {}
    for oid, name, kind, estimate, size, comment, view_def in tables:
        out[name] = {
            "schema": schema,
            "name": name,
            "kind": KINDS[kind],
            "columns": cols.get(oid, []),
            "primary_key": pks.get(oid, []),
            "foreign_keys": fks.get(oid, []),
            "indexes": idx.get(oid, []),
            "row_estimate": estimate,
            "size_bytes": size,
            "comment": comment,
            "view_definition": view_def.strip() if view_def else None,
        }
    return SchemaCatalog(schema, out)
