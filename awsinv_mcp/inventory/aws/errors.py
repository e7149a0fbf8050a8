"""Turn botocore failures into specific, actionable warnings.

Every failure of one account, region or API call becomes a `Warning(scope, message)` whose message names
the account, the region, what happened and the fix: the missing IAM action, `aws sso login`, enabling an
opt-in region, lowering concurrency, or "unsupported by this endpoint" (moto and other emulators).
Messages never carry credentials: only codes, ARNs, actions and the service's own error text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from awsinv_mcp.errors import looks_like_html, upstream_text
from awsinv_mcp.models.inventory import Warning

Kind = Literal[
    "denied",
    "credentials",
    "profile",
    "config",
    "opt_in",
    "throttled",
    "unsupported",
    "network",
    "assume_role",
    "deadline",
    "error",
]

POLICY_HINT = "docs/iam-policy.json lists every action awsinv-mcp calls"

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "UnauthorizedAccess",
        "Forbidden",
        "AllAccessDisabled",
        "AccessDeniedForDependencyException",
        "403",
    }
)
CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "AuthFailure",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
        "InvalidToken",
        "TokenRefreshRequired",
        "IncompleteSignature",
        "MissingAuthenticationToken",
    }
)
THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "429",
    }
)
OPT_IN_CODES = frozenset({"OptInRequired", "InvalidRegion"})
UNSUPPORTED_CODES = frozenset({"NotImplemented", "InvalidAction", "UnknownOperationException", "UnsupportedOperation"})
CREDENTIAL_EXCEPTIONS = (
    "NoCredentialsError",
    "PartialCredentialsError",
    "CredentialRetrievalError",
    "TokenRetrievalError",
    "NoAuthTokenError",
    "SSOError",
    "SSOTokenLoadError",
    "UnauthorizedSSOTokenError",
    "LoginError",
)
CONFIG_EXCEPTIONS = ("ConfigParseError", "ConfigNotFound", "InvalidConfigError")
NETWORK_EXCEPTIONS = (
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ConnectionClosedError",
    "ProxyConnectionError",
    "SSLError",
)


class EndpointUnsupported(Exception):
    """The endpoint answered HTTP 500 with an HTML page: an emulator that does not implement the API."""


class RetryBudgetExceeded(Exception):
    """Retries of one call took longer than the time budget; carries the last error code."""

    def __init__(self, code: str, seconds: float) -> None:
        super().__init__(f"{code} after retrying for {seconds:.0f}s")
        self.code = code
        self.seconds = seconds


@dataclass(frozen=True, slots=True)
class Where:
    """The account, region and service a failure belongs to."""

    account: str
    alias: str | None = None
    region: str | None = None  # None: global (S3 listing, account setup)
    service: str | None = None
    profile: str | None = None  # the named profile whose credentials were used, if any

    @property
    def scope(self) -> str:
        parts = [self.account or (f"profile {self.profile}" if self.profile else "caller")]
        if self.region:
            parts.append(self.region)
        if self.service:
            parts.append(self.service)
        return "/".join(parts)

    @property
    def label(self) -> str:
        """'account 123456789012 (prod), region eu-west-1' for messages."""
        if self.account:
            name = f"account {self.account}"
        else:
            name = f"the account of profile {self.profile}" if self.profile else "the caller's account"
        if self.alias:
            name += f" ({self.alias})"
        return f"{name}, region {self.region}" if self.region else name


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a ClientError (None for other exceptions)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or "") or None
    return None


def _raw_message(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and response.get("Error", {}).get("Message"):
        return str(response["Error"]["Message"])
    return str(exc)


def _service_message(exc: BaseException) -> str:
    return upstream_text(_raw_message(exc)) or type(exc).__name__


def classify(exc: BaseException) -> Kind:
    """Which kind of failure `exc` is."""
    names = _class_names(exc)
    code = error_code(exc)
    if isinstance(exc, (NotImplementedError, EndpointUnsupported)):
        return "unsupported"
    if isinstance(exc, RetryBudgetExceeded):
        return "throttled" if exc.code in THROTTLE_CODES else "network"
    if code is not None:
        if code in DENIED_CODES:
            return "denied"
        if code in OPT_IN_CODES:
            return "opt_in"
        if code in CREDENTIAL_CODES:
            return "credentials"
        if code in THROTTLE_CODES:
            return "throttled"
        if code in UNSUPPORTED_CODES or (code.startswith("5") and looks_like_html(_raw_message(exc))):
            return "unsupported"
        return "error"
    if "ResponseParserError" in names and "html" in str(exc)[:400].lower():
        return "unsupported"
    if "ProfileNotFound" in names:
        return "profile"
    if names & set(CONFIG_EXCEPTIONS):
        return "config"
    if names & set(CREDENTIAL_EXCEPTIONS):
        return "credentials"
    if names & set(NETWORK_EXCEPTIONS):
        return "network"
    return "error"


def _login_fix(where: Where) -> str:
    if where.profile:
        return f"run `aws sso login --profile {where.profile}` (or renew that profile's keys), then refresh_inventory"
    return "run `aws sso login` (or renew the keys in AWS_PROFILE / the environment), then refresh_inventory"


def describe(exc: BaseException, action: str, where: Where) -> tuple[Kind, str]:
    """(kind, message) for `exc` raised by IAM `action` (e.g. 'rds:DescribeDBInstances') at `where`."""
    kind = classify(exc)
    detail = _service_message(exc)
    code = error_code(exc)
    if kind == "denied" and action == "sts:AssumeRole":
        kind = "assume_role"
    label = where.label
    if kind == "denied":
        message = f"access denied to {action} in {label}: allow {action} for the caller ({POLICY_HINT})"
    elif kind == "assume_role":
        message = (
            f"cannot assume the collection role in {label}: {detail}. Check that the role exists, that its "
            "trust policy allows the caller (and AWSINV_EXTERNAL_ID if it requires an external id), and that "
            "the caller may call sts:AssumeRole on it"
        )
    elif kind == "credentials":
        message = f"credentials for {label} are expired or invalid ({code or type(exc).__name__}): {_login_fix(where)}"
        if where.region:
            message += f"; if only {where.region} fails, it may be an opt-in region that is not enabled"
    elif kind == "profile":
        message = (
            f"{detail}: check AWS_PROFILE / AWSINV_PROFILES against the profiles in the AWS config file "
            "(~/.aws/config or AWS_CONFIG_FILE)"
        )
    elif kind == "config":
        message = (
            f"the AWS configuration cannot be read ({detail}): fix the file's syntax or permissions, or point "
            "AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at readable files, then refresh_inventory"
        )
    elif kind == "opt_in":
        account = Where(where.account, where.alias, None, where.service, where.profile).label
        message = (
            f"{where.region or 'the region'} is not enabled for {account}: enable it in the account's Regions "
            "settings or leave it out of AWSINV_REGIONS"
        )
    elif kind == "throttled":
        message = (
            f"{action} was throttled in {label} and still failed after bounded retries: lower "
            "AWSINV_MAX_CONCURRENCY or call refresh_inventory later"
        )
    elif kind == "unsupported":
        message = f"{action} is unsupported by this endpoint ({label}); that part of the inventory is skipped"
    elif kind == "network":
        message = (
            f"could not reach the {action.split(':')[0]} endpoint for {label} ({type(exc).__name__}: {detail}): "
            "check network access, proxies or VPC endpoints, then refresh_inventory"
        )
    else:
        message = f"{action} failed in {label}: {code + ': ' if code else ''}{detail}"
    return kind, message


def to_warning(exc: BaseException, action: str, where: Where) -> Warning:
    """The warning for `exc` raised by `action` at `where`."""
    return Warning(scope=where.scope, message=describe(exc, action, where)[1])
