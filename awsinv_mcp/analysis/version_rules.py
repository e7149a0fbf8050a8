"""Version rules: engine majors past, in, or about to leave standard support (one finding per standalone
DB instance or cluster; Aurora members follow their cluster). Computed from `analysis.versions`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext, Hit, resource_rule, rule
from awsinv_mcp.analysis.versions import EXTENDED_SUPPORT_ENROLLED, ComplianceRow, run_calendar, run_rows
from awsinv_mcp.dates import add_months
from awsinv_mcp.engine_versions import major_of
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.models.inventory import DBInstance, Snapshot

RESOURCE_TYPES = ("db_instance", "db_cluster")
_UPGRADE = (
    "Console: RDS > Databases > the instance or cluster > Modify > DB engine version (test the upgrade on a "
    "snapshot restore or with a blue/green deployment first). CLI: aws rds modify-db-instance "
    "--db-instance-identifier ID --engine-version TARGET --allow-major-version-upgrade --apply-immediately "
    "(clusters: aws rds modify-db-cluster --db-cluster-identifier ID ...)."
)


def evidence(row: ComplianceRow) -> dict[str, Any]:
    """The calendar facts behind a version finding."""
    out: dict[str, Any] = {
        "engine": row.engine,
        "engine_version": row.engine_version,
        "major": row.major,
        "status": row.status,
        "end_of_standard_support": row.end_of_standard_support.isoformat() if row.end_of_standard_support else None,
        "end_of_extended_support": row.end_of_extended_support.isoformat() if row.end_of_extended_support else None,
        "upgrade_target": row.upgrade_target,
    }
    if row.extended_support_monthly_usd is not None:
        out["extended_support_monthly_usd"] = row.extended_support_monthly_usd
        out["charge_basis"] = row.es_basis
    if row.record.engine_lifecycle_support:
        out["engine_lifecycle_support"] = row.record.engine_lifecycle_support
    return out


def _rows(snapshot: Snapshot, ctx: AnalysisContext, status: str) -> Iterator[ComplianceRow]:
    return (r for r in run_rows(snapshot, ctx) if r.status == status and r.known)


def _findings(snapshot: Snapshot, ctx: AnalysisContext, rule_id: str, status: str) -> list[Finding]:
    this = RULES[rule_id]
    return [
        this.finding(
            r.record,
            resource_type="db_cluster" if r.resource_type == "cluster" else "db_instance",
            resource_id=r.resource_id,
            evidence=evidence(r),
        )
        for r in _rows(snapshot, ctx, status)
    ]


@rule(
    "rds.engine_end_of_support",
    category="version",
    severity="critical",
    title="Engine major version is past every support date",
    rationale="No security fixes are published for it any more and RDS may upgrade it on its own schedule.",
    resource_types=RESOURCE_TYPES,
    remediation="Upgrade to the recommended major (the upgrade target the finding names). " + _UPGRADE,
    notes="MariaDB, SQL Server and Oracle have no RDS Extended Support: past standard support they land here; so "
    "do MySQL/PostgreSQL resources created with open-source-rds-extended-support-disabled.",
)
def engine_end_of_support(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    return _findings(snapshot, ctx, "rds.engine_end_of_support", "end_of_support")


@rule(
    "rds.engine_extended_support",
    category="version",
    severity="high",
    title="Engine major version is in paid RDS Extended Support",
    rationale="Past standard support RDS bills Extended Support per vCPU-hour (doubling in year 3) until upgraded.",
    resource_types=RESOURCE_TYPES,
    remediation="Upgrade to the recommended major before the end of Extended Support. " + _UPGRADE,
    notes="The monthly charge is rate x vCPUs x 730 h for that engine, year and region (clusters: all members). "
    "Prowler 5.x's rds_instance_extended_support has another scope (every enrolled instance, billed yet or not): "
    "that is rds.extended_support_enrolled; this rule fires only where the charge runs.",
)
def engine_extended_support(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    return _findings(snapshot, ctx, "rds.engine_extended_support", "extended_support")


@rule(
    "rds.engine_standard_support_ending",
    category="version",
    severity="medium",
    title="Engine major version leaves standard support soon",
    rationale="Within the planning horizon (months_ahead) the major leaves standard support: plan the upgrade now.",
    resource_types=RESOURCE_TYPES,
    remediation="Schedule a major version upgrade before standard support ends (the finding's date). " + _UPGRADE,
)
def engine_standard_support_ending(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    return _findings(snapshot, ctx, "rds.engine_standard_support_ending", "ending_soon")


@resource_rule(
    "rds.extended_support_enrolled", resource_type="db_instance", category="version", severity="info",
    title="DB instance is enrolled in RDS Extended Support",
    rationale="EngineLifecycleSupport open-source-rds-extended-support (the RDS default): past the end of standard "
    "support RDS bills Extended Support instead of upgrading the major. Medium when that end falls within the "
    "planning horizon (upgrade before the charge starts); low once it has passed (the charge itself is "
    "rds.engine_extended_support); info while it is further away or unknown.",
    remediation="Keep the major in standard support (upgrade before standard support ends); where a forced "
    "upgrade is preferred to the charge, create or restore instances with the option disabled. Console: RDS > "
    "Databases > the instance > Modify > DB engine version. CLI: aws rds modify-db-instance "
    "--db-instance-identifier ID --engine-version TARGET --allow-major-version-upgrade --apply-immediately; new "
    "instances: aws rds create-db-instance ... --engine-lifecycle-support open-source-rds-extended-support-disabled",
    prowler_check="rds_instance_extended_support",
    notes="Every instance whose EngineLifecycleSupport says enrolled, Aurora members included, as Prowler judges "
    "them; the charge itself, once it runs, is rds.engine_extended_support.",
)  # fmt: skip
def extended_support_enrolled(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if db.engine_lifecycle_support != EXTENDED_SUPPORT_ENROLLED:
        return None
    lc = run_calendar(snap, ctx).lookup(db.engine, major_of(db.engine, db.engine_version))
    end = lc.end_of_standard_support if lc is not None else None
    evidence = {
        "engine_lifecycle_support": db.engine_lifecycle_support,
        "engine": db.engine,
        "engine_version": db.engine_version,
        "end_of_standard_support": end.isoformat() if end else None,
    }
    if end is None or end > add_months(ctx.as_of, ctx.months_ahead):
        return evidence
    return evidence, ("low" if end < ctx.as_of else "medium")
