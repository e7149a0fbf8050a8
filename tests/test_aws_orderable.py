"""aws mode: DescribeOrderableDBInstanceOptions answers (moto implements them for Aurora PostgreSQL only) are
collected once per engine version and region, carried in the snapshot, and replace the shipped orderable table
for right-sizing; an empty answer leaves the table in charge. FreeableMemory is read from CloudWatch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from awsinv_mcp import instance_classes as classes
from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.aws import rds as rds_collector
from tests.aws_support import db_instance, moto_env

REGION = "eu-west-1"


@pytest.fixture(scope="module")
def snap():
    with moto_env():
        import boto3
        from moto import mock_aws

        from awsinv_mcp.inventory.aws.collector import Collection

        with mock_aws():
            rds = boto3.client("rds", region_name=REGION)
            rds.create_db_cluster(DBClusterIdentifier="old-apg", Engine="aurora-postgresql", EngineVersion="11.9",
                                  MasterUsername="apg_admin", MasterUserPassword="not-a-secret-1")  # fmt: skip
            rds.create_db_instance(DBInstanceIdentifier="old-apg-1", Engine="aurora-postgresql",
                                   DBInstanceClass="db.r5.large", DBClusterIdentifier="old-apg")  # fmt: skip
            db_instance(rds, "orders-mysql", engine="mysql", EngineVersion="8.0.39")
            cloudwatch = boto3.client("cloudwatch", region_name=REGION)
            now = datetime.now(UTC)
            dims = [{"Name": "DBInstanceIdentifier", "Value": "orders-mysql"}]
            cloudwatch.put_metric_data(Namespace="AWS/RDS", MetricData=[
                {"MetricName": "FreeableMemory", "Dimensions": dims, "Timestamp": now - timedelta(days=d),
                 "Value": v * 1024**3} for d, v in ((1, 0.4), (2, 0.25), (3, 0.6))
            ])  # fmt: skip
            rds_collector._orderable_cache.clear()
            collection = Collection(Settings(source="aws", regions=[REGION]), lambda *a: None)
            collection.run()
            yield collection.snapshot(), collection.results.actions


def test_orderable_answers_are_collected_per_engine_version(snap) -> None:
    snapshot, actions = snap
    assert "rds:DescribeOrderableDBInstanceOptions" in actions
    ((offered),) = snapshot.orderable_classes  # moto answers nothing for MySQL: the shipped table applies there
    assert (offered.region, offered.engine, offered.engine_version) == (REGION, "aurora-postgresql", "11.9")
    assert "db.r5.large" in offered.classes
    collected = snapshot.offered_classes(REGION, "aurora-postgresql", "11.9")
    assert collected == frozenset(offered.classes)
    assert snapshot.offered_classes(REGION, "mysql", "8.0.39") is None
    assert classes.offered("db.r5.large", "aurora-postgresql", "11.9", collected)
    assert not classes.offered("db.r7g.large", "aurora-postgresql", "11.9", collected)


def test_freeable_memory_minimum_is_read_from_cloudwatch(snap) -> None:
    snapshot, _ = snap
    mysql = next(d for d in snapshot.db_instances if d.identifier == "orders-mysql")
    assert mysql.utilisation is not None and mysql.utilisation.freeable_memory_gb_min == pytest.approx(0.25)


def test_orderable_record_ignores_an_empty_answer() -> None:
    assert rds_collector.orderable_record([], region=REGION, engine="mysql", engine_version="8.0.39") is None
    rec = rds_collector.orderable_record([{"DBInstanceClass": "db.m5.large"}, {"DBInstanceClass": "db.m5.large"}],
                                         region=REGION, engine="mysql", engine_version="8.0.39")  # fmt: skip
    assert rec is not None and rec.classes == ("db.m5.large",)
