"""The two places where this package relies on more than the mcp SDK's public API (checked by
tests/test_sdk_seams.py, which fails first when an SDK upgrade moves either).

- `lowlevel_server(mcp)`: `MCPServer` keeps its low-level `Server` in `_lowlevel_server` and offers no
  public way to serve it over streams we hand it; `MCPServer.run_stdio_async` does exactly
  `self._lowlevel_server.run(read, write, self._lowlevel_server.create_initialization_options())`.
- `raw_message(model)`: the SDK's stdio writer serialises each outgoing `SessionMessage.message` with
  `model_dump_json(by_alias=True, exclude_unset=True)`; a pydantic root model of a list is written as
  one JSON array line, which is how a batch's answers leave (`awsinv_mcp.server.stdio`).
"""

from __future__ import annotations

from typing import Any

from mcp.server.lowlevel import Server
from mcp.server.mcpserver import MCPServer
from mcp.shared.message import SessionMessage
from mcp_types import JSONRPCMessage
from pydantic import RootModel


class BatchReply(RootModel[list[JSONRPCMessage]]):
    """The answers to one JSON-RPC batch: one JSON array."""


def lowlevel_server(mcp: MCPServer) -> Server[Any]:
    """The low-level server behind `mcp` (what its own stdio runner serves)."""
    server = mcp._lowlevel_server
    if not isinstance(server, Server):  # pragma: no cover - an SDK change; tests/test_sdk_seams.py says which
        raise TypeError("mcp.server.mcpserver.MCPServer no longer keeps a low-level Server in _lowlevel_server")
    return server


def raw_message(replies: list[JSONRPCMessage]) -> SessionMessage:
    """A `SessionMessage` the SDK's stdio writer writes as one JSON array (a batch's answers)."""
    return SessionMessage(BatchReply(replies))  # type: ignore[arg-type]  # duck-typed: see module docstring
