"""Test tools for the chat tests: the real server plus an echo, a failing tool and a two-party rendezvous."""

from __future__ import annotations

import anyio
from pydantic import BaseModel

from awsinv_mcp.config import Settings
from awsinv_mcp.errors import UserError
from awsinv_mcp.server.app import build_server
from awsinv_mcp.server.catalog import TOOLS
from awsinv_mcp.server.tooling import ToolDef


class Echo(BaseModel):
    text: str
    source: str = "synthetic"


def chat_server(settings: Settings):
    """The real server plus three small test tools (echo, a failing one, a two-party rendezvous)."""
    arrived: dict[str, anyio.Event] = {"a": anyio.Event(), "b": anyio.Event()}

    def echo(text: str) -> Echo:
        """Echo the text."""
        return Echo(text=text)

    def fail(reason: str) -> Echo:
        """Always fails."""
        raise UserError(f"cannot do that: {reason}")

    async def rendezvous(party: str) -> Echo:
        """Waits until both parties a and b arrived: only concurrent calls finish."""
        arrived[party].set()
        with anyio.fail_after(5):
            for event in arrived.values():
                await event.wait()
        return Echo(text=f"{party} met")

    extra = [ToolDef(fn=fn, title=fn.__name__.capitalize(), toolset="inventory") for fn in (echo, fail, rendezvous)]
    return build_server(settings, tools=(*TOOLS, *extra))
