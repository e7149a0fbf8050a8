"""Many accounts: Organizations discovery, role ARNs, profiles, refreshable assumed-role credentials and
accounts that cannot be reached (moto in-process; member accounts are separate moto backends)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.aws import collector
from awsinv_mcp.inventory.aws.collector import collect
from tests.aws_support import Faults, db_instance, moto_creds, moto_env, real_warnings  # noqa: F401 (fixture)

CALLER = "123456789012"
ROLE = "OrganizationAccountAccessRole"


def _member_session(boto3: Any, account: str) -> Any:
    creds = boto3.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="setup")[
        "Credentials"
    ]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    ), creds


@pytest.fixture(scope="module")
def org() -> Iterator[dict[str, Any]]:
    """An organization: the caller (management) and members 'payments-prod' (in OU prod) and 'sandbox'."""
    with moto_env() as mp:
        import boto3
        from moto import mock_aws

        with mock_aws():
            client = boto3.client("organizations")
            client.create_organization(FeatureSet="ALL")
            root = client.list_roots()["Roots"][0]["Id"]
            ou = client.create_organizational_unit(ParentId=root, Name="prod")["OrganizationalUnit"]["Id"]
            ids, creds = {}, {}
            for name in ("payments-prod", "sandbox"):
                account = client.create_account(Email=f"{name}@example.com", AccountName=name)
                ids[name] = account["CreateAccountStatus"]["AccountId"]
            client.move_account(AccountId=ids["payments-prod"], SourceParentId=root, DestinationParentId=ou)
            db_instance(boto3.client("rds", region_name="us-east-1"), "mgmt-db")
            for name, account in ids.items():
                session, creds[name] = _member_session(boto3, account)
                db_instance(session.client("rds"), f"{name}-db")
            yield {"ids": ids, "ou": ou, "creds": creds, "mp": mp}


pytestmark = pytest.mark.usefixtures("moto_creds")  # conftest clears AWS variables; the moto estate needs them


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Collect only DB instances per region (account discovery is what these tests exercise)."""
    monkeypatch.setattr(collector, "REGION_TASKS", (("rds", collector.rds.collect_databases),))


def _settings(**kwargs: Any) -> Settings:
    return Settings(source="aws", regions=["us-east-1"], **kwargs)


def _dbs(snap) -> dict[str, str]:
    return {d.identifier: d.account for d in snap.db_instances}


def test_organization_fan_out_with_external_id(org, quick) -> None:
    ids = org["ids"]
    faults = Faults()
    progress: list[tuple[int, int, str]] = []
    snap = collect(
        _settings(org_role=ROLE, external_id="ext-123", role_session_name="inventory-run"),
        lambda *a: progress.append(a),
        hook=faults,
    )
    assert _dbs(snap) == {"mgmt-db": CALLER, "payments-prod-db": ids["payments-prod"], "sandbox-db": ids["sandbox"]}
    accounts = {a.id: a for a in snap.accounts}
    assert set(accounts) == {CALLER, *ids.values()}
    assert accounts[ids["payments-prod"]].alias == "payments-prod"  # the Organizations name (no IAM alias)
    assert accounts[ids["payments-prod"]].environment == "production"
    assert accounts[ids["sandbox"]].environment == "sandbox"
    assert not real_warnings(snap)
    assert faults.count("sts", "AssumeRole") == 2  # members only; the caller uses its own credentials
    assert len(progress) == 6 and progress[-1][:2] == (6, 6)  # 3 accounts x (1 region + S3)
    assert any(f"{ids['sandbox']} (sandbox) us-east-1" in p[2] for p in progress)


def test_assume_role_parameters(org, quick) -> None:
    bodies: list[dict[str, list[str]]] = []

    def hook(client: Any, account: str, region: str) -> None:
        def capture(request: Any, **_: Any) -> None:
            bodies.append(parse_qs(request.body.decode() if isinstance(request.body, bytes) else request.body))

        client.meta.events.register_first("before-send.sts.AssumeRole", capture)

    collect(_settings(org_role=ROLE, external_id="ext-123", role_session_name="inventory-run"), hook=hook)
    assert len(bodies) == 2
    assert all(b["ExternalId"] == ["ext-123"] and b["RoleSessionName"] == ["inventory-run"] for b in bodies)
    assert {b["RoleArn"][0] for b in bodies} == {f"arn:aws:iam::{a}:role/{ROLE}" for a in org["ids"].values()}


def test_organization_allow_list_and_ou_filter(org, quick) -> None:
    ids = org["ids"]
    allowed = collect(_settings(org_role=ROLE, org_accounts=[ids["sandbox"]]))
    assert {a.id for a in allowed.accounts} == {CALLER, ids["sandbox"]}
    in_ou = collect(_settings(org_role=ROLE, org_ous=[org["ou"]]))
    assert {a.id for a in in_ou.accounts} == {CALLER, ids["payments-prod"]}
    assert set(_dbs(in_ou)) == {"mgmt-db", "payments-prod-db"}


def test_an_account_whose_role_cannot_be_assumed(org, quick) -> None:
    ids = org["ids"]
    sandbox = ids["sandbox"]
    faults = Faults()
    faults.add(
        lambda s, o, a, r, request: o == "AssumeRole" and sandbox in str(request.body), "AccessDenied", status=403
    )
    snap = collect(_settings(org_role=ROLE), hook=faults)
    assert set(_dbs(snap)) == {"mgmt-db", "payments-prod-db"}
    assert sandbox not in {a.id for a in snap.accounts}
    (warning,) = real_warnings(snap)
    assert warning.scope == f"{sandbox}/sts"
    assert f"cannot assume the collection role in account {sandbox} (sandbox)" in warning.message
    assert "trust policy" in warning.message


def test_role_arns_collect_each_account_once(org, quick) -> None:
    ids = org["ids"]
    arns = [f"arn:aws:iam::{ids['sandbox']}:role/{ROLE}", f"arn:aws:iam::{CALLER}:role/{ROLE}", "not-an-arn"]
    faults = Faults()
    snap = collect(_settings(role_arns=arns, org_role=ROLE, org_accounts=[ids["sandbox"]]), hook=faults)
    assert [a.id for a in snap.accounts] == sorted([CALLER, ids["sandbox"]])
    assert sorted(_dbs(snap)) == ["mgmt-db", "sandbox-db"]
    assert faults.count("sts", "AssumeRole") == 1
    (warning,) = real_warnings(snap)
    assert "'not-an-arn' is not an IAM role ARN" in warning.message


def test_profiles(org, quick, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    creds = org["creds"]["payments-prod"]
    config = tmp_path / "config"
    config.write_text(
        "[profile member]\nregion = us-east-1\n"
        f"aws_access_key_id = {creds['AccessKeyId']}\naws_secret_access_key = {creds['SecretAccessKey']}\n"
        f"aws_session_token = {creds['SessionToken']}\n"
        "[profile same]\nregion = us-east-1\naws_access_key_id = testing\naws_secret_access_key = testing\n"
        "[profile sso-dev]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n"
        "sso_account_id = 111111111111\nsso_role_name = ReadOnly\nregion = us-east-1\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("HOME", str(tmp_path))  # no SSO token cache
    snap = collect(_settings(profiles=["member", "same", "sso-dev"]))
    assert {a.id for a in snap.accounts} == {CALLER, org["ids"]["payments-prod"]}, snap.warnings
    assert sorted(_dbs(snap)) == ["mgmt-db", "payments-prod-db"]
    (warning,) = real_warnings(snap)
    assert warning.scope == "profile sso-dev/sts"
    assert "the account of profile sso-dev" in warning.message
    assert "`aws sso login --profile sso-dev`" in warning.message


def test_assumed_credentials_refresh_before_expiry(org) -> None:
    import boto3
    from botocore.credentials import RefreshableCredentials

    from awsinv_mcp.inventory.aws.sessions import SessionMaker

    calls = []
    sts = boto3.client("sts", region_name="us-east-1")
    sts.meta.events.register("before-send.sts.AssumeRole", lambda **_: calls.append(1))
    arn = f"arn:aws:iam::{org['ids']['sandbox']}:role/{ROLE}"
    session = SessionMaker().assumed(sts, arn, _settings(), "us-east-1")
    credentials = session.get_credentials()
    assert isinstance(credentials, RefreshableCredentials) and len(calls) == 1
    assert session.client("sts").get_caller_identity()["Account"] == org["ids"]["sandbox"]
    credentials._expiry_time = datetime.now(UTC) + timedelta(seconds=30)  # inside the mandatory refresh window
    frozen = credentials.get_frozen_credentials()
    assert len(calls) == 2 and frozen.access_key
    assert credentials._expiry_time > datetime.now(UTC) + timedelta(minutes=10)


def test_no_credentials_gives_one_clear_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_env() as mp:
        mp.delenv("AWS_ACCESS_KEY_ID")
        mp.delenv("AWS_SECRET_ACCESS_KEY")
        snap = collect(_settings(role_arns=[f"arn:aws:iam::{CALLER}1:role/x"]))
    assert snap.accounts == () and snap.db_instances == ()
    (warning,) = real_warnings(snap)
    assert warning.scope == "caller/sts"
    assert "expired or invalid (NoCredentialsError)" in warning.message and "`aws sso login`" in warning.message


def test_profiles_missing_from_the_config_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "gone")
    snap = collect(_settings(profiles=["also-gone"]))
    assert snap.accounts == ()
    assert {w.scope: w.message for w in snap.warnings} == {
        f"profile {name}/sts": f"The config profile ({name}) could not be found: check AWS_PROFILE / AWSINV_PROFILES "
        "against the profiles in the AWS config file (~/.aws/config or AWS_CONFIG_FILE)"
        for name in ("gone", "also-gone")
    }
