"""Each security and performance rule fires exactly on crafted resources and stays silent on compliant ones."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from awsinv_mcp.analysis.all_rules import RULES
from tests.estates import (
    DEV,
    HEALTHY,
    all_findings,
    bucket,
    cache,
    cluster,
    compliant_estate,
    db,
    db_snapshot,
    estate,
    fire,
    host,
    member,
    volume,
)  # fmt: skip

EXPOSED = {"publicly_accessible": True, "port": 5432, "subnet_ids": ("subnet-pub",)}

# (rule, records, {resource_id: severity} expected from that rule)
CASES: list[tuple[str, tuple[Any, ...], dict[str, str]]] = [
    ("rds.storage_encrypted", (db(storage_encrypted=False),), {"orders": "high"}),
    ("rds.storage_encrypted", (cluster(), member("auth-1", storage_encrypted=False)), {}),
    ("rds.cluster_storage_encrypted", (cluster(storage_encrypted=False), member("auth-1")), {"auth": "high"}),
    ("rds.internet_exposed", (db(**EXPOSED),), {"orders": "critical"}),
    ("rds.internet_exposed", (db(**EXPOSED | {"security_groups": ("sg-open6",)}),), {"orders": "critical"}),
    ("rds.internet_exposed", (cluster(), member("auth-1", **EXPOSED)), {"auth-1": "critical"}),
    ("rds.internet_exposed", (db(**EXPOSED | {"security_groups": ("sg-closed",)}),), {}),
    ("rds.internet_exposed", (db(**EXPOSED | {"subnet_ids": ("subnet-priv",)}),), {}),
    ("rds.internet_exposed", (db(**EXPOSED | {"publicly_accessible": False}),), {}),
    ("rds.publicly_accessible", (db(**EXPOSED | {"subnet_ids": ("subnet-priv",)}),), {"orders": "medium"}),
    ("rds.publicly_accessible", (db(**EXPOSED),), {}),
    ("rds.snapshot_public", (db_snapshot(public=True),), {"orders-final": "critical"}),
    ("rds.snapshot_public", (db_snapshot("c1", kind="cluster", shared_with=("all",)),), {"c1": "critical"}),
    ("rds.snapshot_shared_outside", (db_snapshot(shared_with=("999999999999",)),), {"orders-final": "high"}),
    ("rds.snapshot_shared_outside", (db_snapshot(shared_with=("111111111111",)),), {}),
    # the other account's environment is unknown here (tests/test_snapshot_sharing.py has the firing cases)
    ("rds.snapshot_prod_shared_to_nonprod", (db_snapshot(shared_with=("999999999999",)),), {}),
    ("rds.snapshot_encrypted", (db_snapshot(encrypted=False),), {"orders-final": "medium"}),
    ("rds.multi_az", (db(multi_az=False),), {"orders": "medium"}),
    ("rds.multi_az", (db(multi_az=False, **DEV),), {}),
    ("rds.multi_az", (db(multi_az=False, engine="sqlserver-ex"),), {}),
    ("rds.multi_az", (db(multi_az=False, environment="prod"),), {"orders": "medium"}),
    ("rds.cluster_multi_az", (cluster(multi_az=False, members=("auth-1",)), member("auth-1")), {"auth": "medium"}),
    ("rds.cluster_multi_az", (cluster(multi_az=False, engine_mode="serverless", members=()),), {}),
    ("rds.backup_enabled", (db(backup_retention_days=0, **DEV),), {"orders": "high"}),
    ("rds.backup_retention", (db(backup_retention_days=3),), {"orders": "medium"}),
    ("rds.backup_retention", (db(backup_retention_days=3, **DEV),), {}),
    ("rds.backup_retention", (db(backup_retention_days=0),), {}),
    ("rds.cluster_backup_retention", (cluster(backup_retention_days=1),), {"auth": "medium"}),
    ("rds.cluster_backup_retention", (cluster(backup_retention_days=1, **DEV),), {}),
    ("rds.deletion_protection", (db(deletion_protection=False),), {"orders": "medium"}),
    ("rds.deletion_protection", (db(deletion_protection=False, **DEV),), {}),
    ("rds.cluster_deletion_protection", (cluster(deletion_protection=False),), {"auth": "medium"}),
    ("rds.iam_auth", (db(iam_auth=False),), {"orders": "low"}),
    ("rds.iam_auth", (db(iam_auth=False, engine="mariadb"),), {"orders": "low"}),
    ("rds.iam_auth", (db(iam_auth=False, engine="sqlserver-se"),), {}),
    ("rds.iam_auth", (db(iam_auth=False, engine="oracle-ee"),), {}),
    ("rds.cluster_iam_auth", (cluster(iam_auth=False),), {"auth": "low"}),
    ("rds.cluster_iam_auth", (cluster(iam_auth=False, engine_mode="serverless"),), {}),
    ("rds.default_master_username", (db(master_username="postgres"),), {"orders": "low"}),
    ("rds.default_master_username", (db(master_username="Admin", engine="mysql"),), {}),
    ("rds.default_master_username", (db(master_username="admin", engine="mysql"),), {"orders": "low"}),
    ("rds.cluster_default_master_username", (cluster(master_username="postgres"),), {"auth": "low"}),
    ("rds.default_port", (db(port=5432),), {"orders": "low"}),
    ("rds.default_port", (db(engine="mysql", port=3306),), {"orders": "low"}),
    ("rds.default_port", (db(engine="mysql", port=5432),), {}),
    ("rds.cluster_default_port", (cluster(port=5432),), {"auth": "low"}),
    ("rds.auto_minor_version_upgrade", (cluster(), member("auth-1", auto_minor_version_upgrade=False)),
     {"auth-1": "low"}),
    ("rds.enhanced_monitoring", (db(monitoring_interval=0), member("auth-2", monitoring_interval=0)),
     {"orders": "low", "auth-2": "low"}),
    ("rds.log_exports", (db(log_exports=()),), {"orders": "low"}),
    # Prowler passes any export: the Prowler-id rules fire on none, the *_recommended rules on an incomplete set
    ("rds.log_exports", (db(engine="mysql", log_exports=("error", "slowquery")),), {}),
    ("rds.log_exports", (cluster(log_exports=()), member("auth-1")), {}),
    ("rds.log_exports_recommended", (db(engine="mysql", log_exports=("error", "slowquery")),), {"orders": "low"}),
    ("rds.log_exports_recommended", (db(log_exports=()),), {}),
    ("rds.log_exports_recommended", (db(engine="mysql", log_exports=("audit", "error")),), {}),
    ("rds.log_exports_recommended", (db(engine="sqlserver-se", log_exports=("agent", "error")),), {}),
    ("rds.cluster_log_exports", (cluster(log_exports=()),), {"auth": "low"}),
    ("rds.cluster_log_exports", (cluster(engine="aurora-mysql", log_exports=("error",)),), {}),
    ("rds.cluster_log_exports", (cluster(log_exports=(), engine_mode="serverless", members=()),), {}),
    ("rds.cluster_log_exports_recommended", (cluster(engine="aurora-mysql", log_exports=("error",)),),
     {"auth": "low"}),
    ("rds.cluster_log_exports_recommended", (cluster(log_exports=()),), {}),
    ("rds.copy_tags_to_snapshot", (db(copy_tags_to_snapshot=False),), {"orders": "low"}),
    ("rds.cluster_copy_tags_to_snapshot", (cluster(copy_tags_to_snapshot=False),), {"auth": "low"}),
    ("s3.default_encryption", (bucket(encrypted=False, encryption=None),), {"acme-data": "medium"}),
    ("s3.default_encryption", (bucket(encrypted=False, purpose="backups"),), {"acme-data": "high"}),
    ("s3.public_access_block", (bucket(public_access_block=False),), {"acme-data": "medium"}),
    ("s3.public", (bucket(public=True, purpose="exports"),), {"acme-data": "critical"}),
    ("s3.public", (bucket(public=True),), {"acme-data": "high"}),
    ("s3.versioning", (bucket(versioning="Suspended"),), {"acme-data": "low"}),
    ("ec2.port_postgresql_exposed", (host(security_groups=("sg-open6",)),), {"i-0abc": "medium"}),
    ("ec2.port_postgresql_exposed", (host(security_groups=("sg-open",), public_ip="54.1.1.1"),), {"i-0abc": "high"}),
    ("ec2.port_mysql_exposed", (host(security_groups=("sg-open",), public_ip="54.1.1.1", subnet_id="subnet-pub"),),
     {"i-0abc": "critical"}),
    ("ec2.port_mysql_exposed", (host(security_groups=("sg-open6",)),), {}),
    ("ec2.port_sqlserver_exposed", (host(security_groups=("sg-open",)),), {"i-0abc": "medium"}),
    ("ec2.port_oracle_exposed", (host(security_groups=("sg-open",), state="terminated"),), {}),
    ("ec2.public_ip", (host(public_ip="54.1.1.1"),), {"i-0abc": "low"}),
    ("ec2.public_ip", (host(public_ip="54.1.1.1", database_host=True),), {"i-0abc": "medium"}),
    ("ec2.imdsv2", (host(imds_v2_required=False),), {"i-0abc": "medium"}),
    ("ec2.imdsv2", (host(imds_v2_required=False, database_host=True),), {"i-0abc": "high"}),
    ("ec2.ebs_encryption", (host(), volume(encrypted=False)), {"vol-1": "medium"}),
    ("ec2.ebs_encryption", (host(database_host=True), volume(encrypted=False)), {"vol-1": "high"}),
    ("ec2.ebs_encryption", (volume("vol-9", None, encrypted=False),), {"vol-9": "medium"}),
    ("perf.burstable_in_production", (db(instance_class="db.t3.medium"),), {"orders": "medium"}),
    ("perf.burstable_in_production", (db(instance_class="db.t4g.large", **DEV),), {}),
    ("perf.gp2_burst_credits", (db(storage_type="gp2", utilisation=replace(HEALTHY, burst_balance_min=10.0)),),
     {"orders": "medium"}),
    ("perf.gp2_burst_credits", (db(storage_type="gp2", utilisation=replace(HEALTHY, burst_balance_min=None)),), {}),
    ("perf.gp2_burst_credits", (db(storage_type="gp2", allocated_gb=1000,
                                   utilisation=replace(HEALTHY, burst_balance_min=0.0)),), {}),
    ("perf.iops_storage_ratio", (db(storage_type="gp2", allocated_gb=100),), {"orders": "medium"}),
    ("perf.iops_storage_ratio", (db(storage_type="io1", iops=1000, utilisation=replace(HEALTHY, read_iops_avg=700)),),
     {"orders": "medium"}),
    ("perf.iops_storage_ratio", (db(storage_type="gp2", allocated_gb=200),), {}),
    ("perf.storage_nearly_full", (db(max_allocated_gb=None, utilisation=replace(HEALTHY, free_storage_gb_min=5.0)),),
     {"orders": "high"}),
    ("perf.storage_nearly_full", (db(max_allocated_gb=500, utilisation=replace(HEALTHY, free_storage_gb_min=5.0)),),
     {}),
    ("perf.storage_nearly_full", (member("auth-1", utilisation=replace(HEALTHY, free_storage_gb_min=0.0)),), {}),
    ("perf.high_cpu", (member("auth-1", utilisation=replace(HEALTHY, cpu_avg=85.0)),), {"auth-1": "medium"}),
    ("perf.previous_generation", (db(instance_class="db.m4.large"),), {"orders": "low"}),
    ("perf.performance_insights", (db(performance_insights=False), db("b", performance_insights=None)),
     {"orders": "low"}),
    ("elasticache.public_subnet", (cache(subnet_ids=("subnet-priv", "subnet-pub")),), {"sessions": "high"}),
    ("elasticache.public_subnet", (cache(subnet_ids=()),), {}),
    ("elasticache.at_rest_encryption", (cache(at_rest_encryption=False),), {"sessions": "medium"}),
    ("elasticache.at_rest_encryption", (cache("pages", engine="memcached", replication_group=False,
                                              at_rest_encryption=False, transit_encryption=True),), {}),
    ("elasticache.in_transit_encryption", (cache(transit_encryption=False),
                                           cache("v", engine="valkey", transit_encryption=False)),
     {"sessions": "medium", "v": "medium"}),
    ("elasticache.memcached_transit_encryption", (cache("pages", engine="memcached", replication_group=False,
                                                        at_rest_encryption=False, transit_encryption=False),),
     {"pages": "low"}),
    ("elasticache.auth_token", (cache(engine_version="5.0.6", user_groups=()),
                                cache("ok", engine_version="5.0.6", user_groups=(), auth_token=True)),
     {"sessions": "high"}),
    ("elasticache.auth_token", (cache(engine_version="6.2.6", user_groups=()),), {}),
    ("elasticache.access_control", (cache(engine_version="6.2.6", user_groups=()),
                                    cache("v", engine="valkey", engine_version="8.0.1", user_groups=()),
                                    cache("old", engine_version="5.0.6", user_groups=())),
     {"sessions": "high", "v": "high"}),
    ("elasticache.backup", (cache(snapshot_retention_days=0), cache("short", snapshot_retention_days=3)),
     {"sessions": "high", "short": "low"}),
    ("elasticache.multi_az", (cache(multi_az=False, **DEV),), {"sessions": "medium"}),
    ("elasticache.automatic_failover", (cache(automatic_failover=False),), {"sessions": "medium"}),
    ("rds.backup_enabled", (db(backup_retention_days=0, replica_source="orders-primary"),), {}),  # as Prowler
    ("rds.cluster_backtrack", (cluster(engine="aurora-mysql"),), {"auth": "low"}),
    ("rds.cluster_backtrack", (cluster(engine="aurora-mysql", backtrack_window_s=86400),), {}),
    ("rds.cluster_backtrack", (cluster(),), {}),  # Aurora PostgreSQL cannot backtrack
    ("rds.cluster_backtrack", (cluster(engine="aurora-mysql", engine_mode="serverless", members=()),), {}),
    ("rds.cluster_readers_one_az", (cluster(members=("w", "r1", "r2")), member("w", availability_zone="eu-west-1a"),
                                    member("r1", availability_zone="eu-west-1b"),
                                    member("r2", availability_zone="eu-west-1b")), {"auth": "low"}),
    ("rds.cluster_readers_one_az", (cluster(members=("w", "r1", "r2")), member("w", availability_zone="eu-west-1a"),
                                    member("r1", availability_zone="eu-west-1b"),
                                    member("r2", availability_zone="eu-west-1c")), {}),
    ("rds.cluster_readers_one_az", (cluster(members=("w", "r1")), member("w", availability_zone="eu-west-1a"),
                                    member("r1", availability_zone="eu-west-1a")), {}),  # one reader: cluster_multi_az
    ("rds.cluster_readers_one_az", (cluster(members=("w", "r1", "r2")), member("w"), member("r1"), member("r2")), {}),
    ("rds.cluster_mixed_public_access", (cluster(), member("auth-1", publicly_accessible=True), member("auth-2")),
     {"auth": "medium"}),
    ("rds.cluster_mixed_public_access", (cluster(), member("auth-1", publicly_accessible=True),
                                         member("auth-2", publicly_accessible=True)), {}),
    ("rds.cluster_auto_minor_version_upgrade",
     (cluster(engine="postgres", storage_type="io1", auto_minor_version_upgrade=False),), {"auth": "low"}),
    ("rds.cluster_auto_minor_version_upgrade", (cluster(engine="postgres", auto_minor_version_upgrade=True),), {}),
    ("rds.cluster_auto_minor_version_upgrade", (cluster(auto_minor_version_upgrade=False),), {}),  # Aurora
    ("rds.cluster_auto_minor_version_upgrade", (cluster(),), {}),  # not reported
    ("perf.magnetic_storage", (db(storage_type="standard"),), {"orders": "low"}),
    ("perf.magnetic_storage", (db(storage_type="io2"),), {}),
    ("perf.storage_autoscaling_off", (db(max_allocated_gb=None),), {"orders": "low"}),
    ("perf.storage_autoscaling_off", (db(max_allocated_gb=100),), {"orders": "low"}),  # maximum = allocated: off
    ("perf.storage_autoscaling_off", (cluster(), member("auth-1", max_allocated_gb=None)), {}),
    ("perf.cluster_mixed_classes", (cluster(), member("auth-1"), member("auth-2", instance_class="db.r7g.large")),
     {"auth": "low"}),
    ("perf.cluster_mixed_classes", (cluster(), member("auth-1"), member("auth-2", instance_class="db.serverless")),
     {}),
    ("elasticache.auto_minor_version_upgrade", (cache(auto_minor_version_upgrade=False),), {"sessions": "low"}),
    ("elasticache.engine_version", (cache(engine_version="5.0.6"), cache("ok", engine_version="7.1.0"),
                                    cache("unknown", engine_version="")), {"sessions": "high"}),
]  # fmt: skip


def test_compliant_estate_has_no_security_or_performance_findings() -> None:
    found = all_findings(compliant_estate())
    assert found == [], [(f.rule, f.resource_id) for f in found]


@pytest.mark.parametrize(("rule_id", "records", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fires_exactly_on_crafted_resources(rule_id: str, records: tuple[Any, ...], expected: dict) -> None:
    found = fire(rule_id, estate(*records))
    assert {f.resource_id: f.severity for f in found} == expected
    assert len(found) == len(expected)
    for f in found:
        assert f.rule == rule_id and f.account == "111111111111" and f.region == "eu-west-1"
        assert f.evidence and not f.resource_id.startswith("arn:")
        assert f.meta is RULES[rule_id].meta


def test_every_case_rule_is_covered() -> None:
    tested = {c[0] for c in CASES} | {"rds.ca_certificate_expiry"}
    security_perf = {r for r, v in RULES.items() if v.category in ("security", "performance")}
    assert security_perf - tested == {"ec2.port_mongodb_exposed", "ec2.port_redis_exposed"}


def test_aurora_cluster_settings_never_reported_on_members() -> None:
    bad = dict(
        storage_encrypted=False,
        backup_retention_days=0,
        deletion_protection=False,
        iam_auth=False,
        master_username="postgres",
        port=5432,
        log_exports=(),
        copy_tags_to_snapshot=False,
        multi_az=False,
    )
    snap = estate(cluster(**bad), member("auth-1", **bad), member("auth-2", **bad))
    found = all_findings(snap)
    assert {f.resource_id for f in found} == {"auth"}
    assert all(f.resource_type == "db_cluster" and f.rule.startswith("rds.cluster_") for f in found)
    assert {f.meta.prowler_check for f in found} >= {"rds_cluster_storage_encrypted", "rds_cluster_deletion_protection",
                                                 "rds_cluster_iam_authentication_enabled"}  # fmt: skip


@pytest.mark.parametrize(
    ("valid_till", "severity"),
    [
        (date(2027, 2, 26), None),  # 3 months + 1 day
        (date(2027, 2, 25), None),  # exactly 3 months: not yet
        (date(2027, 2, 24), "medium"),
        (date(2026, 12, 25), "medium"),  # exactly 1 month
        (date(2026, 12, 24), "high"),
        (date(2026, 11, 26), "high"),
        (date(2026, 11, 25), "critical"),  # expires on the as_of date
        (date(2026, 11, 24), "critical"),
    ],
)
def test_ca_certificate_expiry_boundaries(valid_till: date, severity: str | None) -> None:
    found = fire("rds.ca_certificate_expiry", estate(db(ca_certificate_valid_till=valid_till)))
    assert [f.severity for f in found] == ([severity] if severity else [])
    if found:
        days = (valid_till - date(2026, 11, 25)).days
        ev = found[0].evidence
        assert ev["days_left"] == max(days, 0)
        assert ev["state"] == ("expired" if days <= 0 else "expiring")  # titles and evidence say expired (issue 13)
        assert ev.get("expired_days_ago") == (-days if days <= 0 else None)


def test_evidence_explains_the_finding() -> None:
    (exposed,) = fire("rds.internet_exposed", estate(db(**EXPOSED)))
    assert exposed.evidence == {"port": 5432, "open_security_groups": ["sg-open"], "public_subnets": ["subnet-pub"]}
    (logs,) = fire("rds.log_exports_recommended", estate(db(engine="mysql", log_exports=("error",))))
    assert logs.evidence["missing"] == ["audit"]
    (none,) = fire("rds.log_exports", estate(db(engine="mysql", log_exports=())))
    assert none.evidence == {"log_exports": [], "recommended": ["audit", "error"]}
    (cpu,) = fire("perf.high_cpu", estate(db(utilisation=replace(HEALTHY, cpu_avg=90.0))))
    assert cpu.evidence["recommended_class"] == "db.m7g.xlarge"
    (old,) = fire("perf.previous_generation", estate(db(instance_class="db.r4.large", engine="sqlserver-se")))
    assert old.evidence["successor"] == "db.r6i.large"  # SQL Server does not run on Graviton
    (vol,) = fire("ec2.ebs_encryption", estate(host(), volume(encrypted=False)))
    assert vol.resource_type == "ebs_volume" and vol.environment == "production" and vol.arn.endswith("volume/vol-1")
    (snap,) = fire("rds.snapshot_public", estate(db_snapshot("c1", kind="cluster", public=True)))
    assert snap.resource_type == "db_cluster_snapshot"


def test_catalogue_metadata_is_complete() -> None:
    prowler_id = re.compile(r"^(rds|ec2|s3|elasticache)_[a-z0-9_]+$")
    for r in RULES.values():
        assert re.fullmatch(r"[a-z0-9]+\.[a-z0-9_]+", r.id), r.id
        assert r.title and r.rationale and r.resource_types, r.id
        if r.category in ("security", "performance"):
            assert r.remediation.startswith("Console") and "CLI: aws " in r.remediation, r.id
        assert r.prowler_check is None or prowler_id.match(r.prowler_check), r.id
    assert RULES["rds.internet_exposed"].prowler_check == "rds_instance_no_public_access"
    assert RULES["rds.publicly_accessible"].prowler_check is None
    assert RULES["ec2.port_postgresql_exposed"].prowler_check == "ec2_instance_port_postgresql_exposed_to_internet"
