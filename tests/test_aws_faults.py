"""Faults in one region or API become specific warnings; the rest of the snapshot is complete.

Faults are injected with a botocore `before-send` hook on the collector's own clients (moto in-process).
"""

from __future__ import annotations

import time

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.aws import fanout
from awsinv_mcp.inventory.aws.collector import collect
from tests.aws_support import Faults, aws, db_instance, fast_retries, op, real_warnings  # noqa: F401 (fixtures)

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]


def _two_regions() -> None:
    for region in REGIONS:
        db_instance(boto3.client("rds", region_name=region), f"db-{region}")


def _settings(**kwargs) -> Settings:
    return Settings(source="aws", regions=kwargs.pop("regions", REGIONS), **kwargs)


def _messages(snap) -> list[str]:
    return [w.message for w in real_warnings(snap)]


@pytest.mark.usefixtures("aws")
def test_pagination_beyond_one_page_and_batched_metrics() -> None:
    rds = boto3.client("rds", region_name="us-east-1")
    for n in range(101):
        db_instance(rds, f"db-{n:03d}")
    faults = Faults()
    snap = collect(_settings(regions=["us-east-1"]), hook=faults)
    assert len(snap.db_instances) == 101
    assert faults.count("rds", "DescribeDBInstances") == 2  # 100 + 1
    assert faults.count("cloudwatch", "GetMetricData") == 2  # 808 queries, at most 500 per call
    assert not _messages(snap)


@pytest.mark.usefixtures("aws", "fast_retries")
def test_throttling_is_answered_by_retries() -> None:
    _two_regions()
    faults = Faults()
    faults.add(op("rds", "DescribeDBInstances", "eu-west-1"), "Throttling", times=2)
    snap = collect(_settings(), hook=faults)
    assert {d.identifier for d in snap.db_instances} == {"db-us-east-1", "db-eu-west-1"}
    assert faults.count("rds", "DescribeDBInstances") == 4  # 1 + (2 throttled + 1) retries
    assert not _messages(snap)


@pytest.mark.usefixtures("aws", "fast_retries")
def test_throttling_storm_is_bounded_and_reported() -> None:
    _two_regions()
    faults = Faults()
    faults.add(op("rds", "DescribeDBInstances", "eu-west-1"), "Throttling")
    snap = collect(_settings(), hook=faults)
    assert [d.identifier for d in snap.db_instances] == ["db-us-east-1"]
    calls = sum(n for (s, o, _, r), n in faults.requests.items() if (o, r) == ("DescribeDBInstances", "eu-west-1"))
    assert calls == fanout.MAX_ATTEMPTS
    (message,) = _messages(snap)
    assert "rds:DescribeDBInstances was throttled in account 123456789012, region eu-west-1" in message
    assert "AWSINV_MAX_CONCURRENCY" in message


@pytest.mark.usefixtures("aws", "fast_retries")
def test_retries_stop_at_the_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    _two_regions()
    monkeypatch.setattr(fanout, "RETRY_BUDGET_S", 0.6)
    faults = Faults()
    faults.add(op("ec2", "DescribeInstances", "us-east-1"), "RequestLimitExceeded", status=503, delay=0.25)
    started = time.monotonic()
    snap = collect(_settings(), hook=faults)
    assert time.monotonic() - started < 15  # a generous functional bound; the attempt count below is the check
    calls = sum(n for (s, o, _, r), n in faults.requests.items() if (o, r) == ("DescribeInstances", "us-east-1"))
    assert 1 <= calls < fanout.MAX_ATTEMPTS  # the budget, not the attempt count, ended the retries
    assert any("ec2:DescribeInstances was throttled" in m for m in _messages(snap))
    assert len(snap.db_instances) == 2


@pytest.mark.usefixtures("aws")
def test_access_denied_names_the_missing_action() -> None:
    _two_regions()
    db_rds = boto3.client("rds", region_name="eu-west-1")
    db_rds.create_db_snapshot(DBInstanceIdentifier="db-eu-west-1", DBSnapshotIdentifier="manual-1")
    faults = Faults()
    faults.add(op("rds", "DescribeDBSnapshots", "eu-west-1"), "AccessDenied", status=403)
    snap = collect(_settings(), hook=faults)
    assert faults.count("rds", "DescribeDBSnapshots") == 2  # one per region: no retry of a denial
    (warning,) = [w for w in snap.warnings if "DescribeDBSnapshots" in w.message]
    assert warning.scope == "123456789012/eu-west-1/rds"
    assert warning.message.startswith(
        "access denied to rds:DescribeDBSnapshots in account 123456789012, region eu-west-1: "
        "allow rds:DescribeDBSnapshots"
    )
    assert "docs/iam-policy.json" in warning.message
    assert len(snap.db_instances) == 2 and all(s.region == "us-east-1" for s in snap.db_snapshots)


@pytest.mark.usefixtures("aws")
def test_expired_credentials_say_how_to_log_in() -> None:
    _two_regions()
    faults = Faults()
    faults.add(op("ec2", "DescribeVolumes", "us-east-1"), "ExpiredToken", status=400)
    snap = collect(_settings(), hook=faults)
    (message,) = [m for m in _messages(snap) if "expired" in m]
    assert "credentials for account 123456789012, region us-east-1 are expired or invalid (ExpiredToken)" in message
    assert "`aws sso login`" in message


@pytest.mark.usefixtures("aws", "fast_retries")
def test_a_failing_region_leaves_the_rest_complete() -> None:
    _two_regions()
    faults = Faults()
    faults.add(
        lambda s, o, a, r, req: r == "eu-west-1",
        exception=lambda: EndpointConnectionError(endpoint_url="https://rds.eu-west-1.amazonaws.com"),
    )
    snap = collect(_settings(), hook=faults)
    assert [d.identifier for d in snap.db_instances] == ["db-us-east-1"]
    failed = [w for w in snap.warnings if "eu-west-1" in w.scope]
    assert failed and all("could not reach" in w.message and "region eu-west-1" in w.message for w in failed)
    assert not [w for w in real_warnings(snap) if w.scope.startswith("123456789012/us-east-1/")]


@pytest.mark.usefixtures("aws")
def test_opt_in_and_unknown_regions_are_skipped() -> None:
    _two_regions()
    snap = collect(_settings(regions=["us-east-1", "ap-east-1", "mars-north-1"]))
    assert snap.regions == ("us-east-1",) and [d.identifier for d in snap.db_instances] == ["db-us-east-1"]
    skipped = {w.scope: w.message for w in snap.warnings if w.scope.endswith("/ec2")}
    assert "opt-in region not enabled for account 123456789012" in skipped["123456789012/ap-east-1/ec2"]
    assert "region mars-north-1 does not exist" in skipped["123456789012/mars-north-1/ec2"]


@pytest.mark.usefixtures("aws")
def test_default_regions_are_the_enabled_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    from awsinv_mcp.inventory.aws import collector

    # keep this quick: collect only the region task list's cheapest part
    monkeypatch.setattr(collector, "REGION_TASKS", (("rds", collector.rds.collect_reserved),))
    snap = collect(Settings(source="aws"))
    assert "us-east-1" in snap.regions and "eu-west-1" in snap.regions
    assert "ap-east-1" not in snap.regions  # opt-in, not enabled


@pytest.mark.usefixtures("aws")
def test_unsupported_api_is_not_retried() -> None:
    faults = Faults()
    snap = collect(_settings(regions=["us-east-1"]), hook=faults)
    assert faults.count("rds", "DescribeReservedDBInstances") == 1
    assert faults.count("rds", "DescribeDBMajorEngineVersions") == 1  # once per collection
    assert sorted(w.message for w in snap.warnings) == [
        "rds:DescribeDBMajorEngineVersions is unsupported by this endpoint (account 123456789012, region "
        "us-east-1); that part of the inventory is skipped",
        "rds:DescribeReservedDBInstances is unsupported by this endpoint (account 123456789012, region "
        "us-east-1); that part of the inventory is skipped",
    ]
    assert snap.lifecycle_overrides == ()


@pytest.mark.usefixtures("aws")
def test_rds_lifecycle_dates_are_asked_once_per_collection() -> None:
    from datetime import UTC, date, datetime

    from botocore.awsrequest import AWSResponse

    asked: list[str] = []
    answer = {
        "DBMajorEngineVersions": [
            {
                "Engine": "postgres",
                "MajorEngineVersion": "13",
                "SupportedEngineLifecycles": [
                    {
                        "LifecycleSupportName": "open-source-rds-standard-support",
                        "LifecycleSupportEndDate": datetime(2026, 2, 28, tzinfo=UTC),
                    },
                    {
                        "LifecycleSupportName": "open-source-rds-extended-support",
                        "LifecycleSupportEndDate": datetime(2029, 2, 28, tzinfo=UTC),
                    },
                ],
            }
        ],
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }

    def hook(client, account: str, region: str) -> None:
        def short_circuit(**_):  # moto lacks this API: answer before the request is built, as Stubber does
            asked.append(region)
            return AWSResponse("https://stub", 200, {}, None), answer

        client.meta.events.register("before-call.rds.DescribeDBMajorEngineVersions", short_circuit)

    snap = collect(_settings(), hook=hook)
    assert len(asked) == 5 and len(set(asked)) == 1  # one call per engine, in one region of one account
    (override,) = snap.lifecycle_overrides
    assert (override.engine, override.major) == ("postgres", "13")
    assert override.end_of_standard_support == date(2026, 2, 28)
    assert override.end_of_extended_support == date(2029, 2, 28)
    assert not [w for w in snap.warnings if "MajorEngineVersions" in w.message]
