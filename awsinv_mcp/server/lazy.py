"""Lazy registration: answer the first list requests from a cache, import and register tool modules later.

Importing the tool modules (answer models, the rules catalogue) and building ~24 tools' pydantic argument
models and JSON schemas is most of the server's own start-up. With lazy registration, `build_server` only
registers the prompts; `tools/list`, `resources/list` and `resources/templates/list` are answered from a
cache file written by an earlier start (keyed by a hash of the package sources and the SDK version) while
a background thread registers everything; any other request first waits for the registrations. Without a
valid cache the modules are registered at once and the cache is written for the next start.
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
from mcp.types import ListResourcesResult, ListResourceTemplatesResult, ListToolsResult

log = logging.getLogger("awsinv_mcp.server")
_PACKAGE = Path(__file__).resolve().parent.parent

# Requests served without registering anything: the handshake, liveness and prompts (registered eagerly).
_NO_REGISTRATION = ("initialize", "ping", "server/discover", "logging/setLevel", "prompts/list", "prompts/get")
_CACHED_LISTS: dict[str, tuple[str, type]] = {
    "tools/list": ("tools", ListToolsResult),
    "resources/list": ("resources", ListResourcesResult),
    "resources/templates/list": ("resourceTemplates", ListResourceTemplatesResult),
}


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


class LazyRegistry:
    """Deferred `register()` calls of one server and the cache of its list answers."""

    def __init__(self, mcp: MCPServer, registrations: list[Callable[[], None]]) -> None:
        self.mcp = mcp
        self._pending = list(registrations)
        self._lock = threading.Lock()
        self._key: str | None = None

    @property
    def done(self) -> bool:
        return not self._pending

    def flush(self) -> None:
        """Run every deferred registration once (thread-safe)."""
        with self._lock:
            while self._pending:
                self._pending.pop(0)()

    @property
    def cache_file(self) -> Path:
        if self._key is None:
            self._key = source_key()
        return cache_dir() / f"lists-{self._key}.json"

    def cached(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    async def write_cache(self) -> None:
        def dump(items: list[Any]) -> list[dict[str, Any]]:
            return [i.model_dump(mode="json", by_alias=True, exclude_none=True) for i in items]

        data = {
            "tools": dump(await self.mcp.list_tools()),
            "resources": dump(await self.mcp.list_resources()),
            "resourceTemplates": dump(await self.mcp.list_resource_templates()),
        }
        path = self.cache_file
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:  # a read-only home is fine: start-up is just slower
            log.debug("list cache not written: %s", exc)

    def middleware(self) -> Callable[[Any, Callable[[Any], Awaitable[Any]]], Awaitable[Any]]:
        async def lazy(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
            method = ctx.method if isinstance(ctx.method, str) else ""
            if self.done or method in _NO_REGISTRATION or method.startswith("notifications/"):
                return await call_next(ctx)
            if method in _CACHED_LISTS:
                cached = self.cached()
                if cached is not None:
                    key, result_type = _CACHED_LISTS[method]
                    threading.Thread(target=self.flush, name="awsinv-register", daemon=True).start()
                    return result_type.model_validate({key: cached[key]})
                self.flush()
                await self.write_cache()
                return await call_next(ctx)
            self.flush()
            return await call_next(ctx)

        return lazy
