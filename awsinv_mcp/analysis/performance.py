"""Performance rules for DB instances (Aurora members included: each is its own compute).

Utilisation comes from the snapshot's 14-day CloudWatch statistics; a rule whose metric was not collected
stays silent rather than guess. Instance class facts come from `resources/instance_classes.json`.
"""

from __future__ import annotations

from awsinv_mcp import instance_classes as classes
from awsinv_mcp.analysis import savings
from awsinv_mcp.analysis.catalogue import AnalysisContext, Hit, resource_rule
from awsinv_mcp.analysis.versions import run_members
from awsinv_mcp.models.inventory import DBCluster, DBInstance, Snapshot

HIGH_CPU_AVG = savings.HIGH_CPU_AVG  # percent, 14-day average (one threshold: the cost rules defer to it)
LOW_BURST_BALANCE = 25.0  # percent of gp2 burst credits left at the minimum
IOPS_NEAR_LIMIT = 0.8  # observed average IOPS / what the storage provides
FREE_STORAGE_MIN = 0.10  # fraction of allocated storage
AURORA_STORAGE = frozenset({"aurora", "aurora-iopt1"})


def storage_iops_limit(db: DBInstance) -> int | None:
    """The IOPS the storage sustains: gp2 3/GiB (100-16,000), gp3 its setting or baseline, io1/io2 provisioned."""
    gb = db.allocated_gb
    if db.storage_type == "gp2":
        return min(max(100, 3 * gb), 16_000)
    if db.storage_type == "gp3":  # RDS for SQL Server keeps the 3,000 baseline at every size
        threshold = 200 if "oracle" in db.engine else 400
        return db.iops or (3_000 if gb < threshold or db.engine.startswith("sqlserver") else 12_000)
    if db.storage_type in ("io1", "io2"):
        return db.iops
    return None  # magnetic and Aurora storage


@resource_rule(
    "perf.burstable_in_production", resource_type="db_instance", category="performance", severity="medium",
    production_only=True,
    title="Production database on a burstable class",
    rationale="db.t* classes run on CPU credits; once spent, the instance is throttled to its baseline under load.",
    remediation="Console: Modify the instance, DB instance class: the m or r class the finding recommends (one RDS "
    "offers this engine and version). CLI: aws rds modify-db-instance --db-instance-identifier ID "
    "--db-instance-class CLASS --apply-immediately",
)  # fmt: skip
def burstable_in_production(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not classes.is_burstable(db.instance_class):
        return None
    util = db.utilisation
    return {"instance_class": db.instance_class, "cpu_avg": util.cpu_avg if util else None,
            "recommended_class": steady_class(db, snap)}  # fmt: skip


STEADY_FAMILIES = ("db.m7g", "db.m6g", "db.m6i", "db.m5", "db.r7g", "db.r6g", "db.r6i", "db.r5")
"""Where a burstable production instance goes, in order of preference (Aurora offers only r classes)."""


def steady_class(db: DBInstance, snap: Snapshot) -> str | None:
    """The first m (else r) class RDS offers this engine and version, of the burstable's size or large at least,
    one size more when CPU is high (perf.high_cpu); None when none is offered."""
    facts = classes.lookup(db.instance_class)
    if facts is None:
        return None
    order = classes.size_order()
    size = order[max(order.index(facts.size), order.index("large"))]
    if _hot(db) and order.index(facts.size) >= order.index("large"):
        size = order[min(order.index(size) + 1, len(order) - 1)]
    offered = snap.offered_classes(db.region, db.engine, db.engine_version)
    return next((f"{family}.{size}" for family in STEADY_FAMILIES
                 if classes.offered(f"{family}.{size}", db.engine, db.engine_version, offered)), None)  # fmt: skip


@resource_rule(
    "perf.gp2_burst_credits", resource_type="db_instance", category="performance", severity="medium",
    title="gp2 storage is running out of burst credits",
    rationale="gp2 volumes under 1,000 GiB burst to 3,000 IOPS on credits; when the balance runs out I/O drops to "
    "3 IOPS per GiB. gp3 gives 3,000 IOPS baseline without credits.",
    remediation="Console: Modify the instance, Storage type: gp3 (no downtime). CLI: aws rds modify-db-instance "
    "--db-instance-identifier <id> --storage-type gp3 --apply-immediately",
    notes=f"Fires when the 14-day minimum BurstBalance is below {LOW_BURST_BALANCE:.0f}%; silent when not collected.",
    metrics=("BurstBalance",),
)  # fmt: skip
def gp2_burst_credits(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    util = db.utilisation
    if db.storage_type != "gp2" or db.allocated_gb >= 1000 or util is None or util.burst_balance_min is None:
        return None
    if util.burst_balance_min >= LOW_BURST_BALANCE:
        return None
    return {"allocated_gb": db.allocated_gb, "baseline_iops": storage_iops_limit(db),
            "burst_balance_min": util.burst_balance_min}  # fmt: skip


@resource_rule(
    "perf.iops_storage_ratio", resource_type="db_instance", category="performance", severity="medium",
    title="I/O demand is close to what the storage provides",
    rationale="IOPS scale with storage size and type (gp2 3 per GiB; gp3 3,000 below 400 GiB, 12,000 above; io1/io2 "
    "as provisioned); an instance averaging near that limit queues I/O at peaks.",
    remediation="Console: Modify the instance: storage type gp3 with higher IOPS, or more allocated storage, or "
    "io2. CLI: aws rds modify-db-instance --db-instance-identifier <id> --storage-type gp3 --iops <iops> "
    "--allocated-storage <gb> --apply-immediately",
    notes=f"Fires when the 14-day average read+write IOPS reaches {IOPS_NEAR_LIMIT:.0%} of the limit; Aurora "
    "storage and magnetic volumes are skipped.",
    metrics=("ReadIOPS", "WriteIOPS"),
)  # fmt: skip
def iops_storage_ratio(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    util = db.utilisation
    if util is None or util.read_iops_avg is None or util.write_iops_avg is None:
        return None
    limit = storage_iops_limit(db)
    if not limit:
        return None
    observed = util.read_iops_avg + util.write_iops_avg
    if observed < IOPS_NEAR_LIMIT * limit:
        return None
    return {"storage_type": db.storage_type, "allocated_gb": db.allocated_gb, "iops_limit": limit,
            "iops_avg": round(observed, 1), "utilisation": round(observed / limit, 2),
            "iops_per_gb": round(limit / db.allocated_gb, 1) if db.allocated_gb else None}  # fmt: skip


@resource_rule(
    "perf.storage_nearly_full", resource_type="db_instance", category="performance", severity="high",
    title="Storage is nearly full",
    rationale="When allocated storage fills up the instance enters storage-full and stops accepting writes.",
    remediation="Console: Modify the instance, Allocated storage (or enable storage autoscaling with a maximum). "
    "CLI: aws rds modify-db-instance --db-instance-identifier <id> --allocated-storage <gb> "
    "--max-allocated-storage <max-gb> --apply-immediately",
    notes=f"Fires below {FREE_STORAGE_MIN:.0%} free (14-day minimum) unless storage autoscaling still has room; "
    "Aurora storage grows by itself and is skipped.",
    metrics=("FreeStorageSpace",),
)  # fmt: skip
def storage_nearly_full(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    util = db.utilisation
    if db.storage_type in AURORA_STORAGE or not db.allocated_gb or util is None or util.free_storage_gb_min is None:
        return None
    free_fraction = util.free_storage_gb_min / db.allocated_gb
    autoscaling_room = db.max_allocated_gb is not None and db.max_allocated_gb > db.allocated_gb
    if free_fraction >= FREE_STORAGE_MIN or autoscaling_room:
        return None
    return {"allocated_gb": db.allocated_gb, "free_gb_min": round(util.free_storage_gb_min, 1),
            "free_pct": round(100 * free_fraction, 1), "max_allocated_gb": db.max_allocated_gb}  # fmt: skip


@resource_rule(
    "perf.high_cpu", resource_type="db_instance", category="performance", severity="medium",
    title="CPU is high: size up one step",
    rationale=f"A 14-day CPU average of {HIGH_CPU_AVG:.0f}% or more leaves no headroom for peaks; queries queue.",
    remediation="Console: Modify the instance, DB instance class: the next size (the class the finding recommends), "
    "after checking Performance Insights for a runaway query. CLI: aws rds modify-db-instance "
    "--db-instance-identifier <id> --db-instance-class <class> --apply-immediately",
    metrics=("CPUUtilization",),
)  # fmt: skip
def high_cpu(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    util = db.utilisation
    if util is None or util.cpu_avg is None or util.cpu_avg < HIGH_CPU_AVG:
        return None
    if ctx.is_production(db.environment) and classes.is_burstable(db.instance_class):  # one advice: leave burstable
        return {"cpu_avg": util.cpu_avg, "cpu_max": util.cpu_max, "instance_class": db.instance_class,
                "recommended_class": None, "note": "burstable in production: move to an m or r class of at least "
                "the next size (perf.burstable_in_production), not a larger burstable one"}  # fmt: skip
    return {"cpu_avg": util.cpu_avg, "cpu_max": util.cpu_max, "instance_class": db.instance_class,
            "recommended_class": grow_target(db, snap)}  # fmt: skip


def grow_target(db: DBInstance, snap: Snapshot) -> str | None:
    """One size up, on the current-generation successor when the class is previous-generation (so perf.high_cpu
    and perf.previous_generation name the same class); None when RDS does not offer that class for the engine
    and version (aws mode's answer, else resources/orderable_classes.json)."""
    offered = snap.offered_classes(db.region, db.engine, db.engine_version)
    up = classes.size_up(classes.successor(db.instance_class, db.engine, db.engine_version, offered)
                         or db.instance_class)  # fmt: skip
    return up if up and classes.offered(up, db.engine, db.engine_version, offered) else None


def _hot(db: DBInstance) -> bool:
    util = db.utilisation
    return util is not None and util.cpu_avg is not None and util.cpu_avg >= HIGH_CPU_AVG


@resource_rule(
    "perf.previous_generation", resource_type="db_instance", category="performance", severity="low",
    title="Previous-generation instance class",
    rationale="Previous-generation classes (t2, m4, r4) are slower per vCPU and cost more than their successors.",
    remediation="Console: Modify the instance, DB instance class: the successor the finding names (Graviton where "
    "the engine supports it). CLI: aws rds modify-db-instance --db-instance-identifier <id> --db-instance-class "
    "<class> --apply-immediately",
)  # fmt: skip
def previous_generation(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    facts = classes.lookup(db.instance_class)
    if facts is None or not facts.previous_generation:
        return None
    if ctx.is_production(db.environment) and classes.is_burstable(db.instance_class):
        return None  # perf.burstable_in_production already moves it to an m or r class: one advice per instance
    plan = savings.plans_for(snap, ctx).by_instance.get((db.account, db.region, db.identifier))
    if plan is not None and plan.kind == "idle":
        return None  # cost.idle_instance retires it: no advice to modernise what is being stopped
    if _hot(db):
        return {"instance_class": db.instance_class, "successor": grow_target(db, snap), "note": "CPU is high: "
                "one size up on the successor (perf.high_cpu)"}  # fmt: skip
    if plan is not None and plan.target_class:  # the one target class the cost finding prices
        return {"instance_class": db.instance_class, "successor": plan.target_class}
    offered = snap.offered_classes(db.region, db.engine, db.engine_version)
    return {"instance_class": db.instance_class,
            "successor": classes.successor(db.instance_class, db.engine, db.engine_version, offered)}  # fmt: skip


@resource_rule(
    "perf.performance_insights", resource_type="db_instance", category="performance", severity="low",
    title="Performance Insights is off",
    rationale="Without Performance Insights there is no per-query wait and load history to find what is slow; "
    "the 7-day tier is free.",
    remediation="Console: Modify the instance, Monitoring > Turn on Performance Insights. CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --enable-performance-insights "
    "--performance-insights-retention-period 7 --apply-immediately",
    notes="Only when the API says it is off: an unknown state (not reported) gives no finding. Also listed by "
    "the security review (assess_security): one rule, so no duplicate findings.",
    also_in=("security",),
)  # fmt: skip
def performance_insights(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return {"performance_insights": False} if db.performance_insights is False else None


# --- Trusted Advisor performance and fault-tolerance checks read from the inventory -------------------------


@resource_rule(
    "perf.magnetic_storage", resource_type="db_instance", category="performance", severity="low",
    title="DB instance on magnetic (standard) storage",
    rationale="Magnetic storage is previous generation: about 100 IOPS on average, no larger than 3 TiB, and slower "
    "than gp3 at a similar price.",
    remediation="Console: Modify the instance, Storage type: General Purpose SSD (gp3). CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --storage-type gp3 --apply-immediately",
    notes="Trusted Advisor: Amazon RDS magnetic volume is in use.",
)  # fmt: skip
def magnetic_storage(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return {"storage_type": "standard", "allocated_gb": db.allocated_gb} if db.storage_type == "standard" else None


@resource_rule(
    "perf.storage_autoscaling_off", resource_type="db_instance", category="performance", severity="low",
    title="Storage autoscaling is off",
    rationale="Without a maximum allocated storage the instance cannot grow by itself: a data spike fills the disk "
    "and the database stops accepting writes (storage-full).",
    remediation="Console: Modify the instance, Storage autoscaling: Enable, Maximum storage threshold. CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --max-allocated-storage <gb> --apply-immediately",
    notes="Standalone instances (Aurora storage grows by itself) without MaxAllocatedStorage above the allocated "
    "size (Trusted Advisor: Amazon RDS DB instances have storage autoscaling turned off).",
)  # fmt: skip
def storage_autoscaling_off(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if db.cluster or db.storage_type in AURORA_STORAGE or (db.max_allocated_gb or 0) > db.allocated_gb:
        return None
    return {"allocated_gb": db.allocated_gb, "max_allocated_gb": db.max_allocated_gb}


@resource_rule(
    "perf.cluster_mixed_classes", resource_type="db_cluster", category="performance", severity="low",
    title="Cluster members run on different instance classes",
    rationale="A failover to a smaller or different reader changes the writer's capacity without warning, and "
    "readers of different sizes serve the same reader endpoint at different speeds.",
    remediation="Console: Modify the odd members, DB instance class: the writer's class. CLI: aws rds "
    "modify-db-instance --db-instance-identifier <member> --db-instance-class <writer-class> --apply-immediately",
    notes="Provisioned members only (db.serverless readers beside provisioned ones are a deliberate pattern). One "
    "rule for both Trusted Advisor checks: Amazon RDS DB instances in the clusters with heterogeneous instance "
    "classes, and with heterogeneous instance sizes.",
)  # fmt: skip
def cluster_mixed_classes(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    by_class: dict[str, list[str]] = {}
    for m in run_members(snap, ctx, c):
        if m.instance_class and m.instance_class != "db.serverless":
            by_class.setdefault(m.instance_class, []).append(m.identifier)
    if len(by_class) < 2:
        return None
    return {"classes": {k: sorted(v) for k, v in sorted(by_class.items())}}
