"""RDS collectors for one account and region: instances (with CloudWatch utilisation), clusters, subnet
groups, instance and cluster snapshots with their restore attributes, and reserved DB instances.

The `*_record` functions are pure: one API dict in, one snapshot record out.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.aws.cloudwatch import aurora_volumes, rds_utilisation
from awsinv_mcp.inventory.aws.context import Scope
from awsinv_mcp.inventory.aws.tags import labels, tag_dict
from awsinv_mcp.models.inventory import (
    ClusterMember,
    DBCluster,
    DBInstance,
    DBSnapshot,
    OrderableClasses,
    PendingMaintenance,
    ReservedDBInstance,
    Utilisation,
)

SubnetGroups = Mapping[str, tuple[tuple[str, ...], str | None]]
"""subnet group name -> (subnet ids, vpc id)"""


def _ids(items: Any, key: str) -> tuple[str, ...]:
    return tuple(str(i[key]) for i in items or () if i.get(key))


def subnet_groups_map(raw: list[dict[str, Any]]) -> dict[str, tuple[tuple[str, ...], str | None]]:
    return {g["DBSubnetGroupName"]: (_ids(g.get("Subnets"), "SubnetIdentifier"), g.get("VpcId")) for g in raw}


def _subnets(raw_group: Any, groups: SubnetGroups) -> tuple[tuple[str, ...], str | None]:
    """(subnet ids, vpc id) of an instance's or cluster's DBSubnetGroup (a dict or a name)."""
    if isinstance(raw_group, dict):
        ids = _ids(raw_group.get("Subnets"), "SubnetIdentifier")
        if ids:
            return ids, raw_group.get("VpcId")
        raw_group = raw_group.get("DBSubnetGroupName")
    if isinstance(raw_group, str) and raw_group in groups:
        return groups[raw_group]
    return (), None


def _date(value: Any) -> date | None:
    return value.date() if isinstance(value, datetime) else None


PendingByArn = Mapping[str, tuple[PendingMaintenance, ...]]


def pending_by_arn(raw: list[dict[str, Any]]) -> dict[str, tuple[PendingMaintenance, ...]]:
    """ResourcePendingMaintenanceActions -> resource ARN -> its actions (pure)."""
    out: dict[str, tuple[PendingMaintenance, ...]] = {}
    for resource in raw:
        actions = tuple(
            PendingMaintenance(
                action=a.get("Action", ""),
                description=a.get("Description", ""),
                auto_applied_after=_date(a.get("AutoAppliedAfterDate")),
                forced_apply_date=_date(a.get("ForcedApplyDate")),
                current_apply_date=_date(a.get("CurrentApplyDate")),
                opt_in_status=a.get("OptInStatus"),
            )
            for a in resource.get("PendingMaintenanceActionDetails") or ()
        )
        if actions and resource.get("ResourceIdentifier"):
            out[resource["ResourceIdentifier"]] = actions
    return out


def db_instance_record(
    raw: dict[str, Any],
    *,
    account: str,
    region: str,
    settings: Settings,
    subnet_groups: SubnetGroups,
    utilisation: Utilisation | None = None,
    pending: PendingByArn | None = None,
) -> DBInstance:
    tags = tag_dict(raw.get("TagList"))
    subnet_ids, vpc_id = _subnets(raw.get("DBSubnetGroup"), subnet_groups)
    endpoint = raw.get("Endpoint") or {}
    cert = raw.get("CertificateDetails") or {}
    return DBInstance(
        account=account,
        region=region,
        tags=tags,
        **labels(tags, settings),
        identifier=raw["DBInstanceIdentifier"],
        arn=raw.get("DBInstanceArn") or "",
        engine=raw.get("Engine", ""),
        engine_version=raw.get("EngineVersion", ""),
        instance_class=raw.get("DBInstanceClass", ""),
        status=raw.get("DBInstanceStatus", "unknown"),
        cluster=raw.get("DBClusterIdentifier"),
        multi_az=bool(raw.get("MultiAZ")),
        storage_encrypted=bool(raw.get("StorageEncrypted")),
        kms_key_id=raw.get("KmsKeyId"),
        publicly_accessible=bool(raw.get("PubliclyAccessible")),
        storage_type=raw.get("StorageType") or ("aurora" if raw.get("DBClusterIdentifier") else "gp2"),
        allocated_gb=int(raw.get("AllocatedStorage") or 0),
        max_allocated_gb=raw.get("MaxAllocatedStorage"),
        iops=raw.get("Iops"),
        storage_throughput=raw.get("StorageThroughput"),
        backup_retention_days=int(raw.get("BackupRetentionPeriod") or 0),
        deletion_protection=bool(raw.get("DeletionProtection")),
        iam_auth=bool(raw.get("IAMDatabaseAuthenticationEnabled")),
        auto_minor_version_upgrade=bool(raw.get("AutoMinorVersionUpgrade", True)),
        master_username=raw.get("MasterUsername"),
        monitoring_interval=int(raw.get("MonitoringInterval") or 0),
        performance_insights=raw.get("PerformanceInsightsEnabled"),
        log_exports=tuple(raw.get("EnabledCloudwatchLogsExports") or ()),
        copy_tags_to_snapshot=bool(raw.get("CopyTagsToSnapshot")),
        port=endpoint.get("Port") or raw.get("DbInstancePort") or None,
        ca_certificate=raw.get("CACertificateIdentifier") or cert.get("CAIdentifier"),
        ca_certificate_valid_till=_date(cert.get("ValidTill")),
        license_model=raw.get("LicenseModel"),
        security_groups=_ids(raw.get("VpcSecurityGroups"), "VpcSecurityGroupId"),
        subnet_ids=subnet_ids,
        vpc_id=vpc_id,
        availability_zone=raw.get("AvailabilityZone"),
        created_at=raw.get("InstanceCreateTime"),
        engine_lifecycle_support=raw.get("EngineLifecycleSupport"),
        utilisation=utilisation,
        replica_source=raw.get("ReadReplicaSourceDBInstanceIdentifier"),
        pending_maintenance=(pending or {}).get(raw.get("DBInstanceArn") or "", ()),
    )


def db_cluster_record(
    raw: dict[str, Any],
    *,
    account: str,
    region: str,
    settings: Settings,
    subnet_groups: SubnetGroups,
    volume_gb: int | None = None,
    pending: PendingByArn | None = None,
) -> DBCluster:
    """`volume_gb`: the Aurora volume in use (CloudWatch VolumeBytesUsed); an Aurora cluster's AllocatedStorage is
    a placeholder (1), so without the metric its storage is 0. Multi-AZ DB clusters keep their AllocatedStorage."""
    tags = tag_dict(raw.get("TagList"))
    subnet_ids, vpc_id = _subnets(raw.get("DBSubnetGroup"), subnet_groups)
    scaling = raw.get("ServerlessV2ScalingConfiguration") or {}
    return DBCluster(
        account=account,
        region=region,
        tags=tags,
        **labels(tags, settings),
        identifier=raw["DBClusterIdentifier"],
        arn=raw.get("DBClusterArn") or "",
        engine=raw.get("Engine", ""),
        engine_version=raw.get("EngineVersion", ""),
        engine_mode=raw.get("EngineMode") or "provisioned",
        status=raw.get("Status", "unknown"),
        members=tuple(
            ClusterMember(identifier=m["DBInstanceIdentifier"], writer=bool(m.get("IsClusterWriter")))
            for m in raw.get("DBClusterMembers") or ()
        ),
        multi_az=bool(raw.get("MultiAZ")),
        storage_encrypted=bool(raw.get("StorageEncrypted")),
        kms_key_id=raw.get("KmsKeyId"),
        storage_type=raw.get("StorageType") or "aurora",
        allocated_gb=(volume_gb or 0) if _aurora(raw) else int(raw.get("AllocatedStorage") or 0),
        backup_retention_days=int(raw.get("BackupRetentionPeriod") or 0),
        deletion_protection=bool(raw.get("DeletionProtection")),
        iam_auth=bool(raw.get("IAMDatabaseAuthenticationEnabled")),
        master_username=raw.get("MasterUsername"),
        port=raw.get("Port"),
        log_exports=tuple(raw.get("EnabledCloudwatchLogsExports") or ()),
        copy_tags_to_snapshot=bool(raw.get("CopyTagsToSnapshot")),
        security_groups=_ids(raw.get("VpcSecurityGroups"), "VpcSecurityGroupId"),
        subnet_ids=subnet_ids,
        vpc_id=vpc_id,
        created_at=raw.get("ClusterCreateTime"),
        engine_lifecycle_support=raw.get("EngineLifecycleSupport"),
        serverless_v2_min_acu=scaling.get("MinCapacity"),
        serverless_v2_max_acu=scaling.get("MaxCapacity"),
        backtrack_window_s=int(raw.get("BacktrackWindow") or 0),
        auto_minor_version_upgrade=raw.get("AutoMinorVersionUpgrade"),
        pending_maintenance=(pending or {}).get(raw.get("DBClusterArn") or "", ()),
    )


def _aurora(raw: dict[str, Any]) -> bool:
    return str(raw.get("Engine", "")).startswith("aurora")


def restore_access(attributes: list[dict[str, Any]]) -> tuple[bool, tuple[str, ...]]:
    """(public, shared_with) from a snapshot's attributes: 'all' in `restore` means public."""
    values: list[str] = []
    for attr in attributes or ():
        if attr.get("AttributeName") == "restore":
            values.extend(str(v) for v in attr.get("AttributeValues") or ())
    return "all" in values, tuple(sorted(v for v in set(values) if v != "all"))


def db_snapshot_record(
    raw: dict[str, Any],
    *,
    kind: str,
    account: str,
    region: str,
    settings: Settings,
    attributes: list[dict[str, Any]] | None = None,
) -> DBSnapshot:
    tags = tag_dict(raw.get("TagList"))
    cluster = kind == "cluster"
    public, shared = restore_access(attributes or [])
    return DBSnapshot(
        account=account,
        region=region,
        tags=tags,
        **labels(tags, settings),
        identifier=raw["DBClusterSnapshotIdentifier" if cluster else "DBSnapshotIdentifier"],
        arn=raw.get("DBClusterSnapshotArn" if cluster else "DBSnapshotArn") or "",
        kind="cluster" if cluster else "instance",
        snapshot_type=raw.get("SnapshotType") or "manual",
        source_id=raw.get("DBClusterIdentifier" if cluster else "DBInstanceIdentifier") or "",
        engine=raw.get("Engine", ""),
        engine_version=raw.get("EngineVersion", ""),
        encrypted=bool(raw.get("StorageEncrypted" if cluster else "Encrypted")),
        public=public,
        shared_with=shared,
        allocated_gb=int(raw.get("AllocatedStorage") or 0),
        created_at=raw.get("SnapshotCreateTime"),
    )


PRODUCT_ENGINES = {"postgresql": "postgres", "aurora": "aurora-mysql", "mysql": "mysql"}


def reserved_engine(product: str) -> str:
    """'postgresql' -> postgres, 'oracle-se2(li)' -> oracle-se2, 'aurora' -> aurora-mysql."""
    name = product.lower().split("(")[0].strip()
    return PRODUCT_ENGINES.get(name, name)


def reserved_license(product: str) -> str | None:
    """'oracle-se2(li)' -> license-included, 'oracle-ee(byol)' -> bring-your-own-license, else None."""
    suffix = product.lower().partition("(")[2].rstrip(")").strip()
    return {"li": "license-included", "byol": "bring-your-own-license"}.get(suffix)


def reserved_record(raw: dict[str, Any], *, account: str, region: str) -> ReservedDBInstance:
    return ReservedDBInstance(
        id=raw.get("ReservedDBInstanceId") or raw.get("ReservedDBInstanceArn", ""),
        account=account,
        region=region,
        instance_class=raw.get("DBInstanceClass", ""),
        engine=reserved_engine(raw.get("ProductDescription", "")),
        multi_az=bool(raw.get("MultiAZ")),
        count=int(raw.get("DBInstanceCount") or 1),
        start=raw["StartTime"],
        duration_years=max(1, round(int(raw.get("Duration") or 31_536_000) / 31_536_000)),
        offering_type=raw.get("OfferingType", ""),
        state=raw.get("State", "active"),
        license_model=reserved_license(raw.get("ProductDescription", "")),
    )


ORDERABLE = "orderable_classes"  # the Results list collect_databases adds OrderableClasses to
_orderable_cache: dict[tuple[str, str, str], OrderableClasses | None] = {}
_orderable_lock = threading.Lock()


def orderable_record(raw_options: list[dict[str, Any]], *, region: str, engine: str,
                     engine_version: str) -> OrderableClasses | None:  # fmt: skip
    """OrderableDBInstanceOptions -> the classes offered (None for an empty answer: the shipped table applies)."""
    found = sorted({o["DBInstanceClass"] for o in raw_options if o.get("DBInstanceClass")})
    return OrderableClasses(region, engine, engine_version, tuple(found)) if found else None


def orderable_classes(scope: Scope, engine: str, engine_version: str) -> OrderableClasses | None:
    """The classes RDS offers for `engine` `engine_version` in the scope's region, asked once per process for
    each (region, engine, version): they are the same for every account. A failed call is not remembered."""
    key = (scope.region or "", engine, engine_version)
    with _orderable_lock:
        if key in _orderable_cache:
            return _orderable_cache[key]
    raw = scope.fetch_pages("rds:DescribeOrderableDBInstanceOptions", "rds", "describe_orderable_db_instance_options",
                            "OrderableDBInstanceOptions", Engine=engine, EngineVersion=engine_version)  # fmt: skip
    if raw is None:
        return None
    record = orderable_record(raw, region=key[0], engine=engine, engine_version=engine_version)
    with _orderable_lock:
        _orderable_cache[key] = record
    return record


def collect_databases(scope: Scope) -> None:
    """DB subnet groups, instances (plus CloudWatch utilisation) and clusters of one account-region."""
    account, region, settings = scope.account, scope.region or "", scope.settings
    groups = subnet_groups_map(
        scope.fetch_pages("rds:DescribeDBSubnetGroups", "rds", "describe_db_subnet_groups", "DBSubnetGroups") or []
    )
    raw_instances = scope.fetch_pages("rds:DescribeDBInstances", "rds", "describe_db_instances", "DBInstances") or []
    raw_clusters = scope.fetch_pages("rds:DescribeDBClusters", "rds", "describe_db_clusters", "DBClusters") or []
    metrics = scope.with_service("cloudwatch")
    usage = rds_utilisation(metrics, [r["DBInstanceIdentifier"] for r in raw_instances])
    volumes = aurora_volumes(metrics, [r["DBClusterIdentifier"] for r in raw_clusters if _aurora(r)])
    # its own service label: a failure is a warning, never a gap that would hold back the RDS records
    maintenance = scope.with_service("rds-maintenance")
    pending = pending_by_arn(
        maintenance.fetch_pages("rds:DescribePendingMaintenanceActions", "rds", "describe_pending_maintenance_actions",
                                "PendingMaintenanceActions") or [] if raw_instances or raw_clusters else []
    )  # fmt: skip
    scope.results.add(
        kinds.DB_INSTANCE,
        [
            db_instance_record(
                r,
                account=account,
                region=region,
                settings=settings,
                subnet_groups=groups,
                utilisation=usage.get(r["DBInstanceIdentifier"]),
                pending=pending,
            )
            for r in raw_instances
        ],
    )
    versions = sorted({(r["Engine"], r["EngineVersion"]) for r in raw_instances if r.get("EngineVersion")})
    offered = [o for engine, version in versions if (o := orderable_classes(scope, engine, version)) is not None]
    scope.results.add_named(ORDERABLE, offered)
    scope.results.add(
        kinds.DB_CLUSTER,
        [
            db_cluster_record(
                r,
                account=account,
                region=region,
                settings=settings,
                subnet_groups=groups,
                volume_gb=volumes.get(r["DBClusterIdentifier"]),
                pending=pending,
            )
            for r in raw_clusters
        ],
    )


def _attributes(scope: Scope, kind: str, identifier: str) -> list[dict[str, Any]]:
    rds = scope.client("rds")
    if kind == "cluster":
        return scope.fetch(
            "rds:DescribeDBClusterSnapshotAttributes",
            lambda: rds.describe_db_cluster_snapshot_attributes(DBClusterSnapshotIdentifier=identifier)[
                "DBClusterSnapshotAttributesResult"
            ].get("DBClusterSnapshotAttributes", []),
            [],
        )
    return scope.fetch(
        "rds:DescribeDBSnapshotAttributes",
        lambda: rds.describe_db_snapshot_attributes(DBSnapshotIdentifier=identifier)["DBSnapshotAttributesResult"].get(
            "DBSnapshotAttributes", []
        ),
        [],
    )


def collect_snapshots(scope: Scope, kind: str) -> None:
    """Instance (`kind='instance'`) or cluster snapshots; restore attributes of manual ones (public/shared)."""
    cluster = kind == "cluster"
    action = "rds:DescribeDBClusterSnapshots" if cluster else "rds:DescribeDBSnapshots"
    operation, key = (
        ("describe_db_cluster_snapshots", "DBClusterSnapshots") if cluster else ("describe_db_snapshots", "DBSnapshots")
    )
    id_key = "DBClusterSnapshotIdentifier" if cluster else "DBSnapshotIdentifier"
    records = []
    for raw in scope.fetch_pages(action, "rds", operation, key) or []:
        # only manual snapshots can be shared; automated ones need no attribute call
        attrs = _attributes(scope, kind, raw[id_key]) if raw.get("SnapshotType") == "manual" else []
        records.append(
            db_snapshot_record(
                raw,
                kind=kind,
                account=scope.account,
                region=scope.region or "",
                settings=scope.settings,
                attributes=attrs,
            )
        )
    scope.results.add(kinds.DB_SNAPSHOT, records)


def collect_reserved(scope: Scope) -> None:
    """Reserved DB instances of one account-region."""
    raw = (
        scope.fetch_pages(
            "rds:DescribeReservedDBInstances", "rds", "describe_reserved_db_instances", "ReservedDBInstances"
        )
        or []
    )
    scope.results.add(
        kinds.RESERVED_DB_INSTANCE, [reserved_record(r, account=scope.account, region=scope.region or "") for r in raw]
    )
