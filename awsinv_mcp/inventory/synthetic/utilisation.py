"""14-day CloudWatch-like utilisation per DB instance, with idle, over-provisioned, hot and nearly-full minorities."""

from __future__ import annotations

import random

from awsinv_mcp.inventory.synthetic import catalogue as cat
from awsinv_mcp.inventory.synthetic.draw import rates_pick
from awsinv_mcp.models.inventory import Utilisation

NO_DATA = Utilisation(days=14)
"""A stopped instance publishes no metrics: every statistic is None."""


LOAD_PROFILES = tuple(rates_pick(cat.LOAD_RATES, i, "normal") for i in range(len(cat.ENVIRONMENTS)))


def load_profile(rng: random.Random, env_index: int) -> str:
    """idle, over_provisioned, hot or normal."""
    return LOAD_PROFILES[env_index](rng)


def draw_utilisation(
    rng: random.Random,
    profile: str,
    *,
    memory_gib: float,
    storage_type: str,
    allocated_gb: int,
    aurora: bool,
) -> Utilisation:
    """Statistics consistent with `profile` (see `load_profile`) and the instance's size and storage."""
    uniform = rng.uniform
    if profile == "idle":
        cpu_avg, cpu_max, conn_avg, conn_max, io = uniform(0.3, 3), uniform(3, 9), 0.0, 0.0, uniform(0, 3)
    elif profile == "over_provisioned":
        cpu_avg = uniform(1, 9.5)
        cpu_max = uniform(cpu_avg + 2, 29)
        conn_avg = uniform(1, 12 + memory_gib)
        conn_max, io = conn_avg * uniform(1.5, 4), uniform(5, 200)
    elif profile == "hot":
        cpu_avg, cpu_max = uniform(81, 96), uniform(98, 100)
        conn_avg = uniform(40, 60 + 12 * memory_gib)
        conn_max, io = conn_avg * uniform(1.2, 2), uniform(800, 12_000)
    else:
        cpu_avg = uniform(12, 65)
        cpu_max = min(100.0, cpu_avg + uniform(10, 40))
        conn_avg = uniform(5, 20 + 6 * memory_gib)
        conn_max, io = conn_avg * uniform(1.3, 3), uniform(50, 4000)
    free = None
    if not aurora:
        fraction = uniform(0.01, 0.08) if rng.random() < cat.NEARLY_FULL_RATE else uniform(0.15, 0.85)
        free = round(allocated_gb * fraction, 1)
    burst = None
    if storage_type == "gp2" and allocated_gb < 1000:
        burst = round(uniform(0, 25) if profile == "hot" else uniform(60, 100), 1)
    return Utilisation(
        days=14,
        cpu_avg=round(cpu_avg, 1),
        cpu_max=round(cpu_max, 1),
        connections_avg=round(conn_avg, 1),
        connections_max=float(round(conn_max)),
        free_storage_gb_min=free,
        read_iops_avg=round(io * uniform(0.5, 3), 1),
        write_iops_avg=round(io * uniform(0.2, 1), 1),
        burst_balance_min=burst,
    )
