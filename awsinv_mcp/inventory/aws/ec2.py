"""EC2 collectors for one account and region: security groups, subnets with their route tables (public or
not), instances (self-managed database hosts detected by tag or by an open database port) and volumes.

The record functions are pure: API dicts in, snapshot records out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.aws.context import Scope
from awsinv_mcp.inventory.aws.tags import labels, tag_dict
from awsinv_mcp.models.inventory import EC2Instance, IngressRule, SecurityGroup, Subnet, Volume

DB_PORTS = {
    5432: "postgres",
    3306: "mysql",
    1433: "sqlserver",
    1521: "oracle",
    27017: "mongodb",
    6379: "redis",
    9042: "cassandra",
}
ENGINE_WORDS = (
    ("postgres", "postgres"),
    ("mariadb", "mariadb"),
    ("mysql", "mysql"),
    ("sqlserver", "sqlserver"),
    ("mssql", "sqlserver"),
    ("oracle", "oracle"),
    ("mongo", "mongodb"),
    ("redis", "redis"),
    ("cassandra", "cassandra"),
)
DB_TAG_KEYS = frozenset({"database", "db", "dbengine", "db-engine", "db_engine", "engine", "role", "service", "name"})
MAX_DB_PORT_RANGE = 100  # a rule opening more ports than this says nothing about a database


def ingress_rule(permission: Mapping[str, Any]) -> IngressRule:
    protocol = str(permission.get("IpProtocol", "-1"))
    all_ports = protocol == "-1"
    return IngressRule(
        protocol=protocol,
        from_port=None if all_ports else permission.get("FromPort"),
        to_port=None if all_ports else permission.get("ToPort"),
        cidrs=tuple(r["CidrIp"] for r in permission.get("IpRanges") or () if r.get("CidrIp")),
        ipv6_cidrs=tuple(r["CidrIpv6"] for r in permission.get("Ipv6Ranges") or () if r.get("CidrIpv6")),
        source_groups=tuple(g["GroupId"] for g in permission.get("UserIdGroupPairs") or () if g.get("GroupId")),
    )


def security_group_record(raw: Mapping[str, Any], *, account: str, region: str) -> SecurityGroup:
    return SecurityGroup(
        id=raw["GroupId"],
        account=account,
        region=region,
        name=raw.get("GroupName", ""),
        vpc_id=raw.get("VpcId"),
        ingress=tuple(ingress_rule(p) for p in raw.get("IpPermissions") or ()),
    )


def _routes_to_internet(route_table: Mapping[str, Any]) -> bool:
    for route in route_table.get("Routes") or ():
        default = route.get("DestinationCidrBlock") == "0.0.0.0/0" or route.get("DestinationIpv6CidrBlock") == "::/0"
        if default and str(route.get("GatewayId", "")).startswith("igw-") and route.get("State", "active") == "active":
            return True
    return False


def public_subnet_ids(route_tables: Iterable[Mapping[str, Any]], subnets: Iterable[Mapping[str, Any]]) -> set[str]:
    """Subnets whose route table (explicitly associated, else the VPC's main one) sends 0.0.0.0/0 to an IGW."""
    explicit: dict[str, bool] = {}
    main: dict[str, bool] = {}
    for table in route_tables:
        public = _routes_to_internet(table)
        for assoc in table.get("Associations") or ():
            if assoc.get("Main"):
                main[table.get("VpcId", "")] = public
            elif assoc.get("SubnetId"):
                explicit[assoc["SubnetId"]] = public
    return {
        s["SubnetId"]
        for s in subnets
        if explicit.get(s["SubnetId"], main.get(s.get("VpcId", ""), False))  # unassociated: the main table
    }


def subnet_record(raw: Mapping[str, Any], *, account: str, region: str, public: bool) -> Subnet:
    return Subnet(
        id=raw["SubnetId"],
        account=account,
        region=region,
        vpc_id=raw.get("VpcId"),
        public=public,
        availability_zone=raw.get("AvailabilityZone"),
    )


def engine_from_tags(tags: Mapping[str, str]) -> str | None:
    """The database engine a host's tags name (Name 'orders-postgres-1', Role 'mysql', ...)."""
    for key, value in tags.items():
        if key.lower() in DB_TAG_KEYS:
            text = value.lower()
            for word, engine in ENGINE_WORDS:
                if word in text:
                    return engine
    return None


def engine_from_ports(groups: Iterable[SecurityGroup]) -> str | None:
    """The engine whose default port an ingress rule opens explicitly (not as part of a wide range)."""
    for group in groups:
        for rule in group.ingress:
            if rule.protocol not in ("tcp", "6") or rule.from_port is None or rule.to_port is None:
                continue
            if rule.to_port - rule.from_port > MAX_DB_PORT_RANGE:
                continue
            for port, engine in DB_PORTS.items():
                if rule.from_port <= port <= rule.to_port:
                    return engine
    return None


def ec2_instance_record(
    raw: Mapping[str, Any],
    *,
    account: str,
    region: str,
    partition: str,
    settings: Any,
    groups: Mapping[str, SecurityGroup],
) -> EC2Instance:
    tags = tag_dict(raw.get("Tags"))
    group_ids = tuple(g["GroupId"] for g in raw.get("SecurityGroups") or () if g.get("GroupId"))
    engine = engine_from_tags(tags) or engine_from_ports(groups[g] for g in group_ids if g in groups)
    instance_id = raw["InstanceId"]
    return EC2Instance(
        account=account,
        region=region,
        tags=tags,
        **labels(tags, settings),
        identifier=instance_id,
        name=tags.get("Name"),
        arn=f"arn:{partition}:ec2:{region}:{account}:instance/{instance_id}",
        instance_type=raw.get("InstanceType", ""),
        state=(raw.get("State") or {}).get("Name", "unknown"),
        public_ip=raw.get("PublicIpAddress"),
        imds_v2_required=(raw.get("MetadataOptions") or {}).get("HttpTokens") == "required",
        database_host=engine is not None,
        database_engine=engine,
        security_groups=group_ids,
        subnet_id=raw.get("SubnetId"),
        vpc_id=raw.get("VpcId"),
        volume_ids=tuple(
            m["Ebs"]["VolumeId"] for m in raw.get("BlockDeviceMappings") or () if (m.get("Ebs") or {}).get("VolumeId")
        ),
        launched_at=raw.get("LaunchTime"),
        platform=raw.get("PlatformDetails") or raw.get("Platform"),
    )


def volume_record(raw: Mapping[str, Any], *, account: str, region: str) -> Volume:
    attachments = raw.get("Attachments") or []
    return Volume(
        id=raw["VolumeId"],
        account=account,
        region=region,
        volume_type=raw.get("VolumeType", ""),
        size_gb=int(raw.get("Size") or 0),
        encrypted=bool(raw.get("Encrypted")),
        iops=raw.get("Iops"),
        instance_id=attachments[0].get("InstanceId") if attachments else None,
    )


def collect_network(scope: Scope) -> dict[str, SecurityGroup]:
    """Security groups and subnets (public or not) of one account-region; returns groups by id."""
    account, region = scope.account, scope.region or ""
    raw_groups = scope.fetch_pages("ec2:DescribeSecurityGroups", "ec2", "describe_security_groups", "SecurityGroups")
    groups = [security_group_record(g, account=account, region=region) for g in raw_groups or []]
    scope.results.add(kinds.SECURITY_GROUP, groups)
    raw_subnets = scope.fetch_pages("ec2:DescribeSubnets", "ec2", "describe_subnets", "Subnets") or []
    tables = scope.fetch_pages("ec2:DescribeRouteTables", "ec2", "describe_route_tables", "RouteTables") or []
    public = public_subnet_ids(tables, raw_subnets)
    scope.results.add(
        kinds.SUBNET,
        [subnet_record(s, account=account, region=region, public=s["SubnetId"] in public) for s in raw_subnets],
    )
    return {g.id: g for g in groups}


def collect_compute(scope: Scope) -> None:
    """Network, EC2 instances (not terminated) and EBS volumes of one account-region."""
    groups = collect_network(scope)
    account, region = scope.account, scope.region or ""
    reservations = scope.fetch_pages("ec2:DescribeInstances", "ec2", "describe_instances", "Reservations") or []
    scope.results.add(
        kinds.EC2_INSTANCE,
        [
            ec2_instance_record(
                raw,
                account=account,
                region=region,
                partition=scope.target.partition,
                settings=scope.settings,
                groups=groups,
            )
            for reservation in reservations
            for raw in reservation.get("Instances") or ()
            if (raw.get("State") or {}).get("Name") != "terminated"
        ],
    )
    volumes = scope.fetch_pages("ec2:DescribeVolumes", "ec2", "describe_volumes", "Volumes") or []
    scope.results.add(kinds.EBS_VOLUME, [volume_record(v, account=account, region=region) for v in volumes])
