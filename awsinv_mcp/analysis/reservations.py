"""Reserved DB instances: how much of each reservation the running fleet uses (utilisation), how much of the
matching fleet the reservations cover (coverage), and the expiry calendar (`cost.reserved_instance_expiring`).

Reservations and instances meet in the pools of `analysis/savings.py:ri_pool` (the ones the
`cost.reserved_instances` rule uses): one account and region, the engine, and the family in normalised units
where RDS applies size flexibility, else the exact class and deployment. Figures are a snapshot of the running
fleet, not Cost Explorer's hourly RI utilisation: an instance stopped for half the month counts as not running.
Pools stop at the account: with consolidated billing and RI sharing on, AWS also applies a reservation to matching
instances of the organisation's other accounts, so utilisation here is a lower bound there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from awsinv_mcp import pricing
from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext, rule
from awsinv_mcp.analysis.savings import H, instance_pool, money, ri_active, ri_pool, ri_size_flexible
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.models.inventory import ReservedDBInstance, Snapshot

EXPIRY_DAYS = 60  # the calendar looks this far ahead; within URGENT_DAYS the finding is high
URGENT_DAYS = 30
RENEW_AT_PCT = 80.0  # utilisation from which renewing the same reservation is the plain advice


@dataclass(frozen=True, slots=True, kw_only=True)
class ReservationUse:
    """One reservation with the state of its pool on the analysis date."""

    ri: ReservedDBInstance
    active: bool  # state active and the term covers the date
    size_flexible: bool
    pool: str  # for people: "postgres db.r6g family (size-flexible)", "sqlserver-se db.m5.xlarge Multi-AZ"
    units: float | None  # the reservation's normalised units (count included); None for an unknown class
    fleet_instances: int  # running instances of the pool
    fleet_units: float
    reserved_units: float  # every active reservation of the pool
    utilisation_pct: float | None  # matched / reserved units of the pool (active reservations only)
    coverage_pct: float | None  # matched / running units of the pool (None when nothing of the pool runs)
    days_left: int  # to the end of the term (negative once it has ended)


def _pool_label(ri: ReservedDBInstance, flexible: bool) -> str:
    if flexible:
        return f"{ri.engine} {pricing.class_facts(ri.instance_class).family} family (size-flexible)"
    return f"{ri.engine} {ri.instance_class}" + (" Multi-AZ" if ri.multi_az else "")


def _pct(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def reservation_use(snapshot: Snapshot, as_of: date) -> list[ReservationUse]:
    """Every reservation of the snapshot with its pool's utilisation and coverage on `as_of`, in snapshot order."""
    now = datetime.combine(as_of, time(12))
    reserved: dict[tuple[Any, ...], float] = defaultdict(float)
    pools: dict[str, tuple[tuple[Any, ...], float] | None] = {}
    for ri in snapshot.reserved_db_instances:
        try:
            pool, units = ri_pool(ri.engine, ri.instance_class, ri.multi_az, False, ri.license_model)
        except pricing.PriceNotFound:
            pools[ri.id] = None
            continue
        key = (ri.account, ri.region, *pool)
        pools[ri.id] = (key, units * ri.count)
        if ri_active(ri, now):
            reserved[key] += units * ri.count
    keys = {p[0] for p in pools.values() if p is not None}  # pools some reservation belongs to
    running: dict[tuple[Any, ...], float] = defaultdict(float)
    counts: dict[tuple[Any, ...], int] = defaultdict(int)
    for inst in snapshot.db_instances:
        if inst.status != "available" or inst.instance_class == "db.serverless":
            continue
        pooled = instance_pool(inst)
        if pooled is None:
            continue
        key, units = pooled
        if key in keys:
            running[key] += units
            counts[key] += 1
    out = []
    for ri in snapshot.reserved_db_instances:
        flexible = ri_size_flexible(ri.engine, ri.license_model)
        placed = pools[ri.id]
        active = ri_active(ri, now)
        key, units = placed if placed is not None else ((), None)
        matched = min(reserved.get(key, 0.0), running.get(key, 0.0))
        try:
            label = _pool_label(ri, flexible)
        except pricing.PriceNotFound:
            label = f"{ri.engine} {ri.instance_class}"
        out.append(
            ReservationUse(
                ri=ri, active=active, size_flexible=flexible, pool=label, units=units,
                fleet_instances=counts.get(key, 0), fleet_units=running.get(key, 0.0),
                reserved_units=reserved.get(key, 0.0),
                utilisation_pct=_pct(matched, reserved.get(key, 0.0)) if active else None,
                coverage_pct=_pct(matched, running.get(key, 0.0)) if active else None,
                days_left=(ri.end.date() - as_of).days,
            )
        )  # fmt: skip
    return out


def uses_for(snapshot: Snapshot, ctx: AnalysisContext) -> list[ReservationUse]:
    """`reservation_use` once per run (the rule and list_reserved_instances share it)."""
    return ctx.memo.get(("reservation_use", snapshot), lambda: reservation_use(snapshot, ctx.as_of))


def lapse_cost(use: ReservationUse) -> tuple[float, str] | None:
    """(monthly USD the used part of the reservation will cost on demand once it lapses, how), an estimate; None
    when the class is not priced or nothing uses it."""
    ri = use.ri
    if not use.utilisation_pct:
        return None
    try:
        od = pricing.instance_hourly(ri.engine, ri.instance_class, ri.region, ri.multi_az)
        reserved = pricing.reserved_hourly(ri.engine, ri.instance_class, ri.region, ri.duration_years, ri.multi_az)
    except pricing.PriceNotFound:
        return None
    used = ri.count * use.utilisation_pct / 100
    return money(used * (od - reserved) * H), (
        f"{round(used, 2)} x {ri.instance_class} used x ({od} on-demand - {reserved} reserved) USD/h x {H} h "
        "(estimate: reserved = on-demand x AWS's stated maximum discount)"
    )


@rule(
    "cost.reserved_instance_expiring",
    category="cost",
    severity="medium",
    title="Reserved DB instance ends within 60 days",
    rationale="When a reservation ends, the instances it covered are billed on demand from the next hour; a "
    "renewal decided before the end date keeps the discount, a lapse by default raises the bill.",
    resource_types=("reserved_db_instance",),
    remediation="Decide before the end date: renew what the fleet still uses (its utilisation; size-flexible "
    "engines can renew in another size of the family), let the rest lapse. Console: RDS > Reserved instances > "
    "Purchase reserved DB instance. CLI: aws rds describe-reserved-db-instances-offerings --db-instance-class "
    "CLASS --product-description ENGINE --duration 31536000 --multi-az|--no-multi-az, then aws rds "
    "purchase-reserved-db-instances-offering --reserved-db-instances-offering-id OFFERING.",
    notes=f"Active reservations whose term ends within {EXPIRY_DAYS} days of the analysis date (high within "
    f"{URGENT_DAYS}). Evidence: end date, utilisation and coverage of its pool (list_reserved_instances), and the "
    "estimated monthly on-demand increase of the used part; monthly_savings_usd stays empty (nothing is saved, "
    "an increase is avoided). Pools are per account and region: with RI sharing across an organisation the "
    "utilisation is a lower bound.",
)
def reserved_instance_expiring(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    found = []
    me = RULES["cost.reserved_instance_expiring"]
    for use in uses_for(snapshot, ctx):
        if not use.active or use.days_left > EXPIRY_DAYS:
            continue
        ri = use.ri
        lapse = lapse_cost(use)
        renew = use.utilisation_pct is not None and use.utilisation_pct >= RENEW_AT_PCT
        evidence = {
            "ends": ri.end.date().isoformat(), "days_left": use.days_left, "instance_class": ri.instance_class,
            "engine": ri.engine, "multi_az": ri.multi_az, "count": ri.count, "term_years": ri.duration_years,
            "offering_type": ri.offering_type, "pool": use.pool, "utilisation_pct": use.utilisation_pct,
            "coverage_pct": use.coverage_pct,
            "action": "renew" if renew else "renew only the used part, or let it lapse",
            "on_demand_increase_monthly_usd": lapse[0] if lapse else None, "how": lapse[1] if lapse else None,
        }  # fmt: skip
        severity = "high" if use.days_left <= URGENT_DAYS else "medium"
        found.append(
            me.finding(
                ri, resource_type="reserved_db_instance", resource_id=ri.id, evidence=evidence, severity=severity
            )
        )
    return found
