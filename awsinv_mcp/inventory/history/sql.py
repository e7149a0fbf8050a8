"""Writing and reading snapshots in the history store (SQLite or PostgreSQL, see `schema.py`).

A snapshot is written in one transaction: readers see all of it or none of it. Record versions already stored
(same content hash) are not written again, so a snapshot that changed little costs little more than its
membership rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite

from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory.history import schema
from awsinv_mcp.inventory.history.codec import encode, plain
from awsinv_mcp.inventory.kinds import KINDS
from awsinv_mcp.models.inventory import Snapshot

_CHUNK = 500


class StoreError(UserError):
    """The history store cannot be used as it is (the message says what to do)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSnapshot:
    id: str
    source: str
    collected_at: datetime
    records: int
    status: dict[str, Any]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class HistoryStore:
    """Snapshots kept at `url` (`sqlite:///path` or `postgresql://...`)."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        if not url.startswith(("sqlite:", "postgresql+psycopg:")):
            raise StoreError("AWSINV_STORE must be sqlite:///path or postgresql://user@host/db")
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._insert = sqlite.insert if self.engine.dialect.name == "sqlite" else postgresql.insert
        if create:
            self.upgrade()
        self.check_version()

    def upgrade(self) -> None:
        """Create missing tables and record the schema version."""
        schema.metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            stmt = self._insert(schema.meta).values(name="schema_version", value=str(schema.SCHEMA_VERSION))
            conn.execute(stmt.on_conflict_do_nothing())

    def check_version(self) -> None:
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.meta.c.value).where(schema.meta.c.name == "schema_version")).first()
        found = int(row[0]) if row else 0
        if found > schema.SCHEMA_VERSION:
            raise StoreError(
                f"the history store has schema version {found}, newer than this server's "
                f"{schema.SCHEMA_VERSION}: upgrade awsinv-mcp (or point AWSINV_STORE at another store)"
            )

    def close(self) -> None:
        self.engine.dispose()

    # writing

    def save(self, snapshot: Snapshot) -> StoredSnapshot:
        """Store `snapshot` in one transaction (a snapshot already stored is left as it is)."""
        encoded = [encode(kind, r) for kind in KINDS for r in kind.records(snapshot)]
        status = {
            "warnings": plain(snapshot.warnings),
            "gaps": plain(snapshot.gaps),
            "accounts": plain(snapshot.accounts),
            "regions": list(snapshot.regions),
            **{k: plain(v) for k, v in _extra_status(snapshot).items()},
        }
        stored = StoredSnapshot(
            id=snapshot.id,
            source=snapshot.source,
            collected_at=_utc(snapshot.collected_at),
            records=len(encoded),
            status=status,
        )
        with self.engine.begin() as conn:
            if conn.execute(select(schema.snapshots.c.id).where(schema.snapshots.c.id == stored.id)).first():
                return stored
            conn.execute(
                schema.snapshots.insert().values(
                    id=stored.id,
                    source=stored.source,
                    collected_at=stored.collected_at,
                    records=stored.records,
                    status=json.dumps(status, sort_keys=True),
                )
            )
            versions = {e.hash: e for e in encoded}
            rows = [{"hash": e.hash, "kind": e.kind, "body": e.body} for e in versions.values()]
            for chunk in _chunks(rows):
                conn.execute(self._insert(schema.record_versions).values(chunk).on_conflict_do_nothing())
            members = [{"snapshot_id": stored.id, "kind": e.kind, "key": e.key, "hash": e.hash} for e in encoded]
            for chunk in _chunks(members):
                conn.execute(schema.members.insert(), chunk)
        return stored

    # reading

    def snapshots(self) -> list[StoredSnapshot]:
        """Every stored snapshot, oldest first."""
        s = schema.snapshots
        with self.engine.connect() as conn:
            rows = conn.execute(select(s).order_by(s.c.collected_at, s.c.id)).all()
        return [
            StoredSnapshot(
                id=r.id,
                source=r.source,
                collected_at=_utc(r.collected_at),
                records=r.records,
                status=json.loads(r.status),
            )
            for r in rows
        ]

    def members(self, snapshot_id: str, kind: str | None = None) -> dict[tuple[str, str], str]:
        """(kind, key) -> record hash of every record `snapshot_id` holds (of `kind` only, when given)."""
        m = schema.members
        query = select(m.c.kind, m.c.key, m.c.hash).where(m.c.snapshot_id == snapshot_id)
        if kind is not None:
            query = query.where(m.c.kind == kind)
        with self.engine.connect() as conn:
            return {(k, key): h for k, key, h in conn.execute(query)}

    def bodies(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        """hash -> decoded record of the given versions."""
        v = schema.record_versions
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(sorted(set(hashes))):
                for h, body in conn.execute(select(v.c.hash, v.c.body).where(v.c.hash.in_(chunk))):
                    out[h] = json.loads(body)
        return out

    def resource_history(self, kind: str, key: str) -> list[tuple[str, datetime, str]]:
        """(snapshot id, collected_at, record hash) of every stored snapshot holding the resource, oldest first."""
        return [(i, t, h) for i, t, _, k, h in self.versions_of(key.split("/", 1)[0], kind) if k == key]

    def versions_of(self, identifier: str, kind: str | None = None) -> list[tuple[str, datetime, str, str, str]]:
        """(snapshot id, collected_at, kind, key, hash) of every stored snapshot holding a resource named
        `identifier` (any account and region), oldest first; an index range scan on (key, kind)."""
        m, s = schema.members, schema.snapshots
        query = (
            select(s.c.id, s.c.collected_at, m.c.kind, m.c.key, m.c.hash)
            .join(s, s.c.id == m.c.snapshot_id)
            .where(m.c.key >= identifier + "/", m.c.key < identifier + "0")
            .order_by(s.c.collected_at, m.c.kind, m.c.key)
        )
        if kind is not None:
            query = query.where(m.c.kind == kind)
        with self.engine.connect() as conn:
            return [(i, _utc(t), k, key, h) for i, t, k, key, h in conn.execute(query)]

    def version_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(schema.record_versions)).scalar_one()


def _extra_status(snapshot: Snapshot) -> dict[str, Any]:
    """Status fields a Snapshot may carry beyond warnings and gaps (e.g. `stale`), persisted generically."""
    return {name: getattr(snapshot, name) for name in ("stale",) if hasattr(snapshot, name)}


def _chunks(rows: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(rows), _CHUNK):
        yield rows[i : i + _CHUNK]
