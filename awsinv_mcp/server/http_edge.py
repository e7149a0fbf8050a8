"""ASGI middleware in front of the SDK's streamable HTTP endpoint: short JSON-RPC errors for what it would
answer with a validation dump or a misleading message (see `awsinv_mcp.server.wire`).

- `MCP-Protocol-Version` naming a version this server does not speak -> 400, -32022, naming the versions
  it does (the SDK routes unknown versions to its 2026-07-28 handler, which complains about `params._meta`);
- a POSTed batch -> 400, -32600 saying batches left MCP in 2025-06-18 (the SDK: a 1.2 KB pydantic dump);
- a POST body that is JSON but not a JSON-RPC message -> 400, -32600 naming the problem;
- a body that is not JSON -> 400, -32700.
Host/Origin are checked first with the SDK's own `TransportSecurityMiddleware`, so a refused origin still
gets the SDK's 403/421. Bodies over the SDK's size limit are passed on untouched (the SDK answers 413).
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from mcp.server.transport_security import (
    DEFAULT_MAX_REQUEST_BODY_SIZE,
    TransportSecurityMiddleware,
    TransportSecuritySettings,
)
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from awsinv_mcp.server import wire

PROTOCOL_VERSION_HEADER = b"mcp-protocol-version"


class ProtocolEdge:
    """Answers malformed MCP requests at `path` itself; passes everything else to `app` unchanged."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str = "/mcp",
        security: TransportSecuritySettings | None = None,
        max_body: int = DEFAULT_MAX_REQUEST_BODY_SIZE,
    ) -> None:
        self.app = app
        self.paths = {path.rstrip("/") or "/", path.rstrip("/") + "/"}
        self.security = TransportSecurityMiddleware(security)
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if await self.security.validate_request(Request(scope), is_post=method == "POST") is not None:
            await self.app(scope, receive, send)  # the SDK refuses it in its own words
            return
        version = next((v.decode("latin-1") for k, v in scope["headers"] if k == PROTOCOL_VERSION_HEADER), None)
        unsupported = version is not None and version not in wire.SUPPORTED_VERSIONS
        if method != "POST" or not _is_json(scope):
            if unsupported:
                await _answer(send, wire.unsupported_version(version))
            else:
                await self.app(scope, receive, send)
            return
        body, complete, replay = await self._read(scope, receive)
        if unsupported:  # answered with the request's id, naming the versions of the request's era
            await _answer(send, wire.unsupported_version(version, wire.decode(body) if complete else None))
            return
        if complete:
            refusal = _check(body)
            if refusal is not None:
                await _answer(send, refusal)
                return
        await self.app(scope, replay, send)

    async def _read(self, scope: Scope, receive: Receive) -> tuple[bytes, bool, Receive]:
        """The body when it fits the limit (complete=True), and a `receive` that replays what was read."""
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        buffered: deque[Message] = deque()
        body = bytearray()
        complete = False
        if declared is None or not declared.isdigit() or int(declared) <= self.max_body:
            while True:
                message = await receive()
                buffered.append(message)
                if message["type"] != "http.request":
                    break
                body += message.get("body", b"")
                if not message.get("more_body", False):
                    complete = True
                    break
                if len(body) > self.max_body:
                    break

        async def replay() -> Message:
            return buffered.popleft() if buffered else await receive()

        return bytes(body), complete and len(body) <= self.max_body, replay


def _is_json(scope: Scope) -> bool:
    ctype = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
    return ctype.split(b";")[0].strip().lower() == b"application/json"


def _check(body: bytes) -> wire.Refusal | None:
    decoded: Any = wire.decode(body)
    if isinstance(decoded, wire.Refusal):
        return decoded
    if isinstance(decoded, list):
        return wire.batch_refusal(None, over_http=True)
    checked = wire.message(decoded)
    return checked if isinstance(checked, wire.Refusal) else None


async def _answer(send: Send, refusal: wire.Refusal) -> None:
    body = json.dumps(refusal.body(), separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})
