"""`Estate`: one snapshot and the inventory facts derived from it.

The label values filters are checked against, the summary, and the filtered and sorted rows of list queries are
computed on first use and kept exactly as long as the snapshot: the store (`inventory/store.py`) replaces the
estate, and everything derived from it, when a new snapshot arrives. Nothing is cached in module globals.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.tags import UNTAGGED, Environments
from awsinv_mcp.memo import Memo
from awsinv_mcp.models.inventory import Snapshot

T = TypeVar("T")
LABELS = ("environment", "team", "application")
LIST_CACHE = 32  # filtered + sorted results kept, so later pages of a query are cheap


class Estate:
    """A snapshot with its vocabulary and derived facts (see the module docstring). Thread-safe."""

    def __init__(self, snapshot: Snapshot, environments: Environments | None = None) -> None:
        self.snapshot = snapshot
        self.environments = environments or Environments()
        self._memo = Memo()
        self._lists = Memo(maxsize=LIST_CACHE)

    @property
    def id(self) -> str:
        """The snapshot's identity: every cursor is bound to it."""
        return self.snapshot.id

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` once per estate."""
        return self._memo.get(key, compute)

    def listed(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A list query's filtered and sorted result, from the estate's small LRU of recent queries."""
        return self._lists.get(key, compute)

    def values(self, label: str) -> tuple[str, ...]:
        """Distinct raw values of a label (environment, team, application) over every tagged kind, sorted."""

        def compute() -> tuple[str, ...]:
            found: set[str] = set()
            for kind in kinds.TAGGED:
                found.update(v for r in kind.records(self.snapshot) if (v := getattr(r, label)))
            return tuple(sorted(found))

        return self.memo(("values", label), compute)

    def labels(self, label: str) -> tuple[str, ...]:
        """The values answers show and filters accept for `label`: canonical environments, teams and applications
        as tagged, and `untagged`."""

        def compute() -> tuple[str, ...]:
            raw = self.values(label)
            shown = {self.environments.label(v) for v in raw} if label == "environment" else set(raw)
            return (*sorted(shown), UNTAGGED)

        return self.memo(("labels", label), compute)
