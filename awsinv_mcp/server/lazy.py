"""Lazy registration: answer the first list requests from a cache, register the tools on the first request that
needs them.

Importing the tool modules and building every tool's argument model and JSON schema is most of the server's own
start-up. With `build_server(lazy=True)` the prompts are registered at once; `tools/list`, `resources/list` and
`resources/templates/list` are answered from a cache file written by an earlier start (keyed by a hash of the
package sources and the SDK version); any other request waits, without blocking the event loop, for the one
registration that runs in a worker thread. The registry counts as done only once the registration has returned,
and nothing reads the SDK's registries while it runs (every request that would is waiting for it). Without a
valid cache the first list request registers everything and writes the cache for the next start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

import anyio
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
    """The deferred registration of one server and the cache of its list answers."""

    def __init__(self, mcp: MCPServer[Any], register: Callable[[], None], *, variant: str = "") -> None:
        self.mcp = mcp
        self._variant = variant  # what else decides the lists (the toolsets on): part of the cache key
        self._register = register
        self._lock: anyio.Lock | None = None
        self._key: str | None = None
        self.done = False

    async def ensure(self) -> None:
        """Register everything once; concurrent callers wait (on the event loop, not a thread lock)."""
        if self.done:
            return
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if not self.done:
                await anyio.to_thread.run_sync(self._register)
                self.done = True

    @property
    def cache_file(self) -> Path:
        if self._key is None:
            self._key = source_key()
            if self._variant:
                self._key += "-" + hashlib.blake2b(self._variant.encode(), digest_size=6).hexdigest()
        return cache_dir() / f"lists-{self._key}.json"

    def cached(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    async def write_cache(self) -> None:
        """Write this start's list answers (the tools' schemas compacted as `slim_tools` lists them)."""
        from awsinv_mcp.server.tooling import slim_tool

        def dump(items: list[Any]) -> list[dict[str, Any]]:
            return [i.model_dump(mode="json", by_alias=True, exclude_none=True) for i in items]

        data = {
            "tools": dump([slim_tool(t) for t in await self.mcp.list_tools()]),
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
        """The outermost middleware: cached lists before registration, registration before anything else."""

        async def lazy(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
            method = ctx.method if isinstance(ctx.method, str) else ""
            if self.done or method in _NO_REGISTRATION or method.startswith("notifications/"):
                return await call_next(ctx)
            if method in _CACHED_LISTS:
                key, result_type = _CACHED_LISTS[method]
                cached = self.cached()
                if cached is not None:
                    from awsinv_mcp.server.tooling import own_result  # heavy: imported on use, not at start-up

                    return own_result(result_type.model_validate({key: cached[key]}), ctx.protocol_version)
                await self.ensure()
                await self.write_cache()
                return await call_next(ctx)
            await self.ensure()
            return await call_next(ctx)

        return lazy
