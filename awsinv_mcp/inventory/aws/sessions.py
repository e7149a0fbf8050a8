"""Accounts to collect and the sessions that reach them.

- The caller's own account (the default credential chain: AWS_PROFILE, environment, SSO, instance role),
  collected once even when a profile, role ARN or Organizations listing names it again.
- `AWSINV_PROFILES`: named profiles, each a session of its own.
- `AWSINV_ROLE_ARNS`: roles assumed from the caller's credentials.
- `AWSINV_ORG_ROLE`: a role name assumed in every ACTIVE member account that AWS Organizations lists
  (from the management or a delegated-admin account), narrowed by `AWSINV_ORG_ACCOUNTS` and `AWSINV_ORG_OUS`.

Assumed-role credentials are botocore `RefreshableCredentials`: re-assumed shortly before they expire, so
long collections and long-running servers keep working. `AWSINV_EXTERNAL_ID` and
`AWSINV_ROLE_SESSION_NAME` go into every AssumeRole call.

Our sessions share botocore's parsed data and per-service parts process-wide (`botocore_sharing`): client
construction and per-call overhead are most of the CPU a large fan-out spends.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.aws.botocore_sharing import share_client_parts, shared_loader
from awsinv_mcp.inventory.aws.context import Scope, Target

if TYPE_CHECKING:
    import boto3
    from botocore.client import BaseClient

log = logging.getLogger("awsinv_mcp.inventory.aws")


class SessionMaker:
    """Builds boto3 sessions; with `share=True` (AWSINV_SHARE_BOTOCORE) they share one data loader and one client
    class per service through `botocore_sharing` (botocore internals, guarded by tests/test_aws_sharing.py)."""

    def __init__(self, *, share: bool = False) -> None:

        self._share = share
        # built from AWS_DATA_PATH directly: asking the session would read the config (and fail on a bad AWS_PROFILE)
        self._loader = shared_loader() if share else None
        self._root = self._botocore()

    def _botocore(self, profile: str | None = None) -> Any:
        import botocore.session

        session = botocore.session.Session(profile=profile)
        if self._share:
            session.register_component("data_loader", self._loader)
            share_client_parts(session)
        return session

    def default(self) -> boto3.Session:
        """The default credential chain (honours AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL)."""
        import boto3

        return boto3.Session(botocore_session=self._root)

    def profile(self, name: str) -> boto3.Session:
        import boto3

        return boto3.Session(botocore_session=self._botocore(name))

    def assumed(self, sts: BaseClient, role_arn: str, settings: Settings, region: str | None) -> boto3.Session:
        """A session on `role_arn`'s credentials, assumed now (raising on failure) and refreshed before expiry."""
        import boto3
        from botocore.credentials import CredentialProvider, CredentialResolver, RefreshableCredentials

        params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": settings.role_session_name}
        if settings.external_id is not None:
            params["ExternalId"] = settings.external_id.get_secret_value()

        def fetch() -> dict[str, str]:
            creds = sts.assume_role(**params)["Credentials"]
            return {
                "access_key": creds["AccessKeyId"],
                "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": creds["Expiration"].isoformat(),
            }

        credentials = RefreshableCredentials.create_from_metadata(
            metadata=fetch(), refresh_using=fetch, method="sts-assume-role"
        )

        class Assumed(CredentialProvider):
            METHOD = "sts-assume-role"

            def load(self) -> RefreshableCredentials:
                return credentials

        session = self._botocore()
        session.register_component("credential_provider", CredentialResolver([Assumed()]))
        return boto3.Session(botocore_session=session, region_name=region)


def role_account(role_arn: str) -> str | None:
    """The account id in `arn:aws:iam::123456789012:role/Name` (None when malformed)."""
    parts = role_arn.split(":")
    if len(parts) >= 6 and parts[2] == "iam" and parts[4].isdigit() and len(parts[4]) == 12:
        return parts[4]
    return None


def partition_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[1] if len(parts) > 2 and parts[1] else "aws"


def identify(scope: Scope) -> dict[str, str] | None:
    """sts:GetCallerIdentity of the scope's session (None, with a fault, when credentials do not work)."""
    home = scope.target.home_region
    return scope.fetch("sts:GetCallerIdentity", lambda: scope.client("sts", home).get_caller_identity(), None)


def account_alias(scope: Scope) -> str | None:
    """The account's IAM alias; None when it has none or iam:ListAccountAliases is denied (not an error)."""
    scope.results.called("iam:ListAccountAliases")
    try:
        iam = scope.client("iam", scope.target.home_region)
        aliases = iam.list_account_aliases().get("AccountAliases") or []
    except Exception as exc:
        log.info("no account alias for %s: %s", scope.account, exc)
        return None
    return aliases[0] if aliases else None


def _accounts_under(org: BaseClient, scope: Scope, parent: str) -> Iterator[dict[str, Any]]:
    """Accounts in organizational unit `parent` and all its child OUs."""
    yield from scope.pages(org, "list_accounts_for_parent", "Accounts", ParentId=parent)
    for child in scope.pages(org, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent):
        yield from _accounts_under(org, scope, child["Id"])


def org_members(scope: Scope) -> list[dict[str, Any]]:
    """ACTIVE member accounts of the caller's organization, narrowed by AWSINV_ORG_ACCOUNTS / AWSINV_ORG_OUS."""
    settings = scope.settings
    org = scope.client("organizations", scope.target.home_region)
    if settings.org_ous:
        listed = scope.fetch(
            "organizations:ListAccountsForParent",
            lambda: [a for ou in settings.org_ous for a in _accounts_under(org, scope, ou)],
            [],
        )
    else:
        listed = scope.fetch("organizations:ListAccounts", lambda: scope.pages(org, "list_accounts", "Accounts"), [])
    allow = set(settings.org_accounts)
    seen: set[str] = set()
    members = []
    for account in listed:
        active = account.get("State", account.get("Status", "ACTIVE")) == "ACTIVE"
        if active and account["Id"] not in seen and (not allow or account["Id"] in allow):
            seen.add(account["Id"])
            members.append(account)
    return members


def caller_target(maker: SessionMaker) -> Target:
    """The caller's target before its identity is known (id filled in by the collector)."""
    return Target(id="", session=maker.default(), origin="caller", profile=env_profile())


def env_profile() -> str | None:
    """AWS_PROFILE, the profile of the default credential chain (None when unset)."""
    import os

    return os.environ.get("AWS_PROFILE") or None
