"""Helpers for the AWS collector tests: moto environment, fault-injecting botocore hooks, small estates.

Faults are injected with a `before-send` hook registered first on each client the collector creates
(`collect(..., hook=...)`): it may add latency or answer with an AWS error body, exactly as AWS would.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

MOTO_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
CLEARED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION")


@contextmanager
def moto_env() -> Iterator[pytest.MonkeyPatch]:
    """Fake credentials and no AWS config (usable from module-scoped fixtures)."""
    with pytest.MonkeyPatch.context() as mp:
        for name in CLEARED:
            mp.delenv(name, raising=False)
        for name in [v for v in os.environ if v.startswith("AWSINV_")]:
            mp.delenv(name, raising=False)
        for name, value in MOTO_ENV.items():
            mp.setenv(name, value)
        yield mp


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


def error_response(service: str, code: str, message: str = "injected", status: int = 400) -> Any:
    """An AWSResponse carrying `code` in the body format of `service`'s protocol."""
    from botocore.awsrequest import AWSResponse

    if service == "ec2":
        body = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors></Response>"
    elif service in ("s3", "s3control"):
        body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    else:
        error = f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        body = f"<ErrorResponse>{error}</ErrorResponse>"
    return AWSResponse("https://injected", status, {}, _Raw(body.encode()))


Match = Callable[[str, str, str, str, Any], bool]
"""match(service, operation, account, region, request) -> inject?"""


@dataclass
class Rule:
    match: Match
    code: str | None = None  # error code to answer with (None: only latency)
    status: int = 400
    times: int | None = None  # how many requests to fault (None: all)
    delay: float = 0.0
    exception: Callable[[], Exception] | None = None  # raise this instead of answering (network faults)
    hits: int = 0


@dataclass
class Faults:
    """A client hook that injects latency and AWS errors, and counts every request it sees."""

    rules: list[Rule] = field(default_factory=list)
    requests: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, match: Match, code: str | None = None, **kwargs: Any) -> Rule:
        rule = Rule(match, code, **kwargs)
        self.rules.append(rule)
        return rule

    def __call__(self, client: Any, account: str, region: str) -> None:
        service = client.meta.service_model.service_name

        def before_send(request: Any, event_name: str = "", **_: Any) -> Any:
            operation = event_name.rsplit(".", 1)[-1]
            with self._lock:
                self.requests[(service, operation, account, region)] += 1
                rule = next(
                    (
                        r
                        for r in self.rules
                        if (r.times is None or r.hits < r.times)
                        and r.match(service, operation, account, region, request)
                    ),
                    None,
                )
                if rule is not None:
                    rule.hits += 1
            if rule is None:
                return None
            if rule.delay:
                time.sleep(rule.delay)
            if rule.exception is not None:
                raise rule.exception()
            return error_response(service, rule.code, status=rule.status) if rule.code else None

        client.meta.events.register_first("before-send", before_send)

    def count(self, service: str, operation: str) -> int:
        return sum(n for (s, o, _, _), n in self.requests.items() if (s, o) == (service, operation))


def op(service: str, operation: str, region: str | None = None, account: str | None = None) -> Match:
    """Match one API operation, optionally only in one region / account."""

    def match(s: str, o: str, a: str, r: str, _: Any) -> bool:
        return s == service and o == operation and region in (None, r) and account in (None, a)

    return match


@pytest.fixture
def moto_creds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake moto credentials again, for tests whose moto estate was built by a module fixture."""
    for name, value in MOTO_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def aws() -> Iterator[Any]:
    """moto in-process with fake credentials; yields the boto3 module."""
    with moto_env():
        import boto3
        from moto import mock_aws

        with mock_aws():
            yield boto3


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry backoff of 10 ms instead of up to 20 s, and no adaptive-mode send-rate slowdown after throttling
    (botocore's own pacing, down to 0.5 requests/s); the attempt count and our time budget stay as configured."""
    from botocore.retries.adaptive import ClientRateLimiter
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.01)
    monkeypatch.setattr(ClientRateLimiter, "on_sending_request", lambda self, request, **kwargs: None)


MOTO_GAPS = ("rds:DescribeReservedDBInstances", "rds:DescribeDBMajorEngineVersions", "s3:GetAccountPublicAccessBlock",
             "rds:DescribePendingMaintenanceActions")  # fmt: skip
"""APIs moto lacks, or (s3control) cannot answer through its standalone server."""


def real_warnings(snap: Any) -> list[Any]:
    """The snapshot's warnings except those for APIs moto does not implement."""
    return [w for w in snap.warnings if not any(gap in w.message for gap in MOTO_GAPS)]


def db_instance(rds: Any, identifier: str, engine: str = "postgres", **kwargs: Any) -> None:
    params = {
        "DBInstanceIdentifier": identifier,
        "Engine": engine,
        "DBInstanceClass": "db.t3.micro",
        "AllocatedStorage": 20,
        "MasterUsername": "admin_user",
        "MasterUserPassword": "not-a-secret-1",
    }
    params.update(kwargs)
    rds.create_db_instance(**params)
