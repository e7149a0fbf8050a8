"""Crafted estates for tests: one set of record builders, and the snapshots built from them.

Every builder returns a resource no rule flags; tests change one field.

`estate(...)` wraps records in a Snapshot with a fixed network: `sg-open` admits 0.0.0.0/0 on every DB
port, `sg-open6` admits ::/0 on 5432, `sg-closed` admits only 10.0.0.0/8; `subnet-pub` is public and
`subnet-priv` is not.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from awsinv_mcp.analysis.all_rules import RULES
from awsinv_mcp.analysis.catalogue import AnalysisContext
from awsinv_mcp.inventory import kinds
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.models.inventory import (
    Account,
    CacheCluster,
    ClusterMember,
    DBCluster,
    DBInstance,
    DBSnapshot,
    EC2Instance,
    IngressRule,
    S3Bucket,
    SecurityGroup,
    Snapshot,
    Subnet,
    Utilisation,
    Volume,
    Warning,
)  # fmt: skip

ACCOUNT, REGION = "111111111111", "eu-west-1"
AS_OF = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
CTX = AnalysisContext(as_of=AS_OF)
PROD = {"environment": "production", "team": "payments", "application": "checkout"}
DEV = {"environment": "development", "team": "data", "application": "etl"}
HEALTHY = Utilisation(cpu_avg=35.0, cpu_max=70.0, connections_avg=20, connections_max=50, free_storage_gb_min=60.0,
                      read_iops_avg=200.0, write_iops_avg=100.0, burst_balance_min=99.0)  # fmt: skip
DB_PORTS = (5432, 3306, 1433, 1434, 1521, 2483, 2484, 27017, 27018, 6379)


def db(identifier: str = "orders", **kw: Any) -> DBInstance:
    """A compliant standalone production PostgreSQL instance."""
    base: dict[str, Any] = dict(
        account=ACCOUNT, region=REGION, **PROD, identifier=identifier,
        arn=f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{identifier}", engine="postgres", engine_version="16.4",
        instance_class="db.m7g.large", multi_az=True, storage_encrypted=True, publicly_accessible=False,
        storage_type="gp3", allocated_gb=100, max_allocated_gb=200, backup_retention_days=7, deletion_protection=True,
        iam_auth=True, auto_minor_version_upgrade=True, master_username="dbmaster", monitoring_interval=60,
        performance_insights=True, log_exports=("postgresql",), copy_tags_to_snapshot=True, port=6543,
        ca_certificate="rds-ca-rsa2048-g1", ca_certificate_valid_till=date(2061, 5, 1),
        security_groups=("sg-open",), subnet_ids=("subnet-priv",), utilisation=HEALTHY,
    )  # fmt: skip
    base.update(kw)
    return DBInstance(**base)


def member(identifier: str, cluster: str = "auth", **kw: Any) -> DBInstance:
    """A compliant Aurora PostgreSQL member: cluster-level settings left at values that would fail standalone."""
    base: dict[str, Any] = dict(
        engine="aurora-postgresql", engine_version="16.4", cluster=cluster, storage_type="aurora", allocated_gb=0,
        multi_az=False, storage_encrypted=False, backup_retention_days=1, deletion_protection=False, iam_auth=False,
        master_username="postgres", log_exports=(), copy_tags_to_snapshot=False, port=5432,
    )  # fmt: skip
    base.update(kw)
    return db(identifier, **base)


def cluster(identifier: str = "auth", members: tuple[str, ...] = ("auth-1", "auth-2"), **kw: Any) -> DBCluster:
    """A compliant production Aurora PostgreSQL cluster."""
    base: dict[str, Any] = dict(
        account=ACCOUNT, region=REGION, **PROD, identifier=identifier,
        arn=f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{identifier}", engine="aurora-postgresql",
        engine_version="16.4", members=tuple(ClusterMember(m, i == 0) for i, m in enumerate(members)),
        multi_az=True, storage_encrypted=True, backup_retention_days=14, deletion_protection=True, iam_auth=True,
        master_username="dbmaster", port=6543, log_exports=("postgresql",), copy_tags_to_snapshot=True,
        security_groups=("sg-open",), subnet_ids=("subnet-priv",),
    )  # fmt: skip
    base.update(kw)
    return DBCluster(**base)


def db_snapshot(identifier: str = "orders-final", **kw: Any) -> DBSnapshot:
    base: dict[str, Any] = dict(account=ACCOUNT, region=REGION, **PROD, identifier=identifier,
                                source_id="orders", engine="postgres", engine_version="16.4", encrypted=True,
                                allocated_gb=100, created_at=NOW)  # fmt: skip
    base.update(kw)
    return DBSnapshot(**base)


def bucket(name: str = "acme-data", **kw: Any) -> S3Bucket:
    base: dict[str, Any] = dict(account=ACCOUNT, region=REGION, **PROD, name=name, arn=f"arn:aws:s3:::{name}",
                                encrypted=True, public_access_block=True, public=False, versioning="Enabled",
                                purpose="data")  # fmt: skip
    base.update(kw)
    return S3Bucket(**base)


def host(identifier: str = "i-0abc", **kw: Any) -> EC2Instance:
    base: dict[str, Any] = dict(account=ACCOUNT, region=REGION, **PROD, identifier=identifier, name="app-1",
                                arn=f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{identifier}", instance_type="m7g.large",
                                imds_v2_required=True, security_groups=("sg-closed",), subnet_id="subnet-priv",
                                volume_ids=("vol-1",))  # fmt: skip
    base.update(kw)
    return EC2Instance(**base)


def cache(identifier: str = "sessions", **kw: Any) -> CacheCluster:
    """A compliant production Redis OSS 7 replication group in private subnets."""
    base: dict[str, Any] = dict(
        account=ACCOUNT, region=REGION, **PROD, identifier=identifier,
        arn=f"arn:aws:elasticache:{REGION}:{ACCOUNT}:replicationgroup:{identifier}", engine="redis",
        engine_version="7.1.0", node_type="cache.r7g.large", replication_group=True,
        members=(f"{identifier}-001", f"{identifier}-002"), nodes=2, multi_az=True, automatic_failover=True,
        transit_encryption=True, at_rest_encryption=True, user_groups=("payments-users",),
        snapshot_retention_days=7, port=6379, subnet_ids=("subnet-priv",), security_groups=("sg-closed",),
    )  # fmt: skip
    base.update(kw)
    return CacheCluster(**base)


def volume(vid: str = "vol-1", instance_id: str | None = "i-0abc", **kw: Any) -> Volume:
    base: dict[str, Any] = dict(id=vid, account=ACCOUNT, region=REGION, volume_type="gp3", size_gb=100,
                                encrypted=True, instance_id=instance_id)  # fmt: skip
    base.update(kw)
    return Volume(**base)


def network() -> dict[str, Any]:
    open_all = tuple(IngressRule("tcp", p, p, ("0.0.0.0/0",)) for p in DB_PORTS)
    groups = (
        SecurityGroup("sg-open", ACCOUNT, REGION, "open", ingress=open_all),
        SecurityGroup("sg-open6", ACCOUNT, REGION, "open6", ingress=(IngressRule("tcp", 5432, 5432, (), ("::/0",)),)),
        SecurityGroup("sg-closed", ACCOUNT, REGION, "closed",
                      ingress=(IngressRule("tcp", 5432, 5432, ("10.0.0.0/8",)),)),
    )  # fmt: skip
    subnets = (Subnet("subnet-pub", ACCOUNT, REGION, public=True), Subnet("subnet-priv", ACCOUNT, REGION, public=False))
    return {"security_groups": groups, "subnets": subnets}


def estate(
    *records: Any,
    accounts: tuple[Account, ...] = (Account(ACCOUNT, "acme-prod"),),
    regions: tuple[str, ...] = (REGION,),
    with_network: bool = True,
    collected_at: datetime = NOW,
    **fields: Any,
) -> Snapshot:
    """A snapshot holding `records` (sorted into their collections through the kinds registry).

    The fixed network is added unless `with_network=False`; other Snapshot fields pass through.
    """
    kind_fields = {k.record: k.field for k in kinds.KINDS}
    parts: dict[str, list[Any]] = {}
    for r in records:
        parts.setdefault(kind_fields[type(r)], []).append(r)
    net = network() if with_network else {}
    return Snapshot(source="synthetic", collected_at=collected_at, accounts=accounts, regions=regions,
                    **{k: tuple(v) for k, v in parts.items()}, **net, **fields)  # fmt: skip


def compliant_estate() -> Snapshot:
    """One compliant resource of every kind (a cluster with two members included)."""
    return estate(
        db(), cluster(), member("auth-1"), member("auth-2"), db_snapshot(), bucket(), host(), volume(), cache()
    )


def fire(rule_id: str, snap: Snapshot, ctx: AnalysisContext = CTX) -> list[Finding]:
    return list(RULES[rule_id].check(snap, ctx))


def all_findings(snap: Snapshot, ctx: AnalysisContext = CTX) -> list[Finding]:
    return [f for r in RULES.values() if r.category in ("security", "performance") for f in r.check(snap, ctx)]


# --- a two-account, two-region estate for the inventory tools (records as a bare collection would see them) ---
PROD_ACCOUNT, DEV_ACCOUNT = "111111111111", "222222222222"
UNHARDENED: dict[str, Any] = dict(
    multi_az=False, backup_retention_days=0, deletion_protection=False, iam_auth=False, master_username=None,
    monitoring_interval=0, performance_insights=None, log_exports=(), copy_tags_to_snapshot=False,
    ca_certificate=None, ca_certificate_valid_till=None, utilisation=None, storage_type="gp2",
)  # fmt: skip


def _bare_db(account: str, region: str, ident: str, **kw: Any) -> DBInstance:
    env = "production" if account == PROD_ACCOUNT else "development"
    base: dict[str, Any] = dict(
        UNHARDENED, account=account, region=region, arn=f"arn:aws:rds:{region}:{account}:db:{ident}",
        instance_class="db.m6g.large", environment=env, team="payments", application="checkout",
        tags={"Environment": env.title(), "Team": "payments", "Application": "checkout"},
        port=5432, subnet_ids=("subnet-pub",), security_groups=("sg-db",), created_at=NOW - timedelta(days=100),
    )  # fmt: skip
    base.update(kw)
    return db(ident, **base)


def two_account_estate() -> Snapshot:
    """Two accounts in two regions: a standalone, an Aurora cluster, a stopped instance, snapshots, hosts, buckets."""
    prod, dev = PROD_ACCOUNT, DEV_ACCOUNT
    dbs = (
        _bare_db(prod, "us-east-1", "orders-db"),
        _bare_db(dev, "us-east-1", "orders-db", engine="mysql", engine_version="8.0.36", team="platform"),
        _bare_db(prod, "eu-west-1", "ledger", publicly_accessible=True, storage_encrypted=False, allocated_gb=500),
        _bare_db(prod, "eu-west-1", "auth-1", engine="aurora-postgresql", cluster="auth", storage_type="aurora",
                 allocated_gb=0),
        _bare_db(prod, "eu-west-1", "auth-2", engine="aurora-postgresql", cluster="auth", storage_type="aurora",
                 allocated_gb=0),
        _bare_db(dev, "us-east-1", "scratch", engine="mariadb", engine_version="10.6.16", status="stopped",
                 team="data", application="etl"),
    )  # fmt: skip
    aurora = DBCluster(
        account=prod, region="eu-west-1", identifier="auth", arn=f"arn:aws:rds:eu-west-1:{prod}:cluster:auth",
        engine="aurora-postgresql", engine_version="15.4", environment="production", team="payments",
        application="checkout", members=(ClusterMember("auth-2", False), ClusterMember("auth-1", True)),
        storage_encrypted=True,
    )  # fmt: skip
    sgs = tuple(
        SecurityGroup("sg-db", acct, region, "db", ingress=(IngressRule("tcp", 5432, 5432, ("0.0.0.0/0",)),))
        for acct in (prod, dev) for region in ("us-east-1", "eu-west-1")
    )  # fmt: skip
    subnets = tuple(
        Subnet("subnet-pub", acct, region, public=True) for acct in (prod, dev) for region in ("us-east-1", "eu-west-1")
    )
    snaps = (
        DBSnapshot(account=prod, region="eu-west-1", identifier="ledger-manual-1", source_id="ledger",
                   engine="postgres", engine_version="16.4", public=True, allocated_gb=500,
                   created_at=NOW - timedelta(days=400)),
        DBSnapshot(account=prod, region="us-east-1", identifier="orders-auto", source_id="orders-db",
                   snapshot_type="automated", engine="postgres", engine_version="16.4", encrypted=True,
                   allocated_gb=100, created_at=NOW - timedelta(days=1)),
    )  # fmt: skip
    ec2 = (
        EC2Instance(account=dev, region="us-east-1", identifier="i-0abc", name="pg-selfhosted",
                    instance_type="m5.large", public_ip="54.1.2.3", database_host=True, database_engine="postgres",
                    imds_v2_required=False, environment="development", team="data"),
        EC2Instance(account=prod, region="us-east-1", identifier="i-0def", name="web-1", instance_type="t3.small",
                    environment="production", team="payments"),
    )  # fmt: skip
    buckets = (
        S3Bucket(account=prod, region="us-east-1", name="acme-db-backups", purpose="backups", versioning="Enabled"),
        S3Bucket(account=dev, region="eu-west-1", name="acme-exports", purpose="exports", public=True,
                 public_access_block=False, encrypted=False, encryption=None),
    )  # fmt: skip
    return Snapshot(
        source="synthetic", collected_at=NOW,
        accounts=(Account(prod, "acme-prod", "production"), Account(dev, "acme-dev", "development")),
        regions=("eu-west-1", "us-east-1"), warnings=(Warning(f"{dev}/ap-south-1", "region not enabled"),),
        db_instances=dbs, db_clusters=(aurora,), db_snapshots=snaps, ec2_instances=ec2, security_groups=sgs,
        subnets=subnets, s3_buckets=buckets,
    )  # fmt: skip


__all__ = ["replace"]
