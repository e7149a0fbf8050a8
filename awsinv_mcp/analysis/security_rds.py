"""Security rules for RDS and Aurora: DB instances, DB clusters and their snapshots.

Aurora (and Multi-AZ DB clusters) are judged at the right level: settings that live on the cluster
(encryption, backups, deletion protection, IAM auth, log exports, master user, port, copy tags, Multi-AZ)
are `rds.cluster_*` findings on the DBCluster and never findings on its members; settings that live on
each instance (public access, enhanced monitoring, auto minor upgrade, CA certificate) apply to members too.
"""

from __future__ import annotations

from datetime import datetime

from awsinv_mcp.analysis.catalogue import AnalysisContext, Hit, resource_rule
from awsinv_mcp.analysis.versions import run_members
from awsinv_mcp.dates import add_months
from awsinv_mcp.engine_versions import default_port, engine_family
from awsinv_mcp.inventory.network import db_exposure
from awsinv_mcp.models.inventory import DBCluster, DBInstance, DBSnapshot, Snapshot

IAM_AUTH_ENGINES = frozenset({"mysql", "mariadb", "postgres", "aurora-mysql", "aurora-postgresql"})
DEFAULT_MASTER_USERS = frozenset({"admin", "postgres"})  # the console defaults, matched exactly as Prowler does
# Log types worth exporting per engine family (security and incident investigation).
LOG_EXPORTS: dict[str, tuple[str, ...]] = {
    "postgres": ("postgresql",),
    "aurora-postgresql": ("postgresql",),
    "mysql": ("audit", "error"),
    "mariadb": ("audit", "error"),
    "aurora-mysql": ("audit", "error"),
    "oracle": ("alert", "audit", "listener"),
    "sqlserver": ("agent", "error"),
}
# Cluster engines Prowler judges for log exports (rds_cluster_integration_cloudwatch_logs).
CLUSTER_LOG_ENGINES = frozenset({"aurora-mysql", "aurora-postgresql", "mysql", "postgres"})
NO_MULTI_AZ_ENGINES = frozenset({"sqlserver-ex"})  # SQL Server Express cannot run Multi-AZ
PRODUCTION_MIN_RETENTION_DAYS = 7


def standalone(db: DBInstance) -> bool:
    return db.cluster is None


def serverless_v1(c: DBCluster) -> bool:
    return c.engine_mode == "serverless"


def missing_logs(engine: str, exported: tuple[str, ...]) -> Hit:
    """The recommended log types `exported` lacks, when it exports some (exporting none is the Prowler-id rule's)."""
    wanted = LOG_EXPORTS.get(engine_family(engine), ())
    missing = [t for t in wanted if t not in exported]
    return {"log_exports": list(exported), "missing": missing} if missing and exported else None


def no_logs(engine: str, exported: tuple[str, ...]) -> Hit:
    """No log type exported at all (what Prowler fails); the recommended set says what to turn on."""
    return None if exported else {"log_exports": [], "recommended": list(LOG_EXPORTS.get(engine_family(engine), ()))}


# --- encryption --------------------------------------------------------------------------------------------


@resource_rule(
    "rds.storage_encrypted", resource_type="db_instance", category="security", severity="high",
    title="DB instance storage is not encrypted",
    rationale="Unencrypted storage, backups and snapshots expose data to anyone who obtains the volume or a copy.",
    remediation="Console (not possible in place): Snapshots > Copy snapshot with encryption and a KMS key, Restore "
    "snapshot, switch clients over. CLI: aws rds copy-db-snapshot --source-db-snapshot-identifier <snap> "
    "--target-db-snapshot-identifier <snap>-enc --kms-key-id <key>; aws rds restore-db-instance-from-db-snapshot "
    "--db-instance-identifier <id>-enc --db-snapshot-identifier <snap>-enc",
    prowler_check="rds_instance_storage_encrypted",
    notes="Standalone instances only; an Aurora member's encryption is its cluster's (rds.cluster_storage_encrypted).",
)  # fmt: skip
def storage_encrypted(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return {"storage_encrypted": False} if standalone(db) and not db.storage_encrypted else None


@resource_rule(
    "rds.cluster_storage_encrypted", resource_type="db_cluster", category="security", severity="high",
    title="DB cluster storage is not encrypted",
    rationale="The cluster volume, its backups and snapshots are readable by anyone who obtains a copy.",
    remediation="Console (not possible in place): Snapshots > Copy snapshot with a KMS key, Restore snapshot. CLI: "
    "aws rds copy-db-cluster-snapshot --source-db-cluster-snapshot-identifier <snap> "
    "--target-db-cluster-snapshot-identifier <snap>-enc --kms-key-id <key>; aws rds "
    "restore-db-cluster-from-snapshot --db-cluster-identifier <id>-enc --snapshot-identifier <snap>-enc "
    "--engine <engine>",
    prowler_check="rds_cluster_storage_encrypted",
)  # fmt: skip
def cluster_storage_encrypted(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return None if c.storage_encrypted else {"storage_encrypted": False, "engine_mode": c.engine_mode}


# --- network exposure --------------------------------------------------------------------------------------


@resource_rule(
    "rds.internet_exposed", resource_type="db_instance", category="security", severity="critical",
    title="DB instance is reachable from the internet",
    rationale="Publicly accessible, in a public subnet, and a security group admits 0.0.0.0/0 or ::/0 on the "
    "database port: anyone can reach the endpoint and try credentials.",
    remediation="Console: Modify the instance, Connectivity > Public access: Not publicly accessible (and remove the "
    "0.0.0.0/0 rule from the security group). CLI: aws rds modify-db-instance --db-instance-identifier <id> "
    "--no-publicly-accessible --apply-immediately; aws ec2 revoke-security-group-ingress --group-id <sg> "
    "--protocol tcp --port <port> --cidr 0.0.0.0/0",
    prowler_check="rds_instance_no_public_access",
    notes="Applies to Aurora members too (public access is an instance setting).",
)  # fmt: skip
def internet_exposed(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not db.publicly_accessible:
        return None
    exp = db_exposure(snap, db)
    if not exp.reachable:
        return None
    return {"port": exp.port, "open_security_groups": list(exp.open_groups), "public_subnets": list(exp.public_subnets)}


@resource_rule(
    "rds.publicly_accessible", resource_type="db_instance", category="security", severity="medium",
    title="DB instance is publicly accessible (not currently reachable)",
    rationale="PubliclyAccessible gives the endpoint a public address; one security group or route change away "
    "from exposure. Lower than rds.internet_exposed, which it never duplicates.",
    remediation="Console: Modify the instance, Connectivity > Public access: Not publicly accessible. CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --no-publicly-accessible --apply-immediately",
    notes="Prowler passes these (rds_instance_no_public_access needs an open group and a public subnet): no "
    "equivalent check.",
)  # fmt: skip
def publicly_accessible(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not db.publicly_accessible:
        return None
    exp = db_exposure(snap, db)
    if exp.reachable:
        return None
    return {"publicly_accessible": True, "open_security_groups": list(exp.open_groups),
            "public_subnet": bool(exp.public_subnets)}  # fmt: skip


# --- snapshots ---------------------------------------------------------------------------------------------


@resource_rule(
    "rds.snapshot_public", resource_type="db_snapshot", category="security", severity="critical",
    title="DB snapshot is public",
    rationale="Any AWS account can restore a public snapshot and read all of its data.",
    remediation="Console: Snapshots > select > Actions > Share snapshot > Private. CLI: aws rds "
    "modify-db-snapshot-attribute --db-snapshot-identifier <id> --attribute-name restore --values-to-remove all "
    "(cluster snapshots: aws rds modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier <id> ...)",
    prowler_check="rds_snapshots_public_access",
)  # fmt: skip
def snapshot_public(s: DBSnapshot, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not (s.public or "all" in s.shared_with):
        return None
    return {"public": True, "source_id": s.source_id, "snapshot_type": s.snapshot_type, "encrypted": s.encrypted}


def _outsiders(s: DBSnapshot, snap: Snapshot) -> list[str]:
    known = snap.known_accounts
    return [a for a in s.shared_with if a != "all" and a not in known]


def _known_from(snap: Snapshot) -> str:
    return "the AWS Organization" if snap.organisation else "the collected accounts"


@resource_rule(
    "rds.snapshot_shared_outside", resource_type="db_snapshot", category="security", severity="high",
    title="DB snapshot shared with an account outside the organisation",
    rationale="Whoever controls the other account can restore the snapshot and read all of its data; an account "
    "outside the organisation is governed by nobody here.",
    remediation="Console: Snapshots > select > Actions > Share snapshot: remove the account (share a copy with a "
    "partner only under an agreement, encrypted with a customer managed KMS key). CLI: aws rds "
    "modify-db-snapshot-attribute --db-snapshot-identifier <id> --attribute-name restore --values-to-remove "
    "<account> (cluster snapshots: aws rds modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier "
    "<id> ...)",
    notes="Manual instance and cluster snapshots whose restore attribute names an account that is neither in the AWS "
    "Organization (when the collection listed it whole) nor among the collected accounts. Public snapshots are "
    "rds.snapshot_public.",
)  # fmt: skip
def snapshot_shared_outside(s: DBSnapshot, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not s.shared_with:
        return None
    outside = _outsiders(s, snap)
    if not outside:
        return None
    return {"shared_with_outside": outside, "known_from": _known_from(snap), "encrypted": s.encrypted,
            "source_id": s.source_id}  # fmt: skip


def snapshot_environment(s: DBSnapshot, snap: Snapshot) -> str | None:
    """A snapshot's environment: its own label, else the environment its account is dedicated to."""
    if s.environment is not None:
        return s.environment
    account = snap.known_accounts.get(s.account)
    return account.environment if account else None


@resource_rule(
    "rds.snapshot_prod_shared_to_nonprod", resource_type="db_snapshot", category="security", severity="high",
    title="Production DB snapshot shared into a non-production account",
    rationale="A restore in a development or staging account puts production data where access, monitoring and "
    "retention are weaker; refresh lower environments from masked or synthetic data instead.",
    remediation="Console: Snapshots > select > Actions > Share snapshot: remove the non-production account, and "
    "refresh it from a masked copy. CLI: aws rds modify-db-snapshot-attribute --db-snapshot-identifier <id> "
    "--attribute-name restore --values-to-remove <account> (cluster snapshots: aws rds "
    "modify-db-cluster-snapshot-attribute --db-cluster-snapshot-identifier <id> ...)",
    notes="The snapshot's environment is its label (inherited from its DB instance or cluster when untagged), else "
    "its account's; a target account is non-production when the environment it is dedicated to (from its alias or "
    "AWS Organizations name, inventory/aws/tags.py) is known and not production.",
)  # fmt: skip
def snapshot_prod_shared_to_nonprod(s: DBSnapshot, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not s.shared_with or not ctx.is_production(snapshot_environment(s, snap)):
        return None
    known = snap.known_accounts
    lower = {
        a: known[a].environment for a in s.shared_with
        if a in known and known[a].environment is not None and not ctx.is_production(known[a].environment)
    }  # fmt: skip
    if not lower:
        return None
    return {"shared_with_non_production": lower, "source_id": s.source_id, "encrypted": s.encrypted}


@resource_rule(
    "rds.snapshot_encrypted", resource_type="db_snapshot", category="security", severity="medium",
    title="DB snapshot is not encrypted",
    rationale="An unencrypted snapshot is a full copy of the data that anyone it is shared with can read.",
    remediation="Console: Snapshots > select > Actions > Copy snapshot, Enable encryption; then delete the original. "
    "CLI: aws rds copy-db-snapshot "
    "--source-db-snapshot-identifier <id> --target-db-snapshot-identifier <id>-enc --kms-key-id <key> "
    "(cluster snapshots: aws rds copy-db-cluster-snapshot)",
    prowler_check="rds_snapshots_encrypted",
)  # fmt: skip
def snapshot_encrypted(s: DBSnapshot, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return None if s.encrypted else {"encrypted": False, "source_id": s.source_id, "snapshot_type": s.snapshot_type}


# --- availability and backups ------------------------------------------------------------------------------


@resource_rule(
    "rds.multi_az", resource_type="db_instance", category="security", severity="medium", production_only=True,
    title="Production DB instance is single-AZ",
    rationale="A single-AZ production database is down for the whole of an AZ outage or a host failure.",
    remediation="Console: Modify the instance, Availability > Multi-AZ deployment. CLI: aws rds modify-db-instance "
    "--db-instance-identifier <id> --multi-az --apply-immediately",
    prowler_check="rds_instance_multi_az",
    notes="Standalone production instances; SQL Server Express (no Multi-AZ) is skipped.",
)  # fmt: skip
def multi_az(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not standalone(db) or db.multi_az or db.engine in NO_MULTI_AZ_ENGINES:
        return None
    return {"multi_az": False, "environment": db.environment}


@resource_rule(
    "rds.cluster_multi_az", resource_type="db_cluster", category="security", severity="medium",
    production_only=True,
    title="Production DB cluster has no instance in a second AZ",
    rationale="Without a reader in another AZ, failover means creating a new instance: minutes of downtime.",
    remediation="Console: the cluster > Actions > Add reader, in another Availability Zone. CLI: aws rds "
    "create-db-instance --db-cluster-identifier <id> --db-instance-identifier <id>-reader --engine <engine> "
    "--db-instance-class <class> --availability-zone <other-az>",
    prowler_check="rds_cluster_multi_az",
    notes="Aurora Serverless v1 clusters (no instances) are skipped.",
)  # fmt: skip
def cluster_multi_az(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if c.multi_az or serverless_v1(c):
        return None
    return {"multi_az": False, "members": len(c.members)}


@resource_rule(
    "rds.backup_enabled", resource_type="db_instance", category="security", severity="high",
    title="DB instance has automated backups disabled",
    rationale="With a retention of 0 days there are no automated backups and no point-in-time recovery.",
    remediation="Console: Modify the instance, Backup > retention period of 7 days or more. CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --backup-retention-period 7 --apply-immediately",
    prowler_check="rds_instance_backup_enabled",
    notes="Standalone instances; Aurora backups are a cluster setting and cannot be disabled. Read replicas are "
    "skipped (their source holds the backups), as Prowler does by default (check_rds_instance_replicas).",
)  # fmt: skip
def backup_enabled(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not standalone(db) or db.replica_source or db.backup_retention_days > 0:
        return None
    return {"backup_retention_days": 0}


@resource_rule(
    "rds.backup_retention", resource_type="db_instance", category="security", severity="medium",
    production_only=True,
    title="Production DB instance keeps backups for less than 7 days",
    rationale="A short retention loses the recovery points needed for problems noticed days later.",
    remediation="Console: Modify the instance, Backup retention period: 7 days or more. CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --backup-retention-period 7 --apply-immediately",
    notes="Standalone production instances with 1-6 days (0 days is rds.backup_enabled).",
)  # fmt: skip
def backup_retention(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not standalone(db) or not 0 < db.backup_retention_days < PRODUCTION_MIN_RETENTION_DAYS:
        return None
    return {"backup_retention_days": db.backup_retention_days, "minimum": PRODUCTION_MIN_RETENTION_DAYS}


@resource_rule(
    "rds.cluster_backup_retention", resource_type="db_cluster", category="security", severity="medium",
    production_only=True,
    title="Production DB cluster keeps backups for less than 7 days",
    rationale="A short retention loses the recovery points needed for problems noticed days later.",
    remediation="Console: Modify the cluster, Backup retention period: 7 days or more. CLI: aws rds "
    "modify-db-cluster --db-cluster-identifier <id> --backup-retention-period 7 --apply-immediately",
)  # fmt: skip
def cluster_backup_retention(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if c.backup_retention_days >= PRODUCTION_MIN_RETENTION_DAYS:
        return None
    return {"backup_retention_days": c.backup_retention_days, "minimum": PRODUCTION_MIN_RETENTION_DAYS}


@resource_rule(
    "rds.deletion_protection", resource_type="db_instance", category="security", severity="medium",
    production_only=True,
    title="Production DB instance has no deletion protection",
    rationale="One mistaken delete (console, script or IaC) removes a production database.",
    remediation="Console: Modify the instance, Deletion protection: enable. CLI: aws rds modify-db-instance "
    "--db-instance-identifier <id> --deletion-protection --apply-immediately",
    prowler_check="rds_instance_deletion_protection",
    notes="Standalone production instances; Aurora deletion protection is a cluster setting.",
)  # fmt: skip
def deletion_protection(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return {"deletion_protection": False} if standalone(db) and not db.deletion_protection else None


@resource_rule(
    "rds.cluster_deletion_protection", resource_type="db_cluster", category="security", severity="medium",
    production_only=True,
    title="Production DB cluster has no deletion protection",
    rationale="One mistaken delete (console, script or IaC) removes a production cluster.",
    remediation="Console: Modify the cluster, Deletion protection: enable. CLI: aws rds modify-db-cluster "
    "--db-cluster-identifier <id> --deletion-protection --apply-immediately",
    prowler_check="rds_cluster_deletion_protection",
)  # fmt: skip
def cluster_deletion_protection(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return None if c.deletion_protection else {"deletion_protection": False}


# --- access and identity -----------------------------------------------------------------------------------


@resource_rule(
    "rds.iam_auth", resource_type="db_instance", category="security", severity="low",
    title="IAM database authentication is off",
    rationale="IAM authentication replaces long-lived database passwords with short-lived tokens tied to IAM.",
    remediation="Console: Modify the instance, Database authentication: Password and IAM. CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --enable-iam-database-authentication --apply-immediately",
    prowler_check="rds_instance_iam_authentication_enabled",
    notes="Standalone MySQL, MariaDB and PostgreSQL only (SQL Server and Oracle do not offer it).",
)  # fmt: skip
def iam_auth(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not standalone(db) or db.iam_auth or db.engine not in IAM_AUTH_ENGINES:
        return None
    return {"iam_auth": False, "engine": db.engine}


@resource_rule(
    "rds.cluster_iam_auth", resource_type="db_cluster", category="security", severity="low",
    title="IAM database authentication is off on the cluster",
    rationale="IAM authentication replaces long-lived database passwords with short-lived tokens tied to IAM.",
    remediation="Console: Modify the cluster, Database authentication: Password and IAM. CLI: aws rds "
    "modify-db-cluster --db-cluster-identifier <id> --enable-iam-database-authentication --apply-immediately",
    prowler_check="rds_cluster_iam_authentication_enabled",
    notes="Aurora MySQL/PostgreSQL and Multi-AZ MySQL/PostgreSQL clusters; Aurora Serverless v1 lacks it.",
)  # fmt: skip
def cluster_iam_auth(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if c.iam_auth or c.engine not in IAM_AUTH_ENGINES or serverless_v1(c):
        return None
    return {"iam_auth": False, "engine": c.engine}


@resource_rule(
    "rds.default_master_username", resource_type="db_instance", category="security", severity="low",
    title="DB instance uses a default master user name",
    rationale="A well-known administrator name (admin, postgres) leaves attackers only the password to guess.",
    remediation="Console (the name cannot be changed): Restore snapshot into a new instance with another master "
    "user name, or create a separate admin user and stop using the master. CLI: aws rds "
    "restore-db-instance-from-db-snapshot --db-instance-identifier <new> --db-snapshot-identifier <snap>",
    prowler_check="rds_instance_default_admin",
    notes="Standalone instances; Aurora's master user is the cluster's. Exact names (Admin passes), as Prowler.",
)  # fmt: skip
def default_master_username(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not standalone(db) or db.master_username not in DEFAULT_MASTER_USERS:
        return None
    return {"master_username": db.master_username}


@resource_rule(
    "rds.cluster_default_master_username", resource_type="db_cluster", category="security", severity="low",
    title="DB cluster uses a default master user name",
    rationale="A well-known administrator name (admin, postgres) leaves attackers only the password to guess.",
    remediation="Console (the name cannot be changed): create a separate admin user and stop using the master, or "
    "restore into a new cluster. CLI: aws rds restore-db-cluster-from-snapshot --db-cluster-identifier <new> "
    "--snapshot-identifier <snap> --engine <engine>",
    prowler_check="rds_cluster_default_admin",
)  # fmt: skip
def cluster_default_master_username(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if c.master_username not in DEFAULT_MASTER_USERS:
        return None
    return {"master_username": c.master_username}


@resource_rule(
    "rds.default_port", resource_type="db_instance", category="security", severity="low",
    title="DB instance listens on the engine's default port",
    rationale="Default ports are the first ones scanners probe; a custom port cuts automated noise.",
    remediation="Console: Modify the instance, Additional configuration > Database port. CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --db-port-number <port> --apply-immediately",
    prowler_check="rds_instance_non_default_port",
    notes="Standalone instances; Aurora's port is the cluster's.",
)  # fmt: skip
def default_port_instance(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not standalone(db) or db.port is None or db.port != default_port(db.engine):
        return None
    return {"port": db.port}


@resource_rule(
    "rds.cluster_default_port", resource_type="db_cluster", category="security", severity="low",
    title="DB cluster listens on the engine's default port",
    rationale="Default ports are the first ones scanners probe; a custom port cuts automated noise.",
    remediation="Console: Modify the cluster, Database port. CLI: aws rds modify-db-cluster "
    "--db-cluster-identifier <id> --port <port> --apply-immediately",
    prowler_check="rds_cluster_non_default_port",
)  # fmt: skip
def cluster_default_port(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if c.port is None or c.port != default_port(c.engine):
        return None
    return {"port": c.port}


# --- operations: patches, monitoring, logs, tags, certificates ---------------------------------------------


@resource_rule(
    "rds.auto_minor_version_upgrade", resource_type="db_instance", category="security", severity="low",
    title="Automatic minor version upgrades are off",
    rationale="Minor versions carry security fixes; without auto upgrade they wait for someone to remember.",
    remediation="Console: Modify the instance, Maintenance > Auto minor version upgrade: yes. CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --auto-minor-version-upgrade --apply-immediately",
    prowler_check="rds_instance_minor_version_upgrade_enabled",
    notes="Every instance, Aurora members included (an instance setting).",
)  # fmt: skip
def auto_minor_version_upgrade(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return None if db.auto_minor_version_upgrade else {"auto_minor_version_upgrade": False}


@resource_rule(
    "rds.cluster_auto_minor_version_upgrade", resource_type="db_cluster", category="security", severity="low",
    title="Automatic minor version upgrades are off on the Multi-AZ DB cluster",
    rationale="Minor versions carry security fixes; without auto upgrade they wait for someone to remember.",
    remediation="Console: Modify the cluster, Maintenance > Auto minor version upgrade: yes. CLI: aws rds "
    "modify-db-cluster --db-cluster-identifier <id> --auto-minor-version-upgrade --apply-immediately",
    prowler_check="rds_cluster_minor_version_upgrade_enabled",
    notes="Multi-AZ DB clusters (RDS for MySQL/PostgreSQL), where the setting is the cluster's. Prowler also fails "
    "Aurora clusters with MultiAZ, which have no such cluster setting (their members: rds.auto_minor_version_upgrade).",
)  # fmt: skip
def cluster_auto_minor_version_upgrade(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if c.auto_minor_version_upgrade is not False or not c.multi_az or c.engine.startswith("aurora"):
        return None
    return {"auto_minor_version_upgrade": False, "engine": c.engine}


@resource_rule(
    "rds.enhanced_monitoring", resource_type="db_instance", category="security", severity="low",
    title="Enhanced Monitoring is off",
    rationale="Without OS-level metrics (processes, memory, I/O per second) incidents are diagnosed blind.",
    remediation="Console: Modify the instance, Monitoring > Enable Enhanced Monitoring (60 s). CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --monitoring-interval 60 --monitoring-role-arn <role-arn>",
    prowler_check="rds_instance_enhanced_monitoring_enabled",
    notes="Every instance, Aurora members included (an instance setting).",
)  # fmt: skip
def enhanced_monitoring(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return None if db.monitoring_interval > 0 else {"monitoring_interval": 0}


@resource_rule(
    "rds.log_exports", resource_type="db_instance", category="security", severity="low",
    title="Database logs are not exported to CloudWatch Logs",
    rationale="No log type is exported: once the instance is gone (or the local log rotated) there is nothing left "
    "to investigate an incident with, and nothing to alert on.",
    remediation="Console: Modify the instance, Log exports: tick the log types the finding recommends. CLI: aws rds "
    "modify-db-instance --db-instance-identifier <id> --cloudwatch-logs-export-configuration "
    "'EnableLogTypes=[\"audit\",\"error\"]' (MySQL/MariaDB audit needs the MARIADB_AUDIT_PLUGIN option)",
    prowler_check="rds_instance_integration_cloudwatch_logs",
    notes="Standalone instances exporting no log type at all, as Prowler fails them (an instance exporting some "
    "passes; rds.log_exports_recommended judges the set). Aurora log exports are a cluster setting "
    "(rds.cluster_log_exports), where Prowler also fails each member.",
)  # fmt: skip
def log_exports(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return no_logs(db.engine, db.log_exports) if standalone(db) else None


@resource_rule(
    "rds.log_exports_recommended", resource_type="db_instance", category="security", severity="low",
    title="Database exports some logs but not the recommended set",
    rationale="Per engine the logs an investigation needs: postgresql; audit and error (MySQL, MariaDB); alert, "
    "audit, listener (Oracle); agent, error (SQL Server). Stricter than Prowler, which passes any export.",
    remediation="Console: Modify the instance, Log exports: also tick the log types the finding lists as missing. "
    "CLI: aws rds modify-db-instance --db-instance-identifier <id> --cloudwatch-logs-export-configuration "
    "'EnableLogTypes=[\"audit\"]' (MySQL/MariaDB audit needs the MARIADB_AUDIT_PLUGIN option)",
    notes="Standalone instances exporting at least one log type (none at all is rds.log_exports, never both).",
)  # fmt: skip
def log_exports_recommended(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return missing_logs(db.engine, db.log_exports) if standalone(db) else None


@resource_rule(
    "rds.cluster_log_exports", resource_type="db_cluster", category="security", severity="low",
    title="Cluster logs are not exported to CloudWatch Logs",
    rationale="No log type is exported: nothing survives the cluster to investigate an incident with, and "
    "nothing to alert on.",
    remediation="Console: Modify the cluster, Log exports: tick the log types the finding recommends. CLI: aws rds "
    "modify-db-cluster --db-cluster-identifier <id> --cloudwatch-logs-export-configuration "
    "'EnableLogTypes=[\"postgresql\"]' (Aurora MySQL audit also needs server_audit_logging=1 in the cluster "
    "parameter group)",
    prowler_check="rds_cluster_integration_cloudwatch_logs",
    notes="Aurora MySQL/PostgreSQL and Multi-AZ MySQL/PostgreSQL clusters exporting no log type, as Prowler judges "
    "them (any export passes; rds.cluster_log_exports_recommended judges the set). Aurora Serverless v1 clusters "
    "are skipped (Prowler fails them).",
)  # fmt: skip
def cluster_log_exports(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if serverless_v1(c) or c.engine not in CLUSTER_LOG_ENGINES:
        return None
    return no_logs(c.engine, c.log_exports)


@resource_rule(
    "rds.cluster_log_exports_recommended", resource_type="db_cluster", category="security", severity="low",
    title="Cluster exports some logs but not the recommended set",
    rationale="The logs an investigation needs: postgresql (Aurora PostgreSQL), audit and error (Aurora MySQL). "
    "Stricter than Prowler, which passes any export.",
    remediation="Console: Modify the cluster, Log exports: also tick the log types the finding lists as missing. "
    "CLI: aws rds modify-db-cluster --db-cluster-identifier <id> --cloudwatch-logs-export-configuration "
    "'EnableLogTypes=[\"audit\"]' (Aurora MySQL audit also needs server_audit_logging=1 in the cluster "
    "parameter group)",
    notes="Clusters exporting at least one log type (none at all is rds.cluster_log_exports, never both); Aurora "
    "Serverless v1 clusters are skipped.",
)  # fmt: skip
def cluster_log_exports_recommended(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return None if serverless_v1(c) else missing_logs(c.engine, c.log_exports)


@resource_rule(
    "rds.copy_tags_to_snapshot", resource_type="db_instance", category="security", severity="low",
    title="Tags are not copied to snapshots",
    rationale="Untagged snapshots lose owner, environment and classification: nobody knows what they hold.",
    remediation="Console: Modify the instance, Backup > Copy tags to snapshots. CLI: aws rds modify-db-instance "
    "--db-instance-identifier <id> --copy-tags-to-snapshot --apply-immediately",
    prowler_check="rds_instance_copy_tags_to_snapshots",
    notes="Standalone instances; Aurora copies the cluster's setting.",
)  # fmt: skip
def copy_tags_to_snapshot(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return {"copy_tags_to_snapshot": False} if standalone(db) and not db.copy_tags_to_snapshot else None


@resource_rule(
    "rds.cluster_copy_tags_to_snapshot", resource_type="db_cluster", category="security", severity="low",
    title="Cluster tags are not copied to snapshots",
    rationale="Untagged snapshots lose owner, environment and classification: nobody knows what they hold.",
    remediation="Console: Modify the cluster, Copy tags to snapshots. CLI: aws rds modify-db-cluster "
    "--db-cluster-identifier <id> --copy-tags-to-snapshot --apply-immediately",
    prowler_check="rds_cluster_copy_tags_to_snapshots",
)  # fmt: skip
def cluster_copy_tags_to_snapshot(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    return None if c.copy_tags_to_snapshot else {"copy_tags_to_snapshot": False}


@resource_rule(
    "rds.ca_certificate_expiry", resource_type="db_instance", category="security", severity="medium",
    title="DB instance CA certificate expired or expires within 3 months",
    rationale="When the server certificate's CA expires, clients that verify TLS fail to connect. Expired: "
    "critical; under 1 month: high; under 3 months: medium (as of the analysis date).",
    remediation="Console: Modify the instance, Certificate authority: rds-ca-rsa2048-g1 (check client trust "
    "stores first). CLI: aws rds modify-db-instance --db-instance-identifier <id> --ca-certificate-identifier "
    "rds-ca-rsa2048-g1 --apply-immediately",
    prowler_check="rds_instance_certificate_expiration",
    notes="Every instance, Aurora members included; instances without a known expiry date are skipped.",
)  # fmt: skip
def ca_certificate_expiry(db: DBInstance, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    till = db.ca_certificate_valid_till
    if till is None:
        return None
    if isinstance(till, datetime):
        till = till.date()
    as_of = ctx.as_of
    if till >= add_months(as_of, 3):
        return None
    days = (till - as_of).days
    evidence = {"ca_certificate": db.ca_certificate, "valid_till": till.isoformat(),
                "state": "expired" if till <= as_of else "expiring", "days_left": max(days, 0)}  # fmt: skip
    if till <= as_of:
        evidence["expired_days_ago"] = -days
        return evidence, "critical"
    return evidence, ("high" if till < add_months(as_of, 1) else "medium")


# --- cluster topology and recovery (Trusted Advisor fault tolerance) ---------------------------------------


@resource_rule(
    "rds.cluster_backtrack", resource_type="db_cluster", category="security", severity="low",
    title="Aurora MySQL cluster has Backtrack off",
    rationale="Backtrack rewinds the cluster in minutes to just before a bad DELETE or DROP, without restoring a "
    "backup into a new cluster.",
    remediation="Console (cannot be turned on in place): Actions > Create clone (or Restore to point in time) with "
    "Enable Backtrack and a target window, then move clients over. CLI: aws rds restore-db-cluster-to-point-in-time "
    "--source-db-cluster-identifier <id> --db-cluster-identifier <id>-bt --restore-type copy-on-write "
    "--use-latest-restorable-time --backtrack-window 86400",
    prowler_check="rds_cluster_backtrack_enabled",
    notes="Aurora MySQL clusters with a Backtrack window of 0 (Trusted Advisor: Amazon Aurora MySQL cluster "
    "backtracking not enabled); Aurora Serverless v1 clusters, which cannot backtrack, are skipped.",
)  # fmt: skip
def cluster_backtrack(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if c.engine != "aurora-mysql" or serverless_v1(c) or c.backtrack_window_s > 0:
        return None
    return {"backtrack_window_s": 0, "engine_version": c.engine_version}


@resource_rule(
    "rds.cluster_readers_one_az", resource_type="db_cluster", category="security", severity="low",
    title="All readers of the cluster are in one Availability Zone",
    rationale="Readers are the failover targets and the read capacity: in one AZ, an outage of that AZ takes every "
    "reader at once.",
    remediation="Console: the cluster > Actions > Add reader in another Availability Zone (then remove a surplus "
    "reader). CLI: aws rds create-db-instance --db-cluster-identifier <id> --db-instance-identifier <id>-reader-b "
    "--engine <engine> --db-instance-class <class> --availability-zone <other-az>",
    notes="Clusters with two or more readers whose Availability Zones are all known and identical (Trusted Advisor: "
    "Amazon RDS DB clusters with all reader instances in the same Availability Zone).",
)  # fmt: skip
def cluster_readers_one_az(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    writers = {m.identifier for m in c.members if m.writer}
    readers = [m for m in run_members(snap, ctx, c) if m.identifier not in writers]
    zones = {m.availability_zone for m in readers}
    if len(readers) < 2 or len(zones) != 1 or None in zones:
        return None
    return {"readers": sorted(m.identifier for m in readers), "availability_zone": zones.pop()}


@resource_rule(
    "rds.cluster_mixed_public_access", resource_type="db_cluster", category="security", severity="medium",
    title="Cluster mixes publicly accessible and private instances",
    rationale="After a failover the writer may be a public instance, or clients of a private endpoint may land on "
    "a public one: the cluster's exposure depends on which instance answers.",
    remediation="Console: Modify each publicly accessible member, Connectivity > Public access: Not publicly "
    "accessible (or make them all public deliberately). CLI: aws rds modify-db-instance --db-instance-identifier "
    "<member> --no-publicly-accessible --apply-immediately",
    notes="Clusters whose collected members disagree on PubliclyAccessible (Trusted Advisor: Amazon Aurora DB "
    "Instance Accessibility).",
)  # fmt: skip
def cluster_mixed_public_access(c: DBCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    members = run_members(snap, ctx, c)
    public = sorted(m.identifier for m in members if m.publicly_accessible)
    if not public or len(public) == len(members):
        return None
    private = sorted(m.identifier for m in members if not m.publicly_accessible)
    return {"publicly_accessible": public, "private": private}
