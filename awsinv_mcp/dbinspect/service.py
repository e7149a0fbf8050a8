"""The live-database service behind the server's tools: one method per tool, names in, answer models out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from awsinv_mcp.config import Settings
from awsinv_mcp.dbinspect import catalog, execute, health
from awsinv_mcp.dbinspect.engines import DatabaseRegistry
from awsinv_mcp.errors import UserError
from awsinv_mcp.models.database import (
    UNTRUSTED_NOTE,
    DatabaseList,
    DatabaseRow,
    HealthAnswer,
    PlanAnswer,
    QueryResult,
    SchemaPage,
    TableDetail,
    TablePage,
)


class DatabaseService:
    """Wraps a DatabaseRegistry; thread-safe (each call checks out its own pooled connection)."""

    def __init__(self, settings: Settings, registry: DatabaseRegistry | None = None) -> None:
        self.settings = settings
        self.registry = registry or DatabaseRegistry(settings)

    def close(self) -> None:
        self.registry.close()

    def prepare(self) -> None:
        """Build each configured database's engine (imports SQLAlchemy and its driver; no connection is opened).
        Databases found through AWS are left for their first call (resolving them calls AWS)."""
        for name in self.registry.names():
            if name not in self.registry.invalid and self.registry.get(name).spec.aws is None:
                self.registry.get(name).engine()

    def list_databases(self) -> DatabaseList:
        names = self.registry.names()

        def probe(name: str) -> DatabaseRow:
            if name in self.registry.invalid:
                error = f"{self.registry.invalid[name]}; fix that entry"
                return DatabaseRow(name=name, dialect="unknown", description="", reachable=False, error=error)
            db = self.registry.get(name)
            error = None
            try:
                with db.connection():
                    pass
            except UserError as exc:
                error = db.redact(str(exc))
            return DatabaseRow(
                name=name,
                dialect=db.dialect or "unknown",
                description=db.spec.description,
                reachable=error is None,
                server_version=db.server_version,
                error=error,
            )

        with ThreadPoolExecutor(max_workers=max(1, min(8, len(names)))) as pool:
            items = list(pool.map(probe, names))
        return DatabaseList(items=items, total=len(items))

    def list_schemas(self, database: str, *, limit: int, cursor: str | None) -> SchemaPage:
        return catalog.list_schemas(self.registry.get(database), limit=limit, cursor=cursor)

    def list_tables(
        self, database: str, schema: str | None, *, name: str | None, limit: int | None, cursor: str | None
    ) -> TablePage:
        return catalog.list_tables(self.registry.get(database), schema, name=name, limit=limit, cursor=cursor)

    def describe_table(self, database: str, schema: str | None, table: str) -> TableDetail:
        return catalog.describe_table(self.registry.get(database), schema, table)

    def run_query(
        self, database: str, sql: str, params: Mapping[str, Any] | None = None, max_rows: int | None = None
    ) -> QueryResult:
        cap = min(max_rows or self.settings.max_rows, self.settings.max_rows)
        return execute.run_query(
            self.registry.get(database), sql, params, max_rows=cap, max_bytes=self.settings.max_bytes
        )

    def explain_query(
        self,
        database: str,
        sql: str,
        params: Mapping[str, Any] | None = None,
        analyze: bool = False,
        detail: bool = False,
    ) -> PlanAnswer:
        return execute.explain_query(self.registry.get(database), sql, params, analyze=analyze, detail=detail)

    def database_health(self, database: str) -> HealthAnswer:
        return health.database_health(self.registry.get(database))

    def schema_document(self, database: str) -> str:
        """The db://{database}/schema resource: every table of the default schema, columns compact."""
        db = self.registry.get(database)
        cat = catalog.schema_catalog(db, None)
        tables = [
            {
                "name": t["name"],
                "kind": t["kind"],
                "columns": [f"{c['name']} {c['type']}{'' if c['nullable'] else ' not null'}" for c in t["columns"]],
                "primary_key": t["primary_key"],
                "foreign_keys": [
                    f"{','.join(f['columns'])} -> {f['ref_table']}({','.join(f['ref_columns'])})"
                    for f in t["foreign_keys"]
                ],
                "row_estimate": t["row_estimate"],
            }
            for t in cat.tables.values()
        ]
        doc = {
            "database": database,
            "dialect": db.dialect,
            "schema": cat.schema,
            "tables": tables,
            "note": UNTRUSTED_NOTE.replace("rows are", "names and comments are"),
        }
        return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, default=str)
