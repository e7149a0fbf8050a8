"""What every collector works with: the account target, the thread-safe result sink and the per-task scope.

Collectors call AWS only through `Scope.fetch(action, fn, default)`: a failure of that one call becomes a
fault (later a warning naming account, region and fix) and the collector carries on with `default`.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from awsinv_mcp.config import Settings
from awsinv_mcp.errors import Cancelled
from awsinv_mcp.inventory.aws.errors import Kind, Where, describe, error_code
from awsinv_mcp.inventory.aws.fanout import ClientFactory
from awsinv_mcp.inventory.kinds import ResourceKind
from awsinv_mcp.models.inventory import Warning

if TYPE_CHECKING:
    import boto3
    from botocore.client import BaseClient

log = logging.getLogger("awsinv_mcp.inventory.aws")

T = TypeVar("T")


@dataclass
class Target:
    """One account to collect and the session whose credentials reach it."""

    id: str
    session: boto3.Session
    origin: str  # "caller", "profile NAME", "role ARN", "organizations"
    alias: str | None = None
    name: str | None = None  # the AWS Organizations account name
    profile: str | None = None
    partition: str = "aws"
    environment: str | None = None

    @property
    def home_region(self) -> str:
        """Region for global APIs (STS, IAM, S3 listing): the session's region, else us-east-1."""
        try:
            return self.session.region_name or "us-east-1"
        except Exception:  # a profile missing from the config: the first call reports it
            return "us-east-1"


@dataclass
class Fault:
    where: Where
    action: str
    kind: Kind
    message: str


@dataclass
class Results:
    """Thread-safe sink for records, faults and the IAM actions called."""

    records: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))  # kind name -> records
    faults: list[Fault] = field(default_factory=list)
    actions: set[str] = field(default_factory=set)
    cancel: threading.Event = field(default_factory=threading.Event)  # set: stop before the next AWS call
    stopped: threading.Event = field(default_factory=threading.Event)  # set at the deadline: no more calls or records
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: ResourceKind, items: list[Any]) -> None:
        self.add_named(kind.name, items)

    def add_named(self, name: str, items: list[Any]) -> None:
        """Records under `name` (a kind's name, or a list that is not a resource kind, e.g. orderable classes)."""
        if items and not self.stopped.is_set():
            with self._lock:
                self.records[name].extend(items)

    def fault(self, fault: Fault) -> None:
        log.warning("%s: %s", fault.where.scope, fault.message)
        with self._lock:
            self.faults.append(fault)

    def frozen(self) -> tuple[dict[str, list[Any]], list[Fault]]:
        """Copies of the records and faults so far (tasks past the deadline may still be running)."""
        with self._lock:
            return {k: list(v) for k, v in self.records.items()}, list(self.faults)

    def called(self, action: str) -> None:
        with self._lock:
            self.actions.add(action)

    def warnings(self) -> list[Warning]:
        """One warning per failure: faults of one cause are merged (see `_cause`), then across regions."""
        by_cause: dict[tuple[Any, ...], list[Fault]] = defaultdict(list)
        for f in self.frozen()[1]:
            by_cause[(*_cause(f), f.where.region)].append(f)
        merged: dict[tuple[Any, ...], list[list[Fault]]] = defaultdict(list)
        for faults in by_cause.values():
            merged[(*_cause(faults[0]), faults[0].where.region is None)].append(faults)
        out = []
        for group in merged.values():
            first = group[0][0]
            regions = sorted({fs[0].where.region for fs in group if fs[0].where.region})
            services = sorted({f.where.service for fs in group for f in fs if f.where.service})
            message = first.message
            if len(regions) > 1:
                message = message.replace(f"region {first.where.region}", f"regions {', '.join(regions)}")
            scope = first.where.scope
            if len(regions) > 1 or len(services) > 1:  # the account (or profile), the regions, the one service
                who = scope.split("/", 1)[0]
                scope = "/".join(p for p in (who, ",".join(regions), services[0] if len(services) == 1 else "") if p)
            failed = sum(len({f.action for f in fs}) for fs in group)
            if failed > 1:
                message += f" ({failed} calls failed this way)"
            out.append(Warning(scope=scope, message=message))
        return sorted(out, key=lambda w: (w.scope, w.message))


_PER_ACTION = frozenset({"denied", "unsupported", "opt_in"})  # each action is its own cause (its own permission or API)
_PER_SERVICE = frozenset({"denied", "unsupported", "opt_in", "throttled", "error"})


def _cause(f: Fault) -> tuple[Any, ...]:
    """What makes two faults one failure: the account and its credentials, the kind, and where the kind needs it,
    the service and action (an unreachable endpoint or expired credentials is one cause for every call)."""
    return (
        f.where.account,
        f.where.profile,
        f.kind,
        f.where.service if f.kind in _PER_SERVICE else None,
        f.action if f.kind in _PER_ACTION else None,
    )


class Scope:
    """One task's view: target account, region, service, clients and the result sink."""

    def __init__(
        self,
        target: Target,
        region: str | None,
        service: str,
        *,
        settings: Settings,
        clients: ClientFactory,
        results: Results,
    ) -> None:
        self.target = target
        self.region = region
        self.service = service
        self.settings = settings
        self.clients = clients
        self.results = results

    @property
    def account(self) -> str:
        return self.target.id

    @property
    def where(self) -> Where:
        t = self.target
        return Where(t.id, t.alias or t.name, self.region, self.service, t.profile)

    def with_service(self, service: str) -> Scope:
        return Scope(
            self.target, self.region, service, settings=self.settings, clients=self.clients, results=self.results
        )

    def client(self, service: str, region: str | None = None) -> BaseClient:
        return self.clients.get(self.target.session, self.target.id, service, region or self.region or "us-east-1")

    def fault(self, exc: BaseException, action: str) -> Kind:
        kind, message = describe(exc, action, self.where)
        if kind == "error":
            log.debug("%s failed", action, exc_info=exc)
        self.results.fault(Fault(self.where, action, kind, message))
        return kind

    def fetch(
        self, action: str, fn: Callable[[], T], default: T, *, tolerate: Callable[[str | None], bool] | None = None
    ) -> T:
        """`fn()`, or `default` with a fault recorded; `tolerate(error_code)` True means an expected answer.
        Raises `Cancelled` instead of calling once the collection is cancelled."""
        if self.results.cancel.is_set() or self.results.stopped.is_set():
            raise Cancelled(f"collection cancelled or past its deadline before {action}")
        self.results.called(action)
        try:
            return fn()
        except Exception as exc:
            if tolerate is not None and tolerate(error_code(exc)):
                return default
            self.fault(exc, action)
            return default

    def pages(self, client: BaseClient, operation: str, key: str, **params: Any) -> list[Any]:
        """All items under `key` across every page of `operation` (boto3 paginator)."""
        items: list[Any] = []
        for page in client.get_paginator(operation).paginate(**params):
            items.extend(page.get(key) or ())
        return items

    def fetch_pages(self, action: str, service: str, operation: str, key: str, **params: Any) -> list[Any] | None:
        """`pages(...)` through `fetch`: None (and a fault) when the call fails."""
        return self.fetch(action, lambda: self.pages(self.client(service), operation, key, **params), None)
