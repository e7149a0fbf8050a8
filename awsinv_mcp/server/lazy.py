"""Lazy tool registration: answer the first `tools/list` from a cache, build tool schemas later.

Building ~24 tools' pydantic argument models and JSON schemas is most of the server's start-up. With lazy
registration on, `@tool` only queues each registration; `tools/list` is answered from a cache file of the
previous run's list (keyed by a hash of the package sources and the SDK version) while a background thread
registers the tools; any other tool request waits for the registrations. Without a valid cache the tools
are registered at once and the cache is written for the next start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import ListToolsResult, Tool

from awsinv_mcp.server.tooling import PENDING_ATTR

log = logging.getLogger("awsinv_mcp.server")
_PACKAGE = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    base = os.environ.get("AWSINV_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "awsinv-mcp"


def source_key() -> str:
    """Hash of every module's path, size and mtime plus the mcp version: changes whenever code changes."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(version("mcp").encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(_PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


class LazyTools:
    """Holds the queued registrations of one server and the cache of its tools/list."""

    def __init__(self, mcp: MCPServer) -> None:
        self.mcp = mcp
        self._lock = threading.Lock()
        self._pending: list[Callable[[], None]] = []
        setattr(mcp, PENDING_ATTR, self._pending)
        self._key: str | None = None

    def flush(self) -> None:
        """Run every queued registration (idempotent, thread-safe); later `@tool`s register at once."""
        with self._lock:
            while self._pending:
                self._pending.pop(0)()
            if getattr(self.mcp, PENDING_ATTR, None) is not None:
                setattr(self.mcp, PENDING_ATTR, None)

    @property
    def cache_file(self) -> Path:
        if self._key is None:
            self._key = source_key()
        return cache_dir() / f"tools-{self._key}.json"

    def cached_list(self) -> ListToolsResult | None:
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
            return ListToolsResult(tools=[Tool.model_validate(t) for t in data])
        except (OSError, ValueError):
            return None

    async def write_cache(self) -> None:
        tools = await self.mcp.list_tools()
        data = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]
        path = self.cache_file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:  # a read-only home is fine: start-up is just slower
            log.debug("tools cache not written: %s", exc)

    def middleware(self) -> Callable[[Any, Callable[[Any], Awaitable[Any]]], Awaitable[Any]]:
        async def lazy(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
            if not self._pending or not isinstance(ctx.method, str) or not ctx.method.startswith("tools/"):
                return await call_next(ctx)
            if ctx.method == "tools/list":
                cached = self.cached_list()
                if cached is not None:
                    threading.Thread(target=self.flush, name="awsinv-register-tools", daemon=True).start()
                    return cached
                self.flush()
                await self.write_cache()
                return await call_next(ctx)
            self.flush()
            return await call_next(ctx)

        return lazy
