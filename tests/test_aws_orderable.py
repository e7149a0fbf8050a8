"""aws mode: DescribeOrderableDBInstanceOptions answers (moto implements them for Aurora PostgreSQL only) are
collected once per engine version and region, carried in the snapshot, and replace the shipped orderable table
for right-sizing; an empty answer leaves the table in charge. FreeableMemory is read from CloudWatch. Pending
maintenance actions (moto lacks DescribePendingMaintenanceActions: the answer is injected in RDS's XML) become
dated findings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from awsinv_mcp import instance_classes as classes
from awsinv_mcp.analysis.catalogue import AnalysisContext
from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.aws import rds as rds_collector
from tests.aws_support import _Raw, db_instance, moto_env
from tests.estates import fire

REGION = "eu-west-1"
PENDING = {"PendingMaintenanceActions": [{
    "ResourceIdentifier": "arn:aws:rds:eu-west-1:123456789012:db:orders-mysql",
    "PendingMaintenanceActionDetails": [{
        "Action": "db-upgrade", "Description": "Minor version 8.0.39 is deprecated",
        "AutoAppliedAfterDate": datetime(2030, 1, 10, tzinfo=UTC), "ForcedApplyDate": datetime(2030, 2, 1, tzinfo=UTC),
    }],
}]}  # fmt: skip


def answer_pending(client: Any, account: str, region: str) -> None:
    """Answers DescribePendingMaintenanceActions, which moto lacks, with one action on orders-mysql (a before-call
    handler's answer replaces the request, as botocore's own stubber does)."""
    from botocore.awsrequest import AWSResponse

    if client.meta.service_model.service_name == "rds":
        client.meta.events.register_first(
            "before-call.rds.DescribePendingMaintenanceActions",
            lambda **_: (AWSResponse("https://injected", 200, {}, _Raw(b"")), PENDING),
        )


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
            collection = Collection(Settings(source="aws", regions=[REGION]), lambda *a: None, hook=answer_pending)
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


def test_pending_maintenance_from_the_api_is_a_dated_finding(snap) -> None:
    snapshot, actions = snap
    assert "rds:DescribePendingMaintenanceActions" in actions
    mysql = next(d for d in snapshot.db_instances if d.identifier == "orders-mysql")
    (action,) = mysql.pending_maintenance
    assert (action.action, action.forced_apply_date) == ("db-upgrade", date(2030, 2, 1))
    (f,) = fire("rds.pending_maintenance", snapshot, AnalysisContext(as_of=date(2029, 12, 1)))
    assert f.resource_id == "orders-mysql" and f.severity == "medium"  # 40 days ahead
    assert f.evidence["next_date"] == "2030-01-10" and f.evidence["actions"][0]["days_until"] == 40
