"""A small crafted snapshot for inventory tool tests (independent of the synthetic generator)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from awsinv_mcp.models.inventory import (
    Account,
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
    Warning,
)  # fmt: skip

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PROD, DEV = "111111111111", "222222222222"


def _db(account: str, region: str, ident: str, **kw: object) -> DBInstance:
    env = "production" if account == PROD else "development"
    base = dict(
        account=account, region=region, identifier=ident,
        arn=f"arn:aws:rds:{region}:{account}:db:{ident}", engine="postgres", engine_version="16.4",
        instance_class="db.m6g.large", environment=env, team="payments", application="checkout",
        tags={"Environment": env.title(), "Team": "payments", "Application": "checkout"},
        storage_encrypted=True, allocated_gb=100, port=5432, subnet_ids=("subnet-pub",),
        security_groups=("sg-db",), created_at=NOW - timedelta(days=100),
    )  # fmt: skip
    base.update(kw)
    return DBInstance(**base)  # type: ignore[arg-type]


def crafted_snapshot() -> Snapshot:
    dbs = (
        _db(PROD, "us-east-1", "orders-db"),
        _db(DEV, "us-east-1", "orders-db", engine="mysql", engine_version="8.0.36", team="platform"),
        _db(PROD, "eu-west-1", "ledger", publicly_accessible=True, storage_encrypted=False, allocated_gb=500),
        _db(PROD, "eu-west-1", "auth-1", engine="aurora-postgresql", cluster="auth", storage_type="aurora",
            allocated_gb=0),
        _db(PROD, "eu-west-1", "auth-2", engine="aurora-postgresql", cluster="auth", storage_type="aurora",
            allocated_gb=0),
        _db(DEV, "us-east-1", "scratch", engine="mariadb", engine_version="10.6.16", status="stopped",
            team="data", application="etl"),
    )  # fmt: skip
    cluster = DBCluster(
        account=PROD, region="eu-west-1", identifier="auth", arn=f"arn:aws:rds:eu-west-1:{PROD}:cluster:auth",
        engine="aurora-postgresql", engine_version="15.4", environment="production", team="payments",
        application="checkout", members=(ClusterMember("auth-2", False), ClusterMember("auth-1", True)),
        storage_encrypted=True,
    )  # fmt: skip
    sgs = tuple(
        SecurityGroup("sg-db", acct, region, "db", ingress=(IngressRule("tcp", 5432, 5432, ("0.0.0.0/0",)),))
        for acct in (PROD, DEV) for region in ("us-east-1", "eu-west-1")
    )  # fmt: skip
    subnets = tuple(
        Subnet("subnet-pub", acct, region, public=True) for acct in (PROD, DEV) for region in ("us-east-1", "eu-west-1")
    )
    snaps = (
        DBSnapshot(account=PROD, region="eu-west-1", identifier="ledger-manual-1", source_id="ledger",
                   engine="postgres", engine_version="16.4", public=True, allocated_gb=500,
                   created_at=NOW - timedelta(days=400)),
        DBSnapshot(account=PROD, region="us-east-1", identifier="orders-auto", source_id="orders-db",
                   snapshot_type="automated", engine="postgres", engine_version="16.4", encrypted=True,
                   allocated_gb=100, created_at=NOW - timedelta(days=1)),
    )  # fmt: skip
    ec2 = (
        EC2Instance(account=DEV, region="us-east-1", identifier="i-0abc", name="pg-selfhosted",
                    instance_type="m5.large", public_ip="54.1.2.3", database_host=True, database_engine="postgres",
                    imds_v2_required=False, environment="development", team="data"),
        EC2Instance(account=PROD, region="us-east-1", identifier="i-0def", name="web-1", instance_type="t3.small",
                    environment="production", team="payments"),
    )  # fmt: skip
    buckets = (
        S3Bucket(account=PROD, region="us-east-1", name="acme-db-backups", purpose="backups", versioning="Enabled"),
        S3Bucket(account=DEV, region="eu-west-1", name="acme-exports", purpose="exports", public=True,
                 public_access_block=False, encrypted=False, encryption=None),
    )  # fmt: skip
    return Snapshot(
        source="synthetic", collected_at=NOW,
        accounts=(Account(PROD, "acme-prod", "production"), Account(DEV, "acme-dev", "development")),
        regions=("eu-west-1", "us-east-1"), warnings=(Warning("222222222222/ap-south-1", "region not enabled"),),
        db_instances=dbs, db_clusters=(cluster,), db_snapshots=snaps, ec2_instances=ec2, security_groups=sgs,
        subnets=subnets, s3_buckets=buckets,
    )  # fmt: skip
