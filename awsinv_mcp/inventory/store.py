"""Where snapshots come from: source selection, single-flight collection, freshness and what is derived from them.

`InventoryStore.current()` answers from the last collection while it is fresh (`cache_ttl`); when it is stale,
the first reader starts one collection in the background and every reader keeps answering from the stale snapshot
meanwhile (every answer carries `collected_at`), so a slow collection never blocks the tools; only the very first
collection is waited for. `refresh()` collects now; a cancelled refresh stops between AWS calls
and the previous snapshot stays. Each snapshot is wrapped once in an `Estate` and handed to `derive` (the server
passes the analysis), and the store keeps that object exactly as long as the snapshot is current.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any, Generic, Literal, Protocol, TypeVar

from awsinv_mcp.config import Settings
from awsinv_mcp.errors import Cancelled
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.history.codec import record_key
from awsinv_mcp.inventory.kinds import KINDS
from awsinv_mcp.inventory.lastgood import carry_forward
from awsinv_mcp.inventory.tags import Environments
from awsinv_mcp.models.inventory import Snapshot, SourceKind, Warning

log = logging.getLogger("awsinv_mcp.inventory")

T = TypeVar("T")

ProgressFn = Callable[[int, int, str], None]
"""progress(done, total, message): called from the collecting thread as parts finish; must not block."""


class Collector(Protocol):
    def __call__(self, settings: Settings, progress: ProgressFn | None, cancel: threading.Event | None, /) -> Snapshot:
        """Collect one snapshot; stop between calls (raising `Cancelled`) once `cancel` is set."""
        ...


CredentialState = Literal["present", "absent", "broken"]

CONFIG_FILE_VARIABLES = ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


def aws_credentials_state() -> CredentialState:
    """Whether boto3's default chain resolves credentials (env, profile, SSO, instance role): `present`; finds
    none and nothing is configured: `absent`; or is configured but cannot be read (a config file named by
    AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE that is missing or unreadable, a file that does not parse):
    `broken`."""
    import boto3

    for variable in CONFIG_FILE_VARIABLES:
        path = os.environ.get(variable)
        if path and path != os.devnull and not os.access(os.path.expanduser(path), os.R_OK):
            return "broken"
    try:
        return "present" if boto3.Session().get_credentials() is not None else "absent"
    except Exception:  # the chain raised: configured, but broken (its error shows in the aws answers)
        return "broken"


AUTO_DEMO_NOTE = Warning(
    scope="inventory",
    message="AWSINV_SOURCE=auto found no AWS credentials, so these answers come from the built-in demo estate "
    "(source: synthetic), not from an AWS account; set AWS credentials or a profile, or AWSINV_SOURCE=aws",
)


def resolve_source(settings: Settings) -> SourceKind:
    """`auto`: aws when credentials resolve, when a profile is named at all (AWS_PROFILE, AWSINV_PROFILES), or when
    the configuration is there but broken: credentials that do not work must show their error, never the demo
    estate in their place. Only their complete absence selects the demo."""
    if settings.source != "auto":
        return settings.source
    if os.environ.get("AWS_PROFILE") or settings.profiles:
        return "aws"
    return "synthetic" if aws_credentials_state() == "absent" else "aws"


def default_collector(source: SourceKind, *, auto: bool = False) -> Collector:
    """The collector of `source`; `auto` (synthetic chosen by AWSINV_SOURCE=auto) says so in every answer."""
    if source == "aws":
        from awsinv_mcp.inventory.aws import collect

        return lambda settings, progress, cancel: collect(settings, progress, cancel=cancel)

    def synthetic(settings: Settings, progress: ProgressFn | None, cancel: threading.Event | None) -> Snapshot:
        from awsinv_mcp.inventory.synthetic import generate

        now = datetime.now(UTC)
        if progress:
            progress(0, 1, f"generating the synthetic estate ({settings.scale} DB instances)")
        snap = generate(seed=settings.seed, scale=settings.scale, now=now, settings=settings, cancel=cancel)
        if progress:
            progress(1, 1, f"synthetic estate: {len(snap.db_instances)} DB instances")
        return dataclasses.replace(snap, warnings=(AUTO_DEMO_NOTE, *snap.warnings)) if auto else snap

    return synthetic


def canonical_order(snapshot: Snapshot) -> Snapshot:
    """`snapshot` with each kind's records ordered by (identifier, account, region): the order a snapshot loaded
    from the history store has, so every replica lists (and pages) one snapshot identically."""

    def order(kind: Any) -> tuple[Any, ...]:
        return tuple(sorted(kind.records(snapshot), key=lambda r: record_key(kind, r)))

    return dataclasses.replace(snapshot, **{k.field: order(k) for k in KINDS})


def _estate(estate: Estate) -> Estate:
    return estate


class Shared(Protocol):
    """Snapshots shared by every process of one history store (`server/context.py` adapts `HistoryStore`)."""

    def newest(self, source: str) -> tuple[str, datetime] | None:
        """(id, collected_at) of the newest stored snapshot of `source`."""
        ...

    def load(self, source: str) -> Snapshot | None:
        """The newest stored snapshot of `source`, whole."""
        ...

    def lock(self) -> AbstractContextManager[object]:
        """The store-wide collection lock (held while collecting; other processes wait)."""
        ...

    def wait(self, timeout: float) -> None:
        """Return when another snapshot may have been stored (at the latest after `timeout` seconds)."""
        ...


class InventoryStore(Generic[T]):
    """The current snapshot, collected by one caller at a time (see the module docstring).

    With `shared` (a history store), collection is single-flight across every process using the store: a
    collection runs under the store's lock, a caller that waited for another process' collection answers from
    the snapshot it stored, a stored snapshot still fresh is loaded instead of collected, and a newer one stored
    by another process is noticed at once (PostgreSQL NOTIFY) or within `poll` seconds (a background thread)."""

    def __init__(
        self,
        settings: Settings,
        collector: Collector | None = None,
        *,
        derive: Callable[[Estate], T] = _estate,  # type: ignore[assignment]
        clock: Callable[[], float] = time.monotonic,
        keep: Callable[[Snapshot, T], Warning | None] | None = None,
        shared: Shared | None = None,
        poll: float = 2.0,
    ) -> None:
        self.settings = settings
        self.environments = Environments.from_settings(settings)
        self._collector = collector
        self._derive = derive
        self._clock = clock
        self._keep = keep  # stores each collected snapshot (the history store); a failure is a warning, never fatal
        self._source: SourceKind | None = None
        self._current: tuple[Estate, T, float] | None = None  # (estate, derived, clock time of collection)
        self._collecting = threading.Lock()
        self._generation = 0  # collections completed
        self._shared = shared
        self._poll = poll
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    @property
    def source(self) -> SourceKind:
        """The source in use (resolved once: `auto` checks for AWS credentials)."""
        if self._source is None:
            self._source = resolve_source(self.settings)
            log.info("inventory source: %s", self._source)
        return self._source

    def _fresh(self) -> tuple[Estate, T, float] | None:
        current = self._current
        if current is not None and self._clock() - current[2] < self.settings.cache_ttl:
            return current
        return None

    def _collect(
        self, progress: ProgressFn | None, cancel: threading.Event | None, *, explicit: bool = False
    ) -> tuple[Estate, T, float]:
        if self._shared is None:
            return self._collect_here(progress, cancel)
        seen = self._newest()
        with self._shared_lock():
            newest = self._newest()
            reuse = newest is not None and (
                (explicit and newest != seen)  # another process collected while this one waited: its snapshot
                or (not explicit and self._age(newest[1]) < self.settings.cache_ttl)  # still fresh in the store
            )
            if reuse and (loaded := self._load()) is not None:
                return self._install(loaded, stored=True)
            return self._collect_here(progress, cancel)

    def _newest(self, *, quiet: bool = False) -> tuple[str, datetime] | None:
        try:
            return self._shared.newest(self.source) if self._shared is not None else None
        except Exception as exc:  # the store is down: collect alone (the keep step says so in the answers)
            log.log(logging.DEBUG if quiet else logging.WARNING, "history store unreachable: %s", type(exc).__name__)
            return None

    def _load(self) -> Snapshot | None:
        try:
            return self._shared.load(self.source) if self._shared is not None else None
        except Exception as exc:
            log.warning("history store unreachable while loading the newest snapshot: %s", type(exc).__name__)
            return None

    @contextlib.contextmanager
    def _shared_lock(self) -> Iterator[None]:
        try:
            held = self._shared.lock() if self._shared is not None else contextlib.nullcontext()
            held.__enter__()
        except Exception as exc:  # no store, no lock: this process collects alone
            log.warning("history store lock unavailable, collecting alone: %s", type(exc).__name__)
            yield
            return
        try:
            yield
        finally:
            held.__exit__(None, None, None)

    @staticmethod
    def _age(collected_at: datetime) -> float:
        return (datetime.now(UTC) - collected_at).total_seconds()

    def _collect_here(self, progress: ProgressFn | None, cancel: threading.Event | None) -> tuple[Estate, T, float]:
        collector = self._collector or default_collector(self.source, auto=self.settings.source == "auto")
        snapshot = collector(self.settings, progress, cancel)
        if cancel is not None and cancel.is_set():
            raise Cancelled("the collection was cancelled; the previous snapshot is unchanged")
        previous = self._current
        return self._install(carry_forward(previous[0].snapshot if previous is not None else None, snapshot))

    def _install(self, snapshot: Snapshot, *, stored: bool = False) -> tuple[Estate, T, float]:
        """Make `snapshot` current: collected here (kept in the store), or `stored` by any process (its age
        counts towards the TTL)."""
        if self._shared is not None and not stored:
            snapshot = canonical_order(snapshot)  # the order a replica loading it from the store sees
        estate = Estate(snapshot, self.environments)
        derived = self._derive(estate)
        if self._keep is not None and not stored:
            try:
                note = self._keep(snapshot, derived)
            except Exception as exc:  # the store is down: keep answering from memory, and say so
                log.warning("could not store snapshot %s in the history store: %s", snapshot.id, type(exc).__name__)
                note = Warning(scope="history store", message=f"this snapshot was not stored: {type(exc).__name__}")
            if note is not None:  # every answer from this snapshot carries it
                snapshot = dataclasses.replace(snapshot, warnings=(*snapshot.warnings, note))
                estate = Estate(snapshot, self.environments)
                derived = self._derive(estate)
        at = self._clock() - (max(0.0, self._age(snapshot.collected_at)) if stored else 0.0)
        current = self._current = (estate, derived, at)
        self._generation += 1
        if self._shared is not None and self._poller is None:
            self._poller = threading.Thread(target=self._follow, name="awsinv-follow-store", daemon=True)
            self._poller.start()
        return current

    def _follow(self) -> None:
        """Poll the store for a snapshot stored by another process, newer than the current one, and load it."""
        while not self._stop.is_set():
            try:
                self._shared.wait(self._poll)  # type: ignore[union-attr]
            except Exception:  # the store is down: poll again later
                self._stop.wait(self._poll)
            if self._stop.is_set():
                return
            newest = self._newest(quiet=True)
            current = self._current
            if newest is None or current is None or newest[0] == current[0].id:
                continue
            if newest[1] <= current[0].snapshot.collected_at or not self._collecting.acquire(blocking=False):
                continue
            try:
                loaded = self._load()
                if loaded is not None and loaded.collected_at > current[0].snapshot.collected_at:
                    self._install(loaded, stored=True)
                    log.info("answering from snapshot %s stored by another process", loaded.id)
            except Exception:
                log.exception("could not load the newest stored snapshot")
            finally:
                self._collecting.release()

    def close(self) -> None:
        """Stop following the store."""
        self._stop.set()

    def _ensure(self) -> tuple[Estate, T, float]:
        fresh = self._fresh()
        if fresh is not None:
            return fresh
        stale = self._current
        if stale is None:
            with self._collecting:
                return self._fresh() or self._collect(None, None)
        if self._collecting.acquire(blocking=False):  # collect in the background, released when done
            threading.Thread(target=self._revalidate, name="awsinv-revalidate", daemon=True).start()
        return stale  # answer from the last snapshot meanwhile: a reader never waits for a collection

    def _revalidate(self) -> None:
        """A collection started by a reader of a stale snapshot; holds `_collecting` (acquired by that reader)."""
        try:
            if self._fresh() is None:
                self._collect(None, None)
        except Exception:  # the stale snapshot stays; the next reader after the TTL tries again
            log.exception("background inventory collection failed; answering from the last snapshot")
        finally:
            self._collecting.release()

    def current(self) -> T:
        """The current snapshot's derived object: fresh; or the stale one (its `collected_at` says how old) while a
        background collection replaces it; or, before any collection, collected now."""
        return self._ensure()[1]

    def estate(self) -> Estate:
        """The current snapshot's estate (same freshness rules as `current`)."""
        return self._ensure()[0]

    def peek(self) -> T | None:
        """The last collected snapshot's derived object (fresh or not), without collecting."""
        current = self._current
        return current[1] if current is not None else None

    def refresh(self, progress: ProgressFn | None = None, cancel: threading.Event | None = None) -> T:
        """Collect anew now. A refresh that had to wait for another caller's collection answers with that one
        (it is as new as the caller asked for) instead of collecting twice."""
        started = self._generation
        with self._collecting:
            if self._generation != started and self._current is not None:
                return self._current[1]
            return self._collect(progress, cancel, explicit=True)[1]
