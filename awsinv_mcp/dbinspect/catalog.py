"""Catalog operations over any dialect: schemas, a paged table list, one table's description, the whole schema.

The per-dialect modules load a whole schema in a few round trips; it is cached for a short time
(`engines.CATALOG_TTL`), so describe_table of every table costs one load. list_tables reads the whole schema
when it is cached, else one light query (`table_list`: names, kinds, sizes, row estimates), cached as briefly.
"""

from __future__ import annotations

from typing import Any

from awsinv_mcp import budget
from awsinv_mcp.dbinspect.dialects import dialect
from awsinv_mcp.dbinspect.engines import Database, cached_catalog, fresh_catalog
from awsinv_mcp.errors import NotFoundError, UpstreamError, UserError
from awsinv_mcp.models.database import TABLE_COLUMNS, SchemaCatalog, SchemaPage, SchemaRow, TableDetail, TablePage
from awsinv_mcp.models.table import row_values
from awsinv_mcp.paging import fingerprint, paginate

PAGE_BYTES = budget.MAX_ANSWER_BYTES // 2
"""Where a list_tables page stops by default: half the answer cap (12,500 tokens), so a 2,000-table schema whose
rows average up to 50 bytes (names of about 30 characters) comes in two calls."""
MAX_TABLE_LIMIT = 10_000


def _call(db: Database, fn_name: str, *args: Any) -> Any:
    with db.connection() as conn:
        module = dialect(db.dialect).catalog()
        try:
            return getattr(module, fn_name)(conn, *args)
        except UserError:
            raise
        except Exception as exc:
            raise UpstreamError(f"reading the catalog of {db.name!r} failed: {db._brief(exc)}") from None


def schemas(db: Database) -> list[SchemaRow]:
    return _call(db, "list_schemas")


def resolve_schema(db: Database, schema: str | None) -> str:
    return schema or _call(db, "default_schema")


def schema_catalog(db: Database, schema: str | None, *, refresh: bool = False) -> SchemaCatalog:
    """The whole schema (cached briefly); raises NotFoundError for a schema that does not exist."""
    name = resolve_schema(db, schema)
    catalog = cached_catalog(db, name, lambda: _call(db, "load_schema", name), refresh=refresh)
    if not catalog.tables:
        _check_exists(db, name)
    return catalog


def _check_exists(db: Database, schema: str) -> None:
    if schema not in {s.name for s in schemas(db)}:
        raise NotFoundError(f"schema {schema!r} does not exist in {db.name!r}; call list_schemas for the valid names")


def table_list(db: Database, schema: str | None) -> tuple[str, list[dict[str, Any]]]:
    """(the schema, its tables and views: name, kind, row_estimate, size_bytes, comment): from the whole catalog
    when it is cached, else one query (cached as briefly); raises NotFoundError for a schema that does not exist."""
    name = resolve_schema(db, schema)
    catalog = fresh_catalog(db, name)
    if catalog is not None:
        return name, list(catalog.tables.values())
    tables = cached_catalog(db, f"{name}\0tables", lambda: _call(db, "table_list", name))
    if not tables:
        _check_exists(db, name)
    return name, tables


def list_schemas(db: Database, *, limit: int, cursor: str | None) -> SchemaPage:
    rows = schemas(db)
    page = paginate(rows, limit=limit, cursor=cursor, query=fingerprint("schemas", db.name))
    return SchemaPage(
        database=db.name, items=page.items, total=page.total, next_cursor=page.next_cursor, truncated=page.truncated
    )


def list_tables(
    db: Database, schema: str | None, *, name: str | None, limit: int | None, cursor: str | None
) -> TablePage:
    """One columnar page of the schema's tables: `limit` rows, by default as many as fit in PAGE_BYTES."""
    schema_name, tables = table_list(db, schema)
    needle = (name or "").lower()
    matches = [t for t in tables if needle in t["name"].lower()]
    columns = TABLE_COLUMNS if any(t.get("comment") for t in matches) else TABLE_COLUMNS[:-1]
    rows = [row_values(t, columns) for t in matches]
    query = fingerprint("tables", db.name, schema_name, needle)
    page = paginate(
        rows,
        limit=limit or MAX_TABLE_LIMIT,
        cursor=cursor,
        query=query,
        most=MAX_TABLE_LIMIT,
        max_bytes=PAGE_BYTES,
        size=lambda row: budget.size(row) + 1,
    )
    return TablePage(
        database=db.name,
        schema=schema_name,
        columns=list(columns),
        rows=page.items,
        total=page.total,
        next_cursor=page.next_cursor,
        truncated=page.truncated,
    )


def describe_table(db: Database, schema: str | None, table: str) -> TableDetail:
    catalog = schema_catalog(db, schema)
    detail = catalog.tables.get(table)
    if detail is None:  # created since the catalog was cached?
        catalog = schema_catalog(db, catalog.schema, refresh=True)
        detail = catalog.tables.get(table)
    if detail is None:
        close = [n for n in catalog.tables if n.lower() == table.lower()]
        hint = f" (did you mean {close[0]!r}?)" if close else "; call list_tables for the valid names"
        raise NotFoundError(f"no table or view {table!r} in schema {catalog.schema!r} of {db.name!r}{hint}")
    warnings: list[dict[str, str]] = []
    if detail["kind"] == "table" and not detail["foreign_keys"] and dialect(db.dialect).hides_foreign_keys:
        try:
            hidden = _call(db, "hidden_foreign_keys", catalog.schema, table)
        except UpstreamError as exc:
            hidden = []
            warnings.append({"scope": f"{db.name}/{catalog.schema}.{table}", "message": (
                f"foreign keys are not visible to this login ({exc}); grant it SELECT on the table so SHOW CREATE "
                "TABLE can be read, or SELECT on information_schema's key views")})  # fmt: skip
        if hidden:
            detail = {**detail, "foreign_keys": hidden}
    return TableDetail.model_validate({**detail, "database": db.name, "warnings": warnings})
