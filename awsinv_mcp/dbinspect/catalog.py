"""Catalog operations over any dialect: schemas, a paged table list, one table's description, the whole schema.

The per-dialect modules load a whole schema in a few round trips; it is cached for a short time
(`engines.CATALOG_TTL`), so list_tables followed by describe_table of each table costs one load.
"""

from __future__ import annotations

from typing import Any

from awsinv_mcp.dbinspect.dialects import dialect
from awsinv_mcp.dbinspect.engines import Database, cached_catalog
from awsinv_mcp.errors import NotFoundError, UpstreamError, UserError
from awsinv_mcp.models.database import SchemaCatalog, SchemaPage, SchemaRow, TableDetail, TablePage, TableRow
from awsinv_mcp.paging import fingerprint, paginate

_ROW_FIELDS = ("schema", "name", "kind", "row_estimate", "size_bytes", "comment")


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
    if not catalog.tables and name not in {s.name for s in schemas(db)}:
        raise NotFoundError(f"schema {name!r} does not exist in {db.name!r}; call list_schemas for the valid names")
    return catalog


def list_schemas(db: Database, *, limit: int, cursor: str | None) -> SchemaPage:
    rows = schemas(db)
    page = paginate(rows, limit=limit, cursor=cursor, query=fingerprint("schemas", db.name))
    return SchemaPage(
        database=db.name, items=page.items, total=page.total, next_cursor=page.next_cursor, truncated=page.truncated
    )


def list_tables(db: Database, schema: str | None, *, name: str | None, limit: int, cursor: str | None) -> TablePage:
    catalog = schema_catalog(db, schema)
    needle = (name or "").lower()
    matches = [t for t in catalog.tables.values() if needle in t["name"].lower()]
    query = fingerprint("tables", db.name, catalog.schema, needle)
    page = paginate(matches, limit=limit, cursor=cursor, query=query)
    return TablePage(
        database=db.name,
        schema=catalog.schema,
        items=[TableRow.model_validate({k: t.get(k) for k in _ROW_FIELDS}) for t in page.items],
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
