"""Where snapshots come from: source selection and the TTL cache in front of collection."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from cachetools import TTLCache

from awsinv_mcp.config import Settings
from awsinv_mcp.models.inventory import Snapshot, SourceKind

log = logging.getLogger("awsinv_mcp.inventory")

ProgressFn = Callable[[int, int, str], None]
"""progress(done, total, message): called from the collecting thread as parts finish."""

Collector = Callable[[Settings, ProgressFn | None], Snapshot]


def aws_credentials_available() -> bool:
    """True when boto3's default chain resolves credentials (env, profile, SSO, instance role)."""
    import boto3

    try:
        return boto3.Session().get_credentials() is not None
    except Exception:  # a broken profile counts as no credentials
        return False


def resolve_source(settings: Settings) -> SourceKind:
    if settings.source == "auto":
        return "aws" if aws_credentials_available() else "synthetic"
    return settings.source


def default_collector(source: SourceKind) -> Collector:
    if source == "aws":
        from awsinv_mcp.inventory.aws import collect

        return collect

    def synthetic(settings: Settings, progress: ProgressFn | None) -> Snapshot:
        from awsinv_mcp.inventory.synthetic import generate

        snap = generate(seed=settings.seed, scale=settings.scale, now=datetime.now(UTC), settings=settings)
        if progress:
            progress(1, 1, f"synthetic estate: {len(snap.db_instances)} DB instances")
        return snap

    return synthetic


class InventoryStore:
    """Holds the current snapshot for `cache_ttl` seconds; one collection at a time."""

    def __init__(self, settings: Settings, collector: Collector | None = None) -> None:
        self.settings = settings
        self._collector = collector
        self._source: SourceKind | None = None
        self._cache: TTLCache[str, Snapshot] = TTLCache(maxsize=1, ttl=max(settings.cache_ttl, 0.001))
        self._lock = threading.Lock()

    @property
    def source(self) -> SourceKind:
        """The source in use (resolved once: `auto` checks for AWS credentials)."""
        if self._source is None:
            self._source = resolve_source(self.settings)
            log.info("inventory source: %s", self._source)
        return self._source

    def _collect(self, progress: ProgressFn | None) -> Snapshot:
        collector = self._collector or default_collector(self.source)
        snap = collector(self.settings, progress)
        self._cache["snapshot"] = snap
        return snap

    def get(self) -> Snapshot:
        """The cached snapshot, collecting it first when missing or older than the TTL."""
        snap = self._cache.get("snapshot")
        if snap is not None:
            return snap
        with self._lock:
            snap = self._cache.get("snapshot")
            return snap if snap is not None else self._collect(None)

    def peek(self) -> Snapshot | None:
        """The cached snapshot if one is fresh, without collecting."""
        return self._cache.get("snapshot")

    def refresh(self, progress: ProgressFn | None = None) -> Snapshot:
        """Collect anew (reporting progress) and replace the cached snapshot."""
        with self._lock:
            return self._collect(progress)
