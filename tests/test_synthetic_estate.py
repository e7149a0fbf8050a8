"""The synthetic estate: determinism, exact scale, coverage of engines and classes, referential integrity."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from awsinv_mcp.config import Settings
from awsinv_mcp.data import load_json
from awsinv_mcp.inventory.synthetic import ENGINE_VERSIONS, generate
from awsinv_mcp.inventory.synthetic.estate import midnight_utc
from awsinv_mcp.inventory.tags import canonical_environment
from awsinv_mcp.models.inventory import Snapshot

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
ENGINES = {"mysql", "postgres", "mariadb", "oracle-ee", "oracle-se2", "sqlserver-ee", "sqlserver-se", "sqlserver-ex",
           "sqlserver-web", "aurora-mysql", "aurora-postgresql"}  # fmt: skip
RECORD_FIELDS = ("accounts", "regions", "warnings", "db_instances", "db_clusters", "db_snapshots", "ec2_instances",
                 "volumes", "security_groups", "subnets", "s3_buckets", "reserved_db_instances")  # fmt: skip


@pytest.fixture(scope="module")
def estate() -> Snapshot:
    return generate(seed=42, scale=150, now=NOW)


@pytest.fixture(scope="module")
def large() -> Snapshot:
    return generate(seed=7, scale=10_000, now=NOW)


def comparable(snap: Snapshot) -> dict[str, list[tuple[object, object]]]:
    """Every record with its tags (tags are excluded from dataclass equality)."""
    return {name: [(r, getattr(r, "tags", None)) for r in getattr(snap, name)] for name in RECORD_FIELDS}


def test_same_seed_and_day_give_identical_records(estate: Snapshot) -> None:
    later_same_day = generate(seed=42, scale=150, now=NOW.replace(hour=23, minute=59))
    assert later_same_day.collected_at != estate.collected_at
    assert comparable(later_same_day) == comparable(estate)


DIGEST = f"""
import hashlib
from datetime import UTC, datetime
from awsinv_mcp.inventory.synthetic import generate
snap = generate(seed=42, scale=300, now=datetime(2026, 11, 25, 9, 30, tzinfo=UTC))
h = hashlib.sha256()
for name in {RECORD_FIELDS!r}:
    for r in getattr(snap, name):
        h.update(repr((r, getattr(r, "tags", None))).encode())
print(h.hexdigest())
"""


def test_identical_across_processes_with_different_hash_seeds() -> None:
    """No set or hash order leaks into the estate: another interpreter with another PYTHONHASHSEED agrees."""
    runs = [
        subprocess.run([sys.executable, "-c", DIGEST], capture_output=True, text=True, check=True, timeout=60,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip()
        for seed in ("1", "2")
    ]  # fmt: skip
    assert len(runs[0]) == 64 and runs[0] == runs[1]


def test_another_seed_gives_another_estate(estate: Snapshot) -> None:
    other = generate(seed=43, scale=150, now=NOW)
    assert [d.identifier for d in other.db_instances] != [d.identifier for d in estate.db_instances]
    assert {a.id for a in other.accounts}.isdisjoint({a.id for a in estate.accounts})


def test_dates_are_anchored_at_midnight_utc(estate: Snapshot) -> None:
    base = midnight_utc(NOW)
    assert base == datetime(2026, 11, 25, tzinfo=UTC)
    assert midnight_utc(datetime(2026, 11, 25, 23, 0, tzinfo=UTC) + timedelta(hours=2)).day == 26
    assert all(d.created_at is not None and d.created_at < base for d in estate.db_instances)
    assert all(s.created_at is not None and s.created_at < base for s in estate.db_snapshots)
    assert all(r.start < base for r in estate.reserved_db_instances)


@pytest.mark.parametrize("scale", [1, 2, 5, 12, 150, 1000])
def test_scale_is_the_exact_number_of_db_instances(scale: int) -> None:
    snap = generate(seed=3, scale=scale, now=NOW)
    assert len(snap.db_instances) == scale
    members = sum(len(c.members) for c in snap.db_clusters)
    assert members == sum(1 for d in snap.db_instances if d.cluster)


def test_scale_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate(seed=1, scale=0, now=NOW)


def test_organisation(estate: Snapshot) -> None:
    assert estate.source == "synthetic" and estate.warnings == ()
    assert [a.environment for a in estate.accounts] == ["production", "staging", "development"]
    assert [a.alias for a in estate.accounts] == ["acme-prod", "acme-staging", "acme-dev"]
    assert all(len(a.id) == 12 and a.id.isdigit() for a in estate.accounts)
    assert len(estate.regions) >= 4
    assert set(estate.regions) == {d.region for d in estate.db_instances} | {e.region for e in estate.ec2_instances}
    assert len({d.team for d in estate.db_instances} - {None}) == 8
    assert 15 <= len({d.application for d in estate.db_instances}) <= 24
    for db in estate.db_instances:
        assert {"Environment", "Application", "CostCenter"} <= db.tags.keys()
        assert db.environment == canonical_environment(db.tags["Environment"])
        assert db.environment in ("production", "staging", "development")
        assert db.team == db.tags.get("Team") and db.application == db.tags["Application"]
    spellings = {d.tags["Environment"] for d in estate.db_instances}
    assert {"Production", "prod"} <= spellings and len(spellings) >= 6


def test_tag_keys_come_from_settings() -> None:
    settings = Settings.model_construct(env_tag_key="env", team_tag_key="owner-team", application_tag_key="app")
    snap = generate(seed=42, scale=20, now=NOW, settings=settings)
    db = snap.db_instances[0]
    assert "env" in db.tags and "app" in db.tags and "Environment" not in db.tags
    assert db.environment == canonical_environment(db.tags["env"]) and db.application == db.tags["app"]
    assert all(e.team == e.tags.get("owner-team") for e in snap.ec2_instances)


def test_every_engine_with_versions_from_the_catalogue(estate: Snapshot) -> None:
    assert {d.engine for d in estate.db_instances} == ENGINES
    assert set(ENGINE_VERSIONS) == ENGINES
    for db in estate.db_instances:
        assert db.engine_version in dict(ENGINE_VERSIONS[db.engine])
    for cluster in estate.db_clusters:
        assert cluster.engine in ("aurora-mysql", "aurora-postgresql")
        assert cluster.engine_version in dict(ENGINE_VERSIONS[cluster.engine])


def test_versions_include_extended_support_and_end_of_support_majors(large: Snapshot) -> None:
    versions = {(d.engine, d.engine_version) for d in large.db_instances}
    for old in [("postgres", "11.22"), ("mysql", "5.7.44"), ("mariadb", "10.4.34"), ("sqlserver-se", "13.00.6455.2.v1"),
                ("aurora-mysql", "5.7.mysql_aurora.2.11.5")]:  # fmt: skip
        assert old in versions


def test_classes_are_valid_and_mixed(estate: Snapshot, large: Snapshot) -> None:
    data = load_json("instance_classes.json")
    classes, graviton_engines = data["classes"], set(data["graviton_engines"])
    for db in large.db_instances:
        facts = classes[db.instance_class]
        assert facts["processor"] != "graviton" or db.engine in graviton_engines, db
    prod = [d for d in estate.db_instances if d.account == estate.accounts[0].id]
    assert any(classes[d.instance_class]["previous_generation"] for d in estate.db_instances)
    assert any(classes[d.instance_class]["burstable"] for d in prod)
    assert any(classes[d.instance_class]["processor"] == "graviton" for d in prod)
    families = {classes[d.instance_class]["family"] for d in large.db_instances}
    assert {"db.t2", "db.m4", "db.r4", "db.t4g", "db.r6g", "db.m5"} <= families


def test_storage_types_and_licences(estate: Snapshot) -> None:
    standalone = [d for d in estate.db_instances if d.cluster is None]
    assert {"gp2", "gp3", "io1", "io2"} <= {d.storage_type for d in standalone}
    for db in standalone:
        if db.storage_type in ("io1", "io2", "gp3"):
            assert db.iops
        if db.storage_type == "gp2":
            assert db.iops is None
    assert any(d.storage_type == "gp3" and (d.iops or 0) > 12000 for d in generate(42, 1000, NOW).db_instances)
    assert {d.license_model for d in estate.db_instances} == {
        "license-included", "bring-your-own-license", "general-public-license", "postgresql-license"}  # fmt: skip


def test_aurora_members_follow_their_cluster(estate: Snapshot) -> None:
    assert {c.engine for c in estate.db_clusters} == {"aurora-mysql", "aurora-postgresql"}
    by_key = estate.clusters_by_key
    for db in estate.db_instances:
        if db.cluster is None:
            assert not db.storage_type.startswith("aurora")
            continue
        cluster = by_key[(db.account, db.region, db.cluster)]
        assert db.identifier in {m.identifier for m in cluster.members}
        assert db.storage_type == cluster.storage_type and db.storage_type.startswith("aurora")
        assert db.storage_encrypted == cluster.storage_encrypted and db.engine == cluster.engine
        assert db.engine_version == cluster.engine_version and not db.multi_az
    for cluster in estate.db_clusters:
        assert 1 <= len(cluster.members) <= 4 and sum(m.writer for m in cluster.members) == 1
        assert cluster.multi_az == (len(cluster.members) > 1)


def check_integrity(snap: Snapshot) -> None:
    groups, subnets = snap.security_groups_by_id, snap.subnets_by_id
    for rec in (*snap.db_instances, *snap.db_clusters):
        assert rec.security_groups and rec.subnet_ids
        for gid in rec.security_groups:
            assert groups[(rec.account, rec.region, gid)].vpc_id == rec.vpc_id
        for sid in rec.subnet_ids:
            assert subnets[(rec.account, rec.region, sid)].vpc_id == rec.vpc_id
    member_ids = {(d.account, d.region, d.identifier) for d in snap.db_instances if d.cluster}
    for cluster in snap.db_clusters:
        for member in cluster.members:
            assert (cluster.account, cluster.region, member.identifier) in member_ids
    sources = {("instance", d.account, d.region, d.identifier) for d in snap.db_instances if d.cluster is None}
    sources |= {("cluster", c.account, c.region, c.identifier) for c in snap.db_clusters}
    for s in snap.db_snapshots:
        assert (s.kind, s.account, s.region, s.source_id) in sources
    volumes = snap.volumes_by_id
    for ec2 in snap.ec2_instances:
        assert ec2.volume_ids
        assert subnets[(ec2.account, ec2.region, ec2.subnet_id)].vpc_id == ec2.vpc_id
        assert all((ec2.account, ec2.region, g) in groups for g in ec2.security_groups)
        for vid in ec2.volume_ids:
            assert volumes[(ec2.account, ec2.region, vid)].instance_id == ec2.identifier
    attached = {(e.account, e.region, v) for e in snap.ec2_instances for v in e.volume_ids}
    assert all((v.account, v.region, v.id) in attached for v in snap.volumes if v.instance_id)
    for kind in ("db_instances", "db_clusters", "db_snapshots", "ec2_instances"):
        keys = [(r.account, r.region, r.identifier) for r in getattr(snap, kind)]
        assert len(keys) == len(set(keys)), kind
        assert len({r.arn for r in getattr(snap, kind)}) == len(keys)
    assert len({b.name for b in snap.s3_buckets}) == len(snap.s3_buckets)
    assert all(len(b.name) <= 63 for b in snap.s3_buckets)
    assert len({g.id for g in snap.security_groups}) == len(snap.security_groups)


def test_referential_integrity(estate: Snapshot) -> None:
    check_integrity(estate)


def test_ten_thousand_instances_scale_and_integrity(large: Snapshot) -> None:
    assert len(large.db_instances) == 10_000
    check_integrity(large)
    counts = Counter(d.engine for d in large.db_instances)
    assert set(counts) == ENGINES and min(counts.values()) >= 50
    assert 2500 <= len(large.ec2_instances) <= 4000 and len(large.s3_buckets) == 2000
    assert large.reserved_db_instances and len(large.db_snapshots) >= 5000


def test_resource_counts_follow_scale(estate: Snapshot) -> None:
    assert len(estate.ec2_instances) == 50
    assert len(estate.s3_buckets) == 30
    assert len(generate(1, 10, NOW).s3_buckets) == 10


def test_records_are_frozen(estate: Snapshot) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        estate.db_instances[0].engine = "x"  # type: ignore[misc]
