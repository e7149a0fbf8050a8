"""A fake Anthropic Messages API for tests: scripted replies on 127.0.0.1, requests recorded.

Usage::

    from tests.fake_anthropic import FakeMessagesAPI, text, tool_use, tool_uses, error

    script = [tool_use("get_inventory_summary", {}), text("You have 150 databases.")]
    with FakeMessagesAPI(script) as api:          # or: base_url = api.start() ... api.stop()
        client = AsyncAnthropic(base_url=api.base_url, api_key="test", max_retries=0)
        ...                                       # or set ANTHROPIC_BASE_URL=api.base_url for a subprocess
        api.requests                              # JSON bodies of every POST /v1/messages, in order
        api.headers                               # their headers (lower-case names)

Each `POST /v1/messages` consumes the next reply of the script. Replies:
- `text("answer")`: a final text turn (`stop_reason: end_turn`);
- `tool_use(name, input)`: one tool call (`stop_reason: tool_use`);
- `tool_uses((name, input), (name, input))`: several tool calls in one turn (parallel tool use);
- `error(429, retry_after=0.05)`: an HTTP error (429 rate limit, 529 overloaded, 401, 400, ...);
- `stream_error("overloaded_error")`: a stream that starts, then sends an SSE `error` event;
- a callable `fn(request_body) -> reply`: decides from the request (e.g. echo the tool results).
Requests with `"stream": true` get SSE events (message_start, content_block_start/delta/stop,
message_delta, message_stop; text in several deltas, tool input as input_json_delta); others get JSON.
When the script is exhausted the server answers `default` (None: HTTP 500 "script exhausted").
Either `x-api-key` or `authorization: Bearer` is accepted; nothing is checked.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class Reply:
    """One scripted answer: a message (content blocks + stop reason) or an HTTP error."""

    content: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str = "end_turn"
    status: int = 200
    error_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    stream_error: str | None = None  # SSE error event type sent after message_start
    usage: dict[str, int] = field(default_factory=lambda: {"input_tokens": 100, "output_tokens": 20})
    pause_s: float = 0.0  # pause before each streamed text delta (a model that writes slowly)


_ids = itertools.count(1)


def text(answer: str, *, input_tokens: int = 100, output_tokens: int = 20) -> Reply:
    return Reply(
        content=[{"type": "text", "text": answer}],
        usage={"input_tokens": input_tokens, "output_tokens": output_tokens},
    )


def tool_uses(*calls: tuple[str, dict[str, Any]], preface: str | None = None) -> Reply:
    content: list[dict[str, Any]] = [{"type": "text", "text": preface}] if preface else []
    for name, arguments in calls:
        content.append({"type": "tool_use", "id": f"toolu_{next(_ids):04d}", "name": name, "input": arguments})
    return Reply(content=content, stop_reason="tool_use")


def tool_use(name: str, arguments: dict[str, Any] | None = None, *, preface: str | None = None) -> Reply:
    return tool_uses((name, arguments or {}), preface=preface)


_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


def error(status: int, message: str = "scripted error", *, retry_after: float | None = None) -> Reply:
    headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
    return Reply(
        status=status, error_type=_ERROR_TYPES.get(status, "api_error"), headers=headers, content=[{"message": message}]
    )


def stream_error(kind: str = "overloaded_error") -> Reply:
    return Reply(stream_error=kind)


Script = list[Reply | Callable[[dict[str, Any]], Reply]]


def _message(reply: Reply, model: str) -> dict[str, Any]:
    return {
        "id": f"msg_{next(_ids):04d}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": reply.content,
        "stop_reason": reply.stop_reason,
        "stop_sequence": None,
        "usage": reply.usage,
    }


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n"


def _chunks(value: str, size: int = 12) -> list[str]:
    return [value[i : i + size] for i in range(0, len(value), size)] or [""]


def sse_events(reply: Reply, model: str) -> Iterator[str]:
    """The Messages API streaming events for `reply`."""
    start = _message(reply, model)
    yield _sse(
        "message_start",
        {
            "type": "message_start",
            "message": {**start, "content": [], "stop_reason": None, "usage": {**reply.usage, "output_tokens": 1}},
        },
    )
    if reply.stream_error:
        yield _sse("error", {"type": "error", "error": {"type": reply.stream_error, "message": "scripted"}})
        return
    for index, block in enumerate(reply.content):
        if block["type"] == "text":
            yield _sse(
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}},
            )
            for piece in _chunks(block["text"]):
                if reply.pause_s:
                    time.sleep(reply.pause_s)
                yield _sse(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": piece}},
                )
        else:
            yield _sse(
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": {**block, "input": {}}},
            )
            for piece in _chunks(json.dumps(block["input"]), 20):
                yield _sse(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "input_json_delta", "partial_json": piece},
                    },
                )
        yield _sse("content_block_stop", {"type": "content_block_stop", "index": index})
    yield _sse(
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": reply.stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": reply.usage.get("output_tokens", 0)},
        },
    )
    yield _sse("message_stop", {"type": "message_stop"})


class ThreadedServer:
    """Any ASGI app served by uvicorn on an ephemeral 127.0.0.1 port in a daemon thread."""

    def __init__(self, app: Any, *, lifespan: str = "off") -> None:
        self.app = app
        self.lifespan = lifespan
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 10.0) -> str:
        """Start serving; returns the base URL once uvicorn reports it started (polled with a deadline)."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning", lifespan=self.lifespan))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test HTTP server did not start")
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = self._thread = None


class FakeMessagesAPI:
    """The fake API server (see module docstring). Thread-safe; one instance per test."""

    def __init__(self, script: Script, *, default: Reply | None = None) -> None:
        self.script = list(script)
        self.default = default
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.base_url = ""
        self._lock = threading.Lock()
        self._server: ThreadedServer | None = None

    def _next(self, body: dict[str, Any]) -> Reply | None:
        with self._lock:
            item = self.script.pop(0) if self.script else self.default
        return item(body) if callable(item) else item

    async def _messages(self, request: Request) -> Response:
        body = await request.json()
        with self._lock:
            self.requests.append(body)
            self.headers.append(dict(request.headers))
        reply = self._next(body)
        if reply is None:
            return JSONResponse({"type": "error", "error": {"type": "api_error", "message": "script exhausted"}}, 500)
        if reply.status != 200:
            payload = {"type": "error", "error": {"type": reply.error_type, "message": reply.content[0]["message"]}}
            return JSONResponse(payload, reply.status, headers=reply.headers)
        model = body.get("model", "fake")
        if body.get("stream"):
            return StreamingResponse(sse_events(reply, model), media_type="text/event-stream")
        return JSONResponse(_message(reply, model))

    def start(self, timeout: float = 10.0) -> str:
        """Serve on an ephemeral 127.0.0.1 port in a thread; returns the base URL once it answers."""
        app = Starlette(routes=[Route("/v1/messages", self._messages, methods=["POST"])])
        self._server = ThreadedServer(app)
        self.base_url = self._server.start(timeout)
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> FakeMessagesAPI:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
