"""The application context: what the tools work with, created when the server starts and closed when it stops.

`build_server` hands the SDK a lifespan that yields one `AppContext` (the inventory store with the analysis of
its current snapshot, the cost service, the live databases) and closes it at shutdown (connection pools
disposed). Tools, resources and prompts reach it with `app()`: a small middleware binds the request's lifespan
context for the duration of the request (a context variable, so worker threads see it too). Tests inject fakes
through `build_server(collector=..., costs=..., databases=...)`; nothing is attached to the SDK object.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from contextvars import ContextVar
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.store import Collector, InventoryStore
from awsinv_mcp.models.inventory import Snapshot, Warning

if TYPE_CHECKING:
    from awsinv_mcp.analysis.analysis import Analysis
    from awsinv_mcp.cost.service import CostService
    from awsinv_mcp.dbinspect.service import DatabaseService
    from awsinv_mcp.inventory.history.reader import History
    from awsinv_mcp.inventory.history.retention import Retention
    from awsinv_mcp.inventory.history.sql import HistoryStore
    from awsinv_mcp.inventory.synthetic.history import SyntheticHistory
    from awsinv_mcp.models.answers import WarningOut
    from awsinv_mcp.models.findings import Finding

log = logging.getLogger("awsinv_mcp.server")

UNSAVED_KEPT = 3  # snapshots collected while the history store was down, stored when it answers again


def store_down(exc: BaseException) -> Warning:
    """The warning of answers collected while the history store (AWSINV_STORE) could not be reached."""
    return Warning(
        scope="history store",
        message=f"the history store (AWSINV_STORE) is unreachable ({type(exc).__name__}): answering from memory; "
        "this snapshot is stored when the store answers again",
    )


class AppContext:
    """Settings, the inventory (its current snapshot's `Analysis`), costs and live databases of one server.

    The cost and database services are built on first use (their imports are heavy and many sessions never
    need them); `close()` disposes whatever was built.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        collector: Collector | None = None,
        costs: CostService | None = None,
        databases: DatabaseService | None = None,
    ) -> None:
        self.settings = settings
        self._history: HistoryStore | None = None
        self._unsaved: list[tuple[Snapshot, tuple[Finding, ...]]] = []  # collected while the store was down
        self._synthetic_history: SyntheticHistory | None = None
        keep = self._keep if settings.store else None
        self._retention = _retention(settings) if settings.store else None
        shared = _StoreShared(self) if settings.store else None
        self.inventory: InventoryStore[Analysis] = InventoryStore(
            settings, collector, derive=_analysis, keep=keep, shared=shared
        )
        self._costs = costs
        self._databases = databases
        self._lock = threading.Lock()
        self._closed = False

    def analysis(self) -> Analysis:
        """The analysis of the current snapshot (collected first when there is none or it is stale)."""
        return self.inventory.current()

    def history(self) -> HistoryStore:
        """The history store (`AWSINV_STORE`), opened on first use; UserError when none is set."""
        from awsinv_mcp.errors import UserError

        if not self.settings.store:
            raise UserError(
                "history needs a store: set AWSINV_STORE=sqlite:///path/history.db (or postgresql://...) "
                "or pass --store, then collect at least twice"
            )
        with self._lock:
            if self._history is None:
                from awsinv_mcp.inventory.history.sql import HistoryStore

                self._history = HistoryStore(self.settings.store)
            return self._history

    def _keep(self, snapshot: Snapshot, analysis: Analysis) -> Warning | None:
        """Store a collected snapshot with its findings (and any collected while the store was down, oldest
        first); when the store cannot be reached, keep it for later and return the warning its answers carry."""
        findings = tuple(analysis.report(snapshot.collected_at.date()).findings)
        with self._lock:
            self._unsaved = [*self._unsaved, (snapshot, findings)][-UNSAVED_KEPT:]
            pending = list(self._unsaved)
        try:
            store = self.history()
            for snap, found in pending:
                store.save(snap, found)
            if self._retention is not None:
                store.prune(self._retention)
        except Exception as exc:  # any failure of the store: answer from memory, and say so
            log.warning("history store unreachable, snapshot %s kept in memory: %s", snapshot.id, exc)
            return store_down(exc)
        with self._lock:
            self._unsaved = [u for u in self._unsaved if u not in pending]
        return None

    def history_reader(self) -> tuple[History, list[WarningOut]]:
        """What the history tools read: the store; without one, the synthetic source's own history (demo);
        UserError when neither applies or the store cannot be reached."""
        from awsinv_mcp.errors import UserError

        if self.settings.store or self.inventory.source != "synthetic":
            try:
                store = self.history()
                store.check_version()
            except UserError:
                raise
            except Exception as exc:
                raise UserError(f"{store_down(exc).message}; the history tools need it") from None
            return store, []
        analysis = self.analysis()
        with self._lock:
            cached = self._synthetic_history
            if cached is None or cached.latest is not analysis.snapshot:
                from awsinv_mcp.inventory.synthetic.history import SyntheticHistory

                cached = self._synthetic_history = SyntheticHistory(
                    analysis.snapshot,
                    seed=self.settings.seed,
                    days=self.settings.synthetic_history_days,
                    findings_of=lambda snap, day: self._findings_of(snap, day, analysis),
                )
        return cached, []

    def _findings_of(self, snapshot: Snapshot, day: date, live: Analysis) -> tuple[Finding, ...]:
        """The findings of one snapshot as of `day` (the live analysis' own run for the current snapshot)."""
        analysis = live if snapshot is live.snapshot else _analysis(Estate(snapshot, self.inventory.environments))
        return analysis.report(day).findings

    @property
    def costs(self) -> CostService:
        with self._lock:
            if self._costs is None:
                from awsinv_mcp.cost.service import CostService

                self._costs = CostService(self.settings, self.inventory, extended_support=self._extended_support)
            return self._costs

    @property
    def databases(self) -> DatabaseService:
        with self._lock:
            if self._databases is None:
                from awsinv_mcp.dbinspect.service import DatabaseService

                self._databases = DatabaseService(self.settings)
            return self._databases

    def prepare_databases(self) -> None:
        """When live databases are configured and their toolset is on, import their stack (SQLAlchemy, the drivers,
        the guard) in a background thread while the server waits for its first call: a model's first list_tables
        would otherwise pay about a second of imports (bench/bench_list_tables.py). Opens no connection."""
        settings = self.settings
        if self._databases is not None or "databases" not in settings.toolsets:
            return
        if not (settings.databases or settings.config_file):
            return

        def prepare() -> None:
            with self._lock:
                if self._closed:  # the session ended first: build nothing that no one would close
                    return
            try:
                self.databases.prepare()
            except Exception:  # the first call reports whatever is wrong with an entry
                log.debug("preparing the live databases failed", exc_info=True)

        threading.Thread(target=prepare, name="awsinv-prepare-databases", daemon=True).start()

    def _extended_support(self, snapshot: Snapshot, as_of: date) -> Iterator[tuple[Any, float, date | None]]:
        """The cost model's Extended Support charges: the compliance rows of the snapshot's own analysis."""
        analysis = self.inventory.peek()
        if analysis is None or analysis.snapshot is not snapshot:
            analysis = _analysis(Estate(snapshot, self.inventory.environments))
        return analysis.extended_support_charges(as_of)

    def close(self) -> None:
        """Dispose what holds resources (database connection pools)."""
        self.inventory.close()
        with self._lock:
            self._closed = True
            databases, self._databases = self._databases, None
            history, self._history = self._history, None
        if databases is not None:
            databases.close()
        if history is not None:
            history.close()


class _StoreShared:
    """The history store as the inventory's shared snapshots (`inventory/store.py` `Shared`)."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    def newest(self, source: str) -> tuple[str, datetime] | None:
        stored = self._ctx.history().latest(source)
        return (stored.id, stored.collected_at) if stored is not None else None

    def load(self, source: str) -> Snapshot | None:
        store = self._ctx.history()
        stored = store.latest(source)
        return store.load(stored) if stored is not None else None

    def lock(self) -> AbstractContextManager[object]:
        return self._ctx.history().collect_lock()

    def wait(self, timeout: float) -> None:
        self._ctx.history().wait_for_snapshot(timeout)


def _retention(settings: Settings) -> Retention:
    from awsinv_mcp.inventory.history.retention import Retention

    return Retention.parse(settings.retention)


def _analysis(estate: Estate) -> Analysis:
    from awsinv_mcp.analysis.analysis import Analysis  # imported on first collection: start-up stays light

    return Analysis(estate)


_APP: ContextVar[AppContext] = ContextVar("awsinv_app")


def app() -> AppContext:
    """The AppContext of the request being served."""
    try:
        return _APP.get()
    except LookupError:
        raise RuntimeError("no application context: called outside a request of an awsinv-mcp server") from None


async def bind_app(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
    """Middleware: makes the lifespan's AppContext the request's `app()`."""
    context = getattr(ctx, "lifespan_context", None)
    if not isinstance(context, AppContext):
        return await call_next(ctx)
    token = _APP.set(context)
    try:
        return await call_next(ctx)
    finally:
        _APP.reset(token)
