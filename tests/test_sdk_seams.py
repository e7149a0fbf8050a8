"""Contract tests for `awsinv_mcp.server.sdk_seams`: what it assumes of the mcp SDK beyond its public API.

When an SDK upgrade breaks one of these, fix `sdk_seams.py` (and only it) before anything else.
"""

from __future__ import annotations

import inspect
import io
import json

import anyio
import pytest
from mcp.server.lowlevel import Server
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp_types import JSONRPCError, JSONRPCResponse

from awsinv_mcp.server.sdk_seams import lowlevel_server, raw_message
from awsinv_mcp.server.stdio import serve_stdio

pytestmark = pytest.mark.anyio


def test_the_low_level_server_is_what_the_sdk_serves_over_stdio() -> None:
    mcp = MCPServer("seam")
    assert isinstance(lowlevel_server(mcp), Server)
    # serve_stdio repeats MCPServer.run_stdio_async with its own streams: the SDK's must still be this call
    sdk = inspect.getsource(MCPServer.run_stdio_async)
    assert "self._lowlevel_server.run(" in sdk and "create_initialization_options()" in sdk
    assert "server.run(read, out, server.create_initialization_options())" in inspect.getsource(serve_stdio)


async def test_the_sdk_stdio_writer_writes_a_batch_reply_as_one_json_array() -> None:
    out = io.StringIO()
    replies = [
        JSONRPCResponse(jsonrpc="2.0", id=1, result={}),
        JSONRPCError.model_validate({"jsonrpc": "2.0", "id": 2, "error": {"code": -32601, "message": "no"}}),
    ]
    async with stdio_server(stdin=anyio.wrap_file(io.StringIO("")), stdout=anyio.wrap_file(out)) as (_, write):
        await write.send(raw_message(replies))
        await write.aclose()
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == [
        {"jsonrpc": "2.0", "id": 1, "result": {}},
        {"jsonrpc": "2.0", "id": 2, "error": {"code": -32601, "message": "no"}},
    ]
