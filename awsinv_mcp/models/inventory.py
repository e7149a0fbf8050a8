"""The inventory snapshot: immutable records of every collected resource.

Records are frozen slotted dataclasses (cheap to build by the 100,000, fast to scan). Both sources
(`inventory.aws` and `inventory.synthetic`) produce exactly these; analysis and tools read only these.
Tags are kept whole; `environment`, `team` and `application` are the normalised values of the
configured tag keys (lower-cased environment, `None` when untagged).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Literal

SourceKind = Literal["aws", "synthetic"]


@dataclass(frozen=True, slots=True)
class Warning:
    """A part of the collection that failed or was skipped; the rest of the answer is complete."""

    scope: str  # e.g. "123456789012/eu-west-1/rds", "s3", "account 222222222222"
    message: str  # what happened and what to do about it


@dataclass(frozen=True, slots=True)
class Gap:
    """A part of a collection whose records may be missing (it failed or ran past the deadline).

    `region` None: every region of the account; `service` None: every service; `account` "": the whole estate.
    `since`: when the records kept for it were last collected (set when the previous snapshot's are carried over).
    """

    account: str
    region: str | None = None
    service: str | None = None
    since: datetime | None = None

    def covers(self, account: str, region: str | None, service: str) -> bool:
        return (
            (not self.account or self.account == account)
            and (self.region is None or self.region == region)
            and (self.service is None or self.service == service)
        )


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    alias: str | None = None
    environment: str | None = None  # the environment the account is dedicated to, if any


@dataclass(frozen=True, slots=True)
class Utilisation:
    """CloudWatch statistics over the last `days` days (None where not collected)."""

    days: int = 14
    cpu_avg: float | None = None
    cpu_max: float | None = None
    connections_avg: float | None = None
    connections_max: float | None = None
    free_storage_gb_min: float | None = None
    read_iops_avg: float | None = None
    write_iops_avg: float | None = None
    burst_balance_min: float | None = None  # gp2 burst credits, percent
    freeable_memory_gb_min: float | None = None  # FreeableMemory minimum, GiB


@dataclass(frozen=True, slots=True)
class PendingMaintenance:
    """One action RDS has scheduled for a DB instance or cluster (DescribePendingMaintenanceActions): e.g.
    db-upgrade (a minor version RDS deprecates), system-update, os-upgrade, ca-certificate-rotation."""

    action: str
    description: str = ""
    auto_applied_after: date | None = None  # applied in the next maintenance window after this date
    forced_apply_date: date | None = None  # applied on this date whatever the window
    current_apply_date: date | None = None  # when RDS will apply it, as things stand
    opt_in_status: str | None = None  # immediate, next-maintenance, undo-opt-in


@dataclass(frozen=True, slots=True)
class Tagged:
    """Fields every taggable, account- and region-scoped resource has."""

    account: str
    region: str
    tags: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    environment: str | None = None
    team: str | None = None
    application: str | None = None


@dataclass(frozen=True, slots=True)
class DBInstance(Tagged):
    identifier: str = ""
    arn: str = ""
    engine: str = ""  # mysql, postgres, mariadb, oracle-ee, ..., aurora-mysql, aurora-postgresql
    engine_version: str = ""
    instance_class: str = ""
    status: str = "available"
    cluster: str | None = None  # Aurora cluster identifier for members
    multi_az: bool = False
    storage_encrypted: bool = False
    kms_key_id: str | None = None
    publicly_accessible: bool = False
    storage_type: str = "gp2"  # gp2 gp3 io1 io2 standard aurora aurora-iopt1
    allocated_gb: int = 0
    max_allocated_gb: int | None = None
    iops: int | None = None
    storage_throughput: int | None = None
    backup_retention_days: int = 0
    deletion_protection: bool = False
    iam_auth: bool = False
    auto_minor_version_upgrade: bool = True
    master_username: str | None = None
    monitoring_interval: int = 0  # enhanced monitoring seconds, 0 = off
    performance_insights: bool | None = None  # None = unknown (the API did not say)
    log_exports: tuple[str, ...] = ()
    copy_tags_to_snapshot: bool = False
    port: int | None = None
    ca_certificate: str | None = None
    ca_certificate_valid_till: date | None = None
    license_model: str | None = None
    security_groups: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    vpc_id: str | None = None
    availability_zone: str | None = None
    created_at: datetime | None = None
    engine_lifecycle_support: str | None = None  # open-source-rds-extended-support[-disabled]
    utilisation: Utilisation | None = None
    replica_source: str | None = None  # ReadReplicaSourceDBInstanceIdentifier: this is a read replica of it
    pending_maintenance: tuple[PendingMaintenance, ...] = ()


@dataclass(frozen=True, slots=True)
class ClusterMember:
    identifier: str
    writer: bool


@dataclass(frozen=True, slots=True)
class DBCluster(Tagged):
    identifier: str = ""
    arn: str = ""
    engine: str = ""  # aurora-mysql, aurora-postgresql (also mysql/postgres Multi-AZ clusters)
    engine_version: str = ""
    engine_mode: str = "provisioned"  # provisioned, serverless
    status: str = "available"
    members: tuple[ClusterMember, ...] = ()
    multi_az: bool = False
    storage_encrypted: bool = False
    kms_key_id: str | None = None
    storage_type: str = "aurora"
    allocated_gb: int = 0  # storage in use (Aurora volume, VolumeBytesUsed) or allocated (Multi-AZ DB cluster)
    backup_retention_days: int = 1
    deletion_protection: bool = False
    iam_auth: bool = False
    master_username: str | None = None
    port: int | None = None
    log_exports: tuple[str, ...] = ()
    copy_tags_to_snapshot: bool = False
    security_groups: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    vpc_id: str | None = None
    created_at: datetime | None = None
    engine_lifecycle_support: str | None = None
    serverless_v2_min_acu: float | None = None
    serverless_v2_max_acu: float | None = None
    backtrack_window_s: int = 0  # Aurora MySQL Backtrack target window in seconds (BacktrackWindow), 0 = off
    auto_minor_version_upgrade: bool | None = None  # Multi-AZ DB clusters only (Aurora: None, an instance setting)
    pending_maintenance: tuple[PendingMaintenance, ...] = ()


@dataclass(frozen=True, slots=True)
class DBSnapshot(Tagged):
    identifier: str = ""
    arn: str = ""
    kind: Literal["instance", "cluster"] = "instance"
    snapshot_type: str = "manual"  # manual, automated, awsbackup
    source_id: str = ""  # DB instance or cluster identifier
    engine: str = ""
    engine_version: str = ""
    encrypted: bool = False
    public: bool = False
    shared_with: tuple[str, ...] = ()  # other account ids allowed to restore
    allocated_gb: int = 0
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheCluster(Tagged):
    """An ElastiCache cluster as the console lists it: a Redis OSS / Valkey replication group, or a Memcached (or
    standalone Redis) cache cluster."""

    identifier: str = ""  # replication group id, or cache cluster id
    arn: str = ""
    engine: str = ""  # redis, valkey, memcached
    engine_version: str = ""  # "" when AWS did not say (replication groups carry it on their member clusters)
    node_type: str = ""  # cache.r7g.large
    status: str = "available"
    replication_group: bool = False  # a Redis OSS / Valkey replication group (else a single cache cluster)
    members: tuple[str, ...] = ()  # the cache clusters of a replication group
    nodes: int = 1
    shards: int = 1
    cluster_mode: bool = False
    multi_az: bool = False
    automatic_failover: bool = False
    transit_encryption: bool = False
    at_rest_encryption: bool = False
    kms_key_id: str | None = None
    auth_token: bool = False  # Redis AUTH token set
    user_groups: tuple[str, ...] = ()  # RBAC user groups (Redis 6+ / Valkey access control)
    snapshot_retention_days: int = 0
    auto_minor_version_upgrade: bool = True
    port: int | None = None
    subnet_group: str | None = None
    subnet_ids: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    vpc_id: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Volume:
    id: str
    account: str
    region: str
    volume_type: str
    size_gb: int
    encrypted: bool
    iops: int | None = None
    instance_id: str | None = None


@dataclass(frozen=True, slots=True)
class EC2Instance(Tagged):
    identifier: str = ""  # instance id
    name: str | None = None  # Name tag
    arn: str = ""
    instance_type: str = ""
    state: str = "running"
    public_ip: str | None = None
    imds_v2_required: bool = True
    database_host: bool = False  # a self-managed database runs here (by tag or open DB port)
    database_engine: str | None = None  # postgres, mysql, ... when known
    security_groups: tuple[str, ...] = ()
    subnet_id: str | None = None
    vpc_id: str | None = None
    volume_ids: tuple[str, ...] = ()
    launched_at: datetime | None = None
    platform: str | None = None


@dataclass(frozen=True, slots=True)
class IngressRule:
    protocol: str  # "tcp", "udp", "-1" (all)
    from_port: int | None
    to_port: int | None
    cidrs: tuple[str, ...] = ()
    ipv6_cidrs: tuple[str, ...] = ()
    source_groups: tuple[str, ...] = ()

    def covers(self, port: int) -> bool:
        """True when this rule admits TCP traffic to `port`."""
        if self.protocol not in ("tcp", "-1", "6"):
            return False
        if self.protocol == "-1" or self.from_port is None or self.to_port is None:
            return True
        return self.from_port <= port <= self.to_port

    @property
    def open_to_internet(self) -> bool:
        return "0.0.0.0/0" in self.cidrs or "::/0" in self.ipv6_cidrs


@dataclass(frozen=True, slots=True)
class SecurityGroup:
    id: str
    account: str
    region: str
    name: str = ""
    vpc_id: str | None = None
    ingress: tuple[IngressRule, ...] = ()

    def open_ports_to_internet(self, port: int) -> bool:
        return any(rule.open_to_internet and rule.covers(port) for rule in self.ingress)


@dataclass(frozen=True, slots=True)
class Subnet:
    id: str
    account: str
    region: str
    vpc_id: str | None = None
    public: bool = False  # its route table sends 0.0.0.0/0 to an internet gateway
    availability_zone: str | None = None


@dataclass(frozen=True, slots=True)
class S3Bucket(Tagged):
    name: str = ""
    arn: str = ""
    encrypted: bool = True
    encryption: str | None = "AES256"  # AES256, aws:kms, aws:kms:dsse, None
    public_access_block: bool = True  # all four settings on (bucket or account level)
    public: bool = False  # a policy or ACL grants public access
    versioning: str = "Disabled"  # Enabled, Suspended, Disabled
    purpose: str | None = None  # backups, exports, logs, data, static, ...
    size_gb: float | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReservedDBInstance:
    id: str
    account: str
    region: str
    instance_class: str
    engine: str  # product description normalised to an engine name
    multi_az: bool
    count: int
    start: datetime
    duration_years: int
    offering_type: str  # No Upfront, Partial Upfront, All Upfront
    state: str = "active"  # active, payment-pending, payment-failed, retired
    license_model: str | None = None  # license-included, bring-your-own-license (from the product description)

    @property
    def end(self) -> datetime:
        """When the term ends: the start plus the duration (AWS counts a year as 31,536,000 seconds)."""
        return self.start + timedelta(days=365 * self.duration_years)


@dataclass(frozen=True, slots=True)
class LifecycleOverride:
    """RDS's own support dates for one engine major (describe-db-major-engine-versions, aws mode only).

    They override `resources/engine_lifecycle.json` for that engine and major; None = RDS did not say.
    """

    engine: str  # mysql, postgres, mariadb, aurora-mysql, aurora-postgresql
    major: str  # e.g. "8.0", "13"
    end_of_standard_support: date | None = None
    end_of_extended_support: date | None = None


@dataclass(frozen=True, slots=True)
class OrderableClasses:
    """The DB instance classes RDS offers for one engine and version in one region
    (DescribeOrderableDBInstanceOptions, aws mode only); they replace `resources/orderable_classes.json` there."""

    region: str
    engine: str
    engine_version: str
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One collection of the whole estate. Immutable; indexes are built lazily on first use.

    Compared and hashed by identity (`eq=False`) so it can key caches without hashing 100k records.
    """

    source: SourceKind
    collected_at: datetime
    accounts: tuple[Account, ...] = ()
    regions: tuple[str, ...] = ()
    warnings: tuple[Warning, ...] = ()
    db_instances: tuple[DBInstance, ...] = ()
    db_clusters: tuple[DBCluster, ...] = ()
    db_snapshots: tuple[DBSnapshot, ...] = ()
    cache_clusters: tuple[CacheCluster, ...] = ()
    ec2_instances: tuple[EC2Instance, ...] = ()
    volumes: tuple[Volume, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    s3_buckets: tuple[S3Bucket, ...] = ()
    reserved_db_instances: tuple[ReservedDBInstance, ...] = ()
    lifecycle_overrides: tuple[LifecycleOverride, ...] = ()  # aws mode: RDS lifecycle API answers
    organisation: tuple[Account, ...] = ()  # the AWS Organization's accounts when the collection listed it whole
    orderable_classes: tuple[OrderableClasses, ...] = ()  # aws mode: the classes RDS offers per engine version
    gaps: tuple[Gap, ...] = ()  # parts that failed; their previous records are kept (inventory/lastgood.py)

    @cached_property
    def id(self) -> str:
        """The identity of this collection (source and collection time to the microsecond): cursors, caches and
        the history name a snapshot by it, e.g. `synthetic-20261204T152147123456`."""
        return f"{self.source}-{self.collected_at.strftime('%Y%m%dT%H%M%S%f')}"

    @cached_property
    def orderable_index(self) -> dict[tuple[str, str, str], frozenset[str]]:
        """(region, engine, engine version) -> the classes RDS offers there (aws mode; empty otherwise)."""
        return {(o.region, o.engine, o.engine_version): frozenset(o.classes) for o in self.orderable_classes}

    def offered_classes(self, region: str, engine: str, engine_version: str) -> frozenset[str] | None:
        """What RDS said it offers for this engine version in this region, or None (use the shipped table)."""
        return self.orderable_index.get((region, engine, engine_version)) if self.orderable_classes else None

    @cached_property
    def account_aliases(self) -> dict[str, str]:
        """Account id -> alias (accounts without an alias are absent)."""
        return {a.id: a.alias for a in self.accounts if a.alias}

    @cached_property
    def known_accounts(self) -> dict[str, Account]:
        """Account id -> account, for every account the estate knows: the organisation's (when it was listed) and
        the collected ones (their own record wins). Snapshot sharing is judged against these."""
        return {a.id: a for a in (*self.organisation, *self.accounts)}

    @cached_property
    def security_groups_by_id(self) -> dict[tuple[str, str, str], SecurityGroup]:
        """(account, region, group id) -> group."""
        return {(g.account, g.region, g.id): g for g in self.security_groups}

    @cached_property
    def subnets_by_id(self) -> dict[tuple[str, str, str], Subnet]:
        return {(s.account, s.region, s.id): s for s in self.subnets}

    @cached_property
    def clusters_by_key(self) -> dict[tuple[str, str, str], DBCluster]:
        """(account, region, cluster identifier) -> cluster."""
        return {(c.account, c.region, c.identifier): c for c in self.db_clusters}

    @cached_property
    def volumes_by_id(self) -> dict[tuple[str, str, str], Volume]:
        return {(v.account, v.region, v.id): v for v in self.volumes}

    @cached_property
    def internet_ports(self) -> dict[tuple[str, str, str], tuple[tuple[int, int], ...]]:
        """(account, region, group id) -> the TCP port ranges the group opens to 0.0.0.0/0 or ::/0 (groups opening
        nothing to the internet are absent): `IngressRule.covers` + `open_to_internet`, precomputed once."""
        found = {}
        for g in self.security_groups:
            ranges = tuple(
                (0, 65535) if r.protocol == "-1" or r.from_port is None or r.to_port is None
                else (r.from_port, r.to_port)
                for r in g.ingress if r.open_to_internet and r.protocol in ("tcp", "-1", "6")
            )  # fmt: skip
            if ranges:
                found[(g.account, g.region, g.id)] = ranges
        return found
