"""Distribution of the fleet's engines, versions, instance classes and storage, grouped by one dimension."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from awsinv_mcp.inventory.tags import UNTAGGED
from awsinv_mcp.models.inventory import DBCluster, DBInstance

GroupBy = Literal["engine", "version", "region", "account", "environment", "team", "application"]
GROUP_BY: tuple[str, ...] = ("engine", "version", "region", "account", "environment", "team", "application")
TOP = 3  # per group: engines, versions, classes shown (the rest summed as 'other')
TOTALS_TOP = 8  # for the whole fleet


def group_key(group_by: str, label: Callable[[str | None], str] | None = None) -> Callable[[Any], str]:
    """The group value of a DB instance or cluster (`label` turns the raw value into the shown one; missing
    labels are 'untagged')."""
    if group_by == "version":
        return lambda r: f"{r.engine} {r.engine_version}"
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {', '.join(GROUP_BY)}")
    if label is not None:
        return lambda r: label(getattr(r, group_by))
    return lambda r: getattr(r, group_by) or UNTAGGED


def top(counter: Counter[str], n: int = TOP) -> dict[str, int]:
    """The n largest counts (ties by name), plus 'other' for the rest."""
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    head = dict(ordered[:n])
    rest = sum(c for _, c in ordered[n:])
    return head | {"other": rest} if rest else head


@dataclass
class Distribution:
    """Counts of one group of the fleet."""

    key: str
    db_instances: int = 0
    db_clusters: int = 0
    allocated_gb: int = 0
    engines: Counter[str] = field(default_factory=Counter)
    versions: Counter[str] = field(default_factory=Counter)
    classes: Counter[str] = field(default_factory=Counter)
    storage_types: Counter[str] = field(default_factory=Counter)

    def add_instance(self, db: DBInstance) -> None:
        self.db_instances += 1
        # Aurora members share the cluster volume: counted once, on the cluster
        if db.cluster is None:
            self.allocated_gb += db.allocated_gb
        self.engines[db.engine] += 1
        self.versions[f"{db.engine} {db.engine_version}"] += 1
        self.classes[db.instance_class] += 1
        self.storage_types[db.storage_type] += 1

    def add_cluster(self, c: DBCluster) -> None:
        self.db_clusters += 1
        self.allocated_gb += c.allocated_gb

    def as_dict(self, n: int = TOP) -> dict[str, Any]:
        return {"key": self.key, "db_instances": self.db_instances, "db_clusters": self.db_clusters,
                "allocated_gb": self.allocated_gb, "engines": top(self.engines, n), "versions": top(self.versions, n),
                "classes": top(self.classes, n), "storage_types": dict(self.storage_types.most_common())}  # fmt: skip


def distribution(
    instances: Iterable[DBInstance],
    clusters: Iterable[DBCluster],
    group_by: str,
    label: Callable[[str | None], str] | None = None,
) -> tuple[Distribution, list[Distribution]]:
    """(the whole fleet, one group per value of `group_by`, largest first)."""
    key = group_key(group_by, label)
    total = Distribution("all")
    groups: dict[str, Distribution] = {}
    for db in instances:
        total.add_instance(db)
        k = key(db)
        (groups.get(k) or groups.setdefault(k, Distribution(k))).add_instance(db)
    for c in clusters:
        total.add_cluster(c)
        k = key(c)
        (groups.get(k) or groups.setdefault(k, Distribution(k))).add_cluster(c)
    ordered = sorted(groups.values(), key=lambda g: (-g.db_instances, -g.db_clusters, g.key))
    return total, ordered
