"""`since` / `until` of the history tools: a snapshot id, an ISO date or time, or a duration back from now."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory.history.reader import StoredSnapshot

_DURATION = re.compile(r"^\s*(\d{1,6})\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
HELP = (
    "use a snapshot_id from list_snapshots, an ISO date or time (2026-11-20, 2026-11-20T08:00Z) or a duration (24h, 7d)"
)


def duration(spec: str) -> timedelta:
    """The duration `spec` names (`30s`, `15m`, `24h`, `7d`, `2w`); UserError otherwise."""
    m = _DURATION.match(spec)
    if not m:
        raise UserError(f"cannot read the duration {spec[:60]!r}: use e.g. 15m, 1h, 7d")
    return timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def moment(spec: str, now: datetime) -> datetime:
    """The time `spec` (duration or ISO date/time) names; UserError saying what to use otherwise."""
    if _DURATION.match(spec):
        return now - duration(spec)
    try:
        value = datetime.fromisoformat(spec.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"cannot read the time {spec[:60]!r}: {HELP}") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def resolve(spec: str, snapshots: Sequence[StoredSnapshot], now: datetime, source: str | None = None) -> StoredSnapshot:
    """The stored snapshot `spec` names: that id, or the newest collected at or before the time (the oldest kept
    one when the time is before every snapshot), of `source` only when given (a diff never mixes sources).
    `snapshots` oldest first, not empty (and holding one of `source`)."""
    for s in snapshots:
        if s.id == spec:
            return s
    at = moment(spec, now)
    if source is not None:
        snapshots = [s for s in snapshots if s.source == source]
    before = [s for s in snapshots if s.collected_at <= at]
    return before[-1] if before else snapshots[0]
