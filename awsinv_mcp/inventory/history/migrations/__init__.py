"""Alembic migrations of the history store (`awsinv-mcp store upgrade`; `sql.HistoryStore.upgrade` runs them)."""
