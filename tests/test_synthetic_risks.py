"""The synthetic estate's realistic minorities: unsafe settings, exposure, snapshots, reservations, utilisation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.models.inventory import DBInstance, EC2Instance, Snapshot

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
DEFAULT_MASTERS = {"admin", "root", "postgres", "sa", "master"}
DEFAULT_PORTS = {3306, 5432, 1521, 1433}

UNSAFE: dict[str, Callable[[DBInstance], bool]] = {
    "unencrypted": lambda d: not d.storage_encrypted,
    "publicly accessible": lambda d: d.publicly_accessible,
    "backup retention 0": lambda d: d.cluster is None and d.backup_retention_days == 0,
    "no deletion protection": lambda d: not d.deletion_protection,
    "default master user": lambda d: d.master_username in DEFAULT_MASTERS,
    "IAM auth off": lambda d: not d.iam_auth and not d.engine.startswith(("oracle", "sqlserver")),
    "Performance Insights off": lambda d: not d.performance_insights,
    "enhanced monitoring off": lambda d: d.monitoring_interval == 0,
    "no log exports": lambda d: not d.log_exports,
    "copy tags off": lambda d: not d.copy_tags_to_snapshot,
    "default port": lambda d: d.port in DEFAULT_PORTS,
    "auto minor upgrade off": lambda d: not d.auto_minor_version_upgrade,
    "old CA": lambda d: d.ca_certificate == "rds-ca-2019",
    "stopped": lambda d: d.status == "stopped",
    "extended support off": lambda d: d.engine_lifecycle_support == "open-source-rds-extended-support-disabled",
}


@pytest.fixture(scope="module")
def estate() -> Snapshot:
    return generate(seed=42, scale=150, now=NOW)


@pytest.fixture(scope="module")
def large() -> Snapshot:
    return generate(seed=11, scale=3000, now=NOW)


def by_env(snap: Snapshot, env: str) -> list[DBInstance]:
    account = next(a.id for a in snap.accounts if a.environment == env)
    return [d for d in snap.db_instances if d.account == account]


def exposed(snap: Snapshot, db: DBInstance) -> bool:
    """Public flag, a subnet routed to the internet, and a group open to the world on the DB port."""
    subnets, groups = snap.subnets_by_id, snap.security_groups_by_id
    public_subnet = any(subnets[(db.account, db.region, s)].public for s in db.subnet_ids)
    open_group = any(
        groups[(db.account, db.region, g)].open_ports_to_internet(db.port or 0) for g in db.security_groups
    )
    return db.publicly_accessible and public_subnet and open_group


@pytest.mark.parametrize("name", sorted(UNSAFE))
def test_each_unsafe_setting_is_present_but_a_minority(estate: Snapshot, name: str) -> None:
    hits = sum(1 for d in estate.db_instances if UNSAFE[name](d))
    assert 0 < hits < len(estate.db_instances) / 2, (name, hits)


@pytest.mark.parametrize("name", ["unencrypted", "publicly accessible", "default master user", "stopped", "old CA"])
def test_unsafe_settings_are_commoner_in_development(large: Snapshot, name: str) -> None:
    def rate(env: str) -> float:
        dbs = by_env(large, env)
        return sum(1 for d in dbs if UNSAFE[name](d)) / len(dbs)

    assert rate("development") > rate("production") > 0


def test_single_az_and_short_backups_in_production(estate: Snapshot) -> None:
    prod = [d for d in by_env(estate, "production") if d.cluster is None]
    single = [d for d in prod if not d.multi_az]
    assert 0 < len(single) < len(prod) / 4
    short = [d for d in prod if d.backup_retention_days < 7]
    assert 0 < len(short) < len(prod) / 4
    assert all(c.backup_retention_days >= 1 for c in estate.db_clusters)


@pytest.mark.parametrize("seed", [1, 2, 42])
def test_exposure_variants(seed: int) -> None:
    snap = generate(seed=seed, scale=150, now=NOW)
    public = [d for d in snap.db_instances if d.publicly_accessible]
    truly = [d for d in public if exposed(snap, d)]
    assert truly, "some public instances sit in public subnets behind open groups"
    assert len(truly) < len(public), "some public instances are not reachable"
    groups = snap.security_groups_by_id
    open_private = [
        d for d in snap.db_instances
        if not d.publicly_accessible
        and any(groups[(d.account, d.region, g)].open_ports_to_internet(d.port or 0) for g in d.security_groups)
    ]  # fmt: skip
    assert open_private, "some groups are open although the instance is not public"
    assert len(truly) < len(snap.db_instances) * 0.1


def test_security_groups_mostly_internal(estate: Snapshot) -> None:
    db_groups = [g for g in estate.security_groups if "-db-" in g.name]
    open_groups = [g for g in db_groups if any(r.open_to_internet for r in g.ingress)]
    assert open_groups and len(open_groups) < len(db_groups) / 2
    assert any(any(r.ipv6_cidrs == ("::/0",) for r in g.ingress) for g in estate.security_groups)
    assert any(any("10.0.0.0/8" in r.cidrs and r.source_groups for r in g.ingress) for g in db_groups)
    assert {s.public for s in estate.subnets} == {True, False}


def test_snapshots(estate: Snapshot) -> None:
    snaps = estate.db_snapshots
    kinds = {(s.kind, s.snapshot_type) for s in snaps}
    assert {("instance", "automated"), ("instance", "manual"), ("cluster", "automated"), ("cluster", "manual")} <= kinds
    public = [s for s in snaps if s.public]
    assert public and all(not s.encrypted and s.snapshot_type == "manual" for s in public)
    assert any(s.shared_with for s in snaps)
    assert any(not s.encrypted for s in snaps)
    old = [s for s in snaps if s.created_at and s.created_at < NOW - timedelta(days=365)]
    assert old and len(old) < len(snaps) / 2
    assert any(s.arn.split(":")[5] == "cluster-snapshot" for s in snaps)
    assert all(s.identifier.startswith("rds:") for s in snaps if s.snapshot_type == "automated")
    tagged = [s for s in snaps if s.tags]
    assert tagged and len(tagged) < len(snaps)


def test_snapshot_sharing_with_outside_accounts(large: Snapshot) -> None:
    own = {a.id for a in large.accounts}
    shared = [s for s in large.db_snapshots if s.shared_with]
    assert any(set(s.shared_with) - own for s in shared)


def test_reserved_instances_cover_part_of_production(estate: Snapshot, large: Snapshot) -> None:
    prod = estate.accounts[0].id
    reserved = estate.reserved_db_instances
    assert reserved and all(r.account == prod for r in reserved)
    fleet = {(d.account, d.region, d.instance_class, d.engine, d.multi_az) for d in by_env(estate, "production")}
    active = [r for r in reserved if r.state == "active"]
    matched = [r for r in active if (r.account, r.region, r.instance_class, r.engine, r.multi_az) in fleet]
    assert len(matched) > len(active) * 0.7
    assert sum(r.count for r in matched) < len(by_env(estate, "production"))
    assert {r.duration_years for r in reserved} == {1, 3}
    assert {r.offering_type for r in large.reserved_db_instances} == {"No Upfront", "Partial Upfront", "All Upfront"}
    retired = [r for r in large.reserved_db_instances if r.state == "retired"]
    assert retired and all(r.start + timedelta(days=365 * r.duration_years) < NOW for r in retired)
    assert all(r.start + timedelta(days=365 * r.duration_years) > NOW for r in large.reserved_db_instances
               if r.state == "active")  # fmt: skip


def test_utilisation_profiles(estate: Snapshot) -> None:
    utils = [(d, d.utilisation) for d in estate.db_instances]
    assert all(u is not None and u.days == 14 for _, u in utils)
    running = [(d, u) for d, u in utils if d.status == "available" and u is not None]
    assert all(u.cpu_avg is not None and u.cpu_max is not None and u.cpu_avg <= u.cpu_max for _, u in running)
    stopped = [u for d, u in utils if d.status == "stopped"]
    assert stopped and all(u is not None and u.cpu_avg is None for u in stopped)
    idle = [u for _, u in running if u.connections_max == 0]
    over = [u for _, u in running if u.cpu_avg < 10 and u.cpu_max < 30]
    hot = [u for _, u in running if u.cpu_avg > 80]
    full = [d for d, u in running if u.free_storage_gb_min is not None and u.free_storage_gb_min < 0.1 * d.allocated_gb]
    for group in (idle, over, hot, full):
        assert 0 < len(group) < len(running) / 2
    for d, u in running:
        assert (u.burst_balance_min is not None) == (d.storage_type == "gp2" and d.allocated_gb < 1000)
        assert (u.free_storage_gb_min is None) == (d.cluster is not None)


def test_ec2_instances_and_volumes(estate: Snapshot) -> None:
    ec2 = estate.ec2_instances
    assert all(e.name and e.tags["Name"] == e.name for e in ec2)
    assert {e.state for e in ec2} == {"running", "stopped"}
    assert any(e.public_ip for e in ec2) and any(not e.imds_v2_required for e in ec2)
    hosts = [e for e in ec2 if e.database_host]
    assert hosts and all(e.database_engine for e in hosts) and len(hosts) < len(ec2) / 4
    assert any(e.tags.get("Role") == "database" for e in hosts)
    groups = estate.security_groups_by_id

    def open_port(e: EC2Instance) -> bool:
        return any(r.open_to_internet for g in e.security_groups for r in groups[(e.account, e.region, g)].ingress)

    assert any(e.public_ip and open_port(e) for e in hosts)
    volumes = estate.volumes
    assert {"gp2", "gp3"} <= {v.volume_type for v in volumes}
    assert any(not v.encrypted for v in volumes) and sum(v.encrypted for v in volumes) > len(volumes) / 2


def test_s3_buckets(estate: Snapshot) -> None:
    buckets = estate.s3_buckets
    assert {b.purpose for b in buckets} == {"backups", "exports", "logs", "data", "static"}
    assert all(b.purpose in b.name for b in buckets)
    assert all(b.encrypted == (b.encryption is not None) for b in buckets)
    assert sum(b.encrypted for b in buckets) > len(buckets) * 0.8
    assert {b.encryption for b in generate(5, 1000, NOW).s3_buckets} >= {"AES256", "aws:kms", None}
    public = [b for b in buckets if b.public]
    assert public and len(public) < len(buckets) / 3 and all(not b.public_access_block for b in public)
    assert sum(b.public_access_block for b in buckets) > len(buckets) * 0.7
    assert {b.versioning for b in buckets} == {"Enabled", "Suspended", "Disabled"}
    assert all(b.size_gb is not None and b.size_gb >= 0 for b in buckets)
