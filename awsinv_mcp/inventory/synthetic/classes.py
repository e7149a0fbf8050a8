"""Instance class picks per engine and environment, drawn only from `resources/instance_classes.json`."""

from __future__ import annotations

from functools import cache

from awsinv_mcp import instance_classes as classes
from awsinv_mcp.instance_classes import InstanceClass
from awsinv_mcp.inventory.synthetic import catalogue as cat
from awsinv_mcp.inventory.synthetic.draw import Pick

# family -> weight per environment (production, staging, development)
FAMILY_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "db.t2": (0.5, 3, 6), "db.t3": (4, 14, 24), "db.t4g": (5, 14, 24),
    "db.m4": (3, 4, 4), "db.m5": (12, 12, 9), "db.m6i": (8, 6, 4), "db.m6g": (12, 9, 7), "db.m7g": (8, 5, 3),
    "db.r4": (4, 3, 2), "db.r5": (12, 8, 5), "db.r6i": (8, 5, 3), "db.r6g": (14, 8, 5), "db.r7g": (9, 4, 2),
}  # fmt: skip
SIZE_WEIGHTS: dict[str, tuple[float, float, float]] = {
    "micro": (1, 8, 20), "small": (3, 15, 25), "medium": (10, 25, 25), "large": (30, 30, 20),
    "xlarge": (28, 15, 7), "2xlarge": (18, 6, 3), "4xlarge": (10, 2, 0.5), "8xlarge": (4, 0.5, 0),
    "12xlarge": (2, 0, 0), "16xlarge": (1.5, 0, 0), "24xlarge": (1, 0, 0),
}  # fmt: skip
AURORA_FAMILIES = frozenset({"db.t3", "db.t4g", "db.r4", "db.r5", "db.r6i", "db.r6g", "db.r7g"})
AURORA_BURSTABLE_SIZES = frozenset({"medium", "large"})
EXPRESS_FAMILIES = frozenset({"db.t2", "db.t3"})
EXPRESS_SIZES = frozenset({"micro", "small", "medium", "large", "xlarge"})
LARGEST_SIZE = {"oracle-se2": "4xlarge", "sqlserver-web": "4xlarge", "sqlserver-se": "8xlarge"}


def _allowed(engine: str, facts: InstanceClass) -> bool:
    family, size = facts.family, facts.size
    if facts.processor == "graviton" and not classes.runs_on_graviton(engine):
        return False
    if engine in cat.AURORA_ENGINES:
        return family in AURORA_FAMILIES and (not facts.burstable or size in AURORA_BURSTABLE_SIZES)
    if engine == "sqlserver-ex":
        return family in EXPRESS_FAMILIES and size in EXPRESS_SIZES
    order = classes.size_order()
    largest = LARGEST_SIZE.get(engine)
    return largest is None or order.index(size) <= order.index(largest)


@cache
def class_pick(engine: str, env: str) -> Pick[str]:
    """The weighted instance classes an `engine` instance in `env` is drawn from."""
    i = cat.ENVIRONMENTS.index(env)
    weighted = []
    for name, facts in classes.all_classes().items():
        if not _allowed(engine, facts):
            continue
        family_weight = FAMILY_WEIGHTS.get(facts.family, (1, 1, 1))[i]
        size_weight = SIZE_WEIGHTS.get(facts.size, (1, 1, 1))[i]
        weighted.append((name, family_weight * size_weight))
    if not any(w > 0 for _, w in weighted):  # e.g. no large sizes in development: fall back to any allowed
        weighted = [(name, 1.0) for name, _ in weighted]
    return Pick(weighted)
