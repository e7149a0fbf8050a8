"""Builds the MCPServer: the lifespan that owns the application context, the middleware, and the registrations of
`server/catalog.py`. No logic lives here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from mcp.server.apps import Apps
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer

from awsinv_mcp import __version__
from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.store import Collector
from awsinv_mcp.server.audit import audit_middleware
from awsinv_mcp.server.context import AppContext, bind_app
from awsinv_mcp.server.instructions import instructions
from awsinv_mcp.server.protocol import protocol_errors
from awsinv_mcp.server.tooling import ToolDef, argument_guard, slim_tools

if TYPE_CHECKING:
    from awsinv_mcp.cost.service import CostService
    from awsinv_mcp.dbinspect.service import DatabaseService


def register_all(
    mcp: MCPServer, registered: dict[str, ToolDef], tools: Sequence[ToolDef] | None, toolsets: Sequence[str]
) -> None:
    """Register the tools (default: the catalogue's in the chosen `toolsets`) and the resources; imports every
    tool module, the slow part of start-up."""
    from awsinv_mcp.server import catalog
    from awsinv_mcp.server.tooling import register_tools

    chosen = catalog.tools_of(toolsets) if tools is None else tools
    register_tools(mcp, chosen)
    catalog.register_resources(mcp, chosen)
    registered.update({t.name: t for t in chosen})


def build_server(
    settings: Settings | None = None,
    *,
    collector: Collector | None = None,
    costs: CostService | None = None,
    databases: DatabaseService | None = None,
    tools: Sequence[ToolDef] | None = None,
    lazy: bool = False,
    auth: AuthSettings | None = None,
    token_verifier: TokenVerifier | None = None,
) -> MCPServer[AppContext]:
    """The whole server for `settings` (default: from the environment), offering the tools of `settings.toolsets`.

    `collector`, `costs` and `databases` replace the real ones (tests, benchmarks), `tools` the catalogue's list
    of tools (`server/catalog.py`); the lifespan creates the
    `AppContext` when the server starts and closes it when it stops. `lazy=True` (used by `awsinv-mcp serve`)
    answers the first list requests from the cache of an earlier start and registers the tools on the first
    request that needs them (`awsinv_mcp.server.lazy`). `auth` and `token_verifier` make the HTTP transport an
    OAuth resource server (`awsinv_mcp.server.auth`).
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[AppContext]:
        context = AppContext(settings, collector=collector, costs=costs, databases=databases)
        context.prepare_databases()
        try:
            yield context
        finally:
            context.close()

    from awsinv_mcp.server import prompts

    registered: dict[str, ToolDef] = {}
    mcp: MCPServer[AppContext] = MCPServer(
        "awsinv-mcp",
        title="AWS database inventory",
        version=__version__,
        instructions=instructions(settings.toolsets),
        lifespan=lifespan,
        middleware=[bind_app, protocol_errors, argument_guard(registered), slim_tools(), audit_middleware(settings)],
        auth=auth,
        token_verifier=token_verifier,
        extensions=[Apps()],  # advertises MCP Apps; the App resources are registered with the tools linking them
    )
    prompts.register(mcp)
    if lazy:
        from awsinv_mcp.server.lazy import LazyRegistry

        mcp.middleware.insert(
            0,
            LazyRegistry(
                mcp,
                lambda: register_all(mcp, registered, tools, settings.toolsets),
                variant=",".join(settings.toolsets),
            ).middleware(),
        )
    else:
        register_all(mcp, registered, tools, settings.toolsets)
    return mcp
