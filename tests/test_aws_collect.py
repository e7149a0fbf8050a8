"""The AWS collectors against moto (in-process): one small estate in two regions, collected once per module."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from awsinv_mcp.config import Settings
from awsinv_mcp.models.inventory import Snapshot
from tests.aws_support import db_instance, moto_env

REGIONS = ["us-east-1", "eu-west-1"]
OTHER_ACCOUNT = "210987654321"


def _network(ec2) -> dict[str, str]:
    """A VPC with a public subnet (IGW route), a private one, and a group open to the world on 5432."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="eu-west-1a")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="eu-west-1b")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    return {"vpc": vpc, "public": public, "private": private, "group": group}


def _build(boto3) -> dict[str, str]:
    rds = boto3.client("rds", region_name="us-east-1")
    db_instance(
        rds,
        "orders-db",
        EngineVersion="14.7",
        MultiAZ=True,
        StorageEncrypted=True,
        PubliclyAccessible=False,
        Tags=[{"Key": "Environment", "Value": "Production"}, {"Key": "Team", "Value": "payments"}],
    )
    rds.create_db_cluster(
        DBClusterIdentifier="ledger",
        Engine="aurora-postgresql",
        EngineVersion="15.4",
        MasterUsername="ledger_admin",
        MasterUserPassword="not-a-secret-1",
        Tags=[{"Key": "environment", "Value": "staging"}, {"Key": "Application", "Value": "ledger"}],
    )
    for name in ("ledger-1", "ledger-2"):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            Engine="aurora-postgresql",
            DBInstanceClass="db.r6g.large",
            DBClusterIdentifier="ledger",
        )
    rds.create_db_snapshot(DBInstanceIdentifier="orders-db", DBSnapshotIdentifier="orders-public")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="orders-public", AttributeName="restore", ValuesToAdd=["all"])
    rds.create_db_cluster_snapshot(DBClusterIdentifier="ledger", DBClusterSnapshotIdentifier="ledger-shared")
    rds.modify_db_cluster_snapshot_attribute(
        DBClusterSnapshotIdentifier="ledger-shared", AttributeName="restore", ValuesToAdd=[OTHER_ACCOUNT]
    )
    now = datetime.now(UTC)
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    dims = [{"Name": "DBInstanceIdentifier", "Value": "orders-db"}]
    cloudwatch.put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {"MetricName": "CPUUtilization", "Dimensions": dims, "Timestamp": now - timedelta(days=d), "Value": v}
            for d, v in ((1, 10.0), (3, 30.0), (5, 80.0))
        ]
        + [
            {
                "MetricName": "FreeStorageSpace",
                "Dimensions": dims,
                "Timestamp": now - timedelta(days=2),
                "Value": 5 * 1024**3,
            }
        ],
    )

    ec2 = boto3.client("ec2", region_name="eu-west-1")
    net = _network(ec2)
    image = ec2.register_image(Name="hvm", RootDeviceName="/dev/xvda", VirtualizationType="hvm")["ImageId"]
    ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        SubnetId=net["public"],
        SecurityGroupIds=[net["group"]],
        MetadataOptions={"HttpTokens": "required"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "reporting"}]}],
    )
    ec2.create_volume(Size=50, AvailabilityZone="eu-west-1a", VolumeType="gp3", Encrypted=True)
    rds_eu = boto3.client("rds", region_name="eu-west-1")
    rds_eu.create_db_subnet_group(
        DBSubnetGroupName="public-db", DBSubnetGroupDescription="d", SubnetIds=[net["public"], net["private"]]
    )
    db_instance(
        rds_eu,
        "reports-db",
        engine="mysql",
        DBSubnetGroupName="public-db",
        PubliclyAccessible=True,
        VpcSecurityGroupIds=[net["group"]],
    )

    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="orders-backups")
    s3.put_bucket_encryption(
        Bucket="orders-backups",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    s3.put_public_access_block(
        Bucket="orders-backups",
        PublicAccessBlockConfiguration={
            k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        },
    )
    s3.put_bucket_versioning(Bucket="orders-backups", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_tagging(Bucket="orders-backups", Tagging={"TagSet": [{"Key": "Environment", "Value": "PROD"}]})
    s3_eu = boto3.client("s3", region_name="eu-west-1")
    s3_eu.create_bucket(Bucket="web-static-site", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::web-static-site/*",
            }
        ],
    }
    s3_eu.put_bucket_policy(Bucket="web-static-site", Policy=json.dumps(policy))
    s3.create_bucket(Bucket="elsewhere-exports")  # us-east-1 too; ap-south-1 would be filtered
    cache = boto3.client("elasticache", region_name="eu-west-1")
    cache.create_cache_subnet_group(
        CacheSubnetGroupName="public-cache", CacheSubnetGroupDescription="d", SubnetIds=[net["public"]]
    )
    cache.create_replication_group(
        ReplicationGroupId="sessions", ReplicationGroupDescription="sessions", Engine="redis",
        CacheNodeType="cache.r7g.large", NumCacheClusters=2, AutomaticFailoverEnabled=True, MultiAZEnabled=True,
        AtRestEncryptionEnabled=True, TransitEncryptionEnabled=False, SnapshotRetentionLimit=3,
        CacheSubnetGroupName="public-cache",
        Tags=[{"Key": "Environment", "Value": "prod"}, {"Key": "Team", "Value": "web"}],
    )  # fmt: skip
    cache.create_cache_cluster(
        CacheClusterId="pages", Engine="memcached", EngineVersion="1.6.17", CacheNodeType="cache.t4g.small",
        NumCacheNodes=2, Tags=[{"Key": "Environment", "Value": "dev"}],
    )  # fmt: skip
    return net


@pytest.fixture(scope="module")
def collected() -> tuple[Snapshot, list[tuple[int, int, str]], dict[str, str], set[str]]:
    with moto_env():
        import boto3
        from moto import mock_aws

        from awsinv_mcp.inventory.aws.collector import Collection

        with mock_aws():
            net = _build(boto3)
            progress: list[tuple[int, int, str]] = []
            collection = Collection(Settings(source="aws", regions=REGIONS), lambda *a: progress.append(a))
            collection.run()
            yield collection.snapshot(), progress, net, collection.results.actions


def test_accounts_regions_and_warnings(collected) -> None:
    snap, _, _, _ = collected
    assert snap.source == "aws"
    assert [a.id for a in snap.accounts] == ["123456789012"]
    assert snap.regions == ("eu-west-1", "us-east-1")
    # moto lacks reserved DB instances and pending maintenance actions (one warning each, merged over both regions)
    # and engine lifecycles
    assert len(snap.warnings) == 3, snap.warnings
    warning = next(w for w in snap.warnings if "Reserved" in w.message)
    assert warning.scope == "123456789012/eu-west-1,us-east-1/rds"
    assert "rds:DescribeReservedDBInstances is unsupported by this endpoint" in warning.message


def test_db_instances_with_cluster_members_and_tags(collected) -> None:
    snap, _, _, _ = collected
    by_id = {d.identifier: d for d in snap.db_instances}
    assert set(by_id) == {"orders-db", "ledger-1", "ledger-2", "reports-db"}
    orders = by_id["orders-db"]
    assert (orders.account, orders.region, orders.engine, orders.engine_version) == (
        "123456789012",
        "us-east-1",
        "postgres",
        "14.7",
    )
    assert orders.environment == "production" and orders.team == "payments" and orders.application is None
    assert orders.multi_az and orders.storage_encrypted and not orders.publicly_accessible
    assert orders.arn == "arn:aws:rds:us-east-1:123456789012:db:orders-db"
    assert orders.master_username == "admin_user" and orders.port == 5432
    assert by_id["ledger-1"].cluster == "ledger" and by_id["orders-db"].cluster is None
    reports = by_id["reports-db"]
    assert reports.region == "eu-west-1" and reports.publicly_accessible
    assert len(reports.subnet_ids) == 2 and reports.vpc_id


def test_utilisation_from_cloudwatch(collected) -> None:
    snap, _, _, _ = collected
    by_id = {d.identifier: d for d in snap.db_instances}
    usage = by_id["orders-db"].utilisation
    assert usage is not None and usage.days == 14
    assert usage.cpu_avg == pytest.approx(40.0) and usage.cpu_max == pytest.approx(80.0)
    assert usage.free_storage_gb_min == pytest.approx(5.0)
    assert usage.connections_avg is None
    assert by_id["reports-db"].utilisation is None  # no datapoints at all


def test_clusters_and_snapshots(collected) -> None:
    snap, _, _, _ = collected
    (cluster,) = snap.db_clusters
    assert cluster.identifier == "ledger" and cluster.engine == "aurora-postgresql"
    assert {m.identifier for m in cluster.members} == {"ledger-1", "ledger-2"}
    assert sum(m.writer for m in cluster.members) == 1
    assert cluster.environment == "staging" and cluster.application == "ledger"
    snaps = {s.identifier: s for s in snap.db_snapshots}
    public = snaps["orders-public"]
    assert public.public and public.kind == "instance" and public.snapshot_type == "manual"
    assert public.environment == "production"  # untagged: inherited from its DB instance
    shared = snaps["ledger-shared"]
    assert shared.kind == "cluster" and not shared.public and shared.shared_with == (OTHER_ACCOUNT,)
    automated = [s for s in snap.db_snapshots if s.snapshot_type == "automated"]
    assert automated and not any(s.public for s in automated)


def test_ec2_network_and_database_hosts(collected) -> None:
    snap, _, net, _ = collected
    (instance,) = snap.ec2_instances
    assert instance.region == "eu-west-1" and instance.name == "reporting"
    assert instance.database_host and instance.database_engine == "postgres"  # port 5432 open in its group
    assert instance.imds_v2_required and instance.subnet_id == net["public"]
    subnets = {s.id: s for s in snap.subnets if s.vpc_id == net["vpc"]}
    assert subnets[net["public"]].public and not subnets[net["private"]].public
    group = snap.security_groups_by_id[("123456789012", "eu-west-1", net["group"])]
    assert group.open_ports_to_internet(5432) and not group.open_ports_to_internet(3306)
    assert any(v.volume_type == "gp3" and v.encrypted and v.size_gb == 50 for v in snap.volumes)
    assert {v.instance_id for v in snap.volumes} >= {instance.identifier}


def test_s3_buckets(collected) -> None:
    snap, _, _, _ = collected
    buckets = {b.name: b for b in snap.s3_buckets}
    assert set(buckets) == {"orders-backups", "web-static-site", "elsewhere-exports"}
    backups = buckets["orders-backups"]
    assert (backups.region, backups.encrypted, backups.encryption) == ("us-east-1", True, "aws:kms")
    assert backups.public_access_block and not backups.public
    assert backups.versioning == "Enabled" and backups.purpose == "backups" and backups.environment == "production"
    site = buckets["web-static-site"]
    assert site.region == "eu-west-1" and site.public and not site.public_access_block
    assert not site.encrypted and site.encryption is None and site.versioning == "Disabled"
    assert site.purpose == "static" and buckets["elsewhere-exports"].purpose == "exports"


def test_progress_per_account_and_region(collected) -> None:
    _, progress, _, _ = collected
    assert [p[0] for p in progress] == [1, 2, 3]
    assert progress[-1][1] == 3
    messages = " ".join(p[2] for p in progress)
    assert "123456789012 us-east-1" in messages and "eu-west-1" in messages and "S3 buckets" in messages


def test_iam_policy_lists_exactly_the_actions_called(collected) -> None:
    _, _, _, actions = collected
    policy = json.loads((Path(__file__).parent.parent / "docs" / "iam-policy.json").read_text())
    allowed = {a for statement in policy["Statement"] for a in statement["Action"]}
    assert actions <= allowed, sorted(actions - allowed)
    extras = {
        "ce:GetCostAndUsage",
        "ce:GetCostForecast",
        "rds:DescribeDBMajorEngineVersions",
        "organizations:ListAccounts",
        "organizations:ListAccountsForParent",
        "organizations:ListOrganizationalUnitsForParent",
        "sts:AssumeRole",
        "rds-db:connect",
        "secretsmanager:GetSecretValue",
    }
    assert allowed - actions <= extras, sorted(allowed - actions - extras)


def test_elasticache_replication_groups_and_clusters(collected) -> None:
    snap, _, _, _ = collected
    caches = {c.identifier: c for c in snap.cache_clusters}
    assert set(caches) == {"sessions", "pages"}
    sessions, pages = caches["sessions"], caches["pages"]
    assert sessions.replication_group and sessions.engine == "redis" and sessions.multi_az
    assert sessions.automatic_failover and sessions.at_rest_encryption and not sessions.transit_encryption
    assert sessions.snapshot_retention_days == 3 and sessions.region == "eu-west-1"
    assert (sessions.environment, sessions.team) == ("production", "web")
    assert not pages.replication_group and pages.engine == "memcached" and pages.engine_version == "1.6.17"
    assert pages.nodes == 2 and pages.environment == "development"


def test_no_secret_in_records(collected) -> None:
    snap, _, _, _ = collected
    assert "not-a-secret-1" not in repr(snap)
