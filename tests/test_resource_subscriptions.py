"""A client listening for resource updates hears of a refresh (issue 17 item 7): on protocol 2026-07-28 the server
declares `resources.subscribe`, and `refresh_inventory` publishes an update for every per-snapshot resource."""

from __future__ import annotations

import anyio
import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from awsinv_mcp.server.resources import PER_SNAPSHOT

pytestmark = pytest.mark.anyio


async def test_a_refresh_updates_the_subscribed_summary() -> None:
    async with Client(build_server(Settings(source="synthetic", scale=20))) as client:
        assert client.protocol_version >= "2026-07-28"
        assert client.server_capabilities.resources and client.server_capabilities.resources.subscribe
        heard: list[str] = []
        async with client.listen(resource_subscriptions=list(PER_SNAPSHOT)) as subscription:
            refreshed = await client.call_tool("refresh_inventory", {})
            assert not refreshed.is_error
            with anyio.fail_after(10):
                async for event in subscription:
                    heard.append(str(getattr(event, "uri", "")))
                    if set(heard) >= set(PER_SNAPSHOT):
                        break
    assert set(heard) >= {"inventory://summary", "inventory://findings"}
