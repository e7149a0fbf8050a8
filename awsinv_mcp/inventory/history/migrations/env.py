"""Alembic environment: migrations run on the connection `HistoryStore.upgrade` passes (no alembic.ini)."""

from __future__ import annotations

from alembic import context

from awsinv_mcp.inventory.history import schema

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=schema.metadata)
with context.begin_transaction():
    context.run_migrations()
