"""Cost rules: one finding per saving opportunity, with `monthly_savings_usd` and evidence saying how it was
computed from which prices (`analysis.savings` does the arithmetic, `awsinv_mcp.pricing` holds the prices).

Savings add up: an instance gets at most one compute change (idle > right-size > previous generation) and a
reservation is priced on the class that change proposes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from awsinv_mcp.analysis import savings as S
from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext, member_group, rule
from awsinv_mcp.analysis.versions import compliance_rows
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.models.inventory import DBInstance, Snapshot

_MODIFY_CLASS = (
    "Console: RDS > Databases > the instance > Modify > DB instance class. CLI: aws rds modify-db-instance "
    "--db-instance-identifier ID --db-instance-class TARGET --apply-immediately (or during the maintenance window)."
)


def _finding(rule_id: str, record: Any, resource_type: str, saving: float, evidence: dict[str, Any]) -> Finding:
    return RULES[rule_id].finding(
        record, resource_type=resource_type, resource_id=record.identifier, evidence=evidence,
        severity=S.severity_for(saving), monthly_savings_usd=saving, group=member_group(record),
    )  # fmt: skip


def _each(rule_id: str, resource_type: str, records: Iterable[Any],
          measure: Callable[[Any], tuple[float, dict[str, Any]] | None]) -> list[Finding]:  # fmt: skip
    found = []
    for record in records:
        hit = measure(record)
        if hit is not None:
            found.append(_finding(rule_id, record, resource_type, *hit))
    return found


def _compute(snapshot: Snapshot, ctx: AnalysisContext, rule_id: str, kind: str) -> list[Finding]:
    return [
        _finding(rule_id, inst, "db_instance", plan.monthly_savings_usd, plan.evidence)
        for inst, plan in S.compute_opportunities(snapshot, ctx, kind)
    ]


@rule(
    "cost.idle_instance",
    category="cost",
    severity="medium",
    title="Idle database: no connections in 14 days",
    rationale="A database nobody connected to for the whole utilisation window still pays every instance-hour.",
    resource_types=("db_instance", "db_cluster"),
    remediation="Confirm with the owner, then stop it (Console: Actions > Stop temporarily; CLI: aws rds "
    "stop-db-instance --db-instance-identifier ID) or take a final snapshot and delete it (aws rds "
    "delete-db-instance --db-instance-identifier ID --final-db-snapshot-identifier ID-final).",
    notes="Standalone instances, and Aurora clusters whose members are all idle (finding on the cluster; an idle "
    "reader alone is not reported). Saving = the whole compute cost.",
    metrics=("DatabaseConnections",),
)
def idle_instance(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    found = _compute(snapshot, ctx, "cost.idle_instance", "idle")
    for cluster, saving, members in S.plans_for(snapshot, ctx).idle_clusters.values():
        evidence = {"action": "stop, or snapshot and delete", "members": sorted(m.identifier for m in members),
                    "connections_max": 0, "savings_bound": "lower_bound" if any(
                        S.compute_bound(m) == "lower_bound" for m in members) else "estimate",
                    "how": "sum of the members' on-demand compute: " + " + ".join(
                        f"{m.instance_class}" for m in sorted(members, key=lambda m: m.identifier))}  # fmt: skip
        found.append(_finding("cost.idle_instance", cluster, "db_cluster", saving, evidence))
    return found


@rule(
    "cost.rightsizing",
    category="cost",
    severity="medium",
    title="Over-sized DB instance: one size down",
    rationale="14-day CPU average and maximum well below the thresholds, and memory, connections and I/O that fit in "
    "half the class: the next smaller class carries the load.",
    resource_types=("db_instance",),
    remediation="Modify the instance to the smaller class the finding names (previous-generation "
    "classes go to their current successor). " + _MODIFY_CLASS,
    notes="Thresholds (ctx.extra): cpu_avg_pct 15, cpu_max_pct 40 over at least 14 days; FreeableMemory's minimum at "
    "least half the memory; connections maximum under half the target's default max_connections; read + write IOPS "
    "under half of what the target size drives (a metric not collected is named in evidence.not_collected). Only a "
    "class RDS offers for the engine, edition and version (DescribeOrderableDBInstanceOptions in aws mode, else "
    "resources/orderable_classes.json). Non-burstable families stop at large. Saving = (current - target on-demand "
    "hourly) x 730.",
    metrics=("CPUUtilization", "FreeableMemory", "DatabaseConnections", "ReadIOPS", "WriteIOPS"),
)
def rightsizing(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    return _compute(snapshot, ctx, "cost.rightsizing", "rightsize")


@rule(
    "cost.previous_generation",
    category="cost",
    severity="low",
    title="Previous-generation class: move to the current (Graviton) equivalent",
    rationale="Current-generation classes cost less per hour for more performance; Graviton where the engine "
    "supports it, the Intel successor for Oracle and SQL Server.",
    resource_types=("db_instance",),
    remediation="Modify the instance to the current-generation class the finding names. " + _MODIFY_CLASS,
    notes="Previous-generation classes are priced as their Intel successor family (see prices.json), so the saving "
    "is a lower bound. Only reported when the target is cheaper.",
)
def previous_generation(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    return _compute(snapshot, ctx, "cost.previous_generation", "modernize")


@rule(
    "cost.reserved_instances",
    category="cost",
    severity="medium",
    title="Steady on-demand DB instance: buy a Reserved Instance",
    rationale="An instance running for 30+ days that no active reservation covers pays the on-demand premium.",
    resource_types=("db_instance",),
    remediation="Console: RDS > Reserved instances > Purchase reserved DB instance (same engine, class family, "
    "region, Single-/Multi-AZ). CLI: aws rds describe-reserved-db-instances-offerings --db-instance-class CLASS "
    "--product-description ENGINE --duration 31536000 --offering-type 'No Upfront', then aws rds "
    "purchase-reserved-db-instances-offering --reserved-db-instances-offering-id OFFERING.",
    notes="Net of existing active reservations (size-flexible engines matched in normalised units per family). "
    "monthly_savings_usd is 1-year No Upfront; evidence adds the 3-year (Partial Upfront) figure. Production and "
    "untagged instances only: a staging or development database saves more by being stopped out of hours than "
    "by a 1-year commitment (ctx.extra ri_all_environments=true includes them).",
)
def reserved_instances(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    found = []
    for gap in S.reservation_gaps(snapshot, ctx):
        priced = S.reservation_saving(gap)
        if priced is not None and priced[0] > 0:
            found.append(_finding("cost.reserved_instances", gap.instance, "db_instance", *priced))
    return found


@rule(
    "cost.rds_gp2_to_gp3",
    category="cost",
    severity="low",
    title="RDS gp2 storage: gp3 costs less here",
    rationale="gp3 gives a 3,000 IOPS / 125 MiB/s baseline independent of size; where it is cheaper per GB, switch.",
    resource_types=("db_instance",),
    remediation="Console: Modify > Storage type General Purpose SSD (gp3). CLI: aws rds modify-db-instance "
    "--db-instance-identifier ID --storage-type gp3 --apply-immediately.",
    notes="RDS lists gp2 and gp3 at one GB price in the bundled regions, so this rule is silent there; the "
    "burst-credit risk of gp2 is the performance rule perf.gp2_burst_credits.",
)
def rds_gp2_to_gp3(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    return _each("cost.rds_gp2_to_gp3", "db_instance", snapshot.db_instances, S.rds_gp2)


@rule(
    "cost.ebs_gp2_to_gp3",
    category="cost",
    severity="low",
    title="EBS gp2 volume: gp3 is cheaper per GB",
    rationale="gp3 costs 20% less per GB than gp2 and includes 3,000 IOPS and 125 MiB/s.",
    resource_types=("ebs_volume",),
    remediation="Console: EC2 > Volumes > the volume > Modify volume > gp3. CLI: aws ec2 modify-volume --volume-id "
    "ID --volume-type gp3 (online, no detach).",
)
def ebs_gp2_to_gp3(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    ec2 = {(e.account, e.region, e.identifier): e for e in snapshot.ec2_instances}
    found = []
    for vol in snapshot.volumes:
        hit = S.gp2_volume(vol)
        if hit is None:
            continue
        f = RULES["cost.ebs_gp2_to_gp3"].finding(
            vol, resource_type="ebs_volume", resource_id=vol.id, evidence=hit[1], severity=S.severity_for(hit[0]),
            monthly_savings_usd=hit[0],
        )  # fmt: skip
        owner = ec2.get((vol.account, vol.region, vol.instance_id or ""))
        if owner is not None:
            f.environment, f.team, f.application = owner.environment, owner.team, owner.application
        found.append(f)
    return found


@rule(
    "cost.overprovisioned_iops",
    category="cost",
    severity="medium",
    title="Provisioned IOPS far above use",
    rationale="io1/io2 bill every provisioned IOPS each month whether used or not.",
    resource_types=("db_instance",),
    remediation="Lower the provisioned IOPS to the level the finding recommends (or move to gp3 when it covers the "
    "need). "
    "CLI: aws rds modify-db-instance --db-instance-identifier ID --iops N --apply-immediately.",
    notes="Average read + write IOPS over 14 days below 30% of provisioned (ctx.extra iops_used_pct; peaks run 2-3x "
    "the average, so more is sizing for peaks); recommendation = 2x the average rounded up to 1,000, at least "
    "1,000. Peaks are not collected, so check the maximum before lowering.",
    metrics=("ReadIOPS", "WriteIOPS"),
)
def overprovisioned_iops(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    t = S.Thresholds.from_ctx(ctx)
    return _each("cost.overprovisioned_iops", "db_instance", snapshot.db_instances,
                 lambda inst: S.overprovisioned_iops(inst, t))  # fmt: skip


@rule(
    "cost.io_to_gp3",
    category="cost",
    severity="medium",
    title="Provisioned IOPS storage that gp3 serves for less",
    rationale="gp3 includes 3,000 IOPS and 125 MiB/s (12,000 and 500 from 400 GB on MySQL, MariaDB and PostgreSQL) "
    "and bills extra IOPS at a fifth of the io1/io2 rate; most io1/io2 volumes need nothing io2 alone gives.",
    resource_types=("db_instance",),
    remediation="Console: Modify > Storage type General Purpose SSD (gp3), Provisioned IOPS and Storage throughput "
    "as the finding's action says. CLI: aws rds modify-db-instance --db-instance-identifier ID --storage-type gp3 "
    "--iops N --storage-throughput MIBPS --apply-immediately (online; a storage optimisation follows).",
    notes="Only where gp3 can provision the IOPS and throughput (at most 64,000 IOPS, 4,000 MiB/s and 500 IOPS "
    "per GB; SQL Server 16,000 / 1,000; below 400 GB, 200 GB for Oracle, only the baseline). IOPS: the provisioned "
    "figure, or the lower one cost.overprovisioned_iops recommends (the two savings add up). Throughput: the set "
    "value, else IOPS x 16 KiB. Saving = io1/io2 storage + IOPS - gp3 storage + IOPS and MiB/s above the baseline.",
)
def io_to_gp3(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    t = S.Thresholds.from_ctx(ctx)
    return _each("cost.io_to_gp3", "db_instance", snapshot.db_instances, lambda inst: S.io_to_gp3(inst, t))


@rule(
    "cost.aurora_io_optimized",
    category="cost",
    severity="medium",
    title="Aurora storage configuration: the other one costs less",
    rationale="Aurora Standard bills every I/O request; I/O-Optimized bills none but costs more per instance-hour "
    "and per GB. When I/O is about a quarter or more of the cluster's cost, I/O-Optimized is cheaper; well below, "
    "Standard is.",
    resource_types=("db_cluster",),
    remediation="Console: RDS > the cluster > Modify > Cluster storage configuration: Aurora I/O-Optimized (or "
    "Aurora Standard). CLI: aws rds modify-db-cluster --db-cluster-identifier ID --storage-type aurora-iopt1 (or "
    "aurora) --apply-immediately. A switch to I/O-Optimized is allowed once every 30 days.",
    notes="Provisioned clusters with 14-day I/O figures on every member. Standard = members' compute + GB + I/O "
    "requests (ReadIOPS + WriteIOPS averages x 730 h); I/O-Optimized = members' compute x the I/O-Optimized factor "
    "+ GB at its rate. Members are priced on the class their right-sizing finding proposes. Only when the switch "
    "saves 5% of the cluster's cost or more (ctx.extra aurora_switch_min_pct).",
)
def aurora_io_optimized(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    t, plans = S.Thresholds.from_ctx(ctx), S.plans_for(snapshot, ctx)
    members: dict[tuple[str, str, str], list[DBInstance]] = {}
    for inst in snapshot.db_instances:
        if inst.cluster:
            members.setdefault((inst.account, inst.region, inst.cluster), []).append(inst)
    return _each("cost.aurora_io_optimized", "db_cluster", snapshot.db_clusters, lambda c: S.aurora_io_config(
        c, members.get((c.account, c.region, c.identifier), []), plans, t))  # fmt: skip


@rule(
    "cost.old_manual_snapshot",
    category="cost",
    severity="low",
    title="Old manual snapshot",
    rationale="Manual snapshots are kept (and billed) until deleted, long after their purpose is gone.",
    resource_types=("db_snapshot", "db_cluster_snapshot"),
    remediation="Confirm it is not needed for retention, then delete it: aws rds delete-db-snapshot "
    "--db-snapshot-identifier ID (cluster snapshots: aws rds delete-db-cluster-snapshot ...).",
    notes="Older than 90 days (ctx.extra snapshot_max_age_days). Saving = allocated GB x backup storage price, an "
    "upper bound because snapshots are incremental.",
)
def old_manual_snapshot(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    t = S.Thresholds.from_ctx(ctx)
    found = []
    for snap in snapshot.db_snapshots:
        hit = S.old_snapshot(snap, ctx.as_of, t)
        if hit is not None:
            kind = "db_cluster_snapshot" if snap.kind == "cluster" else "db_snapshot"
            found.append(_finding("cost.old_manual_snapshot", snap, kind, *hit))
    return found


@rule(
    "cost.extended_support",
    category="cost",
    severity="high",
    title="Extended Support charges avoidable by upgrading",
    rationale="RDS Extended Support is billed per vCPU-hour on top of the instance; upgrading stops it at once.",
    resource_types=("db_instance", "db_cluster"),
    remediation="Upgrade to a major in standard support (the upgrade target the finding names); the charge stops "
    "on the day of the upgrade. CLI: aws rds modify-db-instance --db-instance-identifier ID --engine-version TARGET "
    "--allow-major-version-upgrade --apply-immediately (clusters: modify-db-cluster).",
    notes="Same rows as check_version_compliance; Aurora clusters carry the sum over their members.",
)
def extended_support(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    found = []
    for row in compliance_rows(snapshot, ctx.as_of, ctx.months_ahead):
        if row.status != "extended_support" or not row.extended_support_monthly_usd:
            continue
        evidence = {
            "action": f"upgrade {row.major} -> {row.upgrade_target or 'a supported major'}",
            "engine": row.engine, "major": row.major, "upgrade_target": row.upgrade_target,
            "end_of_standard_support": row.end_of_standard_support.isoformat() if row.end_of_standard_support else None,
            "how": row.es_basis, "savings_bound": "estimate",
        }  # fmt: skip
        rtype = "db_cluster" if row.resource_type == "cluster" else "db_instance"
        found.append(_finding("cost.extended_support", row.record, rtype, row.extended_support_monthly_usd, evidence))
    return found


@rule(
    "cost.stopped_instance_storage",
    category="cost",
    severity="low",
    title="Stopped database still paying for storage",
    rationale="A stopped instance or cluster bills its storage and IOPS every month; RDS restarts it after 7 days.",
    resource_types=("db_instance", "db_cluster"),
    remediation="If it is no longer needed: take a final snapshot and delete it (aws rds delete-db-instance "
    "--db-instance-identifier ID --final-db-snapshot-identifier ID-final; clusters: delete-db-cluster).",
    notes="Saving = storage (+ provisioned IOPS) minus what the final snapshot would cost.",
)
def stopped_instance_storage(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    standalone: list[DBInstance] = [i for i in snapshot.db_instances if not i.cluster]
    return _each("cost.stopped_instance_storage", "db_instance", standalone, S.stopped_storage) + _each(
        "cost.stopped_instance_storage", "db_cluster", snapshot.db_clusters, S.stopped_storage
    )
