"""aws mode on moto (in-process), through the official MCP client: Aurora volumes and storage totals (issue 13
item 5), the warning when metric-based rules have no CloudWatch data (item 8), snapshots shared outside the
organisation or from production into non-production accounts (item 7)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.models.table import rows_of
from awsinv_mcp.server.app import build_server
from tests.aws_support import db_instance, moto_creds, moto_env  # noqa: F401 (fixture)
from tests.test_storage_totals import storage_identity

# conftest clears AWS variables; the moto estate needs them
pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.usefixtures("moto_creds")]

REGION = "eu-west-1"
GIB = 1024**3
OUTSIDER = "999988887777"


def build(boto3: Any) -> None:
    rds = boto3.client("rds", region_name=REGION)
    prod = [{"Key": "Environment", "Value": "production"}]
    db_instance(rds, "orders-db", AllocatedStorage=120, Tags=prod)
    for name in ("ledger", "quiet"):
        rds.create_db_cluster(
            DBClusterIdentifier=name, Engine="aurora-postgresql", MasterUsername="ledger_admin",
            MasterUserPassword="not-a-secret-1", Tags=prod,
        )  # fmt: skip
        rds.create_db_instance(
            DBInstanceIdentifier=f"{name}-1", Engine="aurora-postgresql", DBInstanceClass="db.r6g.large",
            DBClusterIdentifier=name,
        )  # fmt: skip
    now = datetime.now(UTC)
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {"MetricName": "VolumeBytesUsed", "Dimensions": [{"Name": "DBClusterIdentifier", "Value": "ledger"}],
             "Timestamp": now - timedelta(days=d), "Value": gib * GIB}
            for d, gib in ((2, 40), (1, 42))
        ] + [
            {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "orders-db"}],
             "Timestamp": now - timedelta(days=d), "Value": 20.0}
            for d in (1, 2)
        ],
    )  # fmt: skip


RI_START = datetime.now(UTC) - timedelta(days=340)  # a 1-year term ending in 25 days
RESERVED = {
    "ReservedDBInstanceId": "ri-orders", "DBInstanceClass": "db.t3.small", "ProductDescription": "postgresql",
    "MultiAZ": False, "DBInstanceCount": 1, "StartTime": RI_START, "Duration": 31536000,
    "OfferingType": "No Upfront", "State": "active",
}  # fmt: skip


def reserved_answer(client: Any, account: str, region: str) -> None:
    """moto has no DescribeReservedDBInstances (it raises NotImplementedError): answer the call before it is sent,
    as botocore's Stubber does, with one reservation in AWS's response shape."""
    from botocore.awsrequest import AWSResponse

    def before_call(**_: Any) -> Any:
        return AWSResponse("https://rds", 200, {}, None), {"ReservedDBInstances": [RESERVED]}

    if client.meta.service_model.service_name == "rds":
        client.meta.events.register_first("before-call.rds.DescribeReservedDBInstances", before_call)


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    from awsinv_mcp.inventory.aws.collector import collect

    with moto_env():
        import boto3
        from moto import mock_aws

        with mock_aws():
            build(boto3)
            settings = Settings(source="aws", regions=[REGION])
            yield build_server(settings, collector=lambda s, p=None, cancel=None: collect(s, p, hook=reserved_answer))


async def test_cluster_volumes_from_cloudwatch_and_the_storage_total(server) -> None:
    async with Client(server) as c:
        clusters = (await c.call_tool("list_db_clusters", {})).structured_content
        total, standalone, volumes = await storage_identity(c)
    assert clusters["source"] == "aws"
    by_id = {r["identifier"]: r["volume_gb"] for r in rows_of(clusters)}
    assert by_id == {"ledger": 42, "quiet": 0}  # the newest VolumeBytesUsed; none published: 0, not AllocatedStorage
    assert (total, standalone, volumes) == (162, 120, 42)
    (missing,) = [w["message"] for w in clusters["warnings"] if w["scope"] == "inventory/cloudwatch"]
    assert missing.startswith("Aurora clusters without a VolumeBytesUsed datapoint in the last 3 days: 1 (quiet);")
    assert "cloudwatch:GetMetricData" in missing


async def test_metric_rules_skipped_without_cloudwatch_data_are_named(server) -> None:
    async with Client(server) as c:
        perf = (await c.call_tool("analyze_performance", {})).structured_content
        savings = (await c.call_tool("find_cost_savings", {"rule": "rightsizing"})).structured_content
        security = (await c.call_tool("assess_security", {})).structured_content
        one = (await c.call_tool("get_findings", {"rule": "rds.storage_encrypted"})).structured_content
    (warning,) = [w for w in perf["warnings"] if w["scope"] == "analysis/cloudwatch"]
    text = warning["message"]
    # orders-db has CPU datapoints; the two Aurora members have none
    assert text.startswith("2 of 3 available DB instances have no CloudWatch data (ledger-1, quiet-1)")
    for rule in (
        "perf.high_cpu (CPUUtilization)",
        "perf.storage_nearly_full (FreeStorageSpace)",
        "perf.iops_storage_ratio (ReadIOPS+WriteIOPS)",
        "perf.gp2_burst_credits (BurstBalance)",
    ):
        assert rule in text  # fmt: skip
    assert "cost." not in text  # only the rules of this review
    assert "cloudwatch:GetMetricData" in text and "15 days" in text and "refresh_inventory" in text
    (cost,) = [w["message"] for w in savings["warnings"] if w["scope"] == "analysis/cloudwatch"]
    assert "cost.rightsizing (CPUUtilization+FreeableMemory+DatabaseConnections+ReadIOPS+WriteIOPS)" in cost
    assert "cost.idle_instance" not in cost
    assert not [w for w in security["warnings"] + one["warnings"] if w["scope"] == "analysis/cloudwatch"]


ROLE = "OrganizationAccountAccessRole"


@pytest.fixture(scope="module")
def org_server() -> Iterator[tuple[Any, dict[str, str]]]:
    """An organization (management account + 'payments-prod' + 'sandbox'); a production snapshot in payments-prod
    shared with sandbox and with an account outside the organisation; sandbox's role cannot be assumed, so it is
    known from Organizations only."""
    from awsinv_mcp.inventory.aws.collector import collect
    from tests.aws_support import Faults

    with moto_env():
        import boto3
        from moto import mock_aws

        with mock_aws():
            org = boto3.client("organizations")
            org.create_organization(FeatureSet="ALL")
            ids = {
                name: org.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"][
                    "AccountId"
                ]
                for name in ("payments-prod", "sandbox")
            }
            creds = boto3.client("sts").assume_role(
                RoleArn=f"arn:aws:iam::{ids['payments-prod']}:role/{ROLE}", RoleSessionName="setup"
            )["Credentials"]
            rds = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"], region_name=REGION,
            ).client("rds")  # fmt: skip
            db_instance(rds, "payments-db", Tags=[{"Key": "Environment", "Value": "production"}])
            for name, shared in (("to-sandbox", ids["sandbox"]), ("to-partner", OUTSIDER)):
                rds.create_db_snapshot(DBInstanceIdentifier="payments-db", DBSnapshotIdentifier=name)
                rds.modify_db_snapshot_attribute(
                    DBSnapshotIdentifier=name, AttributeName="restore", ValuesToAdd=[shared]
                )
            faults = Faults()
            faults.add(lambda s, o, a, r, req: s == "sts" and o == "AssumeRole" and ids["sandbox"] in str(req.body),
                       "AccessDenied")  # fmt: skip
            settings = Settings(source="aws", regions=[REGION], org_role=ROLE)
            yield build_server(settings, collector=lambda s, p=None, cancel=None: collect(s, p, hook=faults)), ids


async def test_snapshots_shared_outside_the_organisation_or_into_non_production(org_server) -> None:
    server, ids = org_server
    async with Client(server) as c:
        outside = (await c.call_tool("get_findings", {"rule": "rds.snapshot_shared_outside"})).structured_content
        lower = await c.call_tool("get_findings", {"rule": "rds.snapshot_prod_shared_to_nonprod"})
        summary = (await c.call_tool("get_inventory_summary", {})).structured_content
    assert ids["sandbox"] not in {a["id"] for a in summary["accounts"]}  # not collected, yet in the organisation
    assert [(f["resource_id"], f["evidence"]["shared_with_outside"]) for f in outside["items"]] == [
        ("to-partner", [OUTSIDER])
    ]
    assert outside["items"][0]["evidence"]["known_from"] == "the AWS Organization"
    rows = lower.structured_content["items"]
    assert [(f["resource_id"], f["evidence"]["shared_with_non_production"]) for f in rows] == [
        ("to-sandbox", {ids["sandbox"]: "sandbox"})
    ]
    assert rows[0]["account"] == ids["payments-prod"] and rows[0]["environment"] == "production"


async def test_reserved_instances_listed_with_utilisation_and_the_expiry_finding(server) -> None:
    async with Client(server) as c:
        page = (await c.call_tool("list_reserved_instances", {})).structured_content
        soon = (await c.call_tool("get_findings", {"rule": "cost.reserved_instance_expiring"})).structured_content
    assert page["source"] == "aws" and page["total"] == 1 and page["active"] == 1
    assert page["ending_within_30_days"] == 1
    (ri,) = rows_of(page)
    assert (ri["id"], ri["engine"], ri["instance_class"], ri["count"], ri["term_years"]) == (
        "ri-orders", "postgres", "db.t3.small", 1, 1,
    )  # fmt: skip
    assert ri["start"] == RI_START.date().isoformat() and ri["days_left"] == 25
    # size-flexible: the db.t3.small reservation (1 unit) covers the running db.t3.micro orders-db (0.5 unit)
    assert ri["size_flexible"] and ri["pool"] == "postgres db.t3 family (size-flexible)"
    assert (ri["fleet_instances"], ri["utilisation_pct"], ri["coverage_pct"]) == (1, 50.0, 100.0)
    (finding,) = soon["items"]
    assert finding["resource_id"] == "ri-orders" and finding["severity"] == "high"
    assert finding["evidence"]["ends"] == ri["end"] and finding["evidence"]["utilisation_pct"] == 50.0
