"""The registry of resource kinds: one declaration per kind of record a snapshot holds.

Everything that handles "every kind of resource" iterates over `KINDS` instead of keeping its own list:
collection results (`inventory/aws/context.py`), snapshot assembly (`inventory/aws/collector.py`,
`inventory/synthetic/estate.py`), tag-value lookups and completions (`inventory/estate.py`), the summary
(`inventory/summary.py`), the list queries (`inventory/query.py`), the analysis' resource sources and
evaluated counts (`analysis/catalogue.py`, `analysis/analysis.py`). Adding a kind is a record type in
`models/inventory.py`, a `Snapshot` field, and one `ResourceKind` here (docs/architecture.md lists the rest).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from awsinv_mcp.models.inventory import (
    CacheCluster,
    DBCluster,
    DBInstance,
    DBSnapshot,
    EC2Instance,
    ReservedDBInstance,
    S3Bucket,
    SecurityGroup,
    Snapshot,
    Subnet,
    Volume,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """How a kind's list tool filters and sorts it (`inventory/query.py`)."""

    sort_fields: tuple[str, ...]
    default_sort: str
    status_attr: str | None = "status"
    engine_attr: str | None = "engine"
    text: Callable[[Any], Iterable[str | None]] | None = None  # what `q` matches; default id, name, tags
    statuses: tuple[str, ...] = ()  # the status values AWS documents for the kind: a `status` filter must use one


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceKind:
    name: str  # the resource type findings and answers use, e.g. "db_instance"
    field: str  # the Snapshot attribute holding the records, e.g. "db_instances"
    record: type  # the record class
    id_attr: str  # attribute holding the bare identifier (never an ARN)
    label: str  # for people: "DB instance"
    tagged: bool  # records carry tags and environment / team / application
    counted: bool  # get_inventory_summary counts them (a field of the same name as `field`)
    finding_types: tuple[str, ...] = ()  # resource types of findings on these records (default: name)
    listing: Listing | None = None
    subtype: Callable[[Any], str] | None = field(default=None, repr=False)  # a record's own finding type
    service: str = "rds"  # the AWS service whose calls collect these records (a failed one keeps them: lastgood)

    @property
    def resource_types(self) -> tuple[str, ...]:
        return self.finding_types or (self.name,)

    def resource_type(self, record: Any) -> str:
        """The resource type of findings on `record` (cluster snapshots are `db_cluster_snapshot`)."""
        return self.subtype(record) if self.subtype is not None else self.name

    def records(self, snapshot: Snapshot) -> tuple[Any, ...]:
        return getattr(snapshot, self.field)

    def identifier(self, record: Any) -> str:
        return getattr(record, self.id_attr)

    def key(self, record: Any) -> tuple[str, str, str]:
        """(account, region, identifier): a record's identity across collections."""
        return (record.account, record.region, getattr(record, self.id_attr))


def _snapshot_type(record: DBSnapshot) -> str:
    return "db_cluster_snapshot" if record.kind == "cluster" else "db_snapshot"


def _bucket_text(b: S3Bucket) -> Iterable[str | None]:
    return (b.name, b.purpose, *b.tags.values())


def _reserved_text(r: ReservedDBInstance) -> Iterable[str | None]:
    return (r.id, r.instance_class, r.engine, r.offering_type)


_RDS_STATUSES = (
    "available", "backing-up", "configuring-enhanced-monitoring", "configuring-iam-database-auth",
    "configuring-log-exports", "converting-to-vpc", "creating", "delete-precheck", "deleting", "failed",
    "inaccessible-encryption-credentials", "inaccessible-encryption-credentials-recoverable", "incompatible-network",
    "incompatible-option-group", "incompatible-parameters", "incompatible-restore", "insufficient-capacity",
    "maintenance", "modifying", "moving-to-vpc", "rebooting", "resetting-master-credentials", "renaming",
    "restore-error", "starting", "stopped", "stopping", "storage-full", "storage-optimization", "upgrading",
    "backtracking", "cloning-failed", "migrating", "migration-failed", "promoting", "update-iam-db-auth",
)  # fmt: skip
"""RDS DB instance and cluster statuses (RDS User Guide, "Viewing Amazon RDS DB instance status")."""
_CACHE_STATUSES = (
    "available", "creating", "deleted", "deleting", "incompatible-network", "modifying", "rebooting cluster nodes",
    "restore-failed", "snapshotting", "create-failed",
)  # fmt: skip
_EC2_STATES = ("pending", "running", "shutting-down", "terminated", "stopping", "stopped")


KINDS: tuple[ResourceKind, ...] = (
    ResourceKind(
        name="db_instance",
        field="db_instances",
        record=DBInstance,
        id_attr="identifier",
        label="DB instance",
        tagged=True,
        counted=True,
        listing=Listing(
            sort_fields=(
                "identifier",
                "engine",
                "engine_version",
                "instance_class",
                "region",
                "account",
                "allocated_gb",
                "created_at",
            ),
            default_sort="identifier",
            statuses=_RDS_STATUSES,
        ),
    ),
    ResourceKind(
        name="db_cluster",
        field="db_clusters",
        record=DBCluster,
        id_attr="identifier",
        label="DB cluster",
        tagged=True,
        counted=True,
        listing=Listing(
            sort_fields=("identifier", "engine", "engine_version", "region", "account", "created_at"),
            default_sort="identifier",
            statuses=_RDS_STATUSES,
        ),
    ),
    ResourceKind(
        name="db_snapshot",
        field="db_snapshots",
        record=DBSnapshot,
        id_attr="identifier",
        label="DB snapshot",
        tagged=True,
        counted=True,
        finding_types=("db_snapshot", "db_cluster_snapshot"),
        subtype=_snapshot_type,
        listing=Listing(
            sort_fields=("identifier", "created_at", "allocated_gb", "engine", "region", "account"),
            default_sort="-created_at",
            status_attr=None,
        ),
    ),
    ResourceKind(
        name="cache_cluster",
        service="elasticache",
        field="cache_clusters",
        record=CacheCluster,
        id_attr="identifier",
        label="ElastiCache cluster",
        tagged=True,
        counted=True,
        listing=Listing(
            sort_fields=("identifier", "engine", "engine_version", "node_type", "region", "account", "created_at"),
            default_sort="identifier",
            statuses=_CACHE_STATUSES,
        ),
    ),
    ResourceKind(
        name="ec2_instance",
        service="ec2",
        field="ec2_instances",
        record=EC2Instance,
        id_attr="identifier",
        label="EC2 instance",
        tagged=True,
        counted=True,
        listing=Listing(
            sort_fields=("identifier", "name", "instance_type", "region", "account", "launched_at"),
            default_sort="identifier",
            status_attr="state",
            engine_attr=None,
            statuses=_EC2_STATES,
        ),
    ),
    ResourceKind(
        name="s3_bucket",
        service="s3",
        field="s3_buckets",
        record=S3Bucket,
        id_attr="name",
        label="S3 bucket",
        tagged=True,
        counted=True,
        listing=Listing(
            sort_fields=("name", "region", "account", "size_gb"),
            default_sort="name",
            status_attr=None,
            engine_attr=None,
            text=_bucket_text,
        ),
    ),
    ResourceKind(
        name="ebs_volume",
        field="volumes",
        record=Volume,
        id_attr="id",
        label="EBS volume",
        tagged=False,
        counted=False,
        service="ec2",
    ),
    ResourceKind(
        name="security_group",
        service="ec2",
        field="security_groups",
        record=SecurityGroup,
        id_attr="id",
        label="security group",
        tagged=False,
        counted=False,
    ),
    ResourceKind(
        name="subnet",
        field="subnets",
        record=Subnet,
        id_attr="id",
        label="subnet",
        tagged=False,
        counted=False,
        service="ec2",
    ),
    ResourceKind(
        name="reserved_db_instance",
        field="reserved_db_instances",
        record=ReservedDBInstance,
        id_attr="id",
        label="reserved DB instance",
        tagged=False,
        counted=False,
        listing=Listing(
            sort_fields=("id", "end", "start", "instance_class", "engine", "region", "account", "count"),
            default_sort="end",
            status_attr="state",
            text=_reserved_text,
            statuses=("active", "payment-pending", "payment-failed", "retired"),
        ),
    ),
)

BY_NAME: dict[str, ResourceKind] = {k.name: k for k in KINDS}
BY_FIELD: dict[str, ResourceKind] = {k.field: k for k in KINDS}
BY_RESOURCE_TYPE: dict[str, ResourceKind] = {t: k for k in KINDS for t in k.resource_types}
TAGGED: tuple[ResourceKind, ...] = tuple(k for k in KINDS if k.tagged)
COUNTED: tuple[ResourceKind, ...] = tuple(k for k in KINDS if k.counted)

DB_INSTANCE, DB_CLUSTER, DB_SNAPSHOT, CACHE_CLUSTER, EC2_INSTANCE, S3_BUCKET = (
    BY_NAME[n] for n in ("db_instance", "db_cluster", "db_snapshot", "cache_cluster", "ec2_instance", "s3_bucket")
)
EBS_VOLUME, SECURITY_GROUP, SUBNET, RESERVED_DB_INSTANCE = (
    BY_NAME[n] for n in ("ebs_volume", "security_group", "subnet", "reserved_db_instance")
)


def record_fields() -> tuple[str, ...]:
    """The Snapshot fields that hold records (a test checks they are exactly the registered kinds' fields)."""
    return tuple(f.name for f in fields(Snapshot) if f.name in BY_FIELD)


def kind_of(resource_type: str) -> ResourceKind:
    """The kind whose records carry findings of `resource_type` (KeyError for an unknown type)."""
    return BY_RESOURCE_TYPE[resource_type]
