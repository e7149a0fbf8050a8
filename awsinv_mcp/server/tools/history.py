"""History tools: the kept snapshots and what changed between two of them.

The snapshots come from the history store (`AWSINV_STORE`) or, in demo mode without a store, from the synthetic
source's own history (`inventory/synthetic/history.py`); both are read through `inventory/history/reader.py`.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import Field

from awsinv_mcp.errors import NotFoundError, UserError
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.diff import field_changes
from awsinv_mcp.inventory.history.changes import SnapshotDiff, change_filters, changes_between
from awsinv_mcp.inventory.history.codec import split_finding_key, split_key
from awsinv_mcp.inventory.history.reader import FINDING, History, StoredSnapshot
from awsinv_mcp.models import history as H
from awsinv_mcp.models.answers import WarningOut
from awsinv_mcp.models.findings import SEVERITY_ORDER
from awsinv_mcp.paging import fingerprint, paginate
from awsinv_mcp.server.args import Account, Cursor, Engine, Environment, Region, Team
from awsinv_mcp.server.context import app

HistoryLimit = Annotated[int, Field(ge=1, le=500)]
Since = Annotated[str, Field(max_length=100, description="snapshot_id, ISO date/time, or duration (24h, 7d)")]
Until = Annotated[str | None, Field(max_length=100, description="same forms; default latest")]
ResourceType = Annotated[str | None, Field(max_length=40, description="e.g. db_instance, s3_bucket")]
ChangeKind = Annotated[
    str | None, Field(max_length=40, description="added, removed, modified; findings: opened, resolved")
]
View = Literal["resources", "findings"]
RESOURCE_CHANGES = ("added", "removed", "modified")
FINDING_CHANGES = ("opened", "resolved")


def _reader() -> tuple[History, list[StoredSnapshot], list[WarningOut]]:
    reader, warnings = app().history_reader()
    return reader, reader.snapshots(), warnings


def _kind_of(resource_type: str | None) -> str | None:
    if resource_type is None:
        return None
    if resource_type not in kinds.BY_NAME:
        raise UserError(f"unknown resource_type {resource_type[:40]!r}; use one of {', '.join(kinds.BY_NAME)}")
    return resource_type


def list_snapshots(limit: HistoryLimit = 50, cursor: Cursor = None) -> H.SnapshotList:
    """Kept snapshots (AWSINV_STORE; demo: synthetic daily history), newest first."""
    _, snaps, warnings = _reader()
    newest = snaps[-1].id if snaps else ""
    page = paginate(list(reversed(snaps)), limit=limit, cursor=cursor, query=fingerprint("snapshots", newest))
    rows = [
        H.SnapshotRow(
            snapshot_id=s.id,
            collected_at=s.collected_at,
            source=s.source,  # type: ignore[arg-type]
            records=s.records,
            counts=s.status.get("counts", {}),
            findings=s.status.get("findings", {}),
            warning_count=len(s.status.get("warnings", ())),
        )
        for s in page.items
    ]
    return H.SnapshotList(
        items=rows, total=page.total, next_cursor=page.next_cursor, truncated=page.truncated, warnings=warnings
    )


def get_changes(
    since: Since = "7d",
    until: Until = None,
    view: View = "resources",
    resource_type: ResourceType = None,
    change: ChangeKind = None,
    account: Account = None,
    region: Region = None,
    environment: Environment = None,
    team: Team = None,
    engine: Engine = None,
    limit: HistoryLimit = 100,
    cursor: Cursor = None,
) -> H.Changes:
    """Changes between two snapshots: resources added/removed/modified ({field: [old, new]}) or findings
    opened/resolved (view=findings)."""
    kind = _kind_of(resource_type)
    allowed = FINDING_CHANGES if view == "findings" else RESOURCE_CHANGES
    changes = Q.choice_set(change, allowed, f"change for view={view}")
    from awsinv_mcp.inventory.history import timespec

    reader, snaps, warnings = _reader()
    if not snaps:
        raise UserError("the history store holds no snapshot yet; call refresh_inventory (or run awsinv-mcp collect)")
    now = datetime.now(UTC)
    until_snap = timespec.resolve(until, snaps, now) if until else snaps[-1]
    since_snap = timespec.resolve(since, snaps, now, source=until_snap.source)
    if since_snap.source != until_snap.source:
        raise UserError(
            f"snapshots {since_snap.id} and {until_snap.id} come from different sources; compare snapshots of one"
        )
    if since_snap.collected_at > until_snap.collected_at:
        since_snap, until_snap = until_snap, since_snap
    f = change_filters(snaps, app().inventory.environments, account, region, environment, team, engine)
    diff = SnapshotDiff(reader, since_snap, until_snap)
    resources = changes_between(diff, False, f, kind)
    findings = changes_between(diff, True, f, kind)
    summary: dict[str, H.KindChanges] = {}
    for label, (k, _) in resources:
        counts = summary.setdefault(k, H.KindChanges())
        setattr(counts, label, getattr(counts, label) + 1)
    by_severity: dict[str, Counter[str]] = {"opened": Counter(), "resolved": Counter()}
    for label, (_, key) in findings:
        by_severity[label][split_finding_key(key)[5]] += 1
    listed = [c for c in (findings if view == "findings" else resources) if changes is None or c[0] in changes]
    asked = (view, kind, sorted(changes or ()), account, region, environment, team, engine)
    page = paginate(
        listed, limit=limit, cursor=cursor, query=fingerprint("changes", since_snap.id, until_snap.id, asked)
    )
    modified = [diff.before[ident] for c, ident in page.items if c == "modified"]
    bodies = diff.bodies([diff.token(c, ident) for c, ident in page.items] + modified)
    items: list[H.ResourceChange | H.FindingChange] = []
    for label, (k, key) in page.items:
        body = bodies[diff.token(label, (k, key))]
        if k == FINDING:
            resource_id, acct, reg, rtype, rule, severity = split_finding_key(key)
            items.append(
                H.FindingChange(
                    change=label,  # type: ignore[arg-type]
                    rule=rule,
                    severity=severity,
                    resource_type=rtype,
                    resource_id=resource_id,
                    account=acct,
                    region=reg,
                    environment=body.get("environment"),
                    team=body.get("team"),
                )
            )
            continue
        resource_id, acct, reg = split_key(key)
        fields = {}
        if label == "modified":
            old = bodies[diff.before[k, key]]
            fields = {c.field: [c.before, c.after] for c in field_changes(old, body)}
        items.append(
            H.ResourceChange(
                change=label,  # type: ignore[arg-type]
                resource_type=k,
                resource_id=resource_id,
                account=acct,
                region=reg,
                environment=body.get("environment"),
                team=body.get("team"),
                fields=fields,
            )
        )
    return H.Changes(
        source=until_snap.source,  # type: ignore[arg-type]
        view=view,
        from_snapshot=H.SnapshotRef(snapshot_id=since_snap.id, collected_at=since_snap.collected_at),
        to_snapshot=H.SnapshotRef(snapshot_id=until_snap.id, collected_at=until_snap.collected_at),
        summary=summary,
        findings_summary=H.FindingsChanges(opened=dict(by_severity["opened"]), resolved=dict(by_severity["resolved"])),
        items=items,
        total=page.total,
        next_cursor=page.next_cursor,
        truncated=page.truncated,
        warnings=warnings,
    )


def changes_since_previous(limit: int = 50) -> H.Changes:
    """get_changes from the snapshot before the latest (of the latest's source) to the latest: what the resource
    `inventory://changes` shows (no change at all while only one snapshot is kept)."""
    _, snaps, _ = _reader()
    if not snaps:
        raise UserError("no snapshot is kept yet; call refresh_inventory (or run awsinv-mcp collect)")
    same = [s for s in snaps if s.source == snaps[-1].source]
    return get_changes(since=same[-2].id if len(same) > 1 else same[-1].id, limit=limit)


def get_resource_history(
    resource: Annotated[str, Field(min_length=1, max_length=255, description="identifier (not an ARN)")],
    resource_type: ResourceType = None,
) -> H.ResourceHistory:
    """One resource over the kept snapshots: each change of its fields and findings."""
    kind_filter = _kind_of(resource_type)
    reader, snaps, warnings = _reader()
    rows = reader.versions_of(resource, kind_filter)
    found = sorted({(k, key) for _, _, k, key, _ in rows if k != FINDING})
    if not found:
        raise NotFoundError(f"no kept snapshot holds {resource[:80]!r}; list_snapshots shows what is kept")
    if len(found) > 1:
        names = ", ".join(f"{k} {split_key(key)[1]}/{split_key(key)[2]}" for k, key in found[:5])
        raise UserError(f"{resource[:80]!r} names {len(found)} resources ({names}); pass resource_type")
    kind, key = found[0]
    types = kinds.BY_NAME[kind].resource_types
    held = {i: h for i, _, k, row_key, h in rows if (k, row_key) == (kind, key)}
    opened_on: dict[str, set[tuple[str, str]]] = {}
    for i, _, k, row_key, _ in rows:
        if k == FINDING and row_key.startswith(key + "|"):
            _, _, _, rtype, rule, severity = split_finding_key(row_key)
            if rtype in types:
                opened_on.setdefault(i, set()).add((rule, severity))
    source = next(s.source for s in snaps if s.id in held)
    bodies = reader.bodies(held.values())
    versions: list[H.ResourceVersion] = []
    previous: str | None = None
    previous_findings: set[tuple[str, str]] = set()
    for snap in snaps:
        if snap.source != source:
            continue
        h = held.get(snap.id)
        if h is None and previous is None:
            continue
        now_findings = opened_on.get(snap.id, set())
        if h is None:
            label, fields = "removed", {}
        elif previous is None:
            label, fields = "added", {}
        elif h == previous:
            label, fields = "unchanged", {}
        else:
            label = "modified"
            fields = {f.field: [f.before, f.after] for f in field_changes(bodies[previous], bodies[h])}
        versions.append(
            H.ResourceVersion(
                snapshot_id=snap.id,
                collected_at=snap.collected_at,
                change=label,  # type: ignore[arg-type]
                fields=fields,
                findings_opened=_refs(now_findings - previous_findings),
                findings_resolved=_refs(previous_findings - now_findings),
            )
        )
        previous, previous_findings = h, now_findings
        if h is None:
            previous = None
    resource_id, account, region = split_key(key)
    return H.ResourceHistory(
        source=source,  # type: ignore[arg-type]
        resource_type=kind,
        resource_id=resource_id,
        account=account,
        region=region,
        versions=versions,
        warnings=warnings,
    )


def _refs(found: set[tuple[str, str]]) -> list[H.FindingRef]:
    return [
        H.FindingRef(rule=r, severity=s) for r, s in sorted(found, key=lambda x: (SEVERITY_ORDER.get(x[1], 9), x[0]))
    ]
