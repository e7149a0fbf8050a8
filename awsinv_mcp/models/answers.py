"""Answer models: the structured results tools return (their output schemas are the public contract).

Every inventory, analysis and cost answer derives from `Answer` (source, collected_at, warnings);
every list answer from `ListAnswer` (total, next_cursor, truncated); the inventory lists are `TablePage`s: their
rows as `columns`, `rows` and `same` (`models/table.py`; `rows_of` reads them back). The `*Row` models are the
row records a table is made from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from awsinv_mcp.models.inventory import Utilisation
from awsinv_mcp.models.table import TableFields

if TYPE_CHECKING:
    from awsinv_mcp.models.inventory import Snapshot

M = TypeVar("M", bound=BaseModel)


class Row(BaseModel):
    """An answer row read from a record's attributes (`row`): one mechanism, no field-by-field copies."""

    model_config = ConfigDict(from_attributes=True)


class _With:
    """A record seen with some attributes added or replaced (the computed fields of a row)."""

    __slots__ = ("_extra", "_record")

    def __init__(self, record: Any, extra: dict[str, Any]) -> None:
        self._record = record
        self._extra = extra

    def __getattr__(self, name: str) -> Any:
        extra = object.__getattribute__(self, "_extra")
        return extra[name] if name in extra else getattr(object.__getattribute__(self, "_record"), name)


def row(model: type[M], record: Any, **computed: Any) -> M:
    """`model` built from `record`'s attributes, with `computed` values for the fields the record lacks."""
    return model.model_validate(_With(record, computed) if computed else record)


def rows(model: type[M], records: Iterable[Any]) -> list[M]:
    return [model.model_validate(r) for r in records]


def absent(value: object) -> bool:
    """`exclude_if` of optional answer fields: left out of the answer rather than shown as null."""
    return value is None


class WarningOut(BaseModel):
    scope: str = Field(description="what failed: account/region/service")
    message: str


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Literal["aws", "synthetic"] = Field(description="synthetic = demo estate, not a real account")
    collected_at: datetime
    warnings: list[WarningOut] = Field(default_factory=list)


class ListAnswer(Answer):
    total: int = Field(description="matches before paging")
    next_cursor: str | None = Field(None, description="pass back as cursor for the next page; null at the end")
    truncated: bool = Field(False, description="more matches exist than were returned")


class TablePage(TableFields, ListAnswer):
    """A page of rows in table form (`models/table.py`: `table` makes it, `rows_of` reads it)."""


class DBInstanceRow(Row):
    identifier: str
    arn: str
    account: str
    region: str
    engine: str
    engine_version: str
    instance_class: str
    status: str
    environment: str | None
    team: str | None
    application: str | None
    multi_az: bool
    storage_encrypted: bool
    publicly_accessible: bool
    storage_type: str
    allocated_gb: int
    internet_exposed: bool = Field(description="public, in a public subnet, and a security group open to the internet")
    cluster: str | None


class DBInstanceDetail(DBInstanceRow):
    """Everything collected about one DB instance (get_db_instance)."""

    account_alias: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    iops: int | None = None
    storage_throughput: int | None = None
    max_allocated_gb: int | None = None
    backup_retention_days: int
    deletion_protection: bool
    iam_auth: bool
    auto_minor_version_upgrade: bool
    master_username: str | None
    monitoring_interval: int
    performance_insights: bool | None
    log_exports: list[str]
    copy_tags_to_snapshot: bool
    port: int | None
    ca_certificate: str | None
    ca_certificate_valid_till: date | None
    license_model: str | None
    security_groups: list[str]
    vpc_id: str | None
    availability_zone: str | None
    created_at: datetime | None
    engine_lifecycle_support: str | None
    utilisation: Utilisation | None = None


class DBInstanceAnswer(Answer):
    instance: DBInstanceDetail


class DBInstancePage(TablePage):
    """Rows: DBInstanceRow."""


class DBClusterRow(Row):
    identifier: str
    arn: str
    account: str
    region: str
    engine: str
    engine_version: str
    engine_mode: str
    status: str
    environment: str | None
    team: str | None
    application: str | None
    members: list[str] = Field(description="member DB instance identifiers, writer first")
    multi_az: bool
    storage_encrypted: bool
    deletion_protection: bool
    backup_retention_days: int
    iam_auth: bool
    volume_gb: int = Field(description="GB in use: Aurora volume (VolumeBytesUsed) or Multi-AZ cluster storage")


class DBClusterPage(TablePage):
    """Rows: DBClusterRow."""


class DBSnapshotRow(Row):
    identifier: str
    account: str
    region: str
    kind: Literal["instance", "cluster"]
    snapshot_type: str
    source_id: str
    engine: str
    engine_version: str
    encrypted: bool
    public: bool
    shared_with: list[str]
    allocated_gb: int
    created_at: datetime | None
    age_days: int | None


class DBSnapshotPage(TablePage):
    """Rows: DBSnapshotRow."""


class CacheClusterRow(Row):
    identifier: str
    account: str
    region: str
    engine: str = Field(description="redis, valkey or memcached")
    engine_version: str
    node_type: str
    status: str
    environment: str | None
    team: str | None
    application: str | None
    replication_group: bool
    nodes: int
    shards: int
    multi_az: bool
    transit_encryption: bool
    at_rest_encryption: bool
    auth: bool = Field(description="an AUTH token or an RBAC user group is required")
    snapshot_retention_days: int


class CacheClusterPage(TablePage):
    """Rows: CacheClusterRow."""


class EC2Row(Row):
    identifier: str
    name: str | None
    account: str
    region: str
    instance_type: str
    state: str
    environment: str | None
    team: str | None
    application: str | None
    public_ip: str | None
    imds_v2_required: bool
    database_host: bool
    database_engine: str | None = None


class EC2Page(TablePage):
    """Rows: EC2Row."""


class S3Row(Row):
    name: str
    account: str
    region: str
    encrypted: bool
    public_access_block: bool
    public: bool
    versioning: str
    purpose: str | None
    environment: str | None = None
    team: str | None = None


class S3Page(TablePage):
    """Rows: S3Row."""


class InventorySummary(Answer):
    """Counts and breakdowns of the whole estate (get_inventory_summary)."""

    accounts: list[dict[str, str | int | None]] = Field(description="id, alias, db_instances per account")
    regions: list[str]
    db_instances: int
    db_clusters: int
    db_snapshots: int
    cache_clusters: int
    ec2_instances: int
    database_hosts: int
    s3_buckets: int
    allocated_storage_gb: int = Field(description="allocated_gb of DB instances outside clusters + clusters' volume_gb")
    by_engine: dict[str, int]
    by_region: dict[str, int]
    by_environment: dict[str, int]
    by_team: dict[str, int]
    by_status: dict[str, int]
    risk_flags: dict[str, int] = Field(description="counts of risky settings (public, unencrypted, ...)")


class RefreshAnswer(Answer):
    db_instances: int
    db_clusters: int
    ec2_instances: int
    s3_buckets: int
    elapsed_s: float


def meta(snapshot: Snapshot, *extra: WarningOut) -> dict[str, Any]:
    """The `source`, `collected_at` and `warnings` fields of any answer built from `snapshot` (plus `extra`
    warnings of the answer itself)."""
    return {
        "source": snapshot.source,
        "collected_at": snapshot.collected_at,
        "warnings": [*(WarningOut(scope=w.scope, message=w.message) for w in snapshot.warnings), *extra],
    }
