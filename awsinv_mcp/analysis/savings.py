"""Cost-saving opportunities: pure calculations over a snapshot and the bundled price tables.

Every opportunity carries `monthly_savings_usd` and evidence naming the prices used (`awsinv_mcp.pricing`)
and the arithmetic. Opportunities never double count: per DB instance at most one compute change is proposed
(idle > right-size > previous generation), and a Reserved Instance is priced on the class that change leads
to, so the savings of all cost findings add up.

Thresholds come from `AnalysisContext.extra` (defaults in `Thresholds`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from awsinv_mcp import instance_classes as classes
from awsinv_mcp import pricing
from awsinv_mcp.analysis.catalogue import AnalysisContext
from awsinv_mcp.models.inventory import DBCluster, DBInstance, DBSnapshot, ReservedDBInstance, Snapshot, Volume

H = pricing.HOURS_PER_MONTH


@dataclass(frozen=True)
class Thresholds:
    """When a resource counts as idle, over-sized, steady or old (override through ctx.extra)."""

    cpu_avg_pct: float = 15.0  # right-size when the 14-day CPU average is below this...
    cpu_max_pct: float = 40.0  # ...and the 14-day CPU maximum below this
    min_days: int = 14  # utilisation window needed to judge idle / over-sized / IOPS
    steady_days: int = 30  # running at least this long before a reservation is proposed
    snapshot_max_age_days: int = 90  # manual snapshots older than this
    iops_used_pct: float = 30.0  # io1/io2 whose average IOPS use is below this share of provisioned (peaks run
    # 2-3x the average, so a volume averaging 30-50% of its IOPS is sized for its peaks, not over-provisioned)
    ri_all_environments: bool = False  # also propose reservations for non-production (default: scheduling wins)

    @classmethod
    def from_ctx(cls, ctx: AnalysisContext) -> Thresholds:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in ctx.extra.items() if k in names})


def money(value: float) -> float:
    return round(value, 2)


def severity_for(monthly_usd: float) -> Literal["high", "medium", "low", "info"]:
    """Cost findings rank by the size of the monthly saving."""
    if monthly_usd >= 1000:
        return "high"
    if monthly_usd >= 100:
        return "medium"
    return "low" if monthly_usd > 0 else "info"


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=None)


def _naive(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


# ---- instance classes -------------------------------------------------------------------------------------


# ---- per-instance compute plan ----------------------------------------------------------------------------


def _od(inst: DBInstance, instance_class: str | None = None) -> float:
    return pricing.instance_hourly(inst.engine, instance_class or inst.instance_class, inst.region, inst.multi_az,
                                   inst.license_model)  # fmt: skip


def _price_basis(inst: DBInstance) -> str:
    basis = f"{inst.engine} on-demand, {pricing.price_note(inst.region)}"
    if inst.multi_az and not inst.cluster:
        basis += ", Multi-AZ x2"
    if pricing.is_compute_only(inst.engine):
        basis += ", compute only (license not priced: saving is a lower bound)"
    return basis


_MEMBER_NOTE = {"note": "cluster member: keep the writer and its failover-priority readers on one class"}


@dataclass(frozen=True, slots=True)
class ComputePlan:
    """The one compute change proposed for a DB instance."""

    kind: Literal["idle", "rightsize", "modernize"]
    target_class: str | None  # None for idle (stop or delete)
    monthly_savings_usd: float
    evidence: dict[str, Any]


def _judged(inst: DBInstance, t: Thresholds) -> bool:
    u = inst.utilisation
    return inst.status == "available" and u is not None and u.days >= t.min_days


def is_idle(inst: DBInstance, t: Thresholds) -> bool:
    """No connection at all over the utilisation window (connections max is 0)."""
    u = inst.utilisation
    return _judged(inst, t) and u is not None and u.connections_max is not None and u.connections_max <= 0


HIGH_CPU_AVG = 70.0  # percent: the performance rule perf.high_cpu asks for a larger class from here


def grows(inst: DBInstance, production: bool) -> bool:
    """True when the performance rules move this instance up (perf.burstable_in_production, perf.high_cpu): no
    cost rule may then propose a smaller or another burstable class (one recommendation per instance)."""
    u = inst.utilisation
    hot = u is not None and u.cpu_avg is not None and u.cpu_avg >= HIGH_CPU_AVG
    return hot or (production and classes.is_burstable(inst.instance_class))


def compute_plan(inst: DBInstance, t: Thresholds, production: bool = False) -> ComputePlan | None:
    """Idle > right-size > previous generation; None when nothing applies or no price is known, and (idle
    aside) for an instance the performance rules move up (`grows`)."""
    if inst.instance_class == "db.serverless":
        return None
    try:
        current = _od(inst)
        u = inst.utilisation
        if is_idle(inst, t):
            return ComputePlan("idle", None, money(current * H), {
                "action": "stop, or snapshot and delete",
                "connections_max": u.connections_max if u else None, "days": u.days if u else None,
                "on_demand_hourly_usd": current, "price_basis": _price_basis(inst),
                "how": f"whole compute cost: {current} USD/h x {H} h (stop it, or snapshot and delete it)",
            })  # fmt: skip
        if grows(inst, production):
            return None
        modern = classes.successor(inst.instance_class, inst.engine, inst.engine_version)
        if (_judged(inst, t) and u is not None and u.cpu_avg is not None and u.cpu_max is not None
                and u.cpu_avg < t.cpu_avg_pct and u.cpu_max < t.cpu_max_pct):  # fmt: skip
            target = (classes.size_down(modern) if modern else None) or classes.size_down(inst.instance_class)
            if target is not None:
                new = _od(inst, target)
                if new < current:
                    return ComputePlan("rightsize", target, money((current - new) * H), {
                        "action": f"{inst.instance_class} -> {target}",
                        "cpu_avg_pct": u.cpu_avg, "cpu_max_pct": u.cpu_max, "days": u.days,
                        "thresholds": {"cpu_avg_pct": t.cpu_avg_pct, "cpu_max_pct": t.cpu_max_pct},
                        "current_class": inst.instance_class, "target_class": target,
                        "current_hourly_usd": current, "target_hourly_usd": new, "price_basis": _price_basis(inst),
                        "how": f"({current} - {new}) USD/h x {H} h",
                        **(_MEMBER_NOTE if inst.cluster else {}),
                    })  # fmt: skip
        if modern is not None:
            new = _od(inst, modern)
            if new < current:
                return ComputePlan("modernize", modern, money((current - new) * H), {
                    "action": f"{inst.instance_class} -> {modern}",
                    "current_class": inst.instance_class, "target_class": modern,
                    "current_hourly_usd": current, "target_hourly_usd": new, "price_basis": _price_basis(inst),
                    "how": f"({current} - {new}) USD/h x {H} h",
                })  # fmt: skip
    except pricing.PriceNotFound:
        return None
    return None


@dataclass
class CostPlans:
    """Compute plans of every DB instance, idle clusters, and what else the cost rules need."""

    by_instance: dict[tuple[str, str, str], ComputePlan] = field(default_factory=dict)
    idle_clusters: dict[tuple[str, str, str], tuple[DBCluster, float, list[DBInstance]]] = field(default_factory=dict)


def _key(r: DBInstance | DBCluster) -> tuple[str, str, str]:
    return (r.account, r.region, r.identifier)


def _plans(snapshot: Snapshot, t: Thresholds, ctx: AnalysisContext) -> CostPlans:
    plans = CostPlans()
    members: dict[tuple[str, str, str], list[DBInstance]] = defaultdict(list)
    for inst in snapshot.db_instances:
        if inst.cluster:
            members[(inst.account, inst.region, inst.cluster)].append(inst)
        plan = compute_plan(inst, t, ctx.is_production(inst.environment))
        if plan is not None:
            plans.by_instance[_key(inst)] = plan
    for cluster in snapshot.db_clusters:
        found = members.get(_key(cluster), [])
        if found and all(is_idle(m, t) for m in found):
            total = sum(p.monthly_savings_usd for m in found if (p := plans.by_instance.get(_key(m))) is not None)
            plans.idle_clusters[_key(cluster)] = (cluster, money(total), found)
    return plans


def plans_for(snapshot: Snapshot, ctx: AnalysisContext) -> CostPlans:
    """The compute plans of the snapshot, computed once per analysis run (shared by the cost rules)."""
    return ctx.memo.get(("cost_plans", snapshot), lambda: _plans(snapshot, Thresholds.from_ctx(ctx), ctx))


def compute_opportunities(snapshot: Snapshot, ctx: AnalysisContext,
                          kind: str) -> Iterator[tuple[DBInstance, ComputePlan]]:  # fmt: skip
    """(instance, plan) of the given kind; idle members of an all-idle cluster are reported on the cluster."""
    plans = plans_for(snapshot, ctx)
    for inst in snapshot.db_instances:
        plan = plans.by_instance.get(_key(inst))
        if plan is None or plan.kind != kind:
            continue
        if kind == "idle" and inst.cluster:
            continue  # an idle member alone is not idle: a reader can wait for failover; clusters below
        yield inst, plan


# ---- Reserved Instances -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReservationGap:
    instance: DBInstance
    uncovered: float  # share of the instance not covered by active reservations (0..1]
    priced_class: str


def ri_size_flexible(engine: str, license_model: str | None = None) -> bool:
    """Whether RDS applies a reservation across the sizes of its family: MySQL, MariaDB, PostgreSQL, Aurora and
    Oracle bring-your-own-licence (resources/prices.json `size_flexible_engines`); Oracle licence-included and
    SQL Server match their exact class."""
    return pricing.size_flexible(engine) and not (engine.startswith("oracle") and license_model == "license-included")


@lru_cache(maxsize=4096)
def ri_pool(
    engine: str, instance_class: str, multi_az: bool, cluster_member: bool, license_model: str | None = None
) -> tuple[tuple[Any, ...], float]:
    """(pool key within an account and region, normalised units) of one instance or reservation: size-flexible
    reservations pool a whole family in normalised units (Multi-AZ counts double), others match the exact class."""
    facts = pricing.class_facts(instance_class)
    if ri_size_flexible(engine, license_model):
        return (engine, facts.family), pricing.normalization_units(instance_class, multi_az and not cluster_member)
    return (engine, instance_class, multi_az, license_model == "license-included"), 1.0


def ri_active(ri: ReservedDBInstance, now: datetime) -> bool:
    """An active reservation whose term covers `now` (naive UTC)."""
    return ri.state == "active" and _naive(ri.start) <= now < _naive(ri.end)


def reservation_gaps(snapshot: Snapshot, ctx: AnalysisContext) -> list[ReservationGap]:
    """Steady on-demand instances not (fully) covered by active reservations, in snapshot order (deterministic):
    active reservations cover instances of their pool in that order."""
    t = Thresholds.from_ctx(ctx)
    plans = plans_for(snapshot, ctx)
    now = _at(ctx.as_of)
    cutoff = now - timedelta(days=t.steady_days)
    capacity: dict[tuple[Any, ...], float] = defaultdict(float)
    for ri in snapshot.reserved_db_instances:
        if not ri_active(ri, now):
            continue
        try:
            pool, units = ri_pool(ri.engine, ri.instance_class, ri.multi_az, False, ri.license_model)
        except pricing.PriceNotFound:
            continue
        capacity[(ri.account, ri.region, *pool)] += units * ri.count
    gaps: list[ReservationGap] = []
    for inst in snapshot.db_instances:
        created = inst.created_at
        if inst.status != "available" or created is None or inst.instance_class == "db.serverless":
            continue
        if not t.ri_all_environments and inst.environment is not None and not ctx.is_production(inst.environment):
            continue  # staging/development: stopping it out of hours saves more than a 1-year commitment
        if (created.replace(tzinfo=None) if created.tzinfo else created) > cutoff:
            continue
        plan = plans.by_instance.get((inst.account, inst.region, inst.identifier))
        if plan is not None and plan.kind == "idle":
            continue
        try:
            pool, units = ri_pool(
                inst.engine, inst.instance_class, inst.multi_az, inst.cluster is not None, inst.license_model
            )
        except pricing.PriceNotFound:
            continue
        key = (inst.account, inst.region, *pool)
        covered = min(units, capacity[key])
        if covered:
            capacity[key] -= covered
        if covered < units:
            target = plan.target_class if plan is not None and plan.target_class else inst.instance_class
            gaps.append(ReservationGap(inst, (units - covered) / units, target))
    return gaps


_OFFERINGS = {"1y": "No Upfront", "3y": "Partial Upfront (no 3-year No Upfront offering exists)"}
_RI_NOTE = "; reserved = on-demand x AWS's stated maximum discount (estimate)"


@lru_cache(maxsize=8192)
def _ri_quote(engine: str, klass: str, region: str, multi_az: bool, cluster_member: bool) -> tuple[Any, ...] | None:
    """(on-demand, 1y, 3y hourly, price basis) of one engine/class/region/deployment, memoised."""
    try:
        od = pricing.instance_hourly(engine, klass, region, multi_az)
        one = pricing.reserved_hourly(engine, klass, region, 1, multi_az)
        three = pricing.reserved_hourly(engine, klass, region, 3, multi_az)
    except pricing.PriceNotFound:
        return None
    basis = f"{engine} on-demand, {pricing.price_note(region)}"
    if multi_az and not cluster_member:
        basis += ", Multi-AZ x2"
    if pricing.is_compute_only(engine):
        basis += ", compute only (license not priced: saving is a lower bound)"
    return od, one, three, basis + _RI_NOTE


def reservation_saving(gap: ReservationGap) -> tuple[float, dict[str, Any]] | None:
    """Monthly saving of reserving the uncovered part for 1 year No Upfront, with the 3-year figure."""
    inst = gap.instance
    quote = _ri_quote(inst.engine, gap.priced_class, inst.region, inst.multi_az, bool(inst.cluster))
    if quote is None:
        return None
    od, one, three, basis = quote
    share = round(gap.uncovered, 3)
    evidence = {
        "action": f"reserve {gap.priced_class} 1y No Upfront",
        "running_since": inst.created_at.date().isoformat() if inst.created_at else None,
        "priced_class": gap.priced_class,
        "uncovered_share": share,
        "on_demand_hourly_usd": od,
        "reserved_1y_hourly_usd": one,
        "reserved_3y_hourly_usd": three,
        "monthly_savings_3y_usd": money((od - three) * H * gap.uncovered),
        "offerings": _OFFERINGS,
        "price_basis": basis,
        "how": f"({od} - {one}) USD/h x {H} h x {share} uncovered (1-year No Upfront)",
    }
    if gap.priced_class != inst.instance_class:
        evidence["note"] = f"priced on {gap.priced_class}, the class the right-sizing/modernisation finding proposes"
    return money((od - one) * H * gap.uncovered), evidence


# ---- storage ----------------------------------------------------------------------------------------------


def overprovisioned_iops(inst: DBInstance, t: Thresholds) -> tuple[float, dict[str, Any]] | None:
    """io1/io2 whose average IOPS use is far below provisioned: reduce to 2x the average (at least 1,000)."""
    u = inst.utilisation
    if inst.storage_type not in ("io1", "io2") or not inst.iops or u is None or u.days < t.min_days:
        return None
    if u.read_iops_avg is None or u.write_iops_avg is None:
        return None
    used = u.read_iops_avg + u.write_iops_avg
    if used >= inst.iops * t.iops_used_pct / 100:
        return None
    recommended = max(1000, math.ceil(used * 2 / 1000) * 1000)
    if recommended >= inst.iops:
        return None
    try:
        rate = pricing.iops_month(inst.storage_type, inst.region, inst.multi_az)
    except pricing.PriceNotFound:
        return None
    saving = money((inst.iops - recommended) * rate)
    return saving, {
        "action": f"IOPS {inst.iops} -> {recommended}",
        "storage_type": inst.storage_type, "provisioned_iops": inst.iops, "avg_iops_used": round(used, 1),
        "days": u.days, "recommended_iops": recommended, "iops_month_usd": rate,
        "price_basis": f"provisioned IOPS, {pricing.price_note(inst.region)}{', Multi-AZ x2' if inst.multi_az else ''}",
        "how": f"({inst.iops} - {recommended}) IOPS x {rate} USD/IOPS-month (2x the average use, at least 1,000)",
    }  # fmt: skip


def stopped_storage(resource: DBInstance | DBCluster) -> tuple[float, dict[str, Any]] | None:
    """A stopped instance/cluster still pays storage (and IOPS): the saving of a final snapshot and deletion."""
    if resource.status != "stopped" or not resource.allocated_gb:
        return None
    is_cluster = isinstance(resource, DBCluster)
    try:
        if is_cluster:
            io_opt = resource.storage_type == "aurora-iopt1"
            gb_rate = pricing.aurora_storage_gb_month(resource.region, io_opt)
            iops_cost = 0.0
            snap_rate = pricing.snapshot_gb_month(resource.region, aurora=True)
        else:
            gb_rate = pricing.storage_gb_month(resource.storage_type, resource.region, resource.multi_az)
            billable = pricing.billable_iops(
                resource.storage_type, resource.iops, resource.engine, resource.allocated_gb
            )
            iops_cost = billable * pricing.iops_month(resource.storage_type, resource.region, resource.multi_az) \
                if billable else 0.0  # fmt: skip
            snap_rate = pricing.snapshot_gb_month(resource.region)
    except pricing.PriceNotFound:
        return None
    storage = resource.allocated_gb * gb_rate + iops_cost
    snapshot_cost = resource.allocated_gb * snap_rate
    saving = money(storage - snapshot_cost)
    if saving <= 0:
        return None
    return saving, {
        "action": "final snapshot, then delete",
        "status": "stopped", "allocated_gb": resource.allocated_gb, "storage_type": resource.storage_type,
        "storage_monthly_usd": money(storage), "final_snapshot_monthly_usd": money(snapshot_cost),
        "price_basis": f"storage and snapshot prices, {pricing.price_note(resource.region)}",
        "how": f"{resource.allocated_gb} GB x {gb_rate} USD/GB-month" + (f" + {money(iops_cost)} USD IOPS" if iops_cost
               else "") + f" - {resource.allocated_gb} GB x {snap_rate} USD/GB-month for a final snapshot",
        "note": "RDS starts a stopped instance again after 7 days; a stopped database still pays storage",
    }  # fmt: skip


def old_snapshot(snap: DBSnapshot, as_of: date, t: Thresholds) -> tuple[float, dict[str, Any]] | None:
    """A manual snapshot older than the threshold: its storage (an upper bound: snapshots are incremental)."""
    if snap.snapshot_type != "manual" or snap.created_at is None or not snap.allocated_gb:
        return None
    age = (as_of - snap.created_at.date()).days
    if age <= t.snapshot_max_age_days:
        return None
    try:
        rate = pricing.snapshot_gb_month(snap.region, aurora=snap.kind == "cluster" or snap.engine.startswith("aurora"))
    except pricing.PriceNotFound:
        return None
    return money(snap.allocated_gb * rate), {
        "action": "delete snapshot",
        "age_days": age, "max_age_days": t.snapshot_max_age_days, "allocated_gb": snap.allocated_gb,
        "snapshot_gb_month_usd": rate, "source_id": snap.source_id,
        "price_basis": f"backup storage, {pricing.price_note(snap.region)}",
        "how": f"{snap.allocated_gb} GB x {rate} USD/GB-month (upper bound: snapshots are incremental and the "
               "first one per volume is free up to the database size)",
    }  # fmt: skip


def gp2_volume(vol: Volume) -> tuple[float, dict[str, Any]] | None:
    """An EBS gp2 volume: gp3 gives the same baseline for less per GB."""
    if vol.volume_type != "gp2" or not vol.size_gb:
        return None
    try:
        gp2, gp3 = pricing.ebs_gb_month("gp2", vol.region), pricing.ebs_gb_month("gp3", vol.region)
    except pricing.PriceNotFound:
        return None
    saving = money(vol.size_gb * (gp2 - gp3))
    if saving <= 0:
        return None
    return saving, {
        "action": "gp2 -> gp3",
        "volume_type": "gp2", "size_gb": vol.size_gb, "instance_id": vol.instance_id,
        "gp2_gb_month_usd": gp2, "gp3_gb_month_usd": gp3, "price_basis": f"EBS, {pricing.price_note(vol.region)}",
        "how": f"{vol.size_gb} GB x ({gp2} - {gp3}) USD/GB-month; gp3 includes 3,000 IOPS and 125 MiB/s",
    }  # fmt: skip


def rds_gp2(inst: DBInstance) -> tuple[float, dict[str, Any]] | None:
    """An RDS gp2 volume, only where the price table makes gp3 cheaper (RDS lists both at one GB price in the
    bundled regions, so this stays silent there; the performance benefit is a performance finding)."""
    if inst.storage_type != "gp2" or not inst.allocated_gb:
        return None
    try:
        gp2 = pricing.storage_gb_month("gp2", inst.region, inst.multi_az)
        gp3 = pricing.storage_gb_month("gp3", inst.region, inst.multi_az)
    except pricing.PriceNotFound:
        return None
    saving = money(inst.allocated_gb * (gp2 - gp3))
    if saving <= 0:
        return None
    return saving, {
        "action": "gp2 -> gp3",
        "storage_type": "gp2", "allocated_gb": inst.allocated_gb, "gp2_gb_month_usd": gp2, "gp3_gb_month_usd": gp3,
        "price_basis": f"RDS storage, {pricing.price_note(inst.region)}",
        "how": f"{inst.allocated_gb} GB x ({gp2} - {gp3}) USD/GB-month",
    }  # fmt: skip
