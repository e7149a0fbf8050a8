"""Cost Explorer through boto3: paginated, cached (every request costs the caller $0.01), counted.

`CostExplorer.cost_and_usage(request)` and `.forecast(request)` return `Fetched(result, requests,
fetched_at)`: `requests` is how many Cost Explorer requests *this call* made (0 when the answer came
from the cache). Answers are cached for `settings.cost_cache_ttl` seconds keyed by the full request,
and concurrent identical calls wait for one fetch instead of paying twice. AWS errors become
`UpstreamError`s that say what to do (enable Cost Explorer, grant `ce:` permissions, ...).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cachetools import TTLCache

from awsinv_mcp.config import Settings
from awsinv_mcp.errors import UpstreamError, UserError, upstream_text

log = logging.getLogger("awsinv_mcp.cost")

CE_REGION = "us-east-1"  # Cost Explorer's only endpoint (aws partition)
MAX_PAGES = 50

NOT_ENABLED = (
    "Cost Explorer is not enabled for this account (or was enabled less than 24 hours ago, and its data "
    "is still being prepared). Enable it in the AWS console: Billing and Cost Management > Cost Explorer "
    "> Launch Cost Explorer, as the management account or an IAM user with billing access; costs appear "
    "within 24 hours."
)


def _permission_message(operation: str) -> str:
    action = {"GetCostAndUsage": "ce:GetCostAndUsage", "GetCostForecast": "ce:GetCostForecast"}.get(
        operation, f"ce:{operation}"
    )
    return (
        f"access denied to Cost Explorer: the AWS identity in use lacks {action}. Grant it "
        "(e.g. with a policy allowing ce:GetCostAndUsage and ce:GetCostForecast on '*'); in a member "
        "account of an AWS Organization, the management account must also allow member accounts to see "
        "Cost Explorer."
    )


def translate_error(exc: Exception, operation: str) -> UserError:
    """A clear, secret-free message for a failed Cost Explorer call."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", ""), upstream_text(str(error.get("Message", "")))
        if code == "DataUnavailableException" or "not enabled" in message.lower():
            return UpstreamError(NOT_ENABLED)
        if code in ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation"):
            return UpstreamError(_permission_message(operation))
        if code == "LimitExceededException":
            return UpstreamError("Cost Explorer is throttling requests (LimitExceeded); retry in a minute")
        if code == "RequestChangedException":
            return UpstreamError("Cost Explorer data changed while paging; call again")
        if code == "BillExpirationException":
            return UpstreamError("that period is older than Cost Explorer keeps (13 months, 38 with multi-year data)")
        if code == "ValidationException":
            return UserError(f"Cost Explorer rejected the request: {message}")
        return UpstreamError(f"Cost Explorer {operation} failed ({code or 'error'}): {message}".rstrip(": "))
    if isinstance(exc, NoCredentialsError):
        return UpstreamError("no AWS credentials: set AWS_PROFILE (or the usual chain) to read Cost Explorer")
    if isinstance(exc, BotoCoreError):
        return UpstreamError(f"Cost Explorer {operation} failed: {type(exc).__name__}")
    raise exc


@dataclass(frozen=True, slots=True)
class Fetched:
    result: dict[str, Any]
    requests: int
    fetched_at: datetime


def request_key(operation: str, request: dict[str, Any]) -> str:
    return operation + ":" + json.dumps(request, sort_keys=True, separators=(",", ":"))


class CostExplorer:
    """One Cost Explorer client with a TTL cache of answers and a request counter."""

    def __init__(
        self, settings: Settings, client: Any | None = None, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self._client = client
        self._cache: TTLCache[str, Fetched] = TTLCache(
            maxsize=512, ttl=max(settings.cost_cache_ttl, 0.001), timer=timer
        )
        self._lock = threading.Lock()
        self._key_locks: dict[str, threading.Lock] = {}
        self.requests_made = 0  # over this object's life

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            config = Config(retries={"mode": "adaptive", "max_attempts": 5}, user_agent_extra="awsinv-mcp")
            self._client = boto3.client("ce", region_name=CE_REGION, config=config)
        return self._client

    def cost_and_usage(self, request: dict[str, Any]) -> Fetched:
        """`get_cost_and_usage` over every page: ResultsByTime and DimensionValueAttributes concatenated."""
        return self._cached("GetCostAndUsage", request, self._fetch_cost_and_usage)

    def forecast(self, request: dict[str, Any]) -> Fetched:
        """`get_cost_forecast` (one request, no pages)."""
        return self._cached("GetCostForecast", request, self._fetch_forecast)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def _cached(self, operation: str, request: dict[str, Any], fetch: Any) -> Fetched:
        key = request_key(operation, request)
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                return Fetched(hit.result, 0, hit.fetched_at)
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                hit = self._cache.get(key)
            if hit is not None:
                return Fetched(hit.result, 0, hit.fetched_at)
            try:
                result, count = fetch(request)
            except Exception as exc:
                raise translate_error(exc, operation) from None
            fetched = Fetched(result, count, datetime.now(UTC))
            with self._lock:
                self._cache[key] = fetched
                self._key_locks.pop(key, None)
            return fetched

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        with self._lock:
            self.requests_made += 1
        log.debug("Cost Explorer %s", method)
        return getattr(self.client, method)(**kwargs)

    def _fetch_cost_and_usage(self, request: dict[str, Any]) -> tuple[dict[str, Any], int]:
        results: list[dict[str, Any]] = []
        attributes: list[dict[str, Any]] = []
        token: str | None = None
        count = 0
        while True:
            page = self._call("get_cost_and_usage", **request, **({"NextPageToken": token} if token else {}))
            count += 1
            results.extend(page.get("ResultsByTime", []))
            attributes.extend(page.get("DimensionValueAttributes", []))
            token = page.get("NextPageToken")
            if not token:
                break
            if count >= MAX_PAGES:
                raise UpstreamError(f"Cost Explorer answered more than {MAX_PAGES} pages; narrow the request")
        return {"ResultsByTime": results, "DimensionValueAttributes": attributes}, count

    def _fetch_forecast(self, request: dict[str, Any]) -> tuple[dict[str, Any], int]:
        return self._call("get_cost_forecast", **request), 1
