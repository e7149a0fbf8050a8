"""14-day CloudWatch-like utilisation per DB instance, with idle, over-provisioned, hot and nearly-full minorities.

I/O is drawn as a share of what the instance's storage sustains (`storage_iops_capacity`) and of what its
size plausibly drives, so the 14-day averages stay physically possible: an average cannot exceed the
provisioned IOPS, and a gp2 volume averaging near its 3 IOPS/GiB baseline has spent its burst credits.
"""

from __future__ import annotations

import random

from awsinv_mcp import instance_classes as classes
from awsinv_mcp.inventory.synthetic import catalogue as cat
from awsinv_mcp.inventory.synthetic.draw import rates_pick
from awsinv_mcp.models.inventory import Utilisation

NO_DATA = Utilisation(days=14)
"""A stopped instance publishes no metrics: every statistic is None."""


LOAD_PROFILES = tuple(rates_pick(cat.LOAD_RATES, i, "normal") for i in range(len(cat.ENVIRONMENTS)))
MAGNETIC_IOPS = 200  # what a magnetic (standard) volume sustains, roughly
AURORA_VOLUME_IO_SHARE = 0.05  # Aurora members: the share of an EBS-backed instance's I/O that reaches the volume
# (and is billed on Aurora Standard), so clusters range from I/O-light to the I/O-heavy minority I/O-Optimized suits
GP2_BURST_LIMIT_GB = 1000  # gp2 volumes this large no longer burst (baseline >= 3,000 IOPS)


def load_profile(rng: random.Random, env_index: int) -> str:
    """idle, over_provisioned, hot or normal."""
    return LOAD_PROFILES[env_index](rng)


def storage_iops_capacity(storage_type: str, allocated_gb: int, iops: int | None) -> int | None:
    """Sustained IOPS of RDS storage: gp2 3 per GiB (100-16,000), gp3 and io1/io2 their setting (the generator
    always sets gp3's, baseline included), magnetic about 200; None for Aurora (no storage-level limit)."""
    if storage_type == "gp2":
        return min(max(100, 3 * allocated_gb), 16_000)
    if storage_type in ("gp3", "io1", "io2"):
        return iops
    if storage_type == "standard":
        return MAGNETIC_IOPS
    return None


def instance_iops_ceiling(memory_gib: float) -> float:
    """What an instance of this size drives at most on average (`instance_classes.iops_ceiling`)."""
    return classes.iops_ceiling(memory_gib)


def _io_share(rng: random.Random, profile: str, provisioned: bool) -> float:
    """Average read+write IOPS as a share of the storage capacity; a small minority runs near the limit."""
    uniform = rng.uniform
    if profile == "over_provisioned":
        return uniform(0.01, 0.12)
    if profile == "hot":
        return uniform(0.8, 0.97) if rng.random() < cat.IOPS_NEAR_LIMIT_RATE["hot"] else uniform(0.3, 0.75)
    if rng.random() < cat.IOPS_NEAR_LIMIT_RATE["normal"]:
        return uniform(0.8, 0.95)
    # provisioned IOPS (io1/io2, gp3 above its baseline) were sized for the load; baselines mostly idle along
    return uniform(0.2, 0.6) if provisioned else uniform(0.02, 0.45)


FREE_MEMORY_SHARE = {"idle": (0.7, 0.85), "over_provisioned": (0.5, 0.8), "normal": (0.1, 0.45), "hot": (0.03, 0.15)}
"""FreeableMemory minimum as a share of the class memory per load profile (buffer caches fill most of it)."""


def freeable_memory(profile: str, cpu_avg: float, memory_gib: float) -> float:
    """FreeableMemory's 14-day minimum in GiB, placed within the profile's range by the CPU average's digits (no
    random draw of its own, so adding it left every other draw of the estate as it was)."""
    low, high = FREE_MEMORY_SHARE[profile]
    position = (cpu_avg * 7.31) % 1.0
    return round(memory_gib * (low + (high - low) * position), 2)


def draw_utilisation(
    rng: random.Random,
    profile: str,
    *,
    memory_gib: float,
    storage_type: str,
    allocated_gb: int,
    aurora: bool,
    provisioned_iops: int | None = None,
) -> Utilisation:
    """Statistics consistent with `profile` (see `load_profile`) and the instance's size and storage."""
    uniform = rng.uniform
    if profile == "idle":
        cpu_avg, cpu_max, conn_avg, conn_max = uniform(0.3, 3), uniform(3, 9), 0.0, 0.0
    elif profile == "over_provisioned":
        cpu_avg = uniform(1, 9.5)
        cpu_max = uniform(cpu_avg + 2, 29)
        conn_avg = uniform(1, 12 + memory_gib)
        conn_max = conn_avg * uniform(1.5, 4)
    elif profile == "hot":
        cpu_avg, cpu_max = uniform(81, 96), uniform(98, 100)
        conn_avg = uniform(40, 60 + 12 * memory_gib)
        conn_max = conn_avg * uniform(1.2, 2)
    else:
        cpu_avg = uniform(12, 65)
        cpu_max = min(100.0, cpu_avg + uniform(10, 40))
        conn_avg = uniform(5, 20 + 6 * memory_gib)
        conn_max = conn_avg * uniform(1.3, 3)
    capacity = storage_iops_capacity(storage_type, allocated_gb, provisioned_iops)
    ceiling = instance_iops_ceiling(memory_gib)
    if profile == "idle":
        io = uniform(0, 3)
    elif capacity is None:  # Aurora: the instance is the limit, and its buffer cache serves most reads
        io = ceiling * _io_share(rng, profile, False) * AURORA_VOLUME_IO_SHARE
    else:
        provisioned = storage_type in ("io1", "io2") or (storage_type == "gp3" and capacity > 3000)
        share = _io_share(rng, profile, provisioned)
        # a small instance on large storage cannot use it all: near the limit are the big ones on small storage
        io = min(capacity * share, ceiling * uniform(0.5, 1))
    read_share = uniform(0.55, 0.85)
    free = None
    if not aurora:
        fraction = uniform(0.01, 0.08) if rng.random() < cat.NEARLY_FULL_RATE else uniform(0.15, 0.85)
        free = round(allocated_gb * fraction, 1)
    burst = None
    if storage_type == "gp2" and allocated_gb < GP2_BURST_LIMIT_GB:
        # credits refill at the baseline: a 14-day average near it has drained them at the peaks
        near = capacity is not None and io >= 0.7 * capacity
        burst = round(uniform(0, 20) if near else uniform(55, 100), 1)
    return Utilisation(
        days=14,
        freeable_memory_gb_min=freeable_memory(profile, cpu_avg, memory_gib),
        cpu_avg=round(cpu_avg, 1),
        cpu_max=round(cpu_max, 1),
        connections_avg=round(conn_avg, 1),
        connections_max=float(round(conn_max)),
        free_storage_gb_min=free,
        read_iops_avg=round(io * read_share, 1),
        write_iops_avg=round(io * (1 - read_share), 1),
        burst_balance_min=burst,
    )
