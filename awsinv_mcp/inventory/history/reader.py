"""What the history tools read, whoever keeps the snapshots: the SQL store (`sql.HistoryStore`) or the synthetic
source's in-memory history (`inventory/synthetic/history.py`).

A snapshot's membership maps (kind, key) to an opaque version token (the SQL store's content hash); two snapshots
holding the same token for a key hold the same record. Findings are members too, of kind `FINDING`
(`codec.encode_finding`), so one diff of memberships yields resources added/removed/modified and findings
opened/resolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

FINDING = "finding"
"""The kind of a snapshot's findings in the history (never a resource kind of `inventory/kinds.py`)."""

Members = dict[tuple[str, str], str]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredSnapshot:
    id: str
    source: str
    collected_at: datetime
    records: int
    status: dict[str, Any]  # warnings, gaps, accounts, regions, counts (per kind), findings (per severity)


class History(Protocol):
    """Snapshots and their memberships, read-only."""

    def snapshots(self) -> list[StoredSnapshot]:
        """Every kept snapshot, oldest first."""
        ...

    def members(self, snapshot_id: str, kind: str | None = None) -> Members:
        """(kind, key) -> version token of everything `snapshot_id` holds (findings included; of `kind` only)."""
        ...

    def bodies(self, hashes: Iterable[str]) -> dict[str, dict[str, Any]]:
        """token -> decoded record (or finding) of the given versions."""
        ...

    def versions_of(self, identifier: str, kind: str | None = None) -> list[tuple[str, datetime, str, str, str]]:
        """(snapshot id, collected_at, kind, key, token) of every kept snapshot holding a resource named
        `identifier` or a finding on it, oldest first."""
        ...
