"""Parity of the catalogue with Prowler 5.x (every check under `prowler/providers/aws/services/rds/`) and with the
AWS Trusted Advisor checks about RDS and Aurora: each maps to our rules of the same scope, or is not applicable
(with the reason), or is missing (with what it would need). `docs.py` renders these tables into docs/rules.md;
tests/test_prowler_parity.py checks them against the catalogue (a rule carrying a Prowler id is listed under that
check, and only there).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

INTRO = (
    '"Matched": on every resource where our rule fires, that check fails the same resource; where the check also '
    "fails resources our rule leaves out (other environments, Aurora members judged on their cluster), the notes "
    "say so. Prowler checks were read in their source (prowler-cloud/prowler, master of December 2025, plus "
    "rds_instance_extended_support added since); Trusted Advisor checks by their names in the AWS Support User "
    "Guide's check reference (fault tolerance, security, cost optimization, performance)."
)

Status = Literal["matched", "not applicable", "missing"]
STATUSES: tuple[Status, ...] = ("matched", "not applicable", "missing")

_EVENTS = "RDS event subscriptions (DescribeEventSubscriptions) are not collected"
_BACKUP = "AWS Backup protected resources (backup:ListProtectedResources) are not collected"
_PARAMS = "parameter group values (DescribeDBParameters / DescribeDBClusterParameters) are not collected"
_PROD = "production only here (Prowler: every environment)"


@dataclass(frozen=True, kw_only=True)
class Parity:
    """One external check and how the catalogue covers it."""

    check: str  # Prowler check id, or Trusted Advisor check name
    status: Status
    rules: tuple[str, ...] = ()  # our rules of the same scope (matched only)
    note: str = ""  # scope differences, the reason it does not apply, or what it would need
    category: str = ""  # Trusted Advisor category


def _m(check: str, *rules: str, note: str = "", category: str = "") -> Parity:
    return Parity(check=check, status="matched", rules=rules, note=note, category=category)


def _na(check: str, note: str, category: str = "") -> Parity:
    return Parity(check=check, status="not applicable", note=note, category=category)


def _miss(check: str, note: str, category: str = "") -> Parity:
    return Parity(check=check, status="missing", note=note, category=category)


PROWLER: tuple[Parity, ...] = (
    _m("rds_cluster_backtrack_enabled", "rds.cluster_backtrack",
       note="Aurora MySQL clusters; Serverless v1 (cannot backtrack) skipped"),
    _m("rds_cluster_copy_tags_to_snapshots", "rds.cluster_copy_tags_to_snapshot"),
    _miss("rds_cluster_critical_event_subscription", _EVENTS),
    _m("rds_cluster_default_admin", "rds.cluster_default_master_username"),
    _m("rds_cluster_deletion_protection", "rds.cluster_deletion_protection", note=_PROD),
    _m("rds_cluster_iam_authentication_enabled", "rds.cluster_iam_auth",
       note="MySQL/PostgreSQL-compatible clusters, Serverless v1 skipped (Prowler's engine filter is a generator "
       "expression, always true: it judges every cluster)"),
    _m("rds_cluster_integration_cloudwatch_logs", "rds.cluster_log_exports",
       note="fails only when no log type is exported, as Prowler; Serverless v1 skipped"),
    _m("rds_cluster_minor_version_upgrade_enabled", "rds.cluster_auto_minor_version_upgrade",
       note="Multi-AZ DB clusters; Prowler also fails Aurora clusters with MultiAZ, which have no cluster setting "
       "(their members are judged by rds.auto_minor_version_upgrade)"),
    _m("rds_cluster_multi_az", "rds.cluster_multi_az", note=_PROD + "; Serverless v1 skipped"),
    _m("rds_cluster_non_default_port", "rds.cluster_default_port"),
    _miss("rds_cluster_protected_by_backup_plan", _BACKUP),
    _m("rds_cluster_storage_encrypted", "rds.cluster_storage_encrypted"),
    _m("rds_instance_backup_enabled", "rds.backup_enabled",
       note="read replicas skipped as Prowler does by default; Aurora members (always backed up) not listed"),
    _m("rds_instance_certificate_expiration", "rds.ca_certificate_expiry",
       note="same thresholds (expired critical, < 1 month high, < 3 months medium); instances without a known "
       "certificate date are skipped (Prowler fails them as expired)"),
    _m("rds_instance_copy_tags_to_snapshots", "rds.copy_tags_to_snapshot",
       note="standalone instances; Multi-AZ DB cluster members are judged on their cluster"),
    _miss("rds_instance_critical_event_subscription", _EVENTS),
    _m("rds_instance_default_admin", "rds.default_master_username",
       note="Aurora members are judged on their cluster (rds.cluster_default_master_username)"),
    _m("rds_instance_deletion_protection", "rds.deletion_protection",
       note=_PROD + "; Aurora members are judged on their cluster"),
    _miss("rds_instance_deprecated_engine_version",
          "the engine versions RDS still offers per region (DescribeDBEngineVersions) are not collected; "
          "rds.pending_maintenance reports the db-upgrade RDS schedules for deprecated minor versions"),
    _m("rds_instance_enhanced_monitoring_enabled", "rds.enhanced_monitoring"),
    _miss("rds_instance_event_subscription_parameter_groups", _EVENTS),
    _na("rds_instance_event_subscription_security_groups",
        "judges subscriptions to DB security group events; DB security groups belonged to EC2-Classic, retired in "
        "August 2022 (instances use VPC security groups, which raise no RDS events)"),
    _m("rds_instance_extended_support", "rds.extended_support_enrolled",
       note="every enrolled instance, Aurora members included; the running charge is rds.engine_extended_support"),
    _m("rds_instance_iam_authentication_enabled", "rds.iam_auth",
       note="Aurora members are judged on their cluster (rds.cluster_iam_auth)"),
    _na("rds_instance_inside_vpc",
        "fails DB instances outside a VPC, i.e. on EC2-Classic, retired in August 2022: every DB instance now has a "
        "DB subnet group in a VPC"),
    _m("rds_instance_integration_cloudwatch_logs", "rds.log_exports",
       note="fails only when no log type is exported, as Prowler (rds.log_exports_recommended judges the set); "
       "Aurora members are judged on their cluster"),
    _m("rds_instance_minor_version_upgrade_enabled", "rds.auto_minor_version_upgrade"),
    _m("rds_instance_multi_az", "rds.multi_az",
       note=_PROD + "; SQL Server Express (cannot be Multi-AZ) skipped; Aurora members judged on their cluster"),
    _m("rds_instance_no_public_access", "rds.internet_exposed",
       note="publicly accessible, a security group open to the internet on the port, in a public subnet"),
    _m("rds_instance_non_default_port", "rds.default_port",
       note="Aurora members are judged on their cluster (rds.cluster_default_port)"),
    _miss("rds_instance_protected_by_backup_plan", _BACKUP),
    _m("rds_instance_storage_encrypted", "rds.storage_encrypted",
       note="Aurora members are judged on their cluster (rds.cluster_storage_encrypted)"),
    _miss("rds_instance_transport_encrypted", "rds.force_ssl / require_secure_transport: " + _PARAMS),
    _m("rds_snapshots_encrypted", "rds.snapshot_encrypted"),
    _m("rds_snapshots_public_access", "rds.snapshot_public"),
)  # fmt: skip

_FT, _SEC, _COST, _PERF = "fault tolerance", "security", "cost optimization", "performance"
_METRIC = "the CloudWatch metric {} is not collected"
_ONE_AZ = (
    "this rule fires where either of the two cluster checks (one DB instance; all instances in one AZ) "
    "fails, i.e. no instance in a second AZ; production only here (TA: every environment)"
)

TRUSTED_ADVISOR: tuple[Parity, ...] = (
    # fault tolerance
    _m("Amazon Aurora MySQL cluster backtracking not enabled", "rds.cluster_backtrack", category=_FT),
    _m("Amazon Aurora DB Instance Accessibility", "rds.cluster_mixed_public_access", category=_FT),
    _m("Amazon RDS Backups", "rds.backup_enabled", category=_FT),
    _m("Amazon RDS resource automated backups is turned off", "rds.backup_enabled", category=_FT),
    _miss("Amazon RDS Continuous Backup Not Enabled", _BACKUP, category=_FT),
    _m("Amazon RDS DB clusters have one DB instance", "rds.cluster_multi_az", note=_ONE_AZ, category=_FT),
    _m("Amazon RDS DB clusters with all instances in the same Availability Zone", "rds.cluster_multi_az",
       note=_ONE_AZ, category=_FT),
    _m("Amazon RDS DB clusters with all reader instances in the same Availability Zone", "rds.cluster_readers_one_az",
       category=_FT),
    _m("Amazon RDS DB Instance Enhanced Monitoring not enabled", "rds.enhanced_monitoring", category=_FT),
    _m("Amazon RDS DB instances have storage autoscaling turned off", "perf.storage_autoscaling_off", category=_FT),
    _m("Amazon RDS DB instances not using Multi-AZ deployment", "rds.multi_az", note=_PROD.replace("Prowler", "TA"),
       category=_FT),
    _m("Amazon RDS Multi-AZ", "rds.multi_az", note=_PROD.replace("Prowler", "TA"), category=_FT),
    _m("RDS Multi-AZ Standby Instance Not Enabled", "rds.multi_az", note=_PROD.replace("Prowler", "TA"),
       category=_FT),
    _m("RDS DB Cluster has no Multi-AZ replication enabled", "rds.cluster_multi_az",
       note=_PROD.replace("Prowler", "TA"), category=_FT),
    _miss("Amazon RDS DiskQueueDepth", _METRIC.format("DiskQueueDepth"), category=_FT),
    _m("Amazon RDS FreeStorageSpace", "perf.storage_nearly_full",
       note="below 10% free over 14 days, unless storage autoscaling still has room", category=_FT),
    _miss("Amazon RDS ReplicaLag", _METRIC.format("ReplicaLag"), category=_FT),
    _miss("Amazon RDS log_output parameter is set to table", _PARAMS, category=_FT),
    _miss("Amazon RDS innodb_default_row_format parameter setting is unsafe", _PARAMS, category=_FT),
    _miss("Amazon RDS innodb_flush_log_at_trx_commit parameter is not 1", _PARAMS, category=_FT),
    _miss("Amazon RDS max_user_connections parameter is low", _PARAMS, category=_FT),
    _miss("Amazon RDS sync_binlog parameter is turned off", _PARAMS, category=_FT),
    _miss("Amazon RDS synchronous_commit parameter is turned off", _PARAMS, category=_FT),
    _miss("Amazon RDS Read Replicas are open in writable mode",
          "read_only of each replica's parameter group: " + _PARAMS + " (replicas themselves are known)",
          category=_FT),
    _miss("Amazon RDS Not In AWS Backup Plan", _BACKUP, category=_FT),
    # security
    _m("Amazon RDS Aurora storage encryption is turned off", "rds.cluster_storage_encrypted", category=_SEC),
    _m("Amazon RDS storage encryption is turned off", "rds.storage_encrypted", category=_SEC),
    _m("Amazon RDS Public Snapshots", "rds.snapshot_public", category=_SEC),
    _m("Amazon RDS Security Group Access Risk", "rds.internet_exposed",
       note="reported where the open group makes a publicly accessible instance in a public subnet reachable; an "
       "open group on a private instance is not reported", category=_SEC),
    _miss("Amazon RDS engine minor version upgrade is required",
          "the latest minor version per engine is not collected; rds.pending_maintenance reports the db-upgrade "
          "actions RDS schedules (and host patches), another signal", category=_SEC),
    # cost optimization
    _m("Amazon RDS Idle DB Instances", "cost.idle_instance",
       note="no connection in 14 days (TA: 7), so every instance reported here TA reports too", category=_COST),
    _m("Amazon Relational Database Service (RDS) Reserved Instance Optimization", "cost.reserved_instances",
       category=_COST),
    _m("Amazon Aurora cost optimization recommendations for DB cluster storage", "cost.aurora_io_optimized",
       note="provisioned clusters with 14-day I/O figures on every member, when the switch saves 5% or more",
       category=_COST),
    # performance
    _miss("Amazon Aurora DB cluster under-provisioned for read workload",
          _METRIC.format("BufferCacheHitRatio / ReadIOPS per member"), category=_PERF),
    _miss("Amazon RDS DB clusters support only up to 64 TiB volume",
          "the per-version volume limit is not in the bundled data", category=_PERF),
    _m("Amazon RDS DB instances in the clusters with heterogeneous instance classes", "perf.cluster_mixed_classes",
       category=_PERF),
    _m("Amazon RDS DB instances in the clusters with heterogeneous instance sizes", "perf.cluster_mixed_classes",
       category=_PERF),
    _m("Amazon RDS instance under-provisioned for system capacity", "perf.high_cpu",
       note="CPU only (TA also weighs memory)", category=_PERF),
    _m("Amazon RDS magnetic volume is in use", "perf.magnetic_storage", category=_PERF),
    _m("Amazon RDS resources instance class update is required", "perf.previous_generation", category=_PERF),
    _m("Amazon RDS resources major versions update is required", "rds.engine_end_of_support",
       "rds.engine_extended_support", "rds.engine_standard_support_ending", category=_PERF),
    _m("Amazon RDS resources using end of support engine edition under license-included", "rds.engine_end_of_support",
       note="by major version; the licence model is not part of the judgement", category=_PERF),
    _miss("Amazon RDS autovacuum parameter is turned off", _PARAMS, category=_PERF),
    _miss("Amazon RDS DB memory parameters are diverging from default", _PARAMS, category=_PERF),
    _miss("Amazon RDS enable_indexonlyscan parameter is turned off", _PARAMS, category=_PERF),
    _miss("Amazon RDS enable_indexscan parameter is turned off", _PARAMS, category=_PERF),
    _miss("Amazon RDS general_logging parameter is turned on", _PARAMS, category=_PERF),
    _miss("Amazon RDS InnoDB_Change_Buffering parameter using less than optimum value", _PARAMS, category=_PERF),
    _miss("Amazon RDS innodb_open_files parameter is low", _PARAMS, category=_PERF),
    _miss("Amazon RDS innodb_stats_persistent parameter is turned off", _PARAMS, category=_PERF),
    _miss("Amazon RDS parameter groups not using huge pages", _PARAMS, category=_PERF),
    _miss("Amazon RDS query cache parameter is turned on", _PARAMS, category=_PERF),
)  # fmt: skip


def counts(table: tuple[Parity, ...]) -> dict[Status, int]:
    """matched / not applicable / missing counts of one table."""
    found = Counter(p.status for p in table)
    return {s: found[s] for s in STATUSES}
