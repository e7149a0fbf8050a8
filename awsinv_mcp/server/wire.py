"""What a transport answers before the SDK sees a message: text that is not one JSON-RPC message.

One vocabulary for stdio (`awsinv_mcp.server.stdio`) and HTTP (`awsinv_mcp.server.http_edge`):
- not JSON -> -32700 Parse error;
- JSON that is not a JSON-RPC 2.0 message -> -32600 Invalid Request, naming what is wrong (and the
  request's id when it has a usable one) instead of a validation dump;
- a batch (a JSON array) -> processed on stdio where the negotiated protocol version has batches
  (2025-03-26; they were removed in 2025-06-18), otherwise (and over HTTP) -32600 saying so;
- an `MCP-Protocol-Version` this server does not speak -> an error naming the versions it does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from mcp_types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError, JSONRPCMessage, jsonrpc_message_adapter
from mcp_types.jsonrpc import UNSUPPORTED_PROTOCOL_VERSION
from mcp_types.version import KNOWN_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS
from pydantic import ValidationError

BATCH_VERSIONS = ("2025-03-26",)
"""Protocol versions whose JSON-RPC layer has batches (added in 2025-03-26, removed in 2025-06-18)."""
SUPPORTED_VERSIONS = KNOWN_PROTOCOL_VERSIONS
"""Every version this server speaks: the initialize-handshake ones and the per-request ones (2026-07-28)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A JSON-RPC error answering a message that never reaches the server."""

    code: int
    message: str
    id: str | int | None = None
    data: dict[str, Any] | None = None

    def error(self) -> JSONRPCError:
        data = {} if self.data is None else {"data": self.data}  # unset, not null: writers exclude unset fields
        return JSONRPCError(jsonrpc="2.0", id=self.id, error=ErrorData(code=self.code, message=self.message, **data))

    def body(self) -> dict[str, Any]:
        """The error as a JSON object (`id` present even when null, as JSON-RPC requires)."""
        error = self.error().error.model_dump(mode="json", by_alias=True, exclude_none=True)
        return {"jsonrpc": "2.0", "id": self.id, "error": error}


def parse_error(exc: ValueError | RecursionError) -> Refusal:
    detail = f" ({exc.msg} at line {exc.lineno} column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
    return Refusal(PARSE_ERROR, f"Parse error: the message is not valid JSON{detail}")


def _usable_id(obj: dict[str, Any]) -> str | int | None:
    value = obj.get("id")
    return value if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)) else None


def _envelope_problem(obj: dict[str, Any]) -> str:
    """The first thing that keeps `obj` from being a JSON-RPC 2.0 message, in a few words."""
    if obj.get("jsonrpc") != "2.0":
        return '"jsonrpc" must be "2.0"'
    if "id" in obj and obj["id"] is not None and _usable_id(obj) is None:
        return '"id" must be a string or an integer'
    if "method" in obj:
        if not isinstance(obj["method"], str):
            return '"method" must be a string'
        if "params" in obj and obj["params"] is not None and not isinstance(obj["params"], dict):
            return '"params" must be an object'
        return "malformed request"
    if "result" in obj or "error" in obj:
        return "malformed response"
    return 'a message needs a "method" (request or notification) or a "result"/"error" (response)'


def message(obj: Any) -> JSONRPCMessage | Refusal:
    """A decoded JSON value as one JSON-RPC message, or the Invalid Request refusal saying why not."""
    if not isinstance(obj, dict):
        return Refusal(INVALID_REQUEST, "Invalid Request: a JSON-RPC message is a JSON object")
    try:
        return jsonrpc_message_adapter.validate_python(obj, by_name=False)
    except ValidationError:
        return Refusal(INVALID_REQUEST, f"Invalid Request: {_envelope_problem(obj)}", id=_usable_id(obj))


def decode(raw: str | bytes) -> Any:
    """The JSON value of one message (a line on stdio, a POST body), or a parse-error `Refusal`."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return parse_error(exc)


def batch_refusal(negotiated: str | None, *, over_http: bool = False) -> Refusal:
    """The answer to a batch this server does not process: over HTTP always, over stdio where the session's
    protocol version has no batches."""
    if over_http:
        where = "this server takes one message per POST"
    elif negotiated is None:
        where = "this connection has not negotiated a protocol version (initialize cannot be batched)"
    else:
        where = f"this session speaks {negotiated}"
    return Refusal(
        INVALID_REQUEST,
        "Invalid Request: JSON-RPC batches are not supported: MCP had them only in protocol version 2025-03-26 "
        f"(removed in 2025-06-18) and {where}; send each message on its own",
    )


PROTOCOL_VERSION_META = "io.modelcontextprotocol/protocolVersion"
"""The per-request (2026-07-28) envelope key that carries a request's protocol version."""


def _per_request_era(body: Any) -> bool:
    """Whether a decoded body is a request of the per-request protocol era (versions in `_meta`, no initialize)."""
    if not isinstance(body, dict):
        return False
    params = body.get("params")
    meta = params.get("_meta") if isinstance(params, dict) else None
    return body.get("method") == "server/discover" or (isinstance(meta, dict) and PROTOCOL_VERSION_META in meta)


def unsupported_version(requested: str, body: Any = None) -> Refusal:
    """The answer to an `MCP-Protocol-Version` header this server does not speak, carrying the request's id.

    A per-request-era request is told the versions `server/discover` lists (it cannot use the initialize-era
    ones without an initialize); any other request every version this server speaks."""
    shown = requested if len(requested) <= 40 else requested[:40] + "…"
    supported = MODERN_PROTOCOL_VERSIONS if _per_request_era(body) else SUPPORTED_VERSIONS
    return Refusal(
        UNSUPPORTED_PROTOCOL_VERSION,
        f"Unsupported protocol version {shown!r} in the MCP-Protocol-Version header; this server supports "
        f"{', '.join(supported)}",
        id=_usable_id(body) if isinstance(body, dict) else None,
        data={"supported": list(supported), "requested": shown},
    )
