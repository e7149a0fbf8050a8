"""`POST /infrastructure-ai`: one chat turn through the shared agent loop, over the app's MCP session."""

from __future__ import annotations

import importlib
import logging
from typing import Any

import anyio

from awsinv_mcp.clients.web.bridge import ToolBridge, ToolFailure

log = logging.getLogger("awsinv_mcp.web")

MAX_QUERY_CHARS = 8_000
MAX_HISTORY_TURNS = 40
NO_KEY_FIX = (
    "Set ANTHROPIC_API_KEY in the environment of `awsinv-mcp web` and restart it "
    "(for example: ANTHROPIC_API_KEY=sk-ant-... awsinv-mcp web). The Overview and Resources tabs work without it."
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


def _tool_call(call: Any) -> dict[str, Any]:
    return {
        "name": getattr(call, "name", ""),
        "arguments": getattr(call, "arguments", {}) or {},
        "duration_ms": round(float(getattr(call, "duration_ms", 0.0) or 0.0), 1),
        "is_error": bool(getattr(call, "is_error", False)),
    }


async def answer(bridge: ToolBridge, body: Any, *, model: str) -> dict[str, Any]:
    """`{answer, tool_calls}` for one question, or `ChatFailure`."""
    query, history = parse_request(body)
    loop_module = _load_loop()
    client = await _client(loop_module)
    try:
        result = await loop_module.run_agent(
            bridge.client, query, history=history, model=model, anthropic_client=client
        )
    except ChatFailure:
        raise
    except loop_module.ChatError as exc:  # the loop's own user-facing messages (API refused, budget spent)
        raise ChatFailure(502, str(exc)) from None
    except Exception as exc:
        log.warning("chat turn failed: %s", type(exc).__name__)
        raise ChatFailure(502, f"the model API call failed ({type(exc).__name__}): {str(exc)[:300]}") from None
    finally:
        await _close(client)
    return {"answer": result.answer, "tool_calls": [_tool_call(c) for c in result.tool_calls]}
