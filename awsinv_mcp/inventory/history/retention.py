"""Tiered retention of kept snapshots (`AWSINV_RETENTION`, default `hourly=24,daily=30,monthly=12`).

Pure: `retained` picks, per source, the newest snapshot of each of the latest N hours, days and months that hold
one (as backup tools' "keep hourly/daily/monthly" rotations do), and every snapshot of the source's latest hour
(`RECENT`: a collector running every 15 minutes can still compare its last collections).
`sql.HistoryStore.prune` deletes the rest, and only the memberships and record versions no kept snapshot needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory.history.reader import StoredSnapshot

DEFAULT = "hourly=24,daily=30,monthly=12"
RECENT = timedelta(hours=1)
_BUCKETS: dict[str, Callable[[datetime], tuple[int, ...]]] = {
    "hourly": lambda t: (t.year, t.month, t.day, t.hour),
    "daily": lambda t: (t.year, t.month, t.day),
    "monthly": lambda t: (t.year, t.month),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Retention:
    hourly: int = 24
    daily: int = 30
    monthly: int = 12

    @classmethod
    def parse(cls, text: str | None) -> Retention:
        """`hourly=24,daily=30,monthly=12` (any subset; a tier left out keeps 0); UserError saying the form."""
        if not text or not text.strip():
            return cls()
        counts = {}
        for part in text.split(","):
            name, _, value = part.partition("=")
            name = name.strip().lower()
            if name not in _BUCKETS or not value.strip().isdigit():
                raise UserError(f"AWSINV_RETENTION: cannot read {part.strip()[:40]!r}; use e.g. {DEFAULT}")
            counts[name] = int(value)
        return cls(**{name: counts.get(name, 0) for name in _BUCKETS})


def retained(snapshots: Sequence[StoredSnapshot], policy: Retention) -> set[str]:
    """Ids of the snapshots `policy` keeps (see the module docstring)."""
    keep: set[str] = set()
    for source in {s.source for s in snapshots}:
        newest_first = sorted((s for s in snapshots if s.source == source), key=lambda s: s.collected_at, reverse=True)
        keep.update(s.id for s in newest_first if newest_first[0].collected_at - s.collected_at < RECENT)
        for tier, bucket in _BUCKETS.items():
            limit, seen = getattr(policy, tier), set()
            for s in newest_first:
                if len(seen) >= limit:
                    break
                b = bucket(s.collected_at)
                if b not in seen:
                    seen.add(b)
                    keep.add(s.id)
    return keep
