"""Version rules: engine majors past, in, or about to leave standard support (one finding per standalone
DB instance or cluster; Aurora members follow their cluster). Computed from `analysis.versions`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext, rule
from awsinv_mcp.analysis.versions import ComplianceRow, run_rows
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.models.inventory import Snapshot

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
    "Prowler 5.x has rds_instance_extended_support, of another scope: it fails every instance enrolled in Extended "
    "Support (EngineLifecycleSupport open-source-rds-extended-support), billed yet or not; this rule fires only "
    "where the charge runs, so it does not carry that id.",
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
