"""How a plain function becomes an MCP tool, and how its answers and errors look on the wire.

Tools are plain functions (`server/tools/*.py`) listed once in `server/catalog.py` as `ToolDef`s and registered
with the SDK's public `MCPServer.add_tool`. Each call
- is checked first by `argument_guard` (middleware): an unknown tool is a protocol error (-32602); unknown
  argument names and invalid values are one readable sentence (`invalid_argument`);
- runs a synchronous function in a worker thread;
- answers a `CallToolResult` with compact JSON text plus the same object as structured content (the SDK
  would otherwise indent the JSON the model reads), its output schema taken from the return annotation;
- maps the one exception hierarchy (`awsinv_mcp/errors.py`) to a tool error (isError) whose text is the
  message and whose structured content is `{"error": {"code", "message"[, "retry_after_s"]}}`; anything
  else is a bug: logged with its traceback, answered `internal`.

`slim_tools` (middleware on `tools/list`) compacts the listed schemas on the wire: a model reads every byte.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import logging
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, CallToolResult, TextContent, Tool, ToolAnnotations
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic_core import from_json

from awsinv_mcp import budget
from awsinv_mcp.errors import ErrorCode, UserError
from awsinv_mcp.server.apps import ui_meta

log = logging.getLogger("awsinv_mcp.server")

Middleware = Callable[[Any, Callable[[Any], Awaitable[Any]]], Awaitable[Any]]


@dataclass(frozen=True, kw_only=True)
class ToolDef:
    """One tool: its function (name, docstring and signature are the tool's), a title, its toolset, and whether it
    reaches outside the server (`openWorldHint`). Every tool does: the inventory and analysis tools collect from AWS
    on a cache miss in aws mode, the cost tools ask Cost Explorer, the database tools a live database. `app` is the
    `ui://` MCP App that shows the tool's answer (`server/apps.py`), linked from the tool's `_meta`."""

    fn: Callable[..., Any]
    title: str
    toolset: str
    open_world: bool = True
    app: str | None = None
    _validator: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.fn.__name__

    def arguments(self) -> type[BaseModel]:
        """A pydantic model of the function's arguments (Context parameters left out), built on first use."""
        model = self._validator.get("model")
        if model is None:
            model = self._validator["model"] = _arguments_model(self.fn)
        return model


def _arguments_model(fn: Callable[..., Any]) -> type[BaseModel]:
    hints = typing.get_type_hints(fn, include_extras=True)
    fields: dict[str, Any] = {}
    for name, param in inspect.signature(fn).parameters.items():
        kind = hints.get(name, Any)
        if isinstance(kind, type) and issubclass(kind, Context):
            continue
        default = ... if param.default is inspect.Parameter.empty else param.default
        if hasattr(BaseModel, name):  # e.g. `schema`: a field of that name would shadow the model's attribute
            fields[f"{name}_"] = (Annotated[kind, Field(alias=name)], default)
        else:
            fields[name] = (kind, default)
    config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    return create_model(f"{fn.__name__}_arguments", __config__=config, **fields)


def argument_names(model: type[BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def annotations(*, open_world: bool = False) -> ToolAnnotations:
    """Truthful annotations: every tool is read-only; those that reach AWS or a database are open-world."""
    return ToolAnnotations(
        read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=open_world
    )


def respond(model: BaseModel | dict[str, Any]) -> CallToolResult:
    """Successful answer: compact JSON text for the model, the same object as structured content. A model is
    serialised in one pass of pydantic's serializer (fast for large query results). An answer above the size
    cap is cut at a row boundary (`awsinv_mcp/budget.py`)."""
    if isinstance(model, BaseModel):
        text = model.model_dump_json(fallback=str)
        data = from_json(text)
    else:
        data = model
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
    if len(text) > budget.MAX_ANSWER_BYTES // 4 and len(text.encode()) > budget.MAX_ANSWER_BYTES:
        fitted = budget.fit(data)
        if fitted is None:
            return error_result(
                f"The answer would exceed {budget.MAX_ANSWER_TOKENS:,} tokens; narrow the call (filters, a smaller "
                "limit, fewer columns) and call again."
            )
        data, text = fitted, budget.dumps(fitted)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=data)


def error_result(
    message: str, code: ErrorCode = "invalid_argument", retry_after_s: float | None = None
) -> CallToolResult:
    """A tool error (isError): the sentence for the model, and the machine-readable code beside it."""
    error: dict[str, Any] = {"code": code, "message": message}
    if retry_after_s is not None:
        error["retry_after_s"] = retry_after_s
    return CallToolResult(
        content=[TextContent(type="text", text=message)], structured_content={"error": error}, is_error=True
    )


def error_of(result: CallToolResult) -> dict[str, Any] | None:
    """The `{"code", "message"}` of a tool error, or None for a successful answer."""
    if not result.is_error:
        return None
    data = result.structured_content or {}
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return error
    text = " ".join(c.text for c in result.content if isinstance(c, TextContent))
    return {"code": "internal", "message": text or "tool error"}


def _finish(result: Any) -> Any:
    if isinstance(result, BaseModel) and not isinstance(result, CallToolResult):
        return respond(result)
    return result


def wrap(tool: ToolDef) -> Callable[..., Awaitable[Any]]:
    """The coroutine the SDK registers for `tool` (same signature; see the module docstring)."""
    fn = tool.fn
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
            return error_result(str(exc), exc.code, exc.retry_after_s)
        except MCPError:
            raise
        except Exception:
            log.exception("tool %s failed", tool.name)
            return error_result(
                f"{tool.name} failed unexpectedly; the server log has the details. Try again, or narrow the request.",
                "internal",
            )

    return wrapper


def register_tools(mcp: MCPServer, tools: Sequence[ToolDef]) -> None:
    """Register every tool through the SDK's public API."""
    for tool in tools:
        mcp.add_tool(
            wrap(tool),
            name=tool.name,
            title=tool.title,
            description=inspect.getdoc(tool.fn),
            annotations=annotations(open_world=tool.open_world),
            meta=ui_meta(tool.app) if tool.app else None,
        )


def _describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "arguments"
        parts.append(f"argument {loc!r}: {err['msg']}")
    return "; ".join(parts) + ". Fix the argument and call again."


def argument_guard(tools: Mapping[str, ToolDef]) -> Middleware:
    """Middleware on tools/call: an unknown tool is a protocol error (-32602, as the specification says); unknown
    argument names and invalid values are a tool error in one sentence, before the tool runs."""

    async def guard(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        if ctx.method != "tools/call" or not isinstance(ctx.params, dict):
            return await call_next(ctx)
        refusal = _refusal(ctx)
        if refusal is None:
            return await call_next(ctx)
        return own_result(refusal, getattr(ctx, "protocol_version", ""))

    def _refusal(ctx: Any) -> CallToolResult | None:
        """The tool error for a bad call, or None when the call may run."""
        name = ctx.params.get("name", "")
        tool = tools.get(name) if isinstance(name, str) else None
        if tool is None:
            raise MCPError(code=INVALID_PARAMS, message=f"Unknown tool: {name!r}; tools/list lists the tools")
        arguments = ctx.params.get("arguments") or {}
        model = tool.arguments()
        if not isinstance(arguments, dict):
            return error_result("arguments must be a JSON object of argument names to values")
        names = argument_names(model)
        extra = sorted(set(arguments) - names)
        if extra:
            valid = ", ".join(sorted(names))
            return error_result(f"{name} has no argument(s) {', '.join(map(repr, extra))}; valid arguments: {valid}")
        try:
            model.model_validate(arguments)
        except ValidationError as exc:
            return error_result(_describe_validation(exc))
        return None

    return guard


def own_result(result: BaseModel, protocol_version: str) -> dict[str, Any]:
    """A result a middleware answers with itself, shaped for the session's protocol version: the SDK's per-version
    serialisation runs only behind `call_next`, so 2026-07-28-only fields (`resultType`) are dropped here for
    earlier sessions."""
    dumped = result.model_dump(by_alias=True, mode="json", exclude_none=True)
    if protocol_version not in MODERN_PROTOCOL_VERSIONS:
        for key in ("resultType", "ttlMs", "cacheScope"):
            dumped.pop(key, None)
    return dumped


# --- the schemas a model reads -----------------------------------------------------------------------------

_MAPPINGS = ("properties", "$defs", "definitions", "patternProperties")

# Arguments whose meaning the server instructions state once (filters take comma lists, account an id or
# alias, cursor is the previous next_cursor); their per-tool descriptions would repeat it ~20 times.
CONVENTIONAL_ARGS = frozenset({
    "cursor", "region", "account", "environment", "team", "application", "status", "engine", "q", "sort",
    "severity", "rule", "resource", "resource_type", "category", "database", "detail", "as_of", "start", "end",
    "group_by", "service", "tag", "schema", "sql", "params",
})  # fmt: skip
# Keywords of the listed input schemas that only guard the server (which validates every call anyway and
# answers a sentence naming the bound): string lengths, and a lower bound of 0 or 1 on a count.
_GUARD_KEYWORDS = ("minLength", "maxLength")

# Answer fields every tool shares (documented once in the README).
CONVENTIONAL_FIELDS = frozenset({"source", "collected_at", "warnings", "total", "next_cursor", "truncated"})


def drop_titles(node: Any) -> Any:
    """Remove pydantic's automatic `title`s everywhere, in place (they repeat the property names)."""
    if isinstance(node, list):
        for item in node:
            drop_titles(item)
    elif isinstance(node, dict):
        if isinstance(node.get("title"), str):
            del node["title"]
        for key, value in node.items():
            if key in _MAPPINGS and isinstance(value, dict):
                for sub in value.values():
                    drop_titles(sub)
            elif isinstance(value, dict | list):
                drop_titles(value)
    return node


def slim_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional argument defaulting to null is shown by its type alone (omit it to skip), never as a type
    list (portable to strict validators such as Ajv); conventional arguments lose their repeated descriptions
    (the server instructions state them once) and guard-only bounds are not listed (`_GUARD_KEYWORDS`)."""
    drop_titles(schema)
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        if name in CONVENTIONAL_ARGS:
            prop.pop("description", None)
        for keyword in _GUARD_KEYWORDS:
            prop.pop(keyword, None)
        if prop.get("minimum") in (0, 1) and prop.get("type") in ("integer", "number"):
            del prop["minimum"]
        if name in required or "default" not in prop or prop["default"] is not None:
            continue
        del prop["default"]
        options = prop.get("anyOf")
        if isinstance(options, list):
            rest = [o for o in options if o != {"type": "null"}]
            if len(rest) == 1:
                del prop["anyOf"]
                prop.update(rest[0])
            else:
                prop["anyOf"] = rest
    return schema


def _shallow(node: Any, defs: Mapping[str, Any], description: bool) -> dict[str, Any]:
    """One answer field's schema one level deep: its type (an object, an array and its item type when that is a
    plain value), enum, format and nullability; what lies inside objects the answer itself shows."""
    if not isinstance(node, dict):
        return {}
    ref = node.get("$ref")
    if isinstance(ref, str):
        target = defs.get(ref.rsplit("/", 1)[-1], {})
        out = _shallow(target, defs, False) if "enum" in target else {"type": "object"}
    elif isinstance(node.get("anyOf"), list):
        options: list[dict[str, Any]] = []
        for option in node["anyOf"]:
            shallow = _shallow(option, defs, False)
            if shallow not in options:
                options.append(shallow)
        out = options[0] if len(options) == 1 else {"anyOf": options}
    else:
        out = {k: node[k] for k in ("type", "enum", "format") if k in node}
        items = node.get("items")
        if out.get("type") == "array" and isinstance(items, dict) and items.get("type") in _PLAIN:
            out["items"] = {"type": items["type"]}
    if description and isinstance(node.get("description"), str):
        out = {"description": node["description"], **out}
    return out


_PLAIN = ("string", "integer", "number", "boolean")


def slim_output_schema(schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """Output schemas are read by programs, not models: each answer field by its type, one level deep (no
    `$defs`: a row or an object is `{"type": "object"}`, described by the answer and the README), with the
    descriptions of the fields that are not conventional and the top-level required list. A nullable field stays
    an anyOf with null, never a type list such as `["string", "null"]`: strict validators (Ajv strict mode)
    refuse those (tests/test_tool_schemas_portable.py). Structured content still validates against it."""
    if schema is None:
        return None
    defs = schema.get("$defs") or {}
    properties = {
        name: _shallow(prop, defs, name not in CONVENTIONAL_FIELDS)
        for name, prop in (schema.get("properties") or {}).items()
    }
    for name in CONVENTIONAL_FIELDS & properties.keys():  # documented once in the README
        properties[name].pop("format", None)
    slim: dict[str, Any] = {"type": "object", "properties": properties}
    if schema.get("required"):
        slim["required"] = list(schema["required"])
    return slim


def slim_tool(tool: Tool) -> Tool:
    """A copy of a listed tool with compact schemas."""
    slim = tool.model_copy(deep=True)
    slim.input_schema = slim_input_schema(slim.input_schema)
    slim.output_schema = slim_output_schema(slim.output_schema)
    return slim


def _slim_wire_tool(tool: dict[str, Any]) -> dict[str, Any]:
    slim = copy.deepcopy(tool)
    if isinstance(slim.get("inputSchema"), dict):
        slim["inputSchema"] = slim_input_schema(slim["inputSchema"])
    if isinstance(slim.get("outputSchema"), dict):
        slim["outputSchema"] = slim_output_schema(slim["outputSchema"])
    return slim


def slim_tools() -> Middleware:
    """Middleware on tools/list: the listed schemas compacted (`slim_tool`), computed once per set of tools."""
    cache: dict[str, list[dict[str, Any]]] = {}

    async def middleware(ctx: Any, call_next: Callable[[Any], Awaitable[Any]]) -> Any:
        result = await call_next(ctx)
        if ctx.method != "tools/list" or not isinstance(result, dict) or not isinstance(result.get("tools"), list):
            return result
        key = json.dumps([t.get("name") for t in result["tools"]])
        if key not in cache:
            cache.clear()
            cache[key] = [_slim_wire_tool(t) for t in result["tools"]]
        return {**result, "tools": cache[key]}

    return middleware
