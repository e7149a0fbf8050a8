"""History tools: the stored snapshots and what changed between two of them (needs `AWSINV_STORE`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from awsinv_mcp.errors import NotFoundError, UserError
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.diff import changed_keys, field_changes
from awsinv_mcp.inventory.history.codec import split_key
from awsinv_mcp.models import history as H
from awsinv_mcp.server.context import app

if TYPE_CHECKING:  # sqlalchemy is imported on first use of a history tool: start-up stays light
    from awsinv_mcp.inventory.history.sql import HistoryStore, StoredSnapshot

HistoryLimit = Annotated[int, Field(ge=1, le=500)]
Since = Annotated[str, Field(max_length=100, description="snapshot_id, ISO date/time, or duration (24h, 7d)")]
Until = Annotated[str | None, Field(max_length=100, description="same forms; default latest")]
ResourceType = Annotated[str | None, Field(max_length=40, description="e.g. db_instance, s3_bucket")]


def _stored() -> tuple[HistoryStore, list[StoredSnapshot]]:
    store = app().history()
    return store, store.snapshots()


def list_snapshots(limit: HistoryLimit = 50) -> H.SnapshotList:
    """Snapshots kept in the history store (AWSINV_STORE), newest first."""
    _, snaps = _stored()
    rows = [
        H.SnapshotRow(
            snapshot_id=s.id,
            collected_at=s.collected_at,
            source=s.source,
            records=s.records,  # type: ignore[arg-type]
            warning_count=len(s.status.get("warnings", ())),
        )
        for s in reversed(snaps)
    ]
    return H.SnapshotList(items=rows[:limit], total=len(rows), truncated=len(rows) > limit)


def get_changes(
    since: Since = "7d", until: Until = None, resource_type: ResourceType = None, limit: HistoryLimit = 100
) -> H.Changes:
    """Resources added, removed and modified between two stored snapshots, with changed fields as
    {field: [old, new]}."""
    if resource_type is not None and resource_type not in kinds.BY_NAME:
        raise UserError(f"unknown resource_type {resource_type[:40]!r}; use one of {', '.join(kinds.BY_NAME)}")
    from awsinv_mcp.inventory.history import timespec

    store, snaps = _stored()
    if not snaps:
        raise UserError("the history store holds no snapshot yet; call refresh_inventory (or run awsinv-mcp collect)")
    now = datetime.now(UTC)
    newest = snaps[-1]
    until_snap = timespec.resolve(until, snaps, now) if until else newest
    since_snap = timespec.resolve(since, snaps, now)
    if since_snap.source != until_snap.source:
        raise UserError(
            f"snapshots {since_snap.id} and {until_snap.id} come from different sources; compare snapshots of one"
        )
    if since_snap.collected_at > until_snap.collected_at:
        since_snap, until_snap = until_snap, since_snap
    before = store.members(since_snap.id, resource_type)
    after = store.members(until_snap.id, resource_type)
    added, removed, changed = changed_keys(before, after)
    summary: dict[str, H.KindChanges] = {}
    for label, keys in (("added", added), ("removed", removed), ("modified", changed)):
        for kind, _ in keys:
            counts = summary.setdefault(kind, H.KindChanges())
            setattr(counts, label, getattr(counts, label) + 1)
    ordered = [("added", k) for k in added] + [("removed", k) for k in removed] + [("modified", k) for k in changed]
    page = ordered[:limit]
    modified = [k for c, k in page if c == "modified"]
    bodies = store.bodies([before[k] for k in modified] + [after[k] for k in modified])
    items = []
    for change, (kind, key) in page:
        resource_id, account, region = split_key(key)
        fields = {}
        if change == "modified":
            fields = {
                f.field: [f.before, f.after] for f in field_changes(bodies[before[kind, key]], bodies[after[kind, key]])
            }
        items.append(
            H.ResourceChange(
                change=change,
                resource_type=kind,
                resource_id=resource_id,
                account=account,
                region=region,  # type: ignore[arg-type]
                fields=fields,
            )
        )
    return H.Changes(
        source=until_snap.source,  # type: ignore[arg-type]
        from_snapshot=H.SnapshotRef(snapshot_id=since_snap.id, collected_at=since_snap.collected_at),
        to_snapshot=H.SnapshotRef(snapshot_id=until_snap.id, collected_at=until_snap.collected_at),
        summary=summary,
        items=items,
        total=len(ordered),
        truncated=len(ordered) > limit,
    )


def get_resource_history(
    resource: Annotated[str, Field(min_length=1, max_length=255, description="identifier (not an ARN)")],
    resource_type: ResourceType = None,
) -> H.ResourceHistory:
    """One resource over the stored snapshots: when it appeared, each change of its fields, when it went."""
    if resource_type is not None and resource_type not in kinds.BY_NAME:
        raise UserError(f"unknown resource_type {resource_type[:40]!r}; use one of {', '.join(kinds.BY_NAME)}")
    store, snaps = _stored()
    rows = store.versions_of(resource, resource_type)
    found = sorted({(k, key) for _, _, k, key, _ in rows})
    if not found:
        raise NotFoundError(f"no stored snapshot holds {resource[:80]!r}; list_snapshots shows what is kept")
    if len(found) > 1:
        names = ", ".join(f"{k} {split_key(key)[1]}/{split_key(key)[2]}" for k, key in found[:5])
        raise UserError(f"{resource[:80]!r} names {len(found)} resources ({names}); pass resource_type")
    kind, key = found[0]
    held = {i: h for i, _, _, _, h in rows}
    source = next(s.source for s in snaps if s.id in held)
    bodies = store.bodies(held.values())
    versions: list[H.ResourceVersion] = []
    previous: str | None = None
    for snap in snaps:
        if snap.source != source:
            continue
        h = held.get(snap.id)
        if h is None and previous is None:
            continue
        if h is None:
            change, fields = "removed", {}
        elif previous is None:
            change, fields = "added", {}
        elif h == previous:
            change, fields = "unchanged", {}
        else:
            change = "modified"
            fields = {f.field: [f.before, f.after] for f in field_changes(bodies[previous], bodies[h])}
        versions.append(
            H.ResourceVersion(snapshot_id=snap.id, collected_at=snap.collected_at, change=change, fields=fields)
        )
        previous = h
    resource_id, account, region = split_key(key)
    return H.ResourceHistory(
        resource_type=kind, resource_id=resource_id, account=account, region=region, versions=versions
    )
