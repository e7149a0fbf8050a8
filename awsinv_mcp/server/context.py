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
from contextvars import ContextVar
from datetime import date
from typing import TYPE_CHECKING, Any

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.store import Collector, InventoryStore
from awsinv_mcp.models.inventory import Snapshot

if TYPE_CHECKING:
    from awsinv_mcp.analysis.analysis import Analysis
    from awsinv_mcp.cost.service import CostService
    from awsinv_mcp.dbinspect.service import DatabaseService
    from awsinv_mcp.inventory.history.sql import HistoryStore

log = logging.getLogger("awsinv_mcp.server")


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
        keep = (lambda snap: self.history().save(snap)) if settings.store else None
        self.inventory: InventoryStore[Analysis] = InventoryStore(settings, collector, derive=_analysis, keep=keep)
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
        with self._lock:
            self._closed = True
            databases, self._databases = self._databases, None
            history, self._history = self._history, None
        if databases is not None:
            databases.close()
        if history is not None:
            history.close()


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
