"""The bundled web page: a Starlette app (Overview, Resources, AI Chat) that reaches the server only as an MCP client.

`create_app(settings, *, mcp_target=None, url=None, token=None)` builds it; `command` is `awsinv-mcp web`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from awsinv_mcp.clients.web.app import create_app

        return create_app
    raise AttributeError(name)
