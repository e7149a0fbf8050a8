"""What changed between two kept snapshots, filtered: the query behind `get_changes` (server/tools/history.py).

Changes are (change, (kind, key)) pairs over the members of two snapshots of one reader (a store or the synthetic
history): resources added / removed / modified, findings opened / resolved; bodies are read only for the changes a
filter or a page needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.diff import changed_keys
from awsinv_mcp.inventory.history.codec import split_finding_key, split_key
from awsinv_mcp.inventory.history.reader import FINDING, History, Members, StoredSnapshot
from awsinv_mcp.inventory.tags import UNTAGGED
from awsinv_mcp.models.findings import SEVERITY_ORDER

if TYPE_CHECKING:
    from awsinv_mcp.inventory.tags import Environments


@dataclass(frozen=True, kw_only=True)
class ChangeFilters:
    """The get_changes filters as predicates over decoded bodies (records or findings)."""

    account: frozenset[str] | None
    region: frozenset[str] | None
    environment: Callable[[str | None], bool] | None
    team: Callable[[str | None], bool] | None
    engines: frozenset[str] | None

    @property
    def needs_body(self) -> bool:
        return self.environment is not None or self.team is not None

    def place(self, account: str, region: str) -> bool:
        return (self.account is None or account in self.account) and (self.region is None or region in self.region)

    def labels(self, body: dict[str, Any]) -> bool:
        return (self.environment is None or self.environment(body.get("environment"))) and (
            self.team is None or self.team(body.get("team"))
        )


def change_filters(
    snaps: list[StoredSnapshot], environments: Environments, account: str | None, region: str | None,
    environment: str | None, team: str | None, engine: str | None,
) -> ChangeFilters:  # fmt: skip
    aliases = {
        str(a.get("alias", "")).lower(): a["id"]
        for s in snaps[-1:]
        for a in s.status.get("accounts", ())
        if isinstance(a, dict) and a.get("alias")
    }
    accounts = frozenset(aliases.get(w, w) for w in Q.words(account)) or None
    envs = {environments.canonical(w) if w != UNTAGGED else UNTAGGED for w in Q.words(environment)}
    teams = set(Q.words(team))
    return ChangeFilters(
        account=accounts,
        region=frozenset(Q.words(region)) or None,
        environment=(lambda v: (environments.canonical(v) if v else UNTAGGED) in envs) if envs else None,
        team=(lambda v: (v.lower() if v else UNTAGGED) in teams) if teams else None,
        engines=Q.engine_set(engine),
    )


def resource_kind(resource_type: str) -> str:
    """The kind holding the resources of findings of `resource_type` (db_cluster_snapshot -> db_snapshot)."""
    return next((k.name for k in kinds.KINDS if resource_type in k.resource_types), resource_type)


class SnapshotDiff:
    """The changes between two snapshots of one reader, filtered (see get_changes)."""

    def __init__(self, reader: History, since: StoredSnapshot, until: StoredSnapshot) -> None:
        self.reader, self.since, self.until = reader, since, until
        self.before = reader.members(since.id)
        self.after = reader.members(until.id)
        self._bodies: dict[str, dict[str, Any]] = {}

    def bodies(self, tokens: Iterable[str]) -> dict[str, dict[str, Any]]:
        missing = [t for t in tokens if t not in self._bodies]
        if missing:
            self._bodies.update(self.reader.bodies(missing))
        return self._bodies

    def split(self, finding: bool) -> tuple[Members, Members]:
        pick = (lambda k: k == FINDING) if finding else (lambda k: k != FINDING)
        return (
            {k: h for k, h in self.before.items() if pick(k[0])},
            {k: h for k, h in self.after.items() if pick(k[0])},
        )

    def token(self, change: str, ident: tuple[str, str]) -> str:
        """The version that describes a change: the old one of what went, the new one otherwise."""
        return self.before[ident] if change in ("removed", "resolved") else self.after[ident]

    def engine_of(self, change: str, ident: tuple[str, str]) -> str | None:
        """The engine of the resource a change concerns (a finding's resource, read in the snapshot holding it)."""
        if ident[0] != FINDING:
            return self.bodies([self.token(change, ident)])[self.token(change, ident)].get("engine")
        resource_id, account, region, resource_type, _, _ = split_finding_key(ident[1])
        members = self.before if change == "resolved" else self.after
        token = members.get((resource_kind(resource_type), f"{resource_id}/{account}/{region}"))
        return self.bodies([token])[token].get("engine") if token else None


def changes_between(
    diff: SnapshotDiff, finding: bool, f: ChangeFilters, resource_type: str | None
) -> list[tuple[str, tuple[str, str]]]:
    """(change, (kind, key)) of every change of one view passing the filters, in answer order."""
    before, after = diff.split(finding)
    added, removed, changed = changed_keys(before, after)
    if finding:
        ordered = [("opened", k) for k in added] + [("resolved", k) for k in removed]
        place = lambda key: split_finding_key(key)[1:3]  # noqa: E731
        typed = lambda key: resource_type is None or resource_kind(split_finding_key(key)[3]) == resource_type  # noqa: E731
        ordered.sort(key=lambda c: (c[0], SEVERITY_ORDER.get(split_finding_key(c[1][1])[5], 9), c[1][1]))
    else:
        ordered = [("added", k) for k in added] + [("removed", k) for k in removed] + [("modified", k) for k in changed]
        place = lambda key: split_key(key)[1:3]  # noqa: E731
        typed = lambda key: True  # noqa: E731
    out = [(c, ident) for c, ident in ordered if (finding or resource_type in (None, ident[0])) and typed(ident[1])]
    out = [(c, ident) for c, ident in out if f.place(*place(ident[1]))]
    if f.needs_body:
        bodies = diff.bodies([diff.token(c, ident) for c, ident in out])
        out = [(c, ident) for c, ident in out if f.labels(bodies[diff.token(c, ident)])]
    if f.engines is not None:
        out = [(c, ident) for c, ident in out if diff.engine_of(c, ident) in f.engines]
    return out
