"""The history tables of schema version 1 (snapshots, record versions, membership spans, meta).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "awsinv_meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(255), nullable=False),
    )
    op.create_table(
        "awsinv_snapshots",
        sa.Column("id", sa.String(96), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False, unique=True),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
    )
    op.create_index("ix_awsinv_snapshots_collected_at", "awsinv_snapshots", ["collected_at"])
    op.create_table(
        "awsinv_record_versions",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "awsinv_spans",
        sa.Column("source", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(48), primary_key=True),
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("first_seq", sa.Integer, primary_key=True),
        sa.Column("last_seq", sa.Integer, nullable=True),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("awsinv_spans_key", "awsinv_spans", ["key", "kind"])
    op.create_index("awsinv_spans_open", "awsinv_spans", ["source", "last_seq"])


def downgrade() -> None:
    for table in ("awsinv_spans", "awsinv_record_versions", "awsinv_snapshots", "awsinv_meta"):
        op.drop_table(table)
