"""The history tools over stdio with the official MCP client: a server with AWSINV_STORE keeps each refresh, and
two identical synthetic collections differ by nothing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from tests.http_server import server_env

pytestmark = pytest.mark.anyio


async def test_refreshes_are_kept_and_compared_over_stdio(tmp_path: Path) -> None:
    env = server_env(AWSINV_STORE=f"sqlite:///{tmp_path / 'h.db'}", AWSINV_CACHE_DIR=str(tmp_path))
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "awsinv_mcp", "serve", "--source", "synthetic", "--scale", "30"], env=env
    )
    async with Client(params) as c:
        for _ in range(2):
            assert not (await c.call_tool("refresh_inventory", {})).is_error
        listed = json.loads((await c.call_tool("list_snapshots", {})).content[0].text)
        assert listed["total"] == 2 and all(s["source"] == "synthetic" for s in listed["items"])
        older = listed["items"][1]["snapshot_id"]
        result = await c.call_tool("get_changes", {"since": older})
        changes = json.loads(result.content[0].text)
        assert not result.is_error, changes
        assert changes["from_snapshot"]["snapshot_id"] == older
        assert changes["total"] == 0 and changes["items"] == []
