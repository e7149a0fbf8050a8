"""aws mode against moto's standalone server gives the same findings as the same resources in synthetic form.

Each resource is described once (`SPECS`): the spec creates it through the AWS API on moto's server, and the
same spec builds the synthetic record directly (ids AWS generates, such as group, subnet, volume ids and the
public IP, are read back from the raw API). The snapshot collected by the aws collector and the synthetic one
must produce the same security and performance findings (rule, resource, severity).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from awsinv_mcp.analysis.report import run_all
from awsinv_mcp.config import Settings
from awsinv_mcp.models.inventory import (
    Account,
    DBInstance,
    DBSnapshot,
    EC2Instance,
    IngressRule,
    S3Bucket,
    SecurityGroup,
    Snapshot,
    Subnet,
    Volume,
)  # fmt: skip
from tests.aws_support import moto_env
from tests.estates import CTX

pytestmark = pytest.mark.slow

REGION, ACCOUNT = "eu-west-1", "123456789012"
PROD_TAGS = {"Environment": "production", "Team": "payments", "Application": "checkout"}
LABELS = {"environment": "production", "team": "payments", "application": "checkout"}

# DB instances: the settings that matter, given explicitly so no API default decides the outcome. The group
# opens 5432 and 3306 to the world: exposed-db is reachable, legacy-mysql (port 3307) merely public.
SPECS: dict[str, dict[str, Any]] = {
    "exposed-db": dict(engine="postgres", public=True, encrypted=False, retention=0, multi_az=False,
                       deletion_protection=False, iam=False, minor=False, user="postgres", monitoring=0,
                       logs=[], copy_tags=False, port=5432, cls="db.t3.micro"),
    "tidy-db": dict(engine="postgres", public=False, encrypted=True, retention=7, multi_az=True,
                    deletion_protection=True, iam=True, minor=True, user="dbmaster", monitoring=60,
                    logs=["postgresql"], copy_tags=True, port=6543, cls="db.m7g.large", insights=True,
                    max_gb=200),
    "legacy-mysql": dict(engine="mysql", public=True, encrypted=True, retention=3, multi_az=True,
                         deletion_protection=True, iam=True, minor=True, user="admin", monitoring=60,
                         logs=["error"], copy_tags=True, port=3307, cls="db.m4.large"),
}  # fmt: skip


def build_network(ec2: Any) -> dict[str, str]:
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="eu-west-1a")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="eu-west-1b")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)
    group = ec2.create_security_group(GroupName="db-open", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]} for p in (5432, 3306)
    ])  # fmt: skip
    return {"vpc": vpc, "public": public, "private": private, "group": group}


def build_in_aws(boto3: Any) -> dict[str, Any]:
    """Create the resources through the API; return the ids AWS generated."""
    ec2 = boto3.client("ec2", region_name=REGION)
    net = build_network(ec2)
    tags = [{"Key": k, "Value": v} for k, v in PROD_TAGS.items()]
    host_tags = [*tags, {"Key": "Name", "Value": "orders-postgres-1"}]
    rds = boto3.client("rds", region_name=REGION)
    rds.create_db_subnet_group(DBSubnetGroupName="public-db", DBSubnetGroupDescription="d",
                               SubnetIds=[net["public"], net["private"]])  # fmt: skip
    for name, s in SPECS.items():
        rds.create_db_instance(
            DBInstanceIdentifier=name, Engine=s["engine"], DBInstanceClass=s["cls"], AllocatedStorage=100,
            StorageType="gp3", MasterUsername=s["user"], MasterUserPassword="not-a-secret-1", Port=s["port"],
            PubliclyAccessible=s["public"], StorageEncrypted=s["encrypted"], BackupRetentionPeriod=s["retention"],
            MultiAZ=s["multi_az"], DeletionProtection=s["deletion_protection"],
            EnableIAMDatabaseAuthentication=s["iam"], AutoMinorVersionUpgrade=s["minor"],
            MonitoringInterval=s["monitoring"], EnableCloudwatchLogsExports=s["logs"],
            CopyTagsToSnapshot=s["copy_tags"], VpcSecurityGroupIds=[net["group"]], DBSubnetGroupName="public-db",
            EnablePerformanceInsights=s.get("insights", False),
            **({"MaxAllocatedStorage": s["max_gb"]} if "max_gb" in s else {}),
            Tags=tags, **({"MonitoringRoleArn": f"arn:aws:iam::{ACCOUNT}:role/em"} if s["monitoring"] else {}),
        )  # fmt: skip
    image = ec2.register_image(Name="hvm", RootDeviceName="/dev/xvda", VirtualizationType="hvm")["ImageId"]
    ec2.run_instances(
        ImageId=image, MinCount=1, MaxCount=1, InstanceType="m5.large", MetadataOptions={"HttpTokens": "optional"},
        SubnetId=net["public"], SecurityGroupIds=[net["group"]],
        TagSpecifications=[{"ResourceType": "instance", "Tags": host_tags}],
    )  # fmt: skip
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="acme-exports", CreateBucketConfiguration={"LocationConstraint": REGION})
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                      "Resource": "arn:aws:s3:::acme-exports/*"}]}  # fmt: skip
    s3.put_bucket_policy(Bucket="acme-exports", Policy=json.dumps(policy))
    s3.put_bucket_tagging(Bucket="acme-exports", Tagging={"TagSet": tags})
    (reservation,) = ec2.describe_instances()["Reservations"]  # ids and the public IP are AWS's to choose
    net["instance"] = reservation["Instances"][0]
    net["volumes"] = ec2.describe_volumes()["Volumes"]
    net["db_snapshots"] = rds.describe_db_snapshots()["DBSnapshots"]  # RDS takes one when an instance is created
    # what the endpoint reports for Performance Insights when nobody set it (moto 5.2.6: false, like AWS; 5.2.5: absent)
    net["pi"] = {
        d["DBInstanceIdentifier"]: d.get("PerformanceInsightsEnabled")
        for d in rds.describe_db_instances()["DBInstances"]
    }
    return net


def synthetic_form(net: dict[str, Any]) -> Snapshot:
    """The same resources as synthetic records, straight from the specs (no collector involved)."""
    base = dict(account=ACCOUNT, region=REGION, tags=PROD_TAGS, **LABELS)
    dbs = tuple(
        DBInstance(**base, identifier=name, arn=f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{name}", engine=s["engine"],
                   instance_class=s["cls"], multi_az=s["multi_az"], storage_encrypted=s["encrypted"],
                   publicly_accessible=s["public"], storage_type="gp3", allocated_gb=100,
                   max_allocated_gb=s.get("max_gb"), backup_retention_days=s["retention"],
                   deletion_protection=s["deletion_protection"],
                   iam_auth=s["iam"], auto_minor_version_upgrade=s["minor"], master_username=s["user"],
                   monitoring_interval=s["monitoring"], log_exports=tuple(s["logs"]),
                   copy_tags_to_snapshot=s["copy_tags"], port=s["port"], security_groups=(net["group"],),
                   subnet_ids=(net["public"], net["private"]), performance_insights=net["pi"][name])
        for name, s in SPECS.items()
    )  # fmt: skip
    raw = net["instance"]
    host = EC2Instance(**base, identifier=raw["InstanceId"], name="orders-postgres-1", instance_type="m5.large",
                       public_ip=raw.get("PublicIpAddress"), imds_v2_required=False, security_groups=(net["group"],),
                       subnet_id=net["public"], vpc_id=net["vpc"], database_host=True)  # fmt: skip
    snapshots = tuple(
        DBSnapshot(**base, identifier=r["DBSnapshotIdentifier"], source_id=r["DBInstanceIdentifier"],
                   snapshot_type=r["SnapshotType"], engine=r["Engine"], encrypted=r["Encrypted"])
        for r in net["db_snapshots"]
    )  # fmt: skip
    volumes = tuple(
        Volume(v["VolumeId"], ACCOUNT, REGION, v["VolumeType"], v["Size"], v["Encrypted"],
               instance_id=(v.get("Attachments") or [{}])[0].get("InstanceId"))
        for v in net["volumes"]
    )  # fmt: skip
    open_rules = tuple(IngressRule("tcp", p, p, ("0.0.0.0/0",)) for p in (5432, 3306))
    return Snapshot(
        source="synthetic", collected_at=datetime.now(UTC), accounts=(Account(ACCOUNT),), regions=(REGION,),
        db_instances=dbs, db_snapshots=snapshots, ec2_instances=(host,), volumes=volumes,
        security_groups=(SecurityGroup(net["group"], ACCOUNT, REGION, "db-open", net["vpc"], open_rules),),
        subnets=(Subnet(net["public"], ACCOUNT, REGION, net["vpc"], True),
                 Subnet(net["private"], ACCOUNT, REGION, net["vpc"], False)),
        s3_buckets=(S3Bucket(**base, name="acme-exports", encrypted=False, encryption=None,
                             public_access_block=False, public=True, versioning="Disabled", purpose="exports"),),
    )  # fmt: skip


@pytest.fixture(scope="module")
def both() -> Iterator[tuple[Snapshot, Snapshot]]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        with moto_env() as mp:
            host, port = server.get_host_and_port()
            mp.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")
            import boto3

            from awsinv_mcp.inventory.aws.collector import collect

            net = build_in_aws(boto3)
            collected = collect(Settings(source="aws", regions=[REGION]))
            yield collected, synthetic_form(net)
    finally:
        server.stop()


def judged(snap: Snapshot) -> set[tuple[str, str, str, str]]:
    return {(f.rule, f.resource_type, f.resource_id, f.severity) for f in run_all(snap, CTX).findings
            if f.category in ("security", "performance")}  # fmt: skip


def test_aws_mode_finds_what_the_synthetic_form_finds(both: tuple[Snapshot, Snapshot]) -> None:
    collected, synthetic = both
    assert collected.source == "aws" and {d.identifier for d in collected.db_instances} == set(SPECS)
    from_aws, from_synthetic = judged(collected), judged(synthetic)
    assert from_aws == from_synthetic, (sorted(from_aws - from_synthetic), sorted(from_synthetic - from_aws))
    rules = {(rule, rid) for rule, _, rid, _ in from_aws}
    assert {
        ("rds.internet_exposed", "exposed-db"),
        ("rds.publicly_accessible", "legacy-mysql"),
        ("rds.backup_enabled", "exposed-db"),
        ("rds.backup_retention", "legacy-mysql"),
        ("rds.default_master_username", "legacy-mysql"),
        ("perf.previous_generation", "legacy-mysql"),
        ("s3.public", "acme-exports"),
        ("ec2.imdsv2", collected.ec2_instances[0].identifier),
    } <= rules
    assert not [rule for rule, rid in rules if rid == "tidy-db"]  # compliant in both forms
