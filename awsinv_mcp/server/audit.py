"""Server-side audit: one JSON line per tool call, for every client, when `AWSINV_AUDIT_LOG` is set.

Register with `mcp.middleware.append(audit_middleware(settings))`; with no audit log configured it is a
pass-through. The line format is `awsinv_mcp.auditlog` (side "server"). Redaction and the file write run
in one dedicated worker thread (lines stay in order), never on the event loop: a huge argument delays
only its own answer, not `/healthz` or other sessions.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from awsinv_mcp.auditlog import audit_log_for
from awsinv_mcp.config import Settings

Middleware = Callable[[Any, Callable[[Any], Awaitable[Any]]], Awaitable[Any]]


def error_text(result: Any) -> str | None:
    """The error message of a tool result (CallToolResult or its dict form), or None on success."""
    if isinstance(result, dict):
        if not (result.get("isError") or result.get("is_error")):
            return None
        texts = [c.get("text", "") for c in result.get("content") or [] if isinstance(c, dict)]
    else:
        if not getattr(result, "is_error", False):
            return None
        texts = [getattr(c, "text", "") for c in getattr(result, "content", None) or []]
    return "\n".join(t for t in texts if t) or "tool error"


def audit_middleware(settings: Settings) -> Middleware:
    """Server middleware writing one audit line per `tools/call` to `settings.audit_log`."""
    audit = audit_log_for(settings)
    writer = anyio.CapacityLimiter(1)  # one thread: lines in call order, never more than one thread busy

    async def write(**entry: Any) -> None:
        with anyio.CancelScope(shield=True):  # a cancelled call is audited too; the write is bounded
            await anyio.to_thread.run_sync(functools.partial(audit.record, **entry), limiter=writer)

    async def middleware(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        if audit is None or ctx.method != "tools/call" or not isinstance(ctx.params, dict):
            return await call_next(ctx)
        started = time.perf_counter()
        tool = str(ctx.params.get("name", ""))
        arguments = ctx.params.get("arguments") or {}
        error: str | None = "request failed"
        try:
            result = await call_next(ctx)
            error = error_text(result)
            return result
        except Exception as exc:
            error = str(exc) or type(exc).__name__
            raise
        finally:
            duration = (time.perf_counter() - started) * 1000
            await write(side="server", tool=tool, arguments=arguments, duration_ms=duration, error=error)

    return middleware
