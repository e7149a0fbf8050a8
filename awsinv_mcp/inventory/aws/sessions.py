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

Client construction and per-call botocore overhead are most of the CPU a large fan-out spends (100 accounts
x 17 regions x 3 services is 5,100 clients), so our sessions share, process-wide and across collections:
one botocore data loader (service models, paginators and endpoint rules parsed once, the data directory
listed once), one service model and client class per service (botocore otherwise rebuilds both for every
client), and one event-name alias cache (botocore otherwise re-derives every event name per client). Their
responses parse timestamps with `datetime.fromisoformat` (dateutil is the slow part of parsing).
"""

from __future__ import annotations

import copy
import functools
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.aws.context import Scope, Target

if TYPE_CHECKING:
    import boto3
    from botocore.client import BaseClient

log = logging.getLogger("awsinv_mcp.inventory.aws")


_OUR_EMITTERS: weakref.WeakSet[Any] = weakref.WeakSet()
_SHARED: dict[tuple[str, str, str | None], Any] = {}
_SHARED_LOCK = threading.Lock()
_LOADERS: dict[str | None, Any] = {}
_RECENT_RULESETS = 32  # endpoint providers kept (one per service and loader)
_ALIASES: dict[str, str] = {}  # event name -> aliased name; a pure function of botocore's fixed alias table


def shared_loader() -> Any:
    """The process-wide botocore data loader for the current AWS_DATA_PATH (its caches survive collections)."""
    import os

    from botocore.loaders import create_loader

    path = os.environ.get("AWS_DATA_PATH")
    with _SHARED_LOCK:
        loader = _LOADERS.get(path)
        if loader is None:
            loader = _LOADERS[path] = create_loader(path)
        return loader


def fast_timestamp(value: Any) -> Any:
    """botocore timestamp parser: ISO 8601 via `datetime.fromisoformat` (UTC when no offset), else botocore's."""
    from datetime import UTC, datetime

    from botocore.utils import parse_timestamp

    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return parse_timestamp(value)
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    return parse_timestamp(value)


def _shared(name: str, original: Any, key: Any) -> Any:
    """`original` (a ClientCreator method), memoised by `key(args)` for clients of our own sessions only."""

    def method(self: Any, *args: Any) -> Any:
        if self._event_emitter not in _OUR_EMITTERS:
            return original(self, *args)
        cache_key = (name, *key(*args))
        with _SHARED_LOCK:
            found = _SHARED.get(cache_key)
        if found is None:
            found = original(self, *args)
            with _SHARED_LOCK:
                found = _SHARED.setdefault(cache_key, found)
        return found

    method.awsinv_shared = True  # type: ignore[attr-defined]
    return method


def _share_client_parts(session: Any) -> None:
    """Clients of `session` reuse one service model and one client class per service (botocore otherwise
    rebuilds both, with hundreds of operations for EC2, for every client). Other botocore users are unaffected."""
    from botocore.client import ClientCreator

    emitter = session.get_component("event_emitter")
    _OUR_EMITTERS.add(emitter)
    _share_aliases(emitter)
    session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=fast_timestamp)
    patches = {
        "_load_service_model": lambda service, api_version=None: (service, api_version),
        "_create_client_class": lambda service, model: (service, model.api_version),
    }
    for name, key in patches.items():
        original = ClientCreator.__dict__.get(name)
        if original is not None and not getattr(original, "awsinv_shared", False):
            setattr(ClientCreator, name, _shared(name, original, key))
    _share_endpoint_providers()


def _share_endpoint_providers() -> None:
    """Clients built from the same endpoint rule set (same loaded data) share one `EndpointProvider`.

    botocore parses the rule set into a rule tree for every client (a third of a client's cost) although a
    provider is a pure function of its rule set, partitions and parameters, with its own resolution cache;
    sharing it also shares resolved endpoints between clients of a service. The few most recent rule sets
    are kept, by identity, so data of other loaders (other botocore users) is never held for long.
    """
    import botocore.regions

    original = botocore.regions.EndpointProvider
    if getattr(original, "awsinv_shared", False):
        return
    recent: OrderedDict[tuple[int, int, Any], tuple[Any, Any, Any]] = OrderedDict()

    def provider(ruleset_data: Any, partition_data: Any, excluded_params: Any = None) -> Any:
        key = (id(ruleset_data), id(partition_data), frozenset(excluded_params or ()))
        with _SHARED_LOCK:
            found = recent.get(key)
            if found is not None and found[0] is ruleset_data and found[1] is partition_data:
                recent.move_to_end(key)
                return found[2]
        made = original(ruleset_data=ruleset_data, partition_data=partition_data, excluded_params=excluded_params)
        with _SHARED_LOCK:
            recent[key] = (ruleset_data, partition_data, made)
            while len(recent) > _RECENT_RULESETS:
                recent.popitem(last=False)
        return made

    provider.awsinv_shared = True  # type: ignore[attr-defined]
    botocore.regions.EndpointProvider = provider


def _share_aliases(emitter: Any) -> None:
    """Copies of `emitter` (one per client) share one alias cache with every other client of ours."""
    from botocore.hooks import EventAliaser
    from botocore.utils import EVENT_ALIASES

    if type(emitter) is EventAliaser and emitter._event_aliases is EVENT_ALIASES:  # else customised: leave it
        emitter.__class__ = _shared_aliaser_class()
        emitter._alias_name_cache = _ALIASES


@functools.cache
def _shared_aliaser_class() -> type:
    from botocore.hooks import EventAliaser

    class SharedAliases(EventAliaser):  # type: ignore[misc]
        """An EventAliaser whose copies keep its alias table and alias cache (botocore copies both)."""

        def __copy__(self) -> Any:
            new = SharedAliases(copy.copy(self._emitter), self._event_aliases)
            new._alias_name_cache = self._alias_name_cache
            return new

    return SharedAliases


class SessionMaker:
    """Builds boto3 sessions that share one data loader and one client class per service."""

    def __init__(self) -> None:
        import botocore.session

        # built from AWS_DATA_PATH directly: asking the session would read the config (and fail on a bad AWS_PROFILE)
        self._loader = shared_loader()
        self._root = botocore.session.Session()
        self._root.register_component("data_loader", self._loader)
        _share_client_parts(self._root)

    def _botocore(self, profile: str | None = None) -> Any:
        import botocore.session

        session = botocore.session.Session(profile=profile)
        session.register_component("data_loader", self._loader)
        _share_client_parts(session)
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
