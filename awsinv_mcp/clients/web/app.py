"""The web page's Starlette app: static page + REST API, reaching the server only as an MCP client.

REST answers are exactly the tools' structured results; query parameters become the tool's arguments
(typed by its input schema); a tool error becomes a 4xx `{error}`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from awsinv_mcp.clients.web import chat, prompts
from awsinv_mcp.clients.web.body_limit import BodyLimitMiddleware
from awsinv_mcp.clients.web.bridge import ToolBridge, ToolFailure
from awsinv_mcp.clients.web.security import LOOPBACK_HOSTS, SecurityMiddleware
from awsinv_mcp.config import Settings
from awsinv_mcp.server.auth import OAuthSetup
from awsinv_mcp.server.forwarded import ForwardedHeaders

log = logging.getLogger("awsinv_mcp.web")

STATIC_DIR = Path(__file__).with_name("static")

# /api/v1/inventory/<name> -> the tool answering it
INVENTORY_ROUTES: dict[str, str] = {
    "summary": "get_inventory_summary",
    "databases": "list_db_instances",
    "clusters": "list_db_clusters",
    "snapshots": "list_db_snapshots",
    "ec2": "list_ec2_instances",
    "buckets": "list_s3_buckets",
    "findings": "get_findings",
    "costs": "get_cost_summary",
    "versions": "check_version_compliance",
    "savings": "find_cost_savings",
}
RESERVED_PARAMS = frozenset({"token"})

# The read-only tools the page (and the MCP App views built from the same assets) may call through
# `POST /api/v1/tools/{name}`; anything else is a 404 (no query runner, no refresh, no Cost Explorer trend).
PAGE_TOOLS: frozenset[str] = frozenset(
    {
        *INVENTORY_ROUTES.values(),
        "get_db_instance",
        "list_reserved_instances",
        "list_snapshots",
        "get_changes",
        "get_resource_history",
    }
)


def _error(exc: ToolFailure) -> JSONResponse:
    body: dict[str, Any] = {"error": exc.message}
    fix = getattr(exc, "fix", None)
    if fix:
        body["fix"] = fix
    return JSONResponse(body, status_code=exc.status)


def _bridge(request: Request) -> ToolBridge:
    return request.app.state.bridge


def _query_params(request: Request) -> dict[str, list[str]]:
    return {k: request.query_params.getlist(k) for k in request.query_params if k not in RESERVED_PARAMS}


async def inventory(request: Request) -> Response:
    name = request.path_params["name"]
    tool = INVENTORY_ROUTES.get(name)
    if tool is None:
        return JSONResponse({"error": f"no such endpoint; one of: {', '.join(INVENTORY_ROUTES)}"}, status_code=404)
    bridge = _bridge(request)
    try:
        args = await bridge.arguments(tool, _query_params(request))
        return JSONResponse(await bridge.call(tool, args))
    except ToolFailure as exc:
        return _error(exc)


async def database(request: Request) -> Response:
    bridge = _bridge(request)
    try:
        if not await bridge.has_tool("get_db_instance"):
            raise ToolFailure(404, "the server has no tool 'get_db_instance' (yet)")
        return JSONResponse(await bridge.call("get_db_instance", {"identifier": request.path_params["identifier"]}))
    except ToolFailure as exc:
        return _error(exc)


async def tool_call(request: Request) -> Response:
    """`POST /api/v1/tools/{name}` with a JSON object of arguments -> the tool's structured answer.

    Only `PAGE_TOOLS` the server offers; the server validates the arguments (a bad one is a 400 `{error}`)."""
    name = request.path_params["name"]
    if name not in PAGE_TOOLS:
        return JSONResponse({"error": f"no such tool for the page: {name!r}"}, status_code=404)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse({"error": "send Content-Type: application/json"}, status_code=415)
    try:
        raw = await request.body()
        args = json.loads(raw) if raw.strip() else {}
    except ValueError:
        return JSONResponse({"error": "the body is not valid JSON"}, status_code=400)
    if not isinstance(args, dict):
        return JSONResponse({"error": "send the arguments as a JSON object"}, status_code=400)
    bridge = _bridge(request)
    try:
        if not await bridge.has_tool(name):
            raise ToolFailure(404, f"the server has no tool {name!r} (yet); this part of the page is unavailable")
        return JSONResponse(await bridge.call(name, args))
    except ToolFailure as exc:
        return _error(exc)


async def tool_list(request: Request) -> Response:
    """`GET /api/v1/tools`: the page's tools this server offers, each with its parameters (for filter controls)."""
    try:
        schemas = await _bridge(request).schemas(refresh=True)
    except ToolFailure as exc:
        return _error(exc)
    tools = {
        name: {"parameters": {p: _parameter(s) for p, s in schemas[name].get("properties", {}).items()}}
        for name in sorted(PAGE_TOOLS & set(schemas))
    }
    return JSONResponse({"tools": tools})


def _parameter(schema: dict[str, Any]) -> dict[str, Any]:
    """The parts of a property schema the page needs to build a filter control."""
    alternatives = [schema, *schema.get("anyOf", []), *schema.get("oneOf", [])]
    enum = next((alt["enum"] for alt in alternatives if "enum" in alt), None)
    kinds = sorted({alt["type"] for alt in alternatives if isinstance(alt.get("type"), str)} - {"null"})
    out: dict[str, Any] = {"type": kinds[0] if len(kinds) == 1 else kinds, "description": schema.get("description", "")}
    if enum is not None:
        out["enum"] = [v for v in enum if v is not None]
    return out


async def api_schema(request: Request) -> Response:
    """Per REST route: its tool, whether the server has it, and its parameters (the page builds filters from this)."""
    bridge = _bridge(request)
    try:
        schemas = await bridge.schemas(refresh=True)
    except ToolFailure as exc:
        return _error(exc)
    routes = {}
    for route, tool in INVENTORY_ROUTES.items():
        props = schemas.get(tool, {}).get("properties", {})
        routes[route] = {
            "tool": tool,
            "available": tool in schemas,
            "parameters": {name: _parameter(prop) for name, prop in props.items()},
        }
    return JSONResponse({"routes": routes, "detail_available": "get_db_instance" in schemas})


async def prompt_cards(request: Request) -> Response:
    try:
        return JSONResponse(await prompts.demo_cards(_bridge(request)))
    except ToolFailure as exc:
        return _error(exc)


class EventStreamResponse(Response):
    """A `text/event-stream` response written by `produce(write)` as it goes; cancelled if the client leaves."""

    media_type = "text/event-stream"

    def __init__(self, produce: Callable[[Callable[[bytes], Awaitable[None]]], Awaitable[None]]) -> None:
        self.produce = produce
        self.status_code = 200
        self.background = None
        self.init_headers({"x-accel-buffering": "no"})  # the middleware adds cache-control: no-store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        gone = False

        async def write(data: bytes) -> None:
            await send({"type": "http.response.body", "body": data, "more_body": True})

        async with anyio.create_task_group() as tg:

            async def watch_disconnect() -> None:
                nonlocal gone
                while (await receive())["type"] != "http.disconnect":
                    pass
                gone = True
                tg.cancel_scope.cancel()

            tg.start_soon(watch_disconnect)
            await self.produce(write)
            tg.cancel_scope.cancel()
        if not gone:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


def _wants_stream(request: Request) -> bool:
    return request.url.path.endswith("/stream") or "text/event-stream" in request.headers.get("accept", "")


async def chat_turn(request: Request) -> Response:
    """`POST /infrastructure-ai` -> `{answer, tool_calls}`; with `Accept: text/event-stream`, or at
    `POST /api/v1/chat/stream`, the same turn as server-sent events (see `chat.stream`). Request errors
    (400, 415, 503 with its fix) are JSON either way, sent before any stream starts."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse({"error": "send Content-Type: application/json"}, status_code=415)
    try:
        body = await request.json()
    except ValueError:
        return JSONResponse({"error": "the body is not valid JSON"}, status_code=400)
    bridge, model = _bridge(request), request.app.state.settings.model
    try:
        turn = await chat.prepare(body)
        if not _wants_stream(request):
            return JSONResponse(await chat.run(bridge, turn, model=model))
    except ToolFailure as exc:
        return _error(exc)
    return EventStreamResponse(lambda write: chat.stream(bridge, turn, model=model, send=write))


async def chat_status(request: Request) -> Response:
    return JSONResponse(await chat.chat_status())


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def index(request: Request) -> Response:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")


async def _enter_target(
    stack: AsyncExitStack, settings: Settings, mcp_target: Any, url: str | None, token: str | None
) -> Any:
    """What `mcp.Client` connects to: the given target, a remote URL (with a bearer token), or an in-process server."""
    if mcp_target is not None:
        return mcp_target
    if url:
        if not token:
            return url
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        http = await stack.enter_async_context(
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=httpx2.Timeout(30.0, read=300.0))
        )
        return streamable_http_client(url, http_client=http)
    from awsinv_mcp.server.app import build_server

    return build_server(settings)


def create_app(
    settings: Settings,
    *,
    mcp_target: Any = None,
    url: str | None = None,
    token: str | None = None,
    allowed_hosts: Iterable[str] | None = None,
    oauth: OAuthSetup | None = None,
    trusted_proxies: Iterable[str] = (),
) -> Starlette:
    """The web app. `mcp_target`: anything `mcp.Client` accepts (default: an in-process `build_server(settings)`);
    `url` (+ `token`, default `settings.remote_token`): a running awsinv-mcp HTTP server instead.
    `allowed_hosts`: Host header names accepted (default: loopback names; `"*"` for any). `oauth`: accept the
    issuer's bearer JWTs too; `trusted_proxies`: addresses whose `X-Forwarded-*` headers count."""
    if token is None and settings.remote_token is not None:
        token = settings.remote_token.get_secret_value()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            target = await _enter_target(stack, settings, mcp_target, url, token)
            label = url or ("the in-process server" if mcp_target is None else None)
            app.state.bridge = await stack.enter_async_context(ToolBridge(target, label=label))
            yield

    routes = [
        Route("/", index),
        Route("/healthz", healthz),
        Route("/api/v1/prompts", prompt_cards),
        Route("/api/v1/schema", api_schema),
        Route("/api/v1/tools", tool_list),
        Route("/api/v1/tools/{name}", tool_call, methods=["POST"]),
        Route("/api/v1/chat/status", chat_status),
        Route("/api/v1/inventory/databases/{identifier}", database),
        Route("/api/v1/inventory/{name}", inventory),
        Route("/api/v1/chat/stream", chat_turn, methods=["POST"]),
        Route("/infrastructure-ai", chat_turn, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.settings = settings
    app.add_middleware(BodyLimitMiddleware)  # inside SecurityMiddleware: a refused request is never read
    auth = settings.auth_token.get_secret_value() if settings.auth_token else None
    app.add_middleware(
        SecurityMiddleware,
        token=auth or None,
        allowed_hosts=list(allowed_hosts or LOOPBACK_HOSTS),
        verifier=oauth.verifier if oauth else None,
        required_scopes=settings.auth_scopes if oauth else (),
    )
    if trusted_proxies:
        app.add_middleware(ForwardedHeaders, trusted=list(trusted_proxies))  # outermost: before the Host checks
    return app
