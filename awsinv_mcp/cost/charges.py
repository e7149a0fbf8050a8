"""What each resource of a snapshot is charged, priced with `awsinv_mcp.pricing` (the analysis' own tables).

`resource_charges(snapshot, as_of, extended_support)` yields `(owner, service, charges)` per resource:
- DB instance: instance hours (on demand, or the reserved rate where a reservation covers it), storage
  GB-month and provisioned IOPS (standalone instances; Aurora storage belongs to the cluster); stopped
  instances pay storage only; Aurora Serverless v2 members pay their cluster's minimum ACUs.
- Aurora cluster: cluster storage GB-month. DB snapshot: manual and AWS Backup snapshots at the backup
  storage rate (automated backups sit in the free allowance). Extended Support: the per-resource monthly
  charge the version-compliance analysis computes, passed in as `extended_support` (the cost layer sits
  below analysis), from the date its charges start.
- EC2: running instance hours; EBS volumes (owned by their instance); S3: bucket size at Standard.
A resource the tables cannot price is skipped and counted (`Priced.unpriced`); nothing is invented.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Literal

from awsinv_mcp import pricing
from awsinv_mcp.cost.shape import EC2, EC2_OTHER, RDS, S3
from awsinv_mcp.models.inventory import DBCluster, DBInstance, Snapshot, Tagged

ES_LABELS = {"postgres": "PostgreSQL", "mysql": "MySQL", "aurora-postgresql": "AuroraPostgreSQL",
             "aurora-mysql": "AuroraMySQL"}  # fmt: skip
Kind = Literal["compute", "storage", "iops", "backup", "support", "object"]
Basis = Literal["hour", "month"]

ExtendedSupportFn = Callable[[Snapshot, date], Iterable[tuple[DBInstance | DBCluster, float, date | None]]]
"""(snapshot, as_of) -> (resource, monthly USD at 730 hours, date charges started) per resource in Extended Support."""


class _Prices:
    """`awsinv_mcp.pricing` lookups, memoised: a large estate asks the same few hundred questions many times."""

    def __getattr__(self, name: str) -> Callable[..., float]:
        cached = lru_cache(maxsize=4096)(getattr(pricing, name))
        setattr(self, name, cached)
        return cached


PRICES = _Prices()


@dataclass(frozen=True, slots=True)
class Charge:
    """One recurring charge: `rate` per hour or per month, from `since` (inclusive) until `until` (exclusive)."""

    usage: str  # usage type without the region prefix, e.g. InstanceUsage:db.r6g.large
    rate: float
    basis: Basis
    kind: Kind
    resource: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(slots=True)
class Priced:
    """Resources with their charges, and what could not be priced."""

    items: list[tuple[Tagged, str, list[Charge]]] = field(default_factory=list)
    unpriced: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _reservations(snapshot: Snapshot, as_of: date) -> dict[tuple[str, str, str, str, bool], list[tuple[date, float]]]:
    """(account, region, class, engine, multi_az) -> [(start, reserved hourly)] per reserved instance, active now."""
    slots: dict[tuple[str, str, str, str, bool], list[tuple[date, float]]] = defaultdict(list)
    for ri in snapshot.reserved_db_instances:
        start = ri.start.date()
        if ri.state != "active" or date(start.year + ri.duration_years, start.month, 1) <= as_of.replace(day=1):
            continue
        try:
            # RDS sells SQL Server reservations license-included only (pricing.license_vcpu_hour prices the licence)
            licence = pricing.LICENSE_INCLUDED if ri.engine.startswith("sqlserver") else None
            hourly = PRICES.reserved_hourly(ri.engine, ri.instance_class, ri.region, ri.duration_years, ri.multi_az,
                                            licence)  # fmt: skip
        except pricing.PriceNotFound:
            continue
        slots[(ri.account, ri.region, ri.instance_class, ri.engine, ri.multi_az)].extend([(start, hourly)] * ri.count)
    return slots


def _instance_hours(db: DBInstance, clusters: dict, reserved: dict) -> list[Charge]:
    if db.status == "stopped":
        return []
    since = _day(db.created_at)
    if db.instance_class == "db.serverless":
        cluster = clusters.get((db.account, db.region, db.cluster))
        acus = cluster.serverless_v2_min_acu if cluster and cluster.serverless_v2_min_acu else 0.5
        return [Charge("Aurora:ServerlessV2Usage", PRICES.serverless_acu_hour(db.region) * acus, "hour", "compute",
                       db.identifier, since)]  # fmt: skip
    cluster = clusters.get((db.account, db.region, db.cluster)) if db.cluster else None
    io_opt = bool(cluster and cluster.storage_type == "aurora-iopt1")
    multi_az = db.multi_az and not db.cluster
    hourly = PRICES.instance_hourly(db.engine, db.instance_class, db.region, multi_az, db.license_model, io_opt)
    usage = ("Multi-AZUsage:" if multi_az else "InstanceUsage:") + db.instance_class
    slots = reserved.get((db.account, db.region, db.instance_class, db.engine, multi_az))
    if slots:
        start, ri_hourly = slots.pop(0)
        begin = max(start, since) if since else start
        return [
            Charge(usage, hourly, "hour", "compute", db.identifier, since, begin),
            Charge("HeavyUsage:" + db.instance_class, ri_hourly, "hour", "compute", db.identifier, begin),
        ]
    return [Charge(usage, hourly, "hour", "compute", db.identifier, since)]


def _instance_storage(db: DBInstance) -> list[Charge]:
    if db.cluster or db.storage_type.startswith("aurora") or not db.allocated_gb:
        return []
    since = _day(db.created_at)
    prefix = "RDS:Multi-AZ-" if db.multi_az else "RDS:"
    gb = PRICES.storage_gb_month(db.storage_type, db.region, db.multi_az)
    out = [Charge(f"{prefix}{db.storage_type.upper()}-Storage", gb * db.allocated_gb, "month", "storage",
                  db.identifier, since)]  # fmt: skip
    iops = pricing.billable_iops(db.storage_type, db.iops, db.engine, db.allocated_gb)
    if iops:
        rate = PRICES.iops_month(db.storage_type, db.region, db.multi_az)
        out.append(Charge(f"{prefix}{db.storage_type.upper()}-IOPS", rate * iops, "month", "iops", db.identifier,
                          since))  # fmt: skip
    return out


def _cluster_storage(c: DBCluster) -> list[Charge]:
    if not c.engine.startswith("aurora") or not c.allocated_gb:
        return []
    io_opt = c.storage_type == "aurora-iopt1"
    rate = PRICES.aurora_storage_gb_month(c.region, io_optimized=io_opt)
    usage = "Aurora:StorageIOUsage" if io_opt else "Aurora:StorageUsage"
    return [Charge(usage, rate * c.allocated_gb, "month", "storage", c.identifier, _day(c.created_at))]


def resource_charges(snapshot: Snapshot, as_of: date, extended_support: ExtendedSupportFn | None = None) -> Priced:
    """Every priced resource of `snapshot` (see module docstring)."""
    out = Priced()
    clusters = snapshot.clusters_by_key
    reserved = _reservations(snapshot, as_of)

    def add(owner: Tagged, service: str, kind: str, make: Callable[[], list[Charge]]) -> None:
        try:
            charges = make()
        except pricing.PriceNotFound:
            out.unpriced[kind] += 1
            return
        if charges:
            out.items.append((owner, service, charges))

    for db in snapshot.db_instances:
        add(db, RDS, "db_instance", lambda db=db: _instance_hours(db, clusters, reserved) + _instance_storage(db))
    for c in snapshot.db_clusters:
        add(c, RDS, "db_cluster", lambda c=c: _cluster_storage(c))
    for s in snapshot.db_snapshots:
        if s.snapshot_type == "automated" or not s.allocated_gb:
            continue
        aurora = s.engine.startswith("aurora")
        usage = "Aurora:BackupUsage" if aurora else "RDS:ChargedBackupUsage"
        add(s, RDS, "db_snapshot", lambda s=s, a=aurora, u=usage: [
            Charge(u, PRICES.snapshot_gb_month(s.region, a) * s.allocated_gb, "month", "backup", s.identifier,
                   _day(s.created_at))])  # fmt: skip
    if extended_support is not None:
        for resource, monthly, charged_from in extended_support(snapshot, as_of):
            created = _day(resource.created_at)
            since = max(d for d in (charged_from, created) if d) if (charged_from or created) else None
            engine = ES_LABELS.get(resource.engine, resource.engine)
            parts = resource.engine_version.split(".")
            major = ".".join(parts[:2]) if "MySQL" in engine else parts[0]
            out.items.append((resource, RDS, [
                Charge(f"ExtendedSupport:{engine}{major}", monthly / pricing.HOURS_PER_MONTH, "hour", "support",
                       resource.identifier, since)]))  # fmt: skip
    owners: dict[tuple[str, str, str], Tagged] = {}
    for ec2 in snapshot.ec2_instances:
        owners[(ec2.account, ec2.region, ec2.identifier)] = ec2
        if ec2.state != "running":
            continue
        add(ec2, EC2, "ec2_instance", lambda e=ec2: [
            Charge(f"BoxUsage:{e.instance_type}", PRICES.ec2_hourly(e.instance_type, e.region), "hour", "compute",
                   e.identifier, _day(e.launched_at))])  # fmt: skip
    for v in snapshot.volumes:
        owner = owners.get((v.account, v.region, v.instance_id or "")) or Tagged(v.account, v.region)
        add(owner, EC2_OTHER, "volume", lambda v=v, o=owner: [
            Charge(f"EBS:VolumeUsage.{v.volume_type}", PRICES.ebs_gb_month(v.volume_type, v.region) * v.size_gb,
                   "month", "storage", v.id, _day(getattr(o, "launched_at", None)))])  # fmt: skip
    for b in snapshot.s3_buckets:
        if not b.size_gb:
            continue
        add(b, S3, "s3_bucket", lambda b=b: [
            Charge("TimedStorage-ByteHrs", PRICES.s3_gb_month(b.region) * b.size_gb, "month", "object", b.name,
                   _day(b.created_at))])  # fmt: skip
    return out
