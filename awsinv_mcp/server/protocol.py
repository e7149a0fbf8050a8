"""Protocol-level errors for prompts and resources, in the negotiated version's terms (issue 17 items 4 and 5).

The SDK answers a failing `prompts/get` or `resources/read` with -32603 "Internal server error" and a traceback on
stderr. This middleware turns the caller's mistakes into what the specification says instead:
- `prompts/get`: an unknown prompt, a missing required argument or a bad argument value is -32602 (Invalid Params)
  with a sentence saying what to fix;
- `resources/read`: a resource that does not exist is -32602 from protocol 2026-07-28 on (SEP-2164) and -32002
  (with `data.uri`) before it; any other caller mistake is -32602.
A real bug still propagates (and is answered -32603, logged with its traceback).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

from awsinv_mcp.errors import NotFoundError, UserError

LEGACY_RESOURCE_NOT_FOUND = -32002
"""Resource not found before protocol 2026-07-28 (retired by SEP-2164 in favour of -32602)."""


def resource_not_found_code(protocol_version: str | None) -> int:
    """-32602 on the per-request (2026-07-28) versions, where SEP-2164 applies; -32002 before."""
    return INVALID_PARAMS if protocol_version in MODERN_PROTOCOL_VERSIONS else LEGACY_RESOURCE_NOT_FOUND


def _prompt_message(exc: Exception, name: str) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, ValidationError):
        fields = ", ".join(".".join(str(p) for p in e["loc"]) or "arguments" for e in exc.errors()[:3])
        return f"invalid argument(s) for prompt {name!r}: {fields}; prompts/list shows each argument"
    if text.lower().startswith("unknown prompt"):
        return f"unknown prompt {name!r}; prompts/list lists the prompts"
    return f"prompt {name!r}: {text}"


async def protocol_errors(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
    """Middleware: caller mistakes on prompts/get and resources/read become protocol errors (module docstring)."""
    method = getattr(ctx, "method", None)
    if method not in ("prompts/get", "resources/read"):
        return await call_next(ctx)
    params = ctx.params if isinstance(ctx.params, dict) else {}
    try:
        return await call_next(ctx)
    except Exception as exc:
        cause = _caller_mistake(exc)
        if cause is None:
            raise
        if method == "resources/read":
            if isinstance(cause, NotFoundError):
                code = resource_not_found_code(getattr(ctx, "protocol_version", None))
                raise MCPError(code=code, message=str(cause), data={"uri": str(params.get("uri", ""))}) from None
            raise MCPError(code=INVALID_PARAMS, message=str(cause)) from None
        raise MCPError(code=INVALID_PARAMS, message=_prompt_message(cause, str(params.get("name", "")))) from None


def _caller_mistake(exc: BaseException) -> Exception | None:
    """The caller's mistake behind `exc` (the SDK wraps it, e.g. in an MCPError -32603), or None for a bug."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, UserError | ValidationError):
            return seen
        if isinstance(seen, ValueError) and not isinstance(seen, MCPError):
            deeper = seen.__cause__ or seen.__context__
            if deeper is None or not isinstance(deeper, Exception):
                return seen
        seen = seen.__cause__ or seen.__context__
    return None
