"""`POST /infrastructure-ai`: one chat turn through the shared agent loop, over the app's MCP session.

`answer()` returns `{answer, tool_calls}` at the end; `stream()` sends the loop's events as they happen
(server-sent events, see `stream`). Tool arguments and tool errors leave this module redacted.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio

from awsinv_mcp.clients.web.bridge import ToolBridge, ToolFailure
from awsinv_mcp.redact import is_secret_key, redact, redact_text

log = logging.getLogger("awsinv_mcp.web")

MAX_QUERY_CHARS = 8_000
MAX_HISTORY_TURNS = 40
MAX_ERROR_CHARS = 2_000
NO_KEY_FIX = (
    "Set ANTHROPIC_API_KEY=<your Anthropic API key> in the environment of `awsinv-mcp web` and restart it; "
    "every other tab works without it."
)


class ChatFailure(ToolFailure):
    """A chat turn that could not run; `fix` tells the user what to do."""

    def __init__(self, status: int, message: str, fix: str | None = None) -> None:
        super().__init__(status, message)
        self.fix = fix


def parse_request(body: Any) -> tuple[str, list[dict[str, str]]]:
    """(query, history) from `{query, history}`; history is a list of `{role, content}` text turns."""
    if not isinstance(body, dict):
        raise ChatFailure(400, "send a JSON object {query, history}")
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise ChatFailure(400, "query must be a non-empty string")
    if len(query) > MAX_QUERY_CHARS:
        raise ChatFailure(400, f"query is too long ({len(query)} characters; at most {MAX_QUERY_CHARS})")
    history = body.get("history") or []
    if not isinstance(history, list):
        raise ChatFailure(400, "history must be a list of {role, content}")
    turns = []
    for turn in history[-MAX_HISTORY_TURNS:]:
        if not (isinstance(turn, dict) and turn.get("role") in ("user", "assistant")):
            raise ChatFailure(400, "each history entry needs role 'user' or 'assistant' and a text content")
        content = turn.get("content")
        if isinstance(content, str) and content.strip():
            turns.append({"role": turn["role"], "content": content})
    while turns and turns[0]["role"] != "user":
        turns.pop(0)
    return query.strip(), turns


def _load_loop() -> Any:
    try:
        return importlib.import_module("awsinv_mcp.clients.chat.loop")
    except ImportError as exc:
        raise ChatFailure(
            503,
            f"the chat is not available in this installation ({exc.name or 'chat loop'} is missing)",
            "Install the chat extra: pip install 'awsinv-mcp[chat]', then restart awsinv-mcp web.",
        ) from None


async def _client(loop_module: Any) -> Any:
    try:  # the anthropic SDK imports slowly: import it off the event loop
        await anyio.to_thread.run_sync(importlib.import_module, "anthropic")
    except ImportError:
        raise ChatFailure(
            503,
            "the anthropic package is not installed",
            "Install the chat extra: pip install 'awsinv-mcp[chat]', then restart awsinv-mcp web.",
        ) from None
    try:
        return loop_module.anthropic_client_from_env()
    except loop_module.MissingApiKey:
        raise ChatFailure(503, "no Anthropic API key is set, so the AI Chat cannot answer", NO_KEY_FIX) from None


async def chat_status() -> dict[str, Any]:
    """Whether a chat turn can run now (`ready`), and if not the message and the fix."""
    try:
        loop_module = _load_loop()
        client = await _client(loop_module)
    except ChatFailure as exc:
        return {"ready": False, "error": exc.message, "fix": exc.fix}
    await _close(client)
    return {"ready": True}


async def _close(client: Any) -> None:
    closer = getattr(client, "close", None)
    if closer is not None:
        result = closer()
        if hasattr(result, "__await__"):
            await result


def _secret_values(value: Any) -> list[str]:
    """String values held under secret-looking keys anywhere in `value` (masked wherever they are echoed)."""
    if isinstance(value, dict):
        return [
            found
            for k, v in value.items()
            for found in ([v] if isinstance(k, str) and is_secret_key(k) and isinstance(v, str) else _secret_values(v))
        ]
    if isinstance(value, list | tuple):
        return [found for v in value for found in _secret_values(v)]
    return []


def public_call(call: dict[str, Any]) -> dict[str, Any]:
    """A tool call or tool event as the page may see it: arguments redacted, error text redacted and capped."""
    arguments = call.get("arguments") or {}
    out = {**call, "arguments": redact(arguments)}
    if "duration_ms" in out:
        out["duration_ms"] = round(float(out["duration_ms"] or 0.0), 1)
    if "is_error" in out:
        out["is_error"] = bool(out["is_error"])
    if out.get("error"):
        out["error"] = redact_text(str(out["error"]), _secret_values(arguments))[:MAX_ERROR_CHARS]
    return out


def _tool_call(call: Any) -> dict[str, Any]:
    return public_call(
        {
            "name": getattr(call, "name", ""),
            "arguments": getattr(call, "arguments", {}) or {},
            "duration_ms": getattr(call, "duration_ms", 0.0),
            "is_error": getattr(call, "is_error", False),
        }
    )


@dataclass
class Turn:
    """A validated chat request with its Anthropic client, ready to run."""

    loop_module: Any
    client: Any
    query: str
    history: list[dict[str, str]]


async def prepare(body: Any) -> Turn:
    """Validate the request and make the API client; raises `ChatFailure` (before any response is sent)."""
    query, history = parse_request(body)
    loop_module = _load_loop()
    return Turn(loop_module, await _client(loop_module), query, history)


EventSink = Callable[[dict[str, Any]], Awaitable[None]]


async def run(bridge: ToolBridge, turn: Turn, *, model: str, on_event: EventSink | None = None) -> dict[str, Any]:
    """Run the prepared turn (closing its client): `{answer, tool_calls}`, or `ChatFailure`.

    `on_event` receives the loop's events with tool arguments and errors redacted."""
    loop_module = turn.loop_module

    async def forward(event: dict[str, Any]) -> None:
        if on_event is not None:
            await on_event(public_call(event) if event.get("type", "").startswith("tool_") else event)

    try:
        result = await loop_module.run_agent(
            bridge.client,
            turn.query,
            history=turn.history,
            model=model,
            anthropic_client=turn.client,
            on_event=forward if on_event is not None else None,
        )
    except ChatFailure:
        raise
    except loop_module.ChatError as exc:  # the loop's own user-facing messages (API refused, budget spent)
        raise ChatFailure(502, str(exc)) from None
    except Exception as exc:
        log.warning("chat turn failed: %s", type(exc).__name__)
        raise ChatFailure(502, f"the model API call failed ({type(exc).__name__}): {str(exc)[:300]}") from None
    finally:
        with anyio.CancelScope(shield=True):  # also when the page went away mid-stream
            await _close(turn.client)
    return {"answer": result.answer, "tool_calls": [_tool_call(c) for c in result.tool_calls]}


async def answer(bridge: ToolBridge, body: Any, *, model: str) -> dict[str, Any]:
    """`{answer, tool_calls}` for one question, or `ChatFailure`."""
    return await run(bridge, await prepare(body), model=model)


def sse(event: dict[str, Any]) -> bytes:
    """One server-sent event: `event: <type>` and the event as one line of JSON."""
    data = json.dumps(event, separators=(",", ":"), default=str)
    return f"event: {event.get('type', 'message')}\ndata: {data}\n\n".encode()


async def stream(bridge: ToolBridge, turn: Turn, *, model: str, send: Callable[[bytes], Awaitable[None]]) -> None:
    """Run the prepared turn, sending each event as SSE through `send`.

    Events: `turn`, `text` (a delta), `tool_start`, `tool_end` (redacted arguments, `duration_ms`,
    `is_error`, `error`), `retry`, then exactly one of `done` (`{answer, tool_calls}`) or `error`
    (`{error, fix}`). Parallel tool calls emit concurrently; a lock keeps each event whole."""
    lock = anyio.Lock()

    async def emit(event: dict[str, Any]) -> None:
        async with lock:
            await send(sse(event))

    try:
        final = await run(bridge, turn, model=model, on_event=emit)
    except ChatFailure as exc:
        await emit({"type": "error", "error": exc.message, "fix": exc.fix})
        return
    await emit({"type": "done", **final})
