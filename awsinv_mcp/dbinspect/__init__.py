"""Live databases: named connections, pooled engines, the read-only guard, capped execution, catalogs, health.

Entry point for the server: `awsinv_mcp.dbinspect.service.DatabaseService` (one method per tool).
Imported lazily: nothing here loads SQLAlchemy, sqlglot or a driver at import time.
"""
