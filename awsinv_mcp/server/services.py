"""Shared per-server state handed to every tool module: settings, the inventory store, lazy services."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.store import InventoryStore

T = TypeVar("T")


class Services:
    """One per server. Heavy services are built on first use with `lazy(key, factory)`."""

    def __init__(self, settings: Settings, store: InventoryStore | None = None) -> None:
        self.settings = settings
        self.inventory = store or InventoryStore(settings)
        self._lazy: dict[str, Any] = {}
        self._lock = threading.Lock()

    def lazy(self, key: str, factory: Callable[[], T]) -> T:
        """The service stored under `key`, created by `factory()` the first time (thread-safe)."""
        try:
            return self._lazy[key]
        except KeyError:
            with self._lock:
                if key not in self._lazy:
                    self._lazy[key] = factory()
                return self._lazy[key]

    def close(self) -> None:
        """Dispose services that hold resources (connection pools)."""
        for value in self._lazy.values():
            closer = getattr(value, "close", None)
            if callable(closer):
                closer()
