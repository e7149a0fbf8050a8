"""Concurrent, bounded, polite AWS calling: the task pool, per-service rate limits and client construction.

- `FanOut` runs a growing graph of tasks (account setup spawns region tasks, ...) on `settings.max_concurrency`
  worker threads, setup and long chains first, and waits until every task, including spawned ones, is done.
- `RateLimits` holds one token bucket per (account, region, service): AWS meters API calls per account,
  region and service, so that is the key that keeps us from throttling ourselves without serialising
  unrelated accounts.
- `ClientFactory` creates boto3 clients lazily, once per (session, service, region), with adaptive
  retries bounded in count (`MAX_ATTEMPTS`) and time (`RETRY_BUDGET_S`), connect/read timeouts, and a
  short-circuit for endpoints that answer HTTP 500 with an HTML page (an emulator without the API): that
  is "unsupported", never a retry storm. AWS_ENDPOINT_URL / AWS_REGION / AWS_PROFILE work unchanged
  because clients come from ordinary boto3 sessions.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from awsinv_mcp.errors import Cancelled
from awsinv_mcp.inventory.aws.botocore_sharing import building
from awsinv_mcp.inventory.aws.errors import EndpointUnsupported, RetryBudgetExceeded

if TYPE_CHECKING:
    import boto3
    from botocore.client import BaseClient

log = logging.getLogger("awsinv_mcp.inventory.aws")

MAX_ATTEMPTS = 5  # total attempts per call (adaptive retry mode)
RETRY_BUDGET_S = 45.0  # no new attempt once a call has been retrying this long
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 20
RATE_PER_SECOND = 20.0  # sustained requests per (account, region, service)
RATE_BURST = 40

ClientHook = Callable[["BaseClient", str, str], None]
"""hook(client, account, region): called once per new client (tests and the bench inject faults here)."""

_unit = threading.local()


def current_unit() -> tuple[str, str] | None:
    """(account, region) of the task running on this thread ('setup' / 's3' for non-regional tasks)."""
    return getattr(_unit, "value", None)


class TokenBucket:
    """Thread-safe token bucket: `acquire()` blocks until a request may be sent."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.capacity = float(burst)
        self._tokens = float(burst)
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping as needed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return waited
                delay = (1 - self._tokens) / self.rate
            time.sleep(delay)
            waited += delay


class RateLimits:
    """One token bucket per (account, region, service)."""

    def __init__(self, rate: float = RATE_PER_SECOND, burst: int = RATE_BURST) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def bucket(self, account: str, region: str, service: str) -> TokenBucket:
        key = (account, region, service)
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                found = self._buckets[key] = TokenBucket(self.rate, self.burst)
            return found


def client_config() -> Any:
    """botocore Config: adaptive retries bounded in attempts, connect/read timeouts."""
    from botocore.config import Config

    return Config(
        retries={"mode": "adaptive", "total_max_attempts": MAX_ATTEMPTS},
        parameter_validation=False,  # our own calls, fixed shapes: validation is pure CPU per call
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        user_agent_extra="awsinv-mcp",
    )


def _html_body(content: bytes) -> bool:
    head = content.lstrip()[:64].lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")


def _stamp_start(context: dict[str, Any] | None = None, **_: Any) -> None:
    if context is not None:
        context.setdefault("awsinv_started", time.monotonic())


def _guard_retry(
    response: Any = None, caught_exception: Any = None, request_dict: dict[str, Any] | None = None, **_: Any
) -> None:
    """needs-retry hook (runs first): stop at HTML 500s and once the retry time budget is spent."""
    code = None
    if response is not None:
        http, parsed = response
        if http.status_code >= 500 and _html_body(http.content or b""):
            raise EndpointUnsupported(f"HTTP {http.status_code} with an HTML body")
        code = (parsed or {}).get("Error", {}).get("Code")
    elif caught_exception is not None:
        code = type(caught_exception).__name__
    if code is None:
        return
    started = ((request_dict or {}).get("context") or {}).get("awsinv_started")
    if started is not None and time.monotonic() - started > RETRY_BUDGET_S:
        raise RetryBudgetExceeded(str(code), time.monotonic() - started)


def _limiter(bucket: TokenBucket) -> Callable[..., None]:
    def acquire(**_: Any) -> None:
        bucket.acquire()

    return acquire


class ClientFactory:
    """Lazily built, cached boto3 clients with our retry policy, rate limit and optional test hook.

    Each client is built once (a lock per session, service and region); clients of one session build
    concurrently once the session has built its first client (which loads its credentials and lazily
    created components, the part of a boto3 session that is not safe to share between threads).
    """

    def __init__(self, limits: RateLimits | None = None, hook: ClientHook | None = None) -> None:
        self.limits = limits or RateLimits()
        self.hook = hook
        self._config = client_config()
        self._clients: dict[tuple[int, str, str], BaseClient] = {}
        self._locks: dict[Any, threading.Lock] = {}
        self._ready: dict[int, boto3.Session] = {}  # sessions that have built a client (kept: ids stay unique)
        self._guard = threading.Lock()

    def _lock(self, key: Any) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def get(self, session: boto3.Session, account: str, service: str, region: str) -> BaseClient:
        """The client for `service` in `region` on `session`'s credentials for `account` (created on first use)."""
        key = (id(session), service, region)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock(key):
            client = self._clients.get(key)
            if client is not None:
                return client
            if id(session) in self._ready:
                client = self._build(session, account, service, region)
            else:
                with self._lock(id(session)):
                    session.get_credentials()  # loaded (a provider may build its own client) before `building`
                    client = self._build(session, account, service, region)
                    self._ready[id(session)] = session
            self._clients[key] = client
        return client

    def _build(self, session: boto3.Session, account: str, service: str, region: str) -> BaseClient:
        with building(service):
            client = session.client(service, region_name=region, config=self._config)
        self._install(client, account, region, service)
        return client

    def _install(self, client: BaseClient, account: str, region: str, service: str) -> None:
        bucket = self.limits.bucket(account, region, service)
        events = client.meta.events
        events.register_first("before-call", _stamp_start)
        events.register_first("needs-retry", _guard_retry)
        events.register("before-sign", _limiter(bucket))
        if self.hook is not None:
            self.hook(client, account, region)


Unit = tuple[str, str]
"""(account, region) a task belongs to; region is 'setup' or 's3' for per-account tasks."""


SETUP, CHAIN, REGION, BACKGROUND = 0, 1, 2, 3
"""Task priorities (lower runs first): account setup unlocks the most work; long per-account chains (S3)
come next so they do not wait behind every region task; then regions; then work nothing waits for."""


class FanOut:
    """A bounded pool of worker threads running prioritised tasks that may spawn more tasks.

    `wait()` returns when every task, including spawned ones, has finished. Tasks are labelled with a
    unit; `on_unit_done(unit)` fires when the last task of a unit has finished (spawn a unit's tasks
    together with `spawn_all`, or from inside a running task of the same unit). Among queued tasks the
    lowest priority number runs first, then the oldest.
    """

    def __init__(
        self,
        max_workers: int,
        *,
        on_error: Callable[[Unit, Exception], None] | None = None,
        on_unit_done: Callable[[Unit], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self._cancel = cancel
        self._on_error = on_error
        self._on_unit_done = on_unit_done
        self._queue: queue.PriorityQueue[tuple[int, int, Unit | None, Callable[[], None] | None]] = (
            queue.PriorityQueue()
        )
        self._seq = itertools.count()
        self._pending = 0
        self._units: dict[Unit, int] = {}
        self._done = threading.Condition()
        self._abandoned = threading.Event()  # past the deadline: queued tasks are dropped
        self._workers = [
            threading.Thread(target=self._work, name=f"awsinv-aws-{n}", daemon=True) for n in range(max_workers)
        ]
        for worker in self._workers:
            worker.start()

    def spawn(self, unit: Unit, fn: Callable[[], None], priority: int = REGION) -> None:
        """Run `fn()` on the pool as part of `unit`."""
        self.spawn_all(unit, [fn], priority)

    def spawn_all(self, unit: Unit, fns: list[Callable[[], None]], priority: int = REGION) -> None:
        """Run every `fn()` on the pool as part of `unit` (the unit counts all of them before any starts)."""
        if not fns:
            return
        with self._done:
            self._pending += len(fns)
            self._units[unit] = self._units.get(unit, 0) + len(fns)
        for fn in fns:
            self._queue.put((priority, next(self._seq), unit, fn))

    def _work(self) -> None:
        while True:
            _, _, unit, fn = self._queue.get()
            if fn is None or unit is None:
                return
            self._run(unit, fn)

    def _run(self, unit: Unit, fn: Callable[[], None]) -> None:
        _unit.value = unit
        try:
            if not self._abandoned.is_set() and (self._cancel is None or not self._cancel.is_set()):  # drain
                fn()
        except Cancelled:
            pass
        except Exception as exc:  # tasks report their own failures; this is the last line of defence
            log.exception("collection task %s failed", getattr(fn, "__name__", fn))
            if self._on_error is not None:
                self._on_error(unit, exc)
        finally:
            _unit.value = None
            with self._done:
                self._units[unit] -= 1
                unit_done = self._units[unit] == 0
            if unit_done and self._on_unit_done is not None:
                try:
                    self._on_unit_done(unit)
                except Exception:
                    log.exception("unit callback failed")
            with self._done:
                self._pending -= 1
                if unit_done or self._pending == 0:
                    self._done.notify_all()

    def wait(self, on_wake: Callable[[], None] | None = None, deadline: float | None = None) -> list[Unit]:
        """Block until every task (including spawned ones) has finished, then stop the workers.

        `on_wake()` runs on the waiting thread whenever a unit finishes (and at the end), so callers can
        deliver progress from the thread that started the collection. At `deadline` (a `time.monotonic()`
        value) it stops waiting: queued tasks are dropped, running ones are left to end on their own (daemon
        threads), and the units still unfinished are returned.
        """
        while True:
            with self._done:
                if self._pending:
                    left = 0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))
                    self._done.wait(timeout=left)
                finished = not self._pending
                late = not finished and deadline is not None and time.monotonic() >= deadline
                unfinished = sorted(u for u, n in self._units.items() if n > 0) if late else []
            if on_wake is not None:
                on_wake()
            if finished or late:
                break
        if late:
            self._abandoned.set()
        for _ in self._workers:
            self._queue.put((BACKGROUND + 1, next(self._seq), None, None))
        if not late:
            for worker in self._workers:
                worker.join()
        return unfinished
