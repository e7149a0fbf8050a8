"""Rules for ElastiCache clusters (Redis OSS and Valkey replication groups, Memcached clusters).

Rules that carry a Prowler check id judge what that check judges, on the same resources (Prowler's ElastiCache
checks look at Redis replication groups, the public-subnet check at every cluster); stricter or wider
judgements are separate rules without an id.
"""

from __future__ import annotations

from awsinv_mcp.analysis.catalogue import AnalysisContext, Hit, resource_rule
from awsinv_mcp.analysis.versions import run_calendar
from awsinv_mcp.engine_versions import major_of
from awsinv_mcp.inventory.network import public_subnets
from awsinv_mcp.models.inventory import CacheCluster, Snapshot

MIN_BACKUP_DAYS = 7  # Prowler's minimum_snapshot_retention_period default
_MODIFY = "CLI: aws elasticache modify-replication-group --replication-group-id <id> --apply-immediately"


def redis_like(c: CacheCluster) -> bool:
    """Redis OSS and Valkey (the engines with replication groups, AUTH, encryption at rest and backups)."""
    return c.engine in ("redis", "valkey")


def acl_era(c: CacheCluster) -> bool:
    """Redis OSS 6+ and every Valkey version have access control lists (RBAC user groups)."""
    if c.engine == "valkey":
        return True
    head = c.engine_version.split(".")[0]
    return head.isdigit() and int(head) >= 6


@resource_rule(
    "elasticache.public_subnet", resource_type="cache_cluster", category="security", severity="high",
    title="ElastiCache cluster is in a public subnet",
    rationale="A cache in subnets routed to an internet gateway is one security group rule away from the "
    "internet; caches hold sessions and tokens.",
    remediation="Console: ElastiCache > Subnet groups: create one with private subnets, then migrate the "
    "cluster (a subnet group cannot be changed in place: restore a backup into the new group). CLI: aws "
    "elasticache create-cache-subnet-group --cache-subnet-group-name <name> --subnet-ids <private ids> ...",
    prowler_check="elasticache_cluster_uses_public_subnet",
)  # fmt: skip
def public_subnet(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    found = public_subnets(snap, c.account, c.region, c.subnet_ids)
    return {"public_subnets": list(found), "subnet_group": c.subnet_group} if found else None


@resource_rule(
    "elasticache.at_rest_encryption", resource_type="cache_cluster", category="security", severity="medium",
    title="ElastiCache data is not encrypted at rest",
    rationale="Without encryption at rest, the cache's disk and its backups are readable by whoever gets them.",
    remediation="Console: create a new replication group with encryption at rest from a backup of this one (it "
    "cannot be turned on in place). CLI: aws elasticache create-replication-group ... --at-rest-encryption-enabled "
    "--snapshot-name <backup>",
    prowler_check="elasticache_redis_cluster_rest_encryption_enabled",
    notes="Redis OSS and Valkey replication groups (Memcached has no encryption at rest outside serverless).",
)  # fmt: skip
def at_rest_encryption(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not (redis_like(c) and c.replication_group) or c.at_rest_encryption:
        return None
    return {"at_rest_encryption": False, "engine": c.engine}


@resource_rule(
    "elasticache.in_transit_encryption", resource_type="cache_cluster", category="security", severity="medium",
    title="ElastiCache traffic is not encrypted in transit",
    rationale="Clients talk to the cache in plain text: anyone on the network path reads sessions and tokens.",
    remediation=f"Console: Modify the replication group, Encryption in transit: Preferred, then Required. {_MODIFY} "
    "--transit-encryption-enabled --transit-encryption-mode preferred",
    prowler_check="elasticache_redis_cluster_in_transit_encryption_enabled",
    notes="Redis OSS and Valkey replication groups; Memcached clusters are elasticache.memcached_transit_encryption.",
)  # fmt: skip
def in_transit_encryption(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not (redis_like(c) and c.replication_group) or c.transit_encryption:
        return None
    return {"transit_encryption": False, "engine": c.engine}


@resource_rule(
    "elasticache.memcached_transit_encryption", resource_type="cache_cluster", category="security", severity="low",
    title="Memcached cluster does not encrypt traffic in transit",
    rationale="Memcached 1.6.12 and later support TLS; without it cached data crosses the network in plain text.",
    remediation="Console: create a new Memcached cluster with Encryption in transit on (it cannot be turned on in "
    "place) and move clients to it. CLI: aws elasticache create-cache-cluster --engine memcached "
    "--transit-encryption-enabled ...",
)  # fmt: skip
def memcached_transit_encryption(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if c.engine != "memcached" or c.transit_encryption:
        return None
    return {"transit_encryption": False, "engine_version": c.engine_version}


@resource_rule(
    "elasticache.auth_token", resource_type="cache_cluster", category="security", severity="high",
    title="Redis OSS before 6 accepts connections without AUTH",
    rationale="Without an AUTH token anyone who reaches the port can read and write every key.",
    remediation=f"Console: Modify the replication group, Access control: Redis AUTH (with encryption in transit). "
    f"{_MODIFY} --auth-token <token> --auth-token-update-strategy ROTATE",
    prowler_check="elasticache_redis_replication_group_auth_enabled",
    notes="Replication groups on Redis OSS before 6.0 (later versions: elasticache.access_control).",
)  # fmt: skip
def auth_token(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if c.engine != "redis" or not c.replication_group or not c.engine_version or acl_era(c) or c.auth_token:
        return None
    return {"auth_token": False, "engine_version": c.engine_version}


@resource_rule(
    "elasticache.access_control", resource_type="cache_cluster", category="security", severity="high",
    title="Redis OSS / Valkey cluster has neither AUTH nor access control lists",
    rationale="Redis OSS 6+ and Valkey can require users (RBAC user groups) or an AUTH token; with neither, anyone "
    "who reaches the port has full access.",
    remediation=f"Console: ElastiCache > User group management: create a user group, then Modify the replication "
    f"group, Access control: User group access control list. {_MODIFY} --user-group-ids-to-add <group>",
    notes="Prowler reports these MANUAL (elasticache_redis_replication_group_auth_enabled on 6+): no equivalent.",
)  # fmt: skip
def access_control(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not (redis_like(c) and c.replication_group and acl_era(c)) or c.auth_token or c.user_groups:
        return None
    return {"auth_token": False, "user_groups": [], "engine": c.engine, "engine_version": c.engine_version}


@resource_rule(
    "elasticache.backup", resource_type="cache_cluster", category="security", severity="high",
    title="ElastiCache cluster keeps automatic backups for less than 7 days",
    rationale="Without automatic backups a failure or a bad FLUSHALL loses the data for good; a short retention "
    "loses recovery points needed days later.",
    remediation=f"Console: Modify the replication group, Backup: retention 7 days or more. {_MODIFY} "
    "--snapshot-retention-limit 7",
    prowler_check="elasticache_redis_cluster_backup_enabled",
    notes=f"Redis OSS and Valkey replication groups; no backups rank high, 1-{MIN_BACKUP_DAYS - 1} days low "
    "(as Prowler does).",
)  # fmt: skip
def backup(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not (redis_like(c) and c.replication_group) or c.snapshot_retention_days >= MIN_BACKUP_DAYS:
        return None
    evidence = {"snapshot_retention_days": c.snapshot_retention_days, "minimum": MIN_BACKUP_DAYS}
    return (evidence, "low") if c.snapshot_retention_days > 0 else evidence


@resource_rule(
    "elasticache.multi_az", resource_type="cache_cluster", category="security", severity="medium",
    title="ElastiCache replication group is not Multi-AZ",
    rationale="With every node in one Availability Zone, an AZ outage takes the cache down.",
    remediation=f"Console: Modify the replication group, Multi-AZ: on (needs a replica in another AZ). {_MODIFY} "
    "--multi-az-enabled --automatic-failover-enabled",
    prowler_check="elasticache_redis_cluster_multi_az_enabled",
    notes="Redis OSS and Valkey replication groups, every environment (as Prowler judges them).",
)  # fmt: skip
def multi_az(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not (redis_like(c) and c.replication_group) or c.multi_az:
        return None
    return {"multi_az": False, "nodes": c.nodes}


@resource_rule(
    "elasticache.automatic_failover", resource_type="cache_cluster", category="security", severity="medium",
    title="ElastiCache replication group has no automatic failover",
    rationale="Without automatic failover a failed primary stays down until someone promotes a replica.",
    remediation=f"Console: Modify the replication group, Auto failover: on. {_MODIFY} --automatic-failover-enabled",
    prowler_check="elasticache_redis_cluster_automatic_failover_enabled",
)  # fmt: skip
def automatic_failover(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not (redis_like(c) and c.replication_group) or c.automatic_failover:
        return None
    return {"automatic_failover": False, "nodes": c.nodes}


@resource_rule(
    "elasticache.auto_minor_version_upgrade", resource_type="cache_cluster", category="security", severity="low",
    title="ElastiCache minor version upgrades are off",
    rationale="Minor versions carry security fixes; with upgrades off they are never applied.",
    remediation=f"Console: Modify the cluster, Auto upgrade minor versions: on. {_MODIFY} "
    "--auto-minor-version-upgrade",
    prowler_check="elasticache_redis_cluster_auto_minor_version_upgrades",
    notes="Redis OSS and Valkey replication groups (Prowler's scope).",
)  # fmt: skip
def auto_minor_version_upgrade(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not (redis_like(c) and c.replication_group) or c.auto_minor_version_upgrade:
        return None
    return {"auto_minor_version_upgrade": False}


@resource_rule(
    "elasticache.engine_version", resource_type="cache_cluster", category="version", severity="high",
    title="ElastiCache engine version is past (or near) the end of standard support",
    rationale="Past standard support ElastiCache bills Extended Support on every node-hour, then upgrades the "
    "cluster itself when Extended Support ends.",
    remediation="Console: Modify the cluster, Engine version: the upgrade target (Valkey is a drop-in upgrade for "
    "Redis OSS). CLI: aws elasticache modify-replication-group --replication-group-id <id> --engine-version "
    "<target> --apply-immediately",
    notes="Engine majors in resources/engine_lifecycle.json (Redis OSS 4 and 5); ending within the analysis "
    "horizon ranks medium.",
)  # fmt: skip
def engine_version(c: CacheCluster, ctx: AnalysisContext, snap: Snapshot) -> Hit:
    if not c.engine_version:
        return None
    major = major_of(c.engine, c.engine_version)
    lc = run_calendar(snap, ctx).lookup(c.engine, major)
    if lc is None:
        return None
    status = lc.status(ctx.as_of, ctx.months_ahead)
    if status == "standard":
        return None
    evidence = {
        "engine": c.engine, "engine_version": c.engine_version, "major": major, "status": status,
        "end_of_standard_support": lc.end_of_standard_support.isoformat() if lc.end_of_standard_support else None,
        "end_of_extended_support": lc.end_of_extended_support.isoformat() if lc.end_of_extended_support else None,
        "upgrade_target": lc.upgrade_target,
    }  # fmt: skip
    return (evidence, "medium") if status == "ending_soon" else evidence
