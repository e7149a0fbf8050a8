"""The history tables (SQLAlchemy Core; one schema for SQLite and PostgreSQL).

- `snapshots`: one row per stored collection, with its status (warnings, gaps) as JSON.
- `record_versions`: one row per distinct record content, keyed by its sha256.
- `spans`: which record version the snapshots of one source hold for each (kind, key), as a run of snapshot
  sequence numbers (`first_seq` .. `last_seq`, NULL while still present): a snapshot where nothing changed
  writes no rows at all. Indexed by (key, kind) so one resource's history is an index range scan (keys start
  with the identifier).

The Alembic migrations (`migrations/versions`) build these tables; a change here is a new revision there (and
tests/test_history_store_keeps_snapshots.py checks that the migrated schema equals this one).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table(
    "awsinv_meta",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)

snapshots = Table(
    "awsinv_snapshots",
    metadata,
    Column("id", String(96), primary_key=True),
    Column("source", String(16), nullable=False),
    Column("seq", Integer, nullable=False, unique=True),
    Column("collected_at", DateTime(timezone=True), nullable=False, index=True),
    Column("records", Integer, nullable=False),
    Column("status", Text, nullable=False),  # JSON: warnings, gaps, accounts, regions
)

record_versions = Table(
    "awsinv_record_versions",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("kind", String(48), nullable=False),
    Column("body", Text, nullable=False),
)

spans = Table(
    "awsinv_spans",
    metadata,
    Column("source", String(16), primary_key=True),
    Column("kind", String(48), primary_key=True),
    Column("key", String(512), primary_key=True),
    Column("first_seq", Integer, primary_key=True),
    Column("last_seq", Integer, nullable=True),
    Column("hash", String(64), nullable=False),
)
Index("awsinv_spans_key", spans.c.key, spans.c.kind)
Index("awsinv_spans_open", spans.c.source, spans.c.last_seq)
