"""Version rules: engine majors past, in, or about to leave standard support (one finding per standalone
DB instance or cluster; Aurora members follow their cluster). Computed from `analysis.versions`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext, Hit, member_group, resource_rule, rule
from awsinv_mcp.analysis.versions import EXTENDED_SUPPORT_ENROLLED, ComplianceRow, run_calendar, run_rows
from awsinv_mcp.dates import add_months
from awsinv_mcp.engine_versions import major_of
from awsinv_mcp.models.findings import Finding, Severity
from awsinv_mcp.models.inventory import DBInstance, PendingMaintenance, Snapshot

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
    if row.lifecycle_setting:
        out["lifecycle_setting"] = row.lifecycle_setting
    if row.extended_support_starts:
        out["extended_support_starts"] = row.extended_support_starts.isoformat()
        out["extended_support_year"] = row.extended_support_year
    if row.year3_starts:
        out["year3_starts"] = row.year3_starts.isoformat()
        out["year3_monthly_usd"] = row.year3_monthly_usd
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


def maintenance_date(p: PendingMaintenance) -> date | None:
    """When RDS applies the action as things stand: its current apply date, else the earlier of the forced date
    and the auto-apply date."""
    if p.current_apply_date:
        return p.current_apply_date
    dates = [d for d in (p.forced_apply_date, p.auto_applied_after) if d]
    return min(dates) if dates else None


def maintenance_evidence(actions: tuple[PendingMaintenance, ...], as_of: date) -> tuple[dict[str, Any], Severity]:
    """The dated actions, soonest first, and the severity of the soonest: applied within 30 days (or overdue)
    high, within 90 medium, later low, undated info."""
    rows = []
    for p in actions:
        when = maintenance_date(p)
        rows.append({
            "action": p.action, "description": p.description, "applies_on": when.isoformat() if when else None,
            "days_until": (when - as_of).days if when else None, "forced_apply_date": _iso(p.forced_apply_date),
            "auto_applied_after": _iso(p.auto_applied_after), "opt_in_status": p.opt_in_status,
        })  # fmt: skip
    rows.sort(key=lambda r: (r["days_until"] is None, r["days_until"] or 0, r["action"]))
    soonest = rows[0]["days_until"]
    severity: Severity = "info" if soonest is None else "high" if soonest <= 30 else "medium" if soonest <= 90 \
        else "low"  # fmt: skip
    return {"actions": rows, "next_action": rows[0]["action"], "next_date": rows[0]["applies_on"]}, severity


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@rule(
    "rds.pending_maintenance",
    category="version",
    severity="medium",
    title="RDS has scheduled maintenance: dated actions",
    rationale="RDS applies pending actions on its own dates: a db-upgrade moves a deprecated minor version, "
    "system-update and os-upgrade patch the host, each with a restart or failover. Knowing the date lets the owner "
    "apply it in a window of their choosing instead.",
    resource_types=RESOURCE_TYPES,
    remediation="Apply it in a chosen window: Console: RDS > the database > Maintenance & backups > Pending "
    "maintenance > Apply now / Apply at next maintenance window. CLI: aws rds apply-pending-maintenance-action "
    "--resource-identifier ARN --apply-action ACTION --opt-in-type next-maintenance (or immediate).",
    notes="From DescribePendingMaintenanceActions (aws mode; the demo estate schedules db-upgrade actions for its "
    "deprecated minor versions). Severity by the soonest date: overdue or within 30 days high, within 90 medium, "
    "later low, undated info.",
)
def pending_maintenance(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
    this = RULES["rds.pending_maintenance"]
    found = []
    for resource_type, records in (("db_instance", snapshot.db_instances), ("db_cluster", snapshot.db_clusters)):
        for r in records:
            if r.pending_maintenance:
                evidence, severity = maintenance_evidence(r.pending_maintenance, ctx.as_of)
                found.append(this.finding(r, resource_type=resource_type, resource_id=r.identifier,
                                          evidence=evidence, severity=severity, group=member_group(r)))  # fmt: skip
    return found
