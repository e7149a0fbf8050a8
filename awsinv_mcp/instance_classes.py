"""DB instance class facts (vCPUs, memory, family, size, generation, successors) from
`resources/instance_classes.json`: the one place every layer reads them (pricing, analysis, the synthetic estate).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from awsinv_mcp.data import load_json


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceClass:
    name: str  # db.r6g.large
    family: str  # db.r6g
    size: str  # large
    vcpus: int
    memory_gib: float
    processor: str  # intel, amd, graviton
    previous_generation: bool
    burstable: bool
    graviton_successor: str | None = None
    intel_successor: str | None = None


@dataclass(frozen=True)
class _Table:
    classes: dict[str, InstanceClass]
    size_order: tuple[str, ...]
    graviton_engines: frozenset[str]
    source: str
    read_on: str


@cache
def _table() -> _Table:
    raw = load_json("instance_classes.json")
    classes = {name: InstanceClass(name=name, **facts) for name, facts in raw["classes"].items()}
    return _Table(classes, tuple(raw["size_order"]), frozenset(raw["graviton_engines"]), raw["source"], raw["read_on"])


def all_classes() -> Mapping[str, InstanceClass]:
    """Every known class by name."""
    return _table().classes


def lookup(name: str) -> InstanceClass | None:
    """The facts of `name`, or None for a class the table does not know."""
    return _table().classes.get(name)


def size_order() -> tuple[str, ...]:
    """Sizes from smallest to largest (micro ... 24xlarge)."""
    return _table().size_order


def runs_on_graviton(engine: str) -> bool:
    """True when RDS offers Graviton classes for `engine` (open-source engines and Aurora)."""
    return engine in _table().graviton_engines


def is_burstable(name: str) -> bool:
    """db.t* classes run on CPU credits (an unknown class is judged by its name)."""
    facts = lookup(name)
    return facts.burstable if facts is not None else name.startswith("db.t")


def _sized(family: str, size: str) -> str | None:
    name = f"{family}.{size}"
    return name if name in _table().classes else None


def size_up(name: str) -> str | None:
    """The next larger size of the same family (None at the top or for an unknown class)."""
    facts = lookup(name)
    if facts is None:
        return None
    order = size_order()
    return next((c for s in order[order.index(facts.size) + 1 :] if (c := _sized(facts.family, s))), None)


def size_down(name: str) -> str | None:
    """The next smaller size of the same family: burstable families go down to micro, others stop at large."""
    facts = lookup(name)
    if facts is None:
        return None
    order = size_order()
    for size in reversed(order[: order.index(facts.size)]):
        candidate = _sized(facts.family, size)
        if candidate is not None:
            if not facts.burstable and order.index(size) < order.index("large"):
                return None
            return candidate
    return None


def graviton3_supported(engine: str, engine_version: str) -> bool:
    """Whether RDS offers db.m7g/db.r7g for this engine version (RDS User Guide, "Supported DB engines for DB
    instance classes"): not Aurora MySQL 2 / MySQL 5.7, not (Aurora) PostgreSQL before 13. Unknown versions: yes."""
    if not engine_version:
        return True
    if engine in ("aurora-mysql", "mysql"):
        return not engine_version.startswith("5.")
    if engine in ("aurora-postgresql", "postgres"):
        major = engine_version.split(".")[0]
        return not major.isdigit() or int(major) >= 13
    return True


def successor(name: str, engine: str, engine_version: str = "") -> str | None:
    """The current-generation replacement of a previous-generation class: Graviton where the engine runs on it,
    the Intel successor otherwise (Oracle, SQL Server); the Graviton2 class where the engine version is not
    offered Graviton3 (e.g. Aurora MySQL 2 -> db.r6g, not db.r7g). None for current-generation and unknown classes."""
    facts = lookup(name)
    if facts is None or not facts.previous_generation:
        return None
    target = (facts.graviton_successor if runs_on_graviton(engine) else None) or facts.intel_successor
    if target and "7g." in target and not graviton3_supported(engine, engine_version):
        older = target.replace("7g.", "6g.")
        target = older if older in _table().classes else facts.intel_successor
    return target
