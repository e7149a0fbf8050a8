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


def _version_key(version: str) -> tuple[int, ...]:
    """The leading numbers of an engine version: '5.7.mysql_aurora.2.11.5' -> (5, 7), '16.4' -> (16, 4)."""
    out = []
    for part in version.split("."):
        if not part.isdigit():
            break
        out.append(int(part))
    return tuple(out)


@cache
def _orderable_table() -> dict[str, dict[str, list[str]]]:
    return load_json("orderable_classes.json")["engines"]


Offered = frozenset[str] | None
"""The classes RDS said it offers for one engine, version and region (aws mode), or None: use the shipped table."""


@cache
def offered(name: str, engine: str, engine_version: str = "", collected: Offered = None) -> bool:
    """Whether RDS offers class `name` for `engine` at `engine_version`: from `collected` (aws mode's
    DescribeOrderableDBInstanceOptions answer) when given, else `resources/orderable_classes.json`. An engine the
    table does not list: any known current-generation class. Unknown versions pass the version minimum."""
    if collected is not None:
        return name in collected
    facts = lookup(name)
    if facts is None or facts.previous_generation:
        return False
    families = _orderable_table().get(engine)
    if families is None:
        return True
    row = families.get(facts.family)
    if row is None:
        return False
    order = size_order()
    if not order.index(row[0]) <= order.index(facts.size) <= order.index(row[1]):
        return False
    return len(row) < 3 or not engine_version or _version_key(engine_version) >= _version_key(row[2])


def graviton3_supported(engine: str, engine_version: str) -> bool:
    """Whether RDS offers db.m7g/db.r7g for this engine version (resources/orderable_classes.json): not Aurora
    MySQL 2 / MySQL 5.7, not (Aurora) PostgreSQL before 13. Unknown versions: yes."""
    return offered("db.r7g.large", engine, engine_version) or engine not in _orderable_table()


def successor(name: str, engine: str, engine_version: str = "", collected: Offered = None) -> str | None:
    """The current-generation replacement of a previous-generation class that RDS offers for this engine and
    version: Graviton where the engine runs on it, the Graviton2 class where Graviton3 is not offered (e.g.
    Aurora MySQL 2 -> db.r6g, not db.r7g), the Intel successor otherwise (Oracle, SQL Server). None for
    current-generation and unknown classes, and when none of them is offered."""
    facts = lookup(name)
    if facts is None or not facts.previous_generation:
        return None
    graviton = facts.graviton_successor if runs_on_graviton(engine) else None
    candidates = [graviton, graviton.replace("7g.", "6g.") if graviton else None, facts.intel_successor]
    return next((c for c in candidates if c and offered(c, engine, engine_version, collected)), None)


def iops_ceiling(memory_gib: float) -> float:
    """Roughly the average IOPS an instance of this size sustains (its EBS bandwidth and the load it serves grow
    with size): 1 GiB ~ 1,400 IOPS, 8 GiB ~ 4,200, 32 GiB ~ 13,800, 256 GiB ~ 100,000. A heuristic, used by the
    synthetic estate and by right-sizing's I/O check."""
    return 1000 + 400 * memory_gib


MAX_CONNECTIONS_BYTES = {"mysql": 12_582_880, "mariadb": 12_582_880, "aurora-mysql": 12_582_880,
                         "postgres": 9_531_392, "aurora-postgresql": 9_531_392}  # fmt: skip
MAX_CONNECTIONS_CAP = {"postgres": 5000, "aurora-postgresql": 5000}


def default_max_connections(engine: str, memory_gib: float) -> int | None:
    """RDS's default max_connections for a class of this memory (parameter group defaults: MySQL, MariaDB and
    Aurora MySQL DBInstanceClassMemory/12582880; PostgreSQL and Aurora PostgreSQL LEAST(DBInstanceClassMemory/
    9531392, 5000)); None for engines whose default does not scale with memory (Oracle, SQL Server)."""
    per = MAX_CONNECTIONS_BYTES.get(engine)
    if per is None:
        return None
    value = int(memory_gib * 1024**3 // per)
    return min(value, MAX_CONNECTIONS_CAP.get(engine, value))
