"""Writing and reading snapshots in the history store (SQLite or PostgreSQL, see `schema.py`).

A snapshot is written in one transaction: readers see all of it or none of it. Record versions already stored
(same content hash) are not written again, and membership is kept as spans of snapshots (`schema.spans`), so a
snapshot writes rows only for the records that were added, changed or removed since the previous one of its
source.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, event, func, inspect, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory.history import schema
from awsinv_mcp.inventory.history.codec import encode, encode_finding, plain, revive
from awsinv_mcp.inventory.history.reader import FINDING, StoredSnapshot
from awsinv_mcp.inventory.history.retention import Retention, retained
from awsinv_mcp.inventory.kinds import BY_NAME as kinds_by_name
from awsinv_mcp.inventory.kinds import KINDS
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.models.inventory import Account, Gap, LifecycleOverride, Snapshot, Warning

__all__ = ["HistoryStore", "StoreError", "StoredSnapshot"]

_CHUNK = 500
COLLECT_LOCK_KEY = 0x617773696E76  # "awsinv": the advisory lock of collections into one PostgreSQL store
NOTIFY_CHANNEL = "awsinv_snapshots"  # PostgreSQL: NOTIFY with the id of each snapshot stored


class StoreError(UserError):
    """The history store cannot be used as it is (the message says what to do)."""


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
        self._listener: Any = None  # the LISTEN connection of `wait_for_snapshot` (PostgreSQL)
        self._listen_lock = threading.Lock()
        if create:
            self.upgrade()
        self.check_version()

    @contextlib.contextmanager
    def collect_lock(self) -> Iterator[None]:
        """The store-wide collection lock, held for the block: a PostgreSQL advisory lock (session level, on its
        own connection), or an exclusive file lock beside a SQLite database. Other processes wait for it."""
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as conn:
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": COLLECT_LOCK_KEY})
                conn.commit()
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": COLLECT_LOCK_KEY})
                    conn.commit()
            return
        import fcntl

        path = f"{self.engine.url.database or 'memory'}.collect.lock"
        with open(path, "a+b") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def upgrade(self) -> None:
        """Bring the store to this version's schema with its Alembic migrations (`migrations/versions`); a store
        created before migrations existed (tables, no `alembic_version`) is stamped as revision 0001 first.
        Concurrent upgrades of one PostgreSQL store wait for each other (advisory lock)."""
        from alembic import command

        cfg = _alembic_config()
        logging.getLogger("alembic").setLevel(logging.WARNING)
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": COLLECT_LOCK_KEY + 1})
            cfg.attributes["connection"] = conn
            tables = inspect(conn)
            if tables.has_table("awsinv_snapshots") and not tables.has_table("alembic_version"):
                command.stamp(cfg, "0001")
            if self._revision(conn) in (None, *_known_revisions()):  # a newer store is refused by check_version
                command.upgrade(cfg, "head")
            stmt = self._insert(schema.meta).values(name="schema_version", value=str(schema.SCHEMA_VERSION))
            conn.execute(stmt.on_conflict_do_nothing())

    @staticmethod
    def _revision(conn: Connection) -> str | None:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def check_version(self) -> None:
        with self.engine.connect() as conn:
            row = conn.execute(select(schema.meta.c.value).where(schema.meta.c.name == "schema_version")).first()
            revision = self._revision(conn)
        found = int(row[0]) if row else 0
        if found > schema.SCHEMA_VERSION or (revision is not None and revision not in _known_revisions()):
            raise StoreError(
                f"the history store has schema version {found} (revision {revision}), newer than this server's "
                f"{schema.SCHEMA_VERSION}: upgrade awsinv-mcp (or point AWSINV_STORE at another store)"
            )

    def wait_for_snapshot(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for a snapshot stored by any process: True when one was (PostgreSQL
        LISTEN/NOTIFY, on a connection of its own kept for the next wait); on SQLite just waits (callers poll)."""
        if self.engine.dialect.name != "postgresql":
            time.sleep(timeout)
            return False
        with self._listen_lock:
            if self._listener is None:
                import psycopg

                url = self.engine.url.set(drivername="postgresql")
                listener = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
                listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
                self._listener = listener
            try:
                return any(True for _ in self._listener.notifies(timeout=timeout, stop_after=1))
            except Exception:
                self._listener.close()
                self._listener = None
                raise

    def close(self) -> None:
        with self._listen_lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
        self.engine.dispose()

    # writing

    def save(self, snapshot: Snapshot, findings: Iterable[Finding] = ()) -> StoredSnapshot:
        """Store `snapshot` and its `findings` in one transaction (a snapshot already stored is left as it is)."""
        encoded = [encode(kind, r) for kind in KINDS for r in kind.records(snapshot)]
        records = len(encoded)
        found = {e.key: e for e in map(encode_finding, findings)}  # one per (resource, rule)
        encoded.extend(found.values())
        status = snapshot_status(snapshot, Counter(f.key.rsplit("|", 1)[1] for f in found.values()))
        stored = StoredSnapshot(
            id=snapshot.id,
            source=snapshot.source,
            collected_at=_utc(snapshot.collected_at),
            records=records,
            status=status,
        )
        sp, sn = schema.spans, schema.snapshots
        with self.engine.begin() as conn:
            _writer(conn)
            if conn.execute(select(sn.c.id).where(sn.c.id == stored.id)).first():
                return stored
            seq = (conn.execute(select(func.max(sn.c.seq))).scalar() or 0) + 1
            prev_seq = conn.execute(select(func.max(sn.c.seq)).where(sn.c.source == stored.source)).scalar()
            conn.execute(
                sn.insert().values(
                    id=stored.id,
                    source=stored.source,
                    seq=seq,
                    collected_at=stored.collected_at,
                    records=stored.records,
                    status=json.dumps(status, sort_keys=True),
                )
            )
            open_spans = {
                (k, key): (h, first)
                for k, key, h, first in conn.execute(
                    select(sp.c.kind, sp.c.key, sp.c.hash, sp.c.first_seq).where(
                        sp.c.source == stored.source, sp.c.last_seq.is_(None)
                    )
                )
            }
            now = {(e.kind, e.key): e for e in encoded}
            ended = [
                {"b_s": stored.source, "b_k": k, "b_key": key, "b_f": first, "b_last": prev_seq}
                for (k, key), (h, first) in open_spans.items()
                if (k, key) not in now or now[k, key].hash != h
            ]
            if ended:
                conn.execute(
                    update(sp)
                    .where(
                        sp.c.source == bindparam("b_s"),
                        sp.c.kind == bindparam("b_k"),
                        sp.c.key == bindparam("b_key"),
                        sp.c.first_seq == bindparam("b_f"),
                    )
                    .values(last_seq=bindparam("b_last")),
                    ended,
                )
            fresh = [e for ident, e in now.items() if ident not in open_spans or open_spans[ident][0] != e.hash]
            versions = {e.hash: {"hash": e.hash, "kind": e.kind, "body": e.body} for e in fresh}
            for chunk in _chunks(list(versions.values())):
                conn.execute(self._insert(schema.record_versions).values(chunk).on_conflict_do_nothing())
            rows = [
                {
                    "source": stored.source,
                    "kind": e.kind,
                    "key": e.key,
                    "first_seq": seq,
                    "last_seq": None,
                    "hash": e.hash,
                }
                for e in fresh
            ]
            for chunk in _chunks(rows):
                conn.execute(sp.insert(), chunk)
            if self.engine.dialect.name == "postgresql":  # delivered at commit to every replica listening
                conn.execute(text("SELECT pg_notify(:c, :id)"), {"c": NOTIFY_CHANNEL, "id": stored.id})
        return stored

    def prune(self, policy: Retention) -> int:
        """Delete the snapshots `policy` does not keep, with the memberships and record versions that only they
        held (a version a kept snapshot still references stays); one transaction. Returns snapshots deleted."""
        sp, sn, v = schema.spans, schema.snapshots, schema.record_versions
        with self.engine.begin() as conn:
            _writer(conn)
            snaps = [
                (i, src, seq, _utc(t))
                for i, src, seq, t in conn.execute(select(sn.c.id, sn.c.source, sn.c.seq, sn.c.collected_at))
            ]
            keep = retained(
                [StoredSnapshot(id=i, source=src, collected_at=t, records=0, status={}) for i, src, _, t in snaps],
                policy,
            )
            gone = [i for i, _, _, _ in snaps if i not in keep]
            if not gone:
                return 0
            for chunk in _chunks(gone):
                conn.execute(sn.delete().where(sn.c.id.in_(chunk)))
            kept: dict[str, list[int]] = {}
            for i, src, seq, _ in sorted(snaps, key=lambda r: r[2]):
                if i in keep:
                    kept.setdefault(src, []).append(seq)
            dead = []
            closed = select(sp.c.source, sp.c.kind, sp.c.key, sp.c.first_seq, sp.c.last_seq, sp.c.hash).where(
                sp.c.last_seq.is_not(None)
            )
            for src, kind, key, first, last, h in conn.execute(closed):
                seqs = kept.get(src, [])
                at = bisect_left(seqs, first)
                if at == len(seqs) or seqs[at] > last:  # no kept snapshot of the source holds this span
                    dead.append({"b_s": src, "b_k": kind, "b_key": key, "b_f": first, "b_h": h})
            if dead:
                conn.execute(
                    sp.delete().where(
                        sp.c.source == bindparam("b_s"),
                        sp.c.kind == bindparam("b_k"),
                        sp.c.key == bindparam("b_key"),
                        sp.c.first_seq == bindparam("b_f"),
                    ),
                    dead,
                )
            orphans = sorted({d["b_h"] for d in dead})
            for chunk in _chunks(orphans):
                used = {h for (h,) in conn.execute(select(sp.c.hash).where(sp.c.hash.in_(chunk)).distinct())}
                unused = [h for h in chunk if h not in used]
                if unused:
                    conn.execute(v.delete().where(v.c.hash.in_(unused)))
        return len(gone)

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

    def latest(self, source: str) -> StoredSnapshot | None:
        """The newest stored snapshot of `source` (one indexed row: cheap enough to poll)."""
        s = schema.snapshots
        with self.engine.connect() as conn:
            r = conn.execute(
                select(s).where(s.c.source == source).order_by(s.c.collected_at.desc(), s.c.id.desc()).limit(1)
            ).first()
        if r is None:
            return None
        return StoredSnapshot(
            id=r.id, source=r.source, collected_at=_utc(r.collected_at), records=r.records, status=json.loads(r.status)
        )

    def load(self, stored: StoredSnapshot) -> Snapshot:
        """The whole snapshot `stored`, rebuilt from its record versions (what a replica answers from): one
        query joining its membership to the bodies, records in canonical order (`store.canonical_order`)."""
        sp, sn, v = schema.spans, schema.snapshots, schema.record_versions
        fields: dict[str, list[tuple[str, Any]]] = {k.field: [] for k in KINDS}
        with self.engine.connect() as conn:
            seq = conn.execute(select(sn.c.seq).where(sn.c.id == stored.id)).scalar_one()
            rows = conn.execute(
                select(sp.c.kind, sp.c.key, v.c.body)
                .join(v, v.c.hash == sp.c.hash)
                .where(
                    sp.c.source == stored.source,
                    sp.c.kind != FINDING,
                    sp.c.first_seq <= seq,
                    or_(sp.c.last_seq.is_(None), sp.c.last_seq >= seq),
                )
            )
            for kind, key, body in rows:
                k = kinds_by_name.get(kind)
                if k is not None:
                    fields[k.field].append((key, revive(k.record, json.loads(body))))
        st = stored.status
        return Snapshot(
            source=stored.source,  # type: ignore[arg-type]
            collected_at=stored.collected_at,
            accounts=tuple(revive(Account, a) for a in st.get("accounts", ())),
            regions=tuple(st.get("regions", ())),
            warnings=tuple(revive(Warning, w) for w in st.get("warnings", ())),
            gaps=tuple(revive(Gap, g) for g in st.get("gaps", ())),
            lifecycle_overrides=tuple(revive(LifecycleOverride, o) for o in st.get("lifecycle_overrides", ())),
            **{name: tuple(r for _, r in sorted(records, key=lambda kr: kr[0])) for name, records in fields.items()},
        )

    def members(self, snapshot_id: str, kind: str | None = None) -> dict[tuple[str, str], str]:
        """(kind, key) -> record hash of every record `snapshot_id` holds (of `kind` only, when given)."""
        sp, sn = schema.spans, schema.snapshots
        with self.engine.connect() as conn:
            row = conn.execute(select(sn.c.seq, sn.c.source).where(sn.c.id == snapshot_id)).first()
            if row is None:
                return {}
            seq, source = row
            query = select(sp.c.kind, sp.c.key, sp.c.hash).where(
                sp.c.source == source, sp.c.first_seq <= seq, or_(sp.c.last_seq.is_(None), sp.c.last_seq >= seq)
            )
            if kind is not None:
                query = query.where(sp.c.kind == kind)
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
        sp, sn = schema.spans, schema.snapshots
        query = (
            select(sn.c.id, sn.c.collected_at, sp.c.kind, sp.c.key, sp.c.hash)
            .join(
                sn,
                (sn.c.source == sp.c.source)
                & (sn.c.seq >= sp.c.first_seq)
                & or_(sp.c.last_seq.is_(None), sn.c.seq <= sp.c.last_seq),
            )
            .where(sp.c.key >= identifier + "/", sp.c.key < identifier + "0")
            .order_by(sn.c.collected_at, sp.c.kind, sp.c.key)
        )
        if kind is not None:
            query = query.where(sp.c.kind == kind)
        with self.engine.connect() as conn:
            return [(i, _utc(t), k, key, h) for i, t, k, key, h in conn.execute(query)]

    def version_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(schema.record_versions)).scalar_one()


def _alembic_config() -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "awsinv_mcp.inventory.history:migrations")
    return cfg


@functools.cache
def _known_revisions() -> frozenset[str]:
    """The revisions this version's migrations know (a store at another one is newer than this server)."""
    from alembic.script import ScriptDirectory

    return frozenset(r.revision for r in ScriptDirectory.from_config(_alembic_config()).walk_revisions())


def _writer(conn: Connection) -> None:
    """Serialise writers of the store (save, prune) across processes: every write transaction first locks the
    schema-version row (a row lock on PostgreSQL, the database write lock on SQLite)."""
    conn.execute(update(schema.meta).where(schema.meta.c.name == "schema_version").values(value=schema.meta.c.value))


def snapshot_status(snapshot: Snapshot, severities: Counter[str]) -> dict[str, Any]:
    """What a stored snapshot keeps about itself besides its records: warnings, gaps, accounts, regions, record
    counts per kind and findings per severity (what list_snapshots shows without reading the records)."""
    return {
        "warnings": plain(snapshot.warnings),
        "gaps": plain(snapshot.gaps),
        "accounts": plain(snapshot.accounts),
        "regions": list(snapshot.regions),
        "counts": {kind.name: len(kind.records(snapshot)) for kind in KINDS},
        "findings": dict(severities),
        "lifecycle_overrides": plain(snapshot.lifecycle_overrides),
        **{k: plain(v) for k, v in _extra_status(snapshot).items()},
    }


def _extra_status(snapshot: Snapshot) -> dict[str, Any]:
    """Status fields a Snapshot may carry beyond warnings and gaps (e.g. `stale`), persisted generically."""
    return {name: getattr(snapshot, name) for name in ("stale",) if hasattr(snapshot, name)}


def _chunks(rows: list[Any]) -> Iterator[list[Any]]:
    for i in range(0, len(rows), _CHUNK):
        yield rows[i : i + _CHUNK]
