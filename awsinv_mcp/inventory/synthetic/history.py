"""The synthetic source's history: `days` daily snapshots ending with today's demo estate, without a store.

`plan_churn` (pure, seeded) picks what changed on which day, working back from the latest estate: databases
created and deleted, engines upgraded, classes resized, a database made public and fixed days later, backups
shortened, tags changed, snapshots made public. `SyntheticHistory` serves those snapshots through the history
reader (`inventory/history/reader.py`): the latest is the estate the server answers from (so today's demo answers
are unchanged), an earlier one is the latest with every later change undone. Unchanged records are the very
objects of the latest estate, so memberships use object identity as the version token and nothing is encoded
until a tool asks for a body; findings of a snapshot are computed (once) only when asked for.
"""

from __future__ import annotations

import dataclasses
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from awsinv_mcp import instance_classes
from awsinv_mcp.engine_versions import version_sort_key
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.history.codec import (
    decode,
    encode_finding,
    finding_key,
    plain,
    record_key,
    split_finding_key,
)
from awsinv_mcp.inventory.history.reader import FINDING, Members, StoredSnapshot
from awsinv_mcp.inventory.kinds import ResourceKind
from awsinv_mcp.inventory.synthetic.catalogue import ENGINE_VERSIONS
from awsinv_mcp.inventory.synthetic.estate import midnight_utc
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.models.inventory import Snapshot

CONTEXT_KINDS = frozenset({"security_group", "subnet", "reserved_db_instance"})
"""Kinds kept whole when the findings of changed records are evaluated again: what rules judge them against
(exposure through security groups and subnets, reservations; the plan changes standalone DB instances and DB
snapshots only)."""
SNAPSHOT_HOUR = 6  # earlier synthetic snapshots are collected at 06:00 UTC of their day: stable ids all day


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Churn:
    """One change: from snapshot index `day` on, the resource (`kind`, `key`) is `after` instead of `before`
    (None: absent)."""

    day: int
    what: str
    kind: ResourceKind
    key: str
    before: Any | None
    after: Any | None


def _renamed(record: Any, identifier: str) -> Any:
    arn = record.arn.rsplit(":", 1)[0] + ":" + identifier if record.arn else record.arn
    return dataclasses.replace(record, identifier=identifier, arn=arn)


def _older_version(engine: str, version: str) -> str | None:
    known = sorted({v for v, _ in ENGINE_VERSIONS.get(engine, ())}, key=version_sort_key)
    older = [v for v in known if version_sort_key(v) < version_sort_key(version)]
    return older[-1] if older else None


def plan_churn(latest: Snapshot, seed: int, days: int) -> list[Churn]:
    """The changes of a `days`-snapshot history ending with `latest`, each on a snapshot index 1..days-1 (none
    when `days` < 2). Same `latest` records and seed, same plan."""
    if days < 2:
        return []
    rng = random.Random(f"awsinv-history:{seed}")
    when = lambda: rng.randint(1, days - 1)  # noqa: E731
    db = kinds.DB_INSTANCE
    standalone = [i for i in latest.db_instances if i.cluster is None and i.status == "available"]
    pool = rng.sample(standalone, len(standalone))
    taken: set[str] = set()

    def pick(ok: Callable[[Any], bool] = lambda _: True) -> Any | None:
        for record in pool:
            if record.identifier not in taken and ok(record):
                taken.add(record.identifier)
                return record
        return None

    plan: list[Churn] = []

    def change(what: str, record: Any, before: Any | None, day: int | None = None, kind: ResourceKind = db) -> None:
        plan.append(
            Churn(day=day or when(), what=what, kind=kind, key=record_key(kind, record), before=before, after=record)
        )

    # the newest databases were created during the window
    for record in sorted(standalone, key=lambda r: (r.created_at is None, r.created_at), reverse=True)[:2]:
        taken.add(record.identifier)
        change("created", record, None)
    for n in range(2):
        if (template := pick()) is not None:
            gone = _renamed(template, f"{template.identifier[:50]}-legacy{n + 1}")
            plan.append(Churn(day=when(), what="deleted", kind=db, key=record_key(db, gone), before=gone, after=None))
    for _ in range(2):
        if (r := pick(lambda r: _older_version(r.engine, r.engine_version) is not None)) is not None:
            older = _older_version(r.engine, r.engine_version)
            change("engine upgraded", r, dataclasses.replace(r, engine_version=older))
    for _ in range(2):
        if (r := pick(lambda r: instance_classes.size_down(r.instance_class) is not None)) is not None:
            smaller = instance_classes.size_down(r.instance_class)
            change("class resized", r, dataclasses.replace(r, instance_class=smaller))
    if (r := pick(lambda r: not r.publicly_accessible)) is not None and days >= 3:
        opened = rng.randint(1, days - 2)
        fixed = rng.randint(opened + 1, days - 1)
        public = dataclasses.replace(r, publicly_accessible=True)
        key = record_key(db, r)
        plan.append(Churn(day=opened, what="made public", kind=db, key=key, before=r, after=public))
        plan.append(Churn(day=fixed, what="public access fixed", kind=db, key=key, before=public, after=r))
    for _ in range(2):
        if (r := pick(lambda r: r.backup_retention_days >= 1)) is not None:
            longer = max(r.backup_retention_days * 2, r.backup_retention_days + 7)
            change("backups shortened", r, dataclasses.replace(r, backup_retention_days=min(longer, 35)))
    for _ in range(2):
        if (r := pick(lambda r: "Owner" in r.tags)) is not None:
            change("tags changed", r, dataclasses.replace(r, tags={**r.tags, "Owner": "former-owner"}))
    for s in [s for s in latest.db_snapshots if s.public][:2]:
        change("snapshot made public", s, dataclasses.replace(s, public=False), kind=kinds.DB_SNAPSHOT)
    return sorted(plan, key=lambda c: (c.day, c.kind.name, c.key))


class SyntheticHistory:
    """The `days` snapshots of the synthetic history ending with `latest` (see the module docstring).

    `findings_of(snapshot, as_of)` runs the analysis catalogue over one snapshot (the server passes its own)."""

    def __init__(
        self,
        latest: Snapshot,
        *,
        seed: int,
        days: int,
        findings_of: Callable[[Snapshot, date], Iterable[Finding]],
    ) -> None:
        self.latest = latest
        self.days = max(1, days)
        self.plan = plan_churn(latest, seed, self.days)
        self._findings_of = findings_of
        base = midnight_utc(latest.collected_at)
        times = [base - timedelta(days=self.days - 1 - i) + timedelta(hours=SNAPSHOT_HOUR) for i in range(self.days)]
        times[-1] = latest.collected_at
        self._snapshots = [
            latest if i == self.days - 1 else dataclasses.replace(latest, collected_at=t, warnings=())
            for i, t in enumerate(times)
        ]
        self._index = {s.id: i for i, s in enumerate(self._snapshots)}
        self._lock = threading.Lock()
        self._built: dict[int, Snapshot] = {self.days - 1: latest}
        self._findings: dict[int, dict[str, tuple[str, Finding]]] = {}  # run end -> finding key -> (token, it)
        self._base: dict[str, dict[str, Any]] | None = None  # kind -> key -> latest record

    # the records of snapshot i

    def _latest_records(self) -> dict[str, dict[str, Any]]:
        if self._base is None:
            self._base = {k.name: {record_key(k, r): r for r in k.records(self.latest)} for k in kinds.KINDS}
        return self._base

    def _overrides(self, i: int) -> dict[tuple[str, str], Any | None]:
        """(kind, key) -> the record snapshot `i` holds instead of the latest one's (None: absent)."""
        out: dict[tuple[str, str], Any | None] = {}
        for c in reversed(self.plan):  # newest change first: the earliest change after `i` decides
            if c.day > i:
                out[c.kind.name, c.key] = c.before
        return out

    def snapshot(self, i: int) -> Snapshot:
        """Snapshot `i` (0 = oldest) as a whole, for the analysis."""
        with self._lock:
            built = self._built.get(i)
        if built is not None:
            return built
        overrides = self._overrides(i)
        touched = {kind for kind, _ in overrides}
        fields: dict[str, tuple[Any, ...]] = {}
        for kind in kinds.KINDS:
            if kind.name not in touched:
                continue
            records = {**self._latest_records()[kind.name]}
            for (k, key), record in overrides.items():
                if k != kind.name:
                    continue
                if record is None:
                    records.pop(key, None)
                else:
                    records[key] = record
            fields[kind.field] = tuple(records.values())
        built = dataclasses.replace(self._snapshots[i], **fields)
        with self._lock:
            self._built[i] = built
        return built

    def _run_end(self, i: int) -> int:
        """The last snapshot holding the same records as `i` (no change until then): one analysis per run."""
        days = {c.day for c in self.plan}
        while i + 1 < self.days and i + 1 not in days:
            i += 1
        return i

    def _finding_members(self, i: int) -> dict[str, tuple[str, Finding]]:
        """finding key -> (token, finding) of snapshot `i`, computed once per run of identical snapshots.

        The latest snapshot's are the analysis' own. An earlier run's are the latest's, except on the resources
        changed since: those are evaluated again, in that snapshot reduced to the changed records and what they
        are judged against (`CONTEXT_KINDS`), as of the run's last day. So a run costs an analysis of a few
        records, not of the estate (rules looking across records of one kind see only the changed ones: a
        reservation matched among the changed DB instances only can differ, and date-driven findings of unchanged
        resources stay today's, so the history's findings change only with its resources)."""
        end = self._run_end(i)
        with self._lock:
            found = self._findings.get(end)
        if found is not None:
            return found
        snap = self.snapshot(end)
        if end == self.days - 1:
            found = {finding_key(f): _member(f) for f in self._findings_of(snap, snap.collected_at.date())}
        else:
            latest = self._finding_members(self.days - 1)
            touched = {(k, key) for k, key in self._overrides(end)} | {
                (c.kind.name, c.key) for c in self.plan if c.day > end
            }
            partial = dataclasses.replace(
                snap,
                **{
                    k.field: tuple(r for r in k.records(snap) if (k.name, record_key(k, r)) in touched)
                    for k in kinds.KINDS
                    if k.name not in CONTEXT_KINDS
                },
            )
            places = {key for _, key in touched}  # a finding key starts with its resource's record key
            found = {
                key: m
                for key, m in latest.items()
                if key.split("|", 1)[0] not in places or _resource(key) not in touched
            }
            for f in self._findings_of(partial, snap.collected_at.date()):
                key = finding_key(f)
                if _resource(key) in touched:
                    found[key] = _member(f)
        with self._lock:
            self._findings[end] = found
        return found

    # the reader (`inventory/history/reader.History`)

    def snapshots(self) -> list[StoredSnapshot]:
        return [
            StoredSnapshot(
                id=s.id,
                source=s.source,
                collected_at=s.collected_at,
                records=sum(len(k.records(self.snapshot(i))) for k in kinds.KINDS),
                status=self._status(i),
            )
            for i, s in enumerate(self._snapshots)
        ]

    def _status(self, i: int) -> dict[str, Any]:
        snap = self.snapshot(i)
        return {
            "warnings": plain(snap.warnings),
            "counts": {k.name: len(k.records(snap)) for k in kinds.KINDS},
            "findings": dict(Counter(key.rsplit("|", 1)[1] for key in self._finding_members(i))),
        }

    def members(self, snapshot_id: str, kind: str | None = None) -> Members:
        i = self._index.get(snapshot_id)
        if i is None:
            return {}
        out: Members = {}
        if kind in (None, FINDING):
            out.update({(FINDING, key): token for key, (token, _) in self._finding_members(i).items()})
        if kind == FINDING:
            return out
        overrides = self._overrides(i)
        for name, records in self._latest_records().items():
            if kind is None or kind == name:
                out.update({(name, key): _token(r) for key, r in records.items()})
        for (name, key), record in overrides.items():
            if kind is None or kind == name:
                if record is None:
                    out.pop((name, key), None)
                else:
                    out[name, key] = _token(record)
        return out

    def bodies(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = set(hashes)
        out: dict[str, dict[str, Any]] = {}
        for record in self._all_records():
            token = _token(record)
            if token in wanted:
                out[token] = plain(record)
        with self._lock:
            computed = list(self._findings.values())
        for found in computed:
            for token, finding in found.values():
                if token in wanted:
                    out[token] = decode(encode_finding(finding).body)
        return out

    def _all_records(self) -> Iterable[Any]:
        for records in self._latest_records().values():
            yield from records.values()
        for c in self.plan:
            yield from (r for r in (c.before, c.after) if r is not None)

    def versions_of(self, identifier: str, kind: str | None = None) -> list[tuple[str, datetime, str, str, str]]:
        named = lambda key: key.split("/", 1)[0] == identifier  # noqa: E731
        candidates = {
            (name, key)
            for name, records in self._latest_records().items()
            if kind in (None, name)
            for key in records
            if named(key)
        } | {(c.kind.name, c.key) for c in self.plan if kind in (None, c.kind.name) and named(c.key)}
        out = []
        for i, s in enumerate(self._snapshots):
            overrides = self._overrides(i)
            held = []
            for name, key in candidates:
                record = overrides[name, key] if (name, key) in overrides else self._latest_records()[name].get(key)
                if record is not None:
                    held.append((name, key, _token(record)))
            if candidates:
                found = self._finding_members(i)
                held.extend((FINDING, key, token) for key, (token, _) in found.items() if named(key))
            out.extend((s.id, s.collected_at, k, key, token) for k, key, token in sorted(held))
        return out


def _member(f: Finding) -> tuple[str, Finding]:
    """A finding's version token (what identifies it, and whom it concerns) and the finding."""
    return f"{finding_key(f)}|{f.environment}|{f.team}", f


def _resource(key: str) -> tuple[str, str]:
    """(kind, record key) of the resource a finding key is about."""
    resource_id, account, region, resource_type, _, _ = split_finding_key(key)
    kind = next((k.name for k in kinds.KINDS if resource_type in k.resource_types), resource_type)
    return kind, f"{resource_id}/{account}/{region}"


def _token(record: Any) -> str:
    """A record's version token: the synthetic history shares unchanged records between snapshots, so the
    object's identity is its version (every churned record is a distinct object with distinct content)."""
    return f"obj{id(record):x}"
