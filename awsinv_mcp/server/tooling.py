"""The thin helper every tool module uses: registration, compact answers and clean tool errors.

`@tool(mcp, title=...)` registers a function as an MCP tool whose
- answer is a `CallToolResult` with compact JSON text plus `structured_content` (the SDK would
  otherwise indent the JSON the model reads), its output schema taken from the return annotation;
- `UserError` (and subclasses) become tool errors (isError) carrying exactly the message;
- unexpected exceptions become a generic tool error (the traceback goes to the log on stderr).

`argument_guard` is server middleware that, before any tool runs, rejects unknown argument names
and turns pydantic validation failures into one readable sentence.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ValidationError
from pydantic_core import from_json

from awsinv_mcp.errors import UserError

log = logging.getLogger("awsinv_mcp.server")

F = TypeVar("F", bound=Callable[..., Any])

_SDK_PREFIX = "Error executing tool "


def annotations(*, open_world: bool = False, read_only: bool = True, idempotent: bool = True) -> ToolAnnotations:
    """Truthful annotations: read-only tools that query AWS or a database are open-world."""
    return ToolAnnotations(
        read_only_hint=read_only,
        destructive_hint=False,
        idempotent_hint=idempotent,
        open_world_hint=open_world,
    )


def dump(model: BaseModel) -> dict[str, Any]:
    """JSON-ready dict of an answer model (None-valued optional fields kept: they are part of the contract)."""
    return model.model_dump(mode="json")


def respond(model: BaseModel | dict[str, Any]) -> CallToolResult:
    """Successful answer: compact JSON text for the model, the same object as structured content. A model is
    serialised in one pass of pydantic's serializer (fast for large query results)."""
    if isinstance(model, BaseModel):
        text = model.model_dump_json(fallback=str)
        data = from_json(text)
    else:
        data = model
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def refuse(message: str) -> CallToolResult:
    """Tool error (isError) with exactly `message`."""
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def _finish(result: Any) -> Any:
    if isinstance(result, BaseModel) and not isinstance(result, CallToolResult):
        return respond(result)
    return result


def tool(mcp: MCPServer, *, title: str, open_world: bool = False, name: str | None = None) -> Callable[[F], F]:
    """Register `fn` as a read-only tool (see module docstring). Sync functions run in a worker thread."""

    def decorator(fn: F) -> F:
        is_async = inspect.iscoroutinefunction(fn)

        @functools.wraps(fn)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                if is_async:
                    result = await fn(*args, **kwargs)
                else:
                    result = await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))
                return _finish(result)
            except UserError as exc:
                return refuse(str(exc))
            except ToolError:
                raise
            except Exception:
                log.exception("tool %s failed", fn.__name__)
                return refuse(
                    f"{fn.__name__} failed unexpectedly; the server log has the details. "
                    "Try again, or narrow the request."
                )

        mcp.add_tool(
            wrapper,
            name=name or fn.__name__,
            title=title,
            description=inspect.getdoc(fn),
            annotations=annotations(open_world=open_world),
        )
        registered = mcp._tool_manager.get_tool(name or fn.__name__)
        if registered is not None:
            optional_args_plain(slim_schema(registered.parameters))
            slim_output_schema(slim_schema(registered.fn_metadata.output_schema))
        return fn

    return decorator


_MAPPINGS = ("properties", "$defs", "definitions", "patternProperties")


def slim_schema(node: Any) -> Any:
    """Drop pydantic's auto `title`s and fold `anyOf` of plain types into a type list, in place.

    Saves about a third of tools/list without losing meaning (a model reads every byte of it).
    """
    if isinstance(node, list):
        for item in node:
            slim_schema(item)
        return node
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("title"), str):
        del node["title"]
    for key, value in list(node.items()):
        if key in _MAPPINGS and isinstance(value, dict):
            for sub in value.values():
                slim_schema(sub)
        elif isinstance(value, dict | list):
            slim_schema(value)
    options = node.get("anyOf")
    if (
        isinstance(options, list)
        and options
        and all(isinstance(o, dict) and set(o) == {"type"} and isinstance(o["type"], str) for o in options)
    ):
        node["type"] = [o["type"] for o in options]
        del node["anyOf"]
    return node


# Arguments whose meaning the server instructions state once (filters take comma lists, account an id or
# alias, cursor is the previous next_cursor); their per-tool descriptions would repeat it ~20 times.
CONVENTIONAL_ARGS = frozenset({
    "cursor", "region", "account", "environment", "team", "application", "status", "engine", "q", "sort",
    "severity", "rule", "resource", "resource_type", "category", "database",
})  # fmt: skip


def optional_args_plain(schema: dict[str, Any]) -> dict[str, Any]:
    """Input schemas: an optional argument defaulting to null is shown by its type alone (omit it to skip);
    conventional filter arguments lose their repeated descriptions."""
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        if name in CONVENTIONAL_ARGS:
            prop.pop("description", None)
        if name in required or "default" not in prop or prop["default"] is not None:
            continue
        del prop["default"]
        kind = prop.get("type")
        if isinstance(kind, list) and "null" in kind:
            rest = [k for k in kind if k != "null"]
            prop["type"] = rest[0] if len(rest) == 1 else rest
        options = prop.get("anyOf")
        if isinstance(options, list):
            rest_opts = [o for o in options if o != {"type": "null"}]
            if len(rest_opts) == 1:
                del prop["anyOf"]
                prop.update(rest_opts[0])
    return schema


# Answer fields every tool shares (documented once in README and DESIGN.md).
CONVENTIONAL_FIELDS = frozenset({"source", "collected_at", "warnings", "total", "next_cursor", "truncated"})


def slim_output_schema(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """Output schemas are read by programs, not models: keep types, enums and required lists, and the
    descriptions of top-level fields; drop nested descriptions, defaults and `additionalProperties: true`."""
    if schema is None:
        return None

    def prune(node: Any, keep_descriptions: bool) -> None:
        if isinstance(node, list):
            for item in node:
                prune(item, False)
            return
        if not isinstance(node, dict):
            return
        node.pop("default", None)
        if node.get("additionalProperties") is True:
            del node["additionalProperties"]
        if not keep_descriptions and isinstance(node.get("description"), str):
            del node["description"]
        for key, value in node.items():
            if key in _MAPPINGS and isinstance(value, dict):
                for sub in value.values():
                    prune(sub, False)
            elif isinstance(value, dict | list):
                prune(value, False)

    prune({k: v for k, v in schema.items() if k != "properties"}, False)
    for name, prop in schema.get("properties", {}).items():
        prune(prop, name not in CONVENTIONAL_FIELDS)
    return schema


def _describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"argument {loc!r}: {err['msg']}")
    return "; ".join(parts) + ". Fix the argument and call again."


def argument_guard(mcp: MCPServer) -> Callable[[Any, Callable[[Any], Awaitable[Any]]], Awaitable[Any]]:
    """Middleware: unknown tools and argument names, and invalid values, become clean tool errors."""

    async def guard(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        if ctx.method != "tools/call" or not isinstance(ctx.params, dict):
            return await call_next(ctx)
        name = ctx.params.get("name", "")
        tool_obj = mcp._tool_manager.get_tool(name)
        if tool_obj is None:
            return refuse(f"unknown tool {name!r}; call tools/list to see the available tools")
        arguments = ctx.params.get("arguments") or {}
        valid = tool_obj.parameters.get("properties", {})
        extra = sorted(set(arguments) - set(valid))
        if extra:
            return refuse(
                f"{name} has no argument(s) {', '.join(map(repr, extra))}; valid arguments: {', '.join(sorted(valid))}"
            )
        try:
            tool_obj.fn_metadata.arg_model.model_validate(tool_obj.fn_metadata.pre_parse_json(arguments))
        except ValidationError as exc:
            return refuse(_describe_validation(exc))
        started = time.perf_counter()
        result = await call_next(ctx)
        if isinstance(result, CallToolResult) and result.is_error and result.content:
            first = result.content[0]
            if isinstance(first, TextContent) and first.text.startswith(_SDK_PREFIX):
                _, _, rest = first.text.partition(": ")
                result = refuse(rest or f"{name} failed")
        log.debug("tool %s answered in %.1f ms", name, (time.perf_counter() - started) * 1000)
        return result

    return guard
