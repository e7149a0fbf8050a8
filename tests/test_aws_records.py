"""Pure parts of the AWS collectors (record builders, error classification, fan-out primitives), and the
APIs moto lacks (reserved DB instances, CloudWatch batching) through botocore's Stubber."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError, NoCredentialsError, UnauthorizedSSOTokenError
from botocore.parsers import ResponseParserError
from botocore.stub import ANY, Stubber

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.aws import cloudwatch, ec2, rds, s3
from awsinv_mcp.inventory.aws.context import Fault, Results, Scope, Target
from awsinv_mcp.inventory.aws.errors import (
    EndpointUnsupported,
    RetryBudgetExceeded,
    Where,
    classify,
    describe,
)
from awsinv_mcp.inventory.aws.fanout import ClientFactory, FanOut, TokenBucket, _guard_retry
from awsinv_mcp.inventory.aws.tags import account_environment, labels, tag_dict
from awsinv_mcp.models.inventory import IngressRule, SecurityGroup
from tests.aws_support import MOTO_ENV

SETTINGS = Settings(source="aws")
WHERE = Where("111122223333", "prod", "eu-west-1", "rds")


def client_error(code: str, message: str = "msg", operation: str = "DescribeDBInstances") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


# -- tags ---------------------------------------------------------------------------------------------
def test_labels_from_configured_tag_keys() -> None:
    tags = tag_dict([{"Key": "environment", "Value": " Prod "}, {"Key": "Team", "Value": "payments"}])
    assert labels(tags, SETTINGS) == {"environment": "production", "team": "payments", "application": None}
    custom = Settings(source="aws", env_tag_key="Stage", application_tag_key="app")
    assert labels({"Stage": "QA", "app": "orders"}, custom) == {
        "environment": "test",
        "team": None,
        "application": "orders",
    }
    assert account_environment("acme-prod-payments", SETTINGS) == "production"
    assert account_environment("shared-services", SETTINGS) is None


# -- EC2 ------------------------------------------------------------------------------------------------
def test_public_subnets_follow_explicit_then_main_route_table() -> None:
    igw = {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}
    nat = {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"}
    tables = [
        {"VpcId": "vpc-1", "Routes": [igw], "Associations": [{"Main": True}]},
        {"VpcId": "vpc-1", "Routes": [nat], "Associations": [{"Main": False, "SubnetId": "subnet-private"}]},
        {"VpcId": "vpc-2", "Routes": [{**igw, "State": "blackhole"}], "Associations": [{"Main": True}]},
    ]
    subnets = [
        {"SubnetId": "subnet-main", "VpcId": "vpc-1"},
        {"SubnetId": "subnet-private", "VpcId": "vpc-1"},
        {"SubnetId": "subnet-dead", "VpcId": "vpc-2"},
    ]
    assert ec2.public_subnet_ids(tables, subnets) == {"subnet-main"}


def test_database_hosts_by_tag_or_explicit_port() -> None:
    assert ec2.engine_from_tags({"Name": "orders-MySQL-primary"}) == "mysql"
    assert ec2.engine_from_tags({"Owner": "postgres-team"}) is None  # not a tag that names a role
    narrow = SecurityGroup("sg-1", "a", "r", ingress=(IngressRule("tcp", 5432, 5432, ("10.0.0.0/8",)),))
    wide = SecurityGroup("sg-2", "a", "r", ingress=(IngressRule("tcp", 0, 65535, ("0.0.0.0/0",)),))
    everything = SecurityGroup("sg-3", "a", "r", ingress=(IngressRule("-1", None, None, ("0.0.0.0/0",)),))
    assert ec2.engine_from_ports([narrow]) == "postgres"
    assert ec2.engine_from_ports([wide, everything]) is None
    rule = ec2.ingress_rule({"IpProtocol": "-1", "FromPort": -1, "ToPort": -1, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]})
    assert rule.from_port is None and rule.open_to_internet and rule.covers(5432)


# -- S3 -------------------------------------------------------------------------------------------------
def _bucket(**kwargs: Any):
    params = {
        "account": "1",
        "region": "us-east-1",
        "partition": "aws",
        "settings": SETTINGS,
        "encryption": "AES256",
        "block": s3.effective_block({}, None),
        "policy_public": False,
        "acl_grants_public": False,
        "versioning": "Disabled",
        "tags": {},
    }
    params.update(kwargs)
    return s3.bucket_record({"Name": "b"}, **params)


def test_bucket_public_access_and_account_level_block() -> None:
    all_on = dict.fromkeys(s3.BLOCK_KEYS, True)
    assert _bucket(block=s3.effective_block({}, all_on)).public_access_block  # account level covers it
    assert not _bucket(block=s3.effective_block({"BlockPublicAcls": True}, None)).public_access_block
    assert _bucket(policy_public=True).public
    assert not _bucket(policy_public=True, block=s3.effective_block({"RestrictPublicBuckets": True}, None)).public
    assert _bucket(acl_grants_public=s3.acl_public([{"Grantee": {"URI": s3.PUBLIC_GRANTEES[0]}}])).public
    unencrypted = _bucket(encryption=None)
    assert not unencrypted.encrypted and unencrypted.arn == "arn:aws:s3:::b"
    assert s3.location_region(None) == "us-east-1" and s3.location_region("EU") == "eu-west-1"
    assert s3.bucket_purpose("acme-db-backups-2024", {}) == "backups"
    assert s3.bucket_purpose("catalog", {}) is None  # 'log' only at the start of a word
    assert s3.bucket_purpose("x", {"purpose": "Exports"}) == "exports"


# -- RDS ------------------------------------------------------------------------------------------------
def test_restore_attributes_and_reserved_engines() -> None:
    attrs = [{"AttributeName": "restore", "AttributeValues": ["all", "222233334444", "111122223333"]}]
    assert rds.restore_access(attrs) == (True, ("111122223333", "222233334444"))
    assert rds.restore_access([]) == (False, ())
    assert [rds.reserved_engine(p) for p in ("postgresql", "oracle-se2(li)", "aurora", "sqlserver-ee(byol)")] == [
        "postgres",
        "oracle-se2",
        "aurora-mysql",
        "sqlserver-ee",
    ]


class Stubs:
    """A client hook that puts a Stubber on every new client of the given service."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.stubbers: list[Stubber] = []
        self.ready = threading.Event()

    def __call__(self, client: Any, account: str, region: str) -> None:
        if client.meta.service_model.service_name == self.service:
            stubber = Stubber(client)
            stubber.activate()
            self.stubbers.append(stubber)


def _scope(stubs: Stubs, service: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Scope, Stubber]:
    import boto3

    for name, value in MOTO_ENV.items():
        monkeypatch.setenv(name, value)
    target = Target(id="111122223333", session=boto3.Session(region_name="eu-west-1"), origin="caller")
    scope = Scope(target, "eu-west-1", service, settings=SETTINGS, clients=ClientFactory(hook=stubs), results=Results())
    scope.client(service)
    return scope, stubs.stubbers[0]


def test_reserved_db_instances_with_stubber(monkeypatch: pytest.MonkeyPatch) -> None:
    scope, stub = _scope(Stubs("rds"), "rds", monkeypatch)
    start = datetime(2025, 3, 1, tzinfo=UTC)
    reserved = {
        "ReservedDBInstanceId": "ri-1",
        "DBInstanceClass": "db.r6g.large",
        "ProductDescription": "postgresql",
        "MultiAZ": True,
        "DBInstanceCount": 2,
        "StartTime": start,
        "Duration": 94_608_000,
        "OfferingType": "Partial Upfront",
        "State": "active",
    }
    stub.add_response("describe_reserved_db_instances", {"ReservedDBInstances": [reserved], "Marker": "m1"}, {})
    second = {**reserved, "ReservedDBInstanceId": "ri-2", "ProductDescription": "mysql", "Duration": 31_536_000}
    stub.add_response("describe_reserved_db_instances", {"ReservedDBInstances": [second]}, {"Marker": "m1"})
    rds.collect_reserved(scope)
    stub.assert_no_pending_responses()
    first, other = scope.results.records["reserved_db_instance"]
    assert (first.id, first.engine, first.count, first.duration_years, first.multi_az) == (
        "ri-1",
        "postgres",
        2,
        3,
        True,
    )
    assert (first.account, first.region, first.start, first.offering_type) == (
        "111122223333",
        "eu-west-1",
        start,
        "Partial Upfront",
    )
    assert (other.engine, other.duration_years) == ("mysql", 1)
    assert not scope.results.faults


def test_reserved_access_denied_becomes_a_fault(monkeypatch: pytest.MonkeyPatch) -> None:
    scope, stub = _scope(Stubs("rds"), "rds", monkeypatch)
    stub.add_client_error("describe_reserved_db_instances", "AccessDenied", "not allowed", 403)
    rds.collect_reserved(scope)
    (fault,) = scope.results.faults
    assert fault.kind == "denied" and fault.action == "rds:DescribeReservedDBInstances"
    assert "access denied to rds:DescribeReservedDBInstances in account 111122223333, region eu-west-1" in fault.message


def test_cloudwatch_batches_500_queries_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    scope, stub = _scope(Stubs("cloudwatch"), "cloudwatch", monkeypatch)
    identifiers = [f"db-{n}" for n in range(63)]  # 63 x 9 = 567 queries -> 2 calls
    gib = 1024**3
    results = [
        {"Id": "q0_0", "Values": [10.0, 30.0], "StatusCode": "Complete"},
        {"Id": "q0_4", "Values": [2 * gib], "StatusCode": "Complete"},
    ]
    stub.add_response(
        "get_metric_data", {"MetricDataResults": results}, {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY}
    )
    stub.add_response(
        "get_metric_data",
        {"MetricDataResults": [{"Id": "q62_1", "Values": [95.5], "StatusCode": "Complete"}]},
        {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY},
    )
    usage = cloudwatch.rds_utilisation(scope, identifiers)
    stub.assert_no_pending_responses()
    assert set(usage) == {"db-0", "db-62"}
    assert usage["db-0"].cpu_avg == 20.0 and usage["db-0"].free_storage_gb_min == 2.0
    assert usage["db-62"].cpu_max == 95.5 and usage["db-62"].cpu_avg is None
    queries, index = cloudwatch.metric_queries(identifiers, 1_209_600)
    assert len(queries) == 567 and len(index) == 567
    assert all(q["MetricStat"]["Period"] == 1_209_600 for q in queries)


# -- errors ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (client_error("AccessDenied"), "denied"),
        (client_error("UnauthorizedOperation"), "denied"),
        (client_error("ExpiredToken"), "credentials"),
        (client_error("OptInRequired"), "opt_in"),
        (client_error("ThrottlingException"), "throttled"),
        (client_error("500", "<!doctype html><html><title>500 Internal Server Error</title>"), "unsupported"),
        (client_error("InternalFailure"), "error"),
        (NotImplementedError("The describe action has not been implemented"), "unsupported"),
        (EndpointUnsupported("HTTP 500 with an HTML body"), "unsupported"),
        (
            ResponseParserError("Unable to parse response, invalid XML received:\nb'<!doctype html>\\n<html lang=en>"),
            "unsupported",
        ),
        (NoCredentialsError(), "credentials"),
        (UnauthorizedSSOTokenError(), "credentials"),
        (RetryBudgetExceeded("Throttling", 50), "throttled"),
        (RuntimeError("boom"), "error"),
    ],
)
def test_classify(exc: BaseException, kind: str) -> None:
    assert classify(exc) == kind


def test_messages_name_account_region_and_fix() -> None:
    _, denied = describe(client_error("AccessDenied"), "rds:DescribeDBInstances", WHERE)
    assert denied.startswith(
        "access denied to rds:DescribeDBInstances in account 111122223333 (prod), region eu-west-1"
    )
    _, sso = describe(UnauthorizedSSOTokenError(), "sts:GetCallerIdentity", Where("", profile="dev"))
    assert "the account of profile dev" in sso and "`aws sso login --profile dev`" in sso
    kind, assume = describe(client_error("AccessDenied", "not authorized"), "sts:AssumeRole", Where("444455556666"))
    assert kind == "assume_role" and "cannot assume the collection role in account 444455556666" in assume
    _, opt_in = describe(client_error("OptInRequired"), "ec2:DescribeInstances", WHERE)
    assert "eu-west-1 is not enabled for account 111122223333 (prod)" in opt_in
    _, other = describe(client_error("InvalidParameterValue", "bad marker"), "rds:DescribeDBInstances", WHERE)
    assert other == (
        "rds:DescribeDBInstances failed in account 111122223333 (prod), region eu-west-1: "
        "InvalidParameterValue: bad marker"
    )


def test_same_failure_in_many_regions_is_one_warning() -> None:
    results = Results()
    for region in ("us-east-1", "eu-west-1"):
        where = Where("1", None, region, "rds")
        results.fault(Fault(where, "rds:X", "denied", describe(client_error("AccessDenied"), "rds:X", where)[1]))
    results.fault(Fault(Where("2", None, None, "sts"), "sts:AssumeRole", "assume_role", "cannot assume"))
    first, second = results.warnings()
    assert first.scope == "1/eu-west-1,us-east-1/rds" and "regions eu-west-1, us-east-1" in first.message
    assert second.scope == "2/sts"


class _Http:
    def __init__(self, status: int, content: bytes) -> None:
        self.status_code, self.content = status, content


def test_retry_guard_stops_html_500_and_spent_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    from awsinv_mcp.inventory.aws import fanout

    with pytest.raises(EndpointUnsupported):
        _guard_retry(response=(_Http(500, b"<!doctype html><html>"), {"Error": {"Code": "500"}}), request_dict={})
    _guard_retry(
        response=(_Http(500, b"<Error><Code>InternalError</Code></Error>"), {"Error": {"Code": "InternalError"}})
    )
    monkeypatch.setattr(fanout, "RETRY_BUDGET_S", 1.0)
    old = {"context": {"awsinv_started": time.monotonic() - 2}}
    with pytest.raises(RetryBudgetExceeded):
        _guard_retry(response=(_Http(400, b""), {"Error": {"Code": "Throttling"}}), request_dict=old)
    _guard_retry(response=(_Http(200, b""), {}), request_dict=old)  # success: nothing to stop


# -- fan-out --------------------------------------------------------------------------------------------
def test_token_bucket_paces_requests() -> None:
    bucket = TokenBucket(rate=100.0, burst=2)
    started = time.monotonic()
    for _ in range(7):
        bucket.acquire()
    assert time.monotonic() - started >= 0.045  # 5 tokens beyond the burst at 100/s


def test_fan_out_runs_spawned_tasks_and_reports_finished_units() -> None:
    done: list[tuple[str, str]] = []
    seen: list[str] = []
    pool = FanOut(4, on_unit_done=done.append, on_error=lambda unit, exc: seen.append(f"error {unit}"))

    def region(name: str) -> None:
        time.sleep(0.01)
        seen.append(name)

    def setup() -> None:
        pool.spawn_all(("a", "r1"), [lambda: region("r1-x"), lambda: region("r1-y")])
        pool.spawn(("a", "r2"), lambda: 1 / 0)

    pool.spawn(("a", "setup"), setup)
    pool.wait()
    assert sorted(seen) == ["error ('a', 'r2')", "r1-x", "r1-y"]
    assert sorted(done) == [("a", "r1"), ("a", "r2"), ("a", "setup")]


def test_replica_backtrack_and_cluster_upgrade_settings_are_kept() -> None:
    """The DescribeDBInstances / DescribeDBClusters keys the Prowler-parity rules read (docs/rules.md, parity)."""
    replica = rds.db_instance_record(
        {"DBInstanceIdentifier": "orders-ro", "Engine": "postgres", "ReadReplicaSourceDBInstanceIdentifier": "orders"},
        account="111111111111", region="eu-west-1", settings=SETTINGS, subnet_groups={},
    )  # fmt: skip
    assert replica.replica_source == "orders"
    aurora = rds.db_cluster_record(
        {"DBClusterIdentifier": "auth", "Engine": "aurora-mysql", "BacktrackWindow": 86400},
        account="111111111111", region="eu-west-1", settings=SETTINGS, subnet_groups={},
    )  # fmt: skip
    assert aurora.backtrack_window_s == 86400 and aurora.auto_minor_version_upgrade is None
    multi_az = rds.db_cluster_record(
        {"DBClusterIdentifier": "ledger", "Engine": "postgres", "MultiAZ": True, "AutoMinorVersionUpgrade": False},
        account="111111111111", region="eu-west-1", settings=SETTINGS, subnet_groups={},
    )  # fmt: skip
    assert multi_az.auto_minor_version_upgrade is False and multi_az.backtrack_window_s == 0
