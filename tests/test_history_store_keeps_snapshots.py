"""The history store keeps snapshots (SQLite and real PostgreSQL), writes each atomically, stores each record
version once, refuses a newer schema, and the diff of two stored snapshots names exactly what changed."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from awsinv_mcp.inventory.diff import changed_keys, field_changes
from awsinv_mcp.inventory.history import schema
from awsinv_mcp.inventory.history.codec import record_key
from awsinv_mcp.inventory.history.sql import HistoryStore, StoreError
from awsinv_mcp.inventory.kinds import DB_INSTANCE
from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.models.inventory import Warning
from tests.db_fixtures import scratch_pg_database

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
PG_DB = f"awsinv_hist_test_{os.getpid()}"  # unique: other worktrees run this test too


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'history.db'}"
        return
    with scratch_pg_database(PG_DB) as url:
        yield url


def _two_snapshots():
    first = generate(seed=7, scale=40, now=NOW)
    a, b, *rest = first.db_instances
    changed = dataclasses.replace(a, instance_class="db.r6g.4xlarge", tags={**a.tags, "Owner": "someone-else"})
    added = dataclasses.replace(b, identifier="brand-new-db", arn=b.arn + "-new")
    second = dataclasses.replace(
        first,
        collected_at=NOW + timedelta(hours=1),
        db_instances=(changed, added, *rest[1:]),  # a changed; b and rest[0] gone; one added
        warnings=(Warning(scope="s3", message="AccessDenied on s3 list_buckets"),),
    )
    return first, second, a, b, rest[0]


def test_two_snapshots_stored_and_diffed(store_url: str) -> None:
    first, second, a, b, gone = _two_snapshots()
    store = HistoryStore(store_url)
    try:
        store.save(first)
        versions_after_first = store.version_count()
        store.save(second)
        store.save(second)  # saving again is a no-op

        listed = store.snapshots()
        assert [s.id for s in listed] == [first.id, second.id]
        assert listed[1].status["warnings"] == [{"scope": "s3", "message": "AccessDenied on s3 list_buckets"}]
        assert listed[0].records == len(store.members(first.id)) > len(first.db_instances)

        # only the changed and added records are new versions
        assert store.version_count() == versions_after_first + 2

        added, removed, changed = changed_keys(store.members(first.id), store.members(second.id))
        key = lambda r: ("db_instance", record_key(DB_INSTANCE, r))  # noqa: E731
        assert added == [("db_instance", f"brand-new-db/{b.account}/{b.region}")]
        assert sorted(removed) == sorted([key(b), key(gone)])
        assert changed == [key(a)]

        before = store.members(first.id)[key(a)]
        after = store.members(second.id)[key(a)]
        bodies = store.bodies([before, after])
        fields = {c.field: (c.before, c.after) for c in field_changes(bodies[before], bodies[after])}
        assert fields == {
            "instance_class": (a.instance_class, "db.r6g.4xlarge"),
            "tags.Owner": (a.tags.get("Owner"), "someone-else"),
        }
        history = store.resource_history(*key(a))
        assert [h[0] for h in history] == [first.id, second.id]
        assert history[0][2] != history[1][2]
    finally:
        store.close()


def test_failed_write_leaves_nothing_half_written(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second, *_ = _two_snapshots()
    store = HistoryStore(store_url)
    try:
        store.save(first)
        kept = store.members(first.id)
        import awsinv_mcp.inventory.history.sql as sql_mod

        calls = {"n": 0}
        real_chunks = sql_mod._chunks

        def failing_chunks(rows):
            for chunk in real_chunks(rows):
                calls["n"] += 1
                if calls["n"] == 2:
                    raise RuntimeError("collector killed mid-write")
                yield chunk

        monkeypatch.setattr(sql_mod, "_CHUNK", 10)
        monkeypatch.setattr(sql_mod, "_chunks", failing_chunks)
        with pytest.raises(RuntimeError):
            store.save(second)
        assert [s.id for s in store.snapshots()] == [first.id]
        assert store.members(first.id) == kept
        with store.engine.connect() as conn:
            firsts = {r[0] for r in conn.execute(select(schema.spans.c.first_seq).distinct())}
            closed = conn.execute(select(schema.spans.c.key).where(schema.spans.c.last_seq.is_not(None))).all()
        assert firsts == {1} and closed == []
    finally:
        store.close()


def test_newer_schema_is_refused_with_one_clear_line(store_url: str) -> None:
    HistoryStore(store_url).close()
    store = HistoryStore(store_url)
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE awsinv_meta SET value = '99' WHERE name = 'schema_version'"))
    store.close()
    with pytest.raises(StoreError) as err:
        HistoryStore(store_url)
    message = str(err.value)
    assert "schema version 99" in message and "upgrade awsinv-mcp" in message and "\n" not in message


def test_unknown_store_url_is_refused() -> None:
    with pytest.raises(StoreError, match="sqlite:///path or postgresql://"):
        HistoryStore("mysql://root@localhost/x")


def test_unchanged_snapshot_writes_no_membership_and_sources_never_mix(tmp_path: Path) -> None:
    first, second, *_ = _two_snapshots()
    other = dataclasses.replace(first, source="aws", collected_at=NOW + timedelta(minutes=30), db_instances=())
    same = dataclasses.replace(first, collected_at=NOW + timedelta(hours=2))
    store = HistoryStore(f"sqlite:///{tmp_path / 'h.db'}")
    try:
        store.save(first)
        with store.engine.connect() as conn:
            rows_after_first = conn.execute(select(func.count()).select_from(schema.spans)).scalar_one()
        store.save(other)  # another source in between
        store.save(same)  # nothing changed since `first` (of its source)
        with store.engine.connect() as conn:
            other_rows = conn.execute(
                select(func.count()).select_from(schema.spans).where(schema.spans.c.source == "aws")
            ).scalar_one()
            rows = conn.execute(select(func.count()).select_from(schema.spans)).scalar_one()
        assert rows == rows_after_first + other_rows
        assert store.members(same.id) == store.members(first.id)
        assert not any(k == "db_instance" for k, _ in store.members(other.id))
        store.save(second)
        assert changed_keys(store.members(same.id), store.members(second.id)) == changed_keys(
            store.members(first.id), store.members(second.id)
        )
    finally:
        store.close()


def test_a_loaded_snapshot_is_the_stored_one(store_url: str) -> None:
    """What a replica answers from: every record, account, warning and gap back as it was collected (in the
    canonical order every replica shares)."""
    from awsinv_mcp.inventory.kinds import KINDS
    from awsinv_mcp.inventory.store import canonical_order

    _, second, *_ = _two_snapshots()
    store = HistoryStore(store_url)
    try:
        store.save(second)
        loaded = store.load(store.latest("synthetic"))
        assert store.latest("aws") is None
    finally:
        store.close()
    expected = canonical_order(second)
    assert loaded.id == second.id and loaded.collected_at == second.collected_at
    for kind in KINDS:
        assert kind.records(loaded) == kind.records(expected), kind.name
        assert [r.tags for r in kind.records(loaded) if hasattr(r, "tags")] == [
            r.tags for r in kind.records(expected) if hasattr(r, "tags")
        ]
    assert (loaded.accounts, loaded.regions, loaded.warnings) == (second.accounts, second.regions, second.warnings)


def test_migrations_build_the_declared_schema_and_adopt_an_older_store(store_url: str) -> None:
    """`store upgrade` runs the Alembic migrations: the tables they build are exactly `schema.py`'s; a store
    created before migrations (tables, no alembic_version) is adopted as revision 0001 with its snapshots; a
    store at a revision this version does not know is refused in one line."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    first, *_ = _two_snapshots()
    store = HistoryStore(store_url)
    try:
        with store.engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
        store.save(first)
        with store.engine.begin() as conn:  # as a store created by schema.metadata.create_all looked
            conn.execute(text("DROP TABLE alembic_version"))
    finally:
        store.close()
    store = HistoryStore(store_url)
    try:
        assert [s.id for s in store.snapshots()] == [first.id]
        with store.engine.begin() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
            conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    finally:
        store.close()
    with pytest.raises(StoreError) as err:
        HistoryStore(store_url)
    assert "revision 0099" in str(err.value) and "upgrade awsinv-mcp" in str(err.value) and "\n" not in str(err.value)
