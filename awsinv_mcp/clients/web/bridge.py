"""The web app's one way to the server: an MCP client session held open for the app's lifespan.

`ToolBridge` calls tools and returns their structured results (a list answer's table as `items`, row objects:
`models/table.py` `with_items`, so the page reads rows one way), turns tool errors into `ToolFailure`
(an HTTP status plus the tool's own message) and maps REST query strings onto a tool's typed arguments
using the tool's input schema.
"""

from __future__ import annotations

import json
import logging
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import urlsplit

import anyio
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, TextContent

from awsinv_mcp.models.table import with_items

log = logging.getLogger("awsinv_mcp.web")

CALL_TIMEOUT_S = 120.0


class ToolFailure(Exception):
    """A tool call that did not produce an answer: `status` is the HTTP status the REST API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


# The machine-readable code of a tool error (`awsinv_mcp/errors.py`) -> the REST API's HTTP status.
STATUS_OF_CODE = {
    "invalid_argument": 400,
    "not_found": 404,
    "refused": 403,
    "cancelled": 409,
    "upstream": 502,
    "unavailable": 503,
    "internal": 502,
}


def error_status(result: Any) -> int:
    """The HTTP status of a tool error, from its code (a result without one is the server's fault: 502)."""
    data = result.structured_content if isinstance(result.structured_content, dict) else {}
    error = data.get("error") if isinstance(data.get("error"), dict) else {}
    return STATUS_OF_CODE.get(str(error.get("code")), 502)


def _schema_types(schema: dict[str, Any]) -> set[str]:
    """JSON types a property accepts (`type`, a type list, or `anyOf`/`oneOf` alternatives)."""
    kinds: set[str] = set()
    declared = schema.get("type")
    if isinstance(declared, str):
        kinds.add(declared)
    elif isinstance(declared, list):
        kinds.update(k for k in declared if isinstance(k, str))
    for key in ("anyOf", "oneOf"):
        for alt in schema.get(key, []) or []:
            kinds |= _schema_types(alt)
    return kinds


def coerce_value(raw: list[str], schema: dict[str, Any]) -> Any:
    """A query-string value (all repeats of one parameter) as the JSON value the schema asks for."""
    kinds = _schema_types(schema)
    if "array" in kinds:
        return [part.strip() for value in raw for part in value.split(",") if part.strip()]
    value = raw[-1]
    if value == "" and "null" in kinds:
        return None
    if "boolean" in kinds and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    if "integer" in kinds:
        try:
            return int(value)
        except ValueError:
            if "string" not in kinds:
                raise ToolFailure(400, f"query parameter must be an integer (got {value!r})") from None
    if "number" in kinds:
        try:
            return float(value)
        except ValueError:
            if "string" not in kinds:
                raise ToolFailure(400, f"query parameter must be a number (got {value!r})") from None
    return value


def structured(result: Any) -> dict[str, Any]:
    """The structured answer of a successful tool result (parsed from its JSON text if absent), a table's rows
    as `items` (row objects, every column present)."""
    if result.structured_content is not None:
        return with_items(result.structured_content)
    text = "".join(c.text for c in result.content if isinstance(c, TextContent))
    try:
        data = json.loads(text)
    except ValueError:
        return {"text": text}
    return with_items(data) if isinstance(data, dict) else {"result": data}


def _leaf_messages(exc: BaseException) -> str:
    """The messages of the innermost exceptions of an exception group (anyio task groups nest them)."""
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_leaf_messages(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def error_text(result: Any) -> str:
    text = " ".join(c.text for c in result.content if isinstance(c, TextContent)).strip()
    return text or "the tool reported an error without a message"


class ToolBridge:
    """An open `mcp.Client` plus cached tool schemas. Use as an async context manager."""

    def __init__(self, target: Any, *, label: str | None = None) -> None:
        self._target = target
        self._label = label
        self._stack: AsyncExitStack | None = None
        self._client: Client | None = None
        self._schemas: dict[str, dict[str, Any]] | None = None
        self._lock = anyio.Lock()

    async def __aenter__(self) -> ToolBridge:
        self._stack = AsyncExitStack()
        try:
            self._client = await self._stack.enter_async_context(Client(self._target, cache=None))
        except Exception as exc:
            await self._stack.aclose()
            message = f"could not open an MCP session with {self.describe()}: {_leaf_messages(exc)}"
            log.error("%s", message)
            raise ConnectionError(message) from None
        return self

    def describe(self) -> str:
        """The target without credentials (for messages)."""
        where = self._label if self._label is not None else self._target
        if isinstance(where, str) and "://" in where:
            parts = urlsplit(where)
            return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}{parts.path}"
        return where if isinstance(where, str) else "the MCP server"

    async def __aexit__(self, *exc: object) -> None:
        if self._stack is not None:
            await self._stack.aclose()
        self._client = self._stack = None

    @property
    def client(self) -> Client:
        if self._client is None:
            raise ToolFailure(503, "the MCP session is not open")
        return self._client

    async def schemas(self, *, refresh: bool = False) -> dict[str, dict[str, Any]]:
        """Input schemas by tool name (listed once, relisted on demand)."""
        async with self._lock:
            if self._schemas is None or refresh:
                tools: dict[str, dict[str, Any]] = {}
                cursor: str | None = None
                while True:
                    page = await self.client.list_tools(cursor=cursor)
                    tools.update({t.name: t.input_schema or {} for t in page.tools})
                    cursor = page.next_cursor
                    if not cursor:
                        break
                self._schemas = tools
            return self._schemas

    async def has_tool(self, name: str) -> bool:
        known = await self.schemas()
        return name in known or name in await self.schemas(refresh=True)

    async def arguments(self, name: str, params: dict[str, list[str]]) -> dict[str, Any]:
        """Tool arguments from query parameters, typed by the tool's input schema (unknown names refused)."""
        if not await self.has_tool(name):
            raise ToolFailure(404, f"the server has no tool {name!r} (yet); this part of the page is unavailable")
        props = (await self.schemas())[name].get("properties", {})
        unknown = sorted(set(params) - set(props))
        if unknown:
            raise ToolFailure(
                400, f"unknown query parameter(s) {', '.join(unknown)}; valid: {', '.join(sorted(props)) or 'none'}"
            )
        return {key: coerce_value(values, props[key]) for key, values in params.items() if values}

    async def call(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """The tool's structured answer, or `ToolFailure`."""
        try:
            result = await self.client.call_tool(name, arguments or {}, read_timeout_seconds=CALL_TIMEOUT_S)
        except ToolFailure:
            raise
        except MCPError as exc:  # a protocol error: an unknown tool (-32602) is a missing route
            status = 404 if exc.error.code == INVALID_PARAMS else 502
            raise ToolFailure(status, exc.error.message) from None
        except Exception as exc:  # transport failure: the server is down or unreachable
            log.warning("MCP call %s failed: %s", name, type(exc).__name__)
            raise ToolFailure(502, f"the MCP server did not answer {name} ({type(exc).__name__})") from None
        if result.is_error:
            raise ToolFailure(error_status(result), error_text(result))
        return structured(result)
