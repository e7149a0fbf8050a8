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
    aurora_switch_min_pct: float = 5.0  # Aurora Standard <-> I/O-Optimized: only when it saves this share of the
    # cluster's cost (a switch to I/O-Optimized locks the choice for 30 days; small gains follow the I/O mix)
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


Bound = Literal["estimate", "lower_bound", "upper_bound"]
BOUNDS: tuple[Bound, ...] = ("estimate", "lower_bound", "upper_bound")


def licence_note(engine: str, license_model: str | None) -> str:
    """How the licence of a commercial engine is priced ('' for open-source engines)."""
    if not pricing.is_compute_only(engine):
        return ""
    if pricing.license_unpriced(engine, license_model):
        return f", compute only (license model {license_model or 'unknown'}: licence not priced, saving is a lower " \
               "bound)"  # fmt: skip
    if license_model == pricing.LICENSE_INCLUDED:
        return ", license-included (compute + licence per vCPU-hour, prices.json license_included)"
    return ", bring-your-own-license (compute only: the licence is paid outside AWS)"


def _price_basis(inst: DBInstance) -> str:
    basis = f"{inst.engine} on-demand, {pricing.price_note(inst.region)}"
    if inst.multi_az and not inst.cluster:
        basis += ", Multi-AZ x2"
    return basis + licence_note(inst.engine, inst.license_model)


def compute_bound(inst: DBInstance) -> Bound:
    """A compute saving is a lower bound when the licence is not priced or the class is previous-generation
    (priced as its cheaper successor family, prices.json previous_generation_aliases); an estimate otherwise."""
    facts = classes.lookup(inst.instance_class)
    old = facts is not None and facts.previous_generation
    return "lower_bound" if old or pricing.license_unpriced(inst.engine, inst.license_model) else "estimate"


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


HEADROOM = 0.5  # one size down halves vCPUs and memory: memory, connections and I/O must fit in half


def fits_smaller(inst: DBInstance, target: str) -> dict[str, Any] | None:
    """What the 14-day memory, connections and I/O say about `target` (half the class): the figures when they fit
    (a metric not collected is named in `not_collected`), None when one does not. Memory: FreeableMemory's
    minimum kept at least half the memory free. Connections: the maximum stays under half the target's default
    max_connections. I/O: read + write IOPS average under half of what the target size drives
    (`instance_classes.iops_ceiling`)."""
    u, now, new = inst.utilisation, classes.lookup(inst.instance_class), classes.lookup(target)
    if u is None or now is None or new is None:
        return None
    out: dict[str, Any] = {}
    missing = []
    if u.freeable_memory_gb_min is None:
        missing.append("FreeableMemory")
    elif u.freeable_memory_gb_min < HEADROOM * now.memory_gib:
        return None
    else:
        out["freeable_memory_gb_min"] = u.freeable_memory_gb_min
        out["memory_gib"] = {"current": now.memory_gib, "target": new.memory_gib}
    limit = classes.default_max_connections(inst.engine, new.memory_gib)
    if u.connections_max is None:
        missing.append("DatabaseConnections")
    elif limit is not None and u.connections_max > HEADROOM * limit:
        return None
    else:
        out["connections_max"] = u.connections_max
        if limit is not None:
            out["target_default_max_connections"] = limit
    if u.read_iops_avg is None or u.write_iops_avg is None:
        missing.append("ReadIOPS/WriteIOPS")
    elif u.read_iops_avg + u.write_iops_avg > HEADROOM * classes.iops_ceiling(new.memory_gib):
        return None
    else:
        out["iops_avg"] = round(u.read_iops_avg + u.write_iops_avg, 1)
    if missing:
        out["not_collected"] = missing
    return out


def smaller_target(inst: DBInstance, modern: str | None, offered: classes.Offered = None) -> str | None:
    """One size down (on the successor of a previous-generation class), only a class RDS offers for the engine,
    edition and version."""
    for candidate in (classes.size_down(modern) if modern else None, classes.size_down(inst.instance_class)):
        if candidate and classes.offered(candidate, inst.engine, inst.engine_version, offered):
            return candidate
    return None


def compute_plan(inst: DBInstance, t: Thresholds, production: bool = False,
                 offered: classes.Offered = None) -> ComputePlan | None:  # fmt: skip
    """Idle > right-size > previous generation; None when nothing applies or no price is known, and (idle
    aside) for an instance the performance rules move up (`grows`). Targets are classes RDS offers for the
    instance's engine and version (`offered`: aws mode's answer, else the shipped table)."""
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
                "savings_bound": compute_bound(inst),
            })  # fmt: skip
        if grows(inst, production):
            return None
        modern = classes.successor(inst.instance_class, inst.engine, inst.engine_version, offered)
        if (_judged(inst, t) and u is not None and u.cpu_avg is not None and u.cpu_max is not None
                and u.cpu_avg < t.cpu_avg_pct and u.cpu_max < t.cpu_max_pct):  # fmt: skip
            target = smaller_target(inst, modern, offered)
            fit = fits_smaller(inst, target) if target is not None else None
            if target is not None and fit is not None:
                new = _od(inst, target)
                if new < current:
                    return ComputePlan("rightsize", target, money((current - new) * H), {
                        "action": f"{inst.instance_class} -> {target}",
                        "cpu_avg_pct": u.cpu_avg, "cpu_max_pct": u.cpu_max, "days": u.days, **fit,
                        "thresholds": {"cpu_avg_pct": t.cpu_avg_pct, "cpu_max_pct": t.cpu_max_pct},
                        "current_class": inst.instance_class, "target_class": target,
                        "current_hourly_usd": current, "target_hourly_usd": new, "price_basis": _price_basis(inst),
                        "how": f"({current} - {new}) USD/h x {H} h", "savings_bound": compute_bound(inst),
                        **(_MEMBER_NOTE if inst.cluster else {}),
                    })  # fmt: skip
        if modern is not None:
            new = _od(inst, modern)
            if new < current:
                return ComputePlan("modernize", modern, money((current - new) * H), {
                    "action": f"{inst.instance_class} -> {modern}",
                    "current_class": inst.instance_class, "target_class": modern,
                    "current_hourly_usd": current, "target_hourly_usd": new, "price_basis": _price_basis(inst),
                    "how": f"({current} - {new}) USD/h x {H} h", "savings_bound": compute_bound(inst),
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
        offered = snapshot.offered_classes(inst.region, inst.engine, inst.engine_version)
        plan = compute_plan(inst, t, ctx.is_production(inst.environment), offered)
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


def instance_pool(inst: DBInstance) -> tuple[tuple[Any, ...], float] | None:
    """(pool key with the instance's account and region, normalised units) of a running instance, or None when its
    class has no price (no reservation can cover it)."""
    try:
        pool, units = ri_pool(
            inst.engine, inst.instance_class, inst.multi_az, inst.cluster is not None, inst.license_model
        )
    except pricing.PriceNotFound:
        return None
    return (inst.account, inst.region, *pool), units


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
        pooled = instance_pool(inst)
        if pooled is None:
            continue
        key, units = pooled
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
def _ri_quote(engine: str, klass: str, region: str, multi_az: bool, cluster_member: bool,
              license_model: str | None = None) -> tuple[Any, ...] | None:  # fmt: skip
    """(on-demand, 1y, 3y hourly, price basis) of one engine/class/region/deployment/licence, memoised."""
    try:
        od = pricing.instance_hourly(engine, klass, region, multi_az, license_model)
        one = pricing.reserved_hourly(engine, klass, region, 1, multi_az, license_model)
        three = pricing.reserved_hourly(engine, klass, region, 3, multi_az, license_model)
    except pricing.PriceNotFound:
        return None
    basis = f"{engine} on-demand, {pricing.price_note(region)}"
    if multi_az and not cluster_member:
        basis += ", Multi-AZ x2"
    return od, one, three, basis + licence_note(engine, license_model) + _RI_NOTE


def reservation_saving(gap: ReservationGap) -> tuple[float, dict[str, Any]] | None:
    """Monthly saving of reserving the uncovered part for 1 year No Upfront, with the 3-year figure."""
    inst = gap.instance
    quote = _ri_quote(inst.engine, gap.priced_class, inst.region, inst.multi_az, bool(inst.cluster), inst.license_model)
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
        # AWS's stated maximum discount: an upper bound, unless an unpriced licence makes the base a lower one
        "savings_bound": "estimate" if pricing.license_unpriced(inst.engine, inst.license_model) else "upper_bound",
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
        "savings_bound": "estimate",
    }  # fmt: skip


def io_to_gp3(inst: DBInstance, t: Thresholds) -> tuple[float, dict[str, Any]] | None:
    """io1/io2 that gp3 serves at the same IOPS (or at the lower figure cost.overprovisioned_iops recommends, so
    the two savings add up) and throughput, for less: the saving of moving to gp3 at that IOPS."""
    if inst.storage_type not in ("io1", "io2") or not inst.iops or not inst.allocated_gb or inst.status == "stopped":
        return None  # a stopped one: cost.stopped_instance_storage saves its whole storage
    lowered = overprovisioned_iops(inst, t)
    need = lowered[1]["recommended_iops"] if lowered else inst.iops
    gb, engine, region, maz = inst.allocated_gb, inst.engine, inst.region, inst.multi_az
    max_iops, max_mibps, per_gb, io_kib = pricing.gp3_limits(engine)
    mibps = inst.storage_throughput or math.ceil(need * io_kib / 1024)
    base_iops, base_mibps = pricing.gp3_baseline_iops(engine, gb), pricing.gp3_baseline_throughput(engine, gb)
    small = not engine.startswith("sqlserver") and gb < (200 if "oracle" in engine else 400)
    if need > min(max_iops, per_gb * gb) or mibps > max_mibps or (small and (need > base_iops or mibps > base_mibps)):
        return None  # gp3 cannot provision that much here (below 400 GB, 200 for Oracle, only the baseline)
    try:
        io_gb, io_iops = (
            pricing.storage_gb_month(inst.storage_type, region, maz),
            pricing.iops_month(inst.storage_type, region, maz),
        )
        gp3_gb, gp3_iops = pricing.storage_gb_month("gp3", region, maz), pricing.iops_month("gp3", region, maz)
        gp3_tput = pricing.gp3_throughput_mibps_month(region, maz)
    except pricing.PriceNotFound:
        return None
    extra_iops, extra_mibps = max(0, need - base_iops), max(0, mibps - base_mibps)
    io_cost = gb * io_gb + need * io_iops
    gp3_cost = gb * gp3_gb + extra_iops * gp3_iops + extra_mibps * gp3_tput
    saving = money(io_cost - gp3_cost)
    if saving <= 0:
        return None
    return saving, {
        "action": f"{inst.storage_type} -> gp3 at {need} IOPS, {max(mibps, base_mibps)} MiB/s",
        "storage_type": inst.storage_type, "allocated_gb": gb, "provisioned_iops": inst.iops, "required_iops": need,
        "required_mibps": mibps, "gp3_baseline_iops": base_iops, "gp3_baseline_mibps": base_mibps,
        "io_monthly_usd": money(io_cost), "gp3_monthly_usd": money(gp3_cost),
        "price_basis": f"RDS storage, {pricing.price_note(region)}{', Multi-AZ x2' if maz else ''}",
        "how": f"{inst.storage_type}: {gb} GB x {io_gb} + {need} IOPS x {io_iops} = {money(io_cost)}; gp3: {gb} GB x "
               f"{gp3_gb} + {extra_iops} IOPS above the {base_iops} baseline x {gp3_iops} + {extra_mibps} MiB/s above "
               f"{base_mibps} x {gp3_tput} = {money(gp3_cost)} USD/month",
        "note": ("at the IOPS cost.overprovisioned_iops recommends (its saving is separate); " if lowered else "")
        + ("throughput as set" if inst.storage_throughput else f"throughput assumed {io_kib} KiB per I/O")
        + "; check the peak IOPS and MiB/s (CloudWatch maximum) first",
        "savings_bound": "estimate",
    }  # fmt: skip


SECONDS_PER_MONTH = H * 3600


def aurora_io_config(cluster: DBCluster, members: list[DBInstance], plans: CostPlans,
                     t: Thresholds) -> tuple[float, dict[str, Any]] | None:  # fmt: skip
    """Aurora Standard vs I/O-Optimized from the I/O share of the cluster's cost: the saving of switching a
    provisioned cluster to the cheaper configuration (members priced on the class their compute plan proposes, so
    the savings add up). I/O requests: the members' 14-day average ReadIOPS + WriteIOPS x seconds in a month."""
    if not cluster.engine.startswith("aurora") or cluster.status != "available" or not members or \
            cluster.storage_type not in ("aurora", "aurora-iopt1"):  # fmt: skip
        return None
    if any(m.instance_class == "db.serverless" or not _judged(m, t) for m in members):
        return None  # Serverless v2 (ACU-priced) or no 14-day I/O figures: nothing to weigh
    if all(is_idle(m, t) for m in members):
        return None  # cost.idle_instance retires the cluster
    ios = 0.0
    for m in members:
        u = m.utilisation
        if u is None or u.read_iops_avg is None or u.write_iops_avg is None:
            return None
        ios += (u.read_iops_avg + u.write_iops_avg) * SECONDS_PER_MONTH
    region, gb = cluster.region, cluster.allocated_gb
    try:
        classes_ = [p.target_class if (p := plans.by_instance.get(_key(m))) and p.target_class else m.instance_class
                    for m in members]  # fmt: skip
        std_compute = sum(pricing.instance_hourly(cluster.engine, c, region) for c in classes_) * H
        opt_compute = sum(pricing.instance_hourly(cluster.engine, c, region, io_optimized=True) for c in classes_) * H
        std_gb, opt_gb = pricing.aurora_storage_gb_month(region), pricing.aurora_storage_gb_month(region, True)
        io_rate = pricing.aurora_io_per_million(region)
    except pricing.PriceNotFound:
        return None
    io_cost = ios / 1e6 * io_rate
    standard = std_compute + gb * std_gb + io_cost
    optimized = opt_compute + gb * opt_gb
    io_share = io_cost / standard if standard else 0.0
    now_opt = cluster.storage_type == "aurora-iopt1"
    saving = money((optimized - standard) if now_opt else (standard - optimized))
    if saving <= 0 or saving < (optimized if now_opt else standard) * t.aurora_switch_min_pct / 100:
        return None
    target = "Aurora Standard" if now_opt else "Aurora I/O-Optimized"
    return saving, {
        "action": f"{'I/O-Optimized' if now_opt else 'Standard'} -> {target}",
        "current": "aurora-iopt1" if now_opt else "aurora", "io_requests_millions_month": round(ios / 1e6, 1),
        "io_share_of_standard_cost": round(io_share, 3), "volume_gb": gb, "members": len(members),
        "standard_monthly_usd": money(standard), "io_optimized_monthly_usd": money(optimized),
        "price_basis": f"Aurora, {pricing.price_note(region)}; I/O-Optimized instances x "
                       f"{money(opt_compute / std_compute) if std_compute else '?'}",
        "how": f"Standard: compute {money(std_compute)} + {gb} GB x {std_gb} + {round(ios / 1e6, 1)} M I/O x "
               f"{io_rate} = {money(standard)}; I/O-Optimized: compute {money(opt_compute)} + {gb} GB x {opt_gb} = "
               f"{money(optimized)} USD/month",
        "note": "I/O from the members' ReadIOPS + WriteIOPS averages (billed I/O is VolumeReadIOPs + "
                "VolumeWriteIOPs: check the bill's StorageIOUsage); AWS allows one switch to I/O-Optimized per 30 days",
        "savings_bound": "estimate",
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
        "savings_bound": "estimate",
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
        "savings_bound": "upper_bound",
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
        "savings_bound": "estimate",
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
        "savings_bound": "estimate",
    }  # fmt: skip
