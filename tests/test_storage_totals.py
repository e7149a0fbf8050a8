"""Storage totals add up (issue 13 item 5): get_inventory_summary's allocated_storage_gb equals the allocated_gb of
the DB instances outside clusters plus each cluster's volume_gb, as list_db_instances and list_db_clusters show
them, through the official MCP client. The moto (aws mode) estate is checked in tests/test_advice_aws.py."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.models.table import rows_of
from awsinv_mcp.server.app import build_server

pytestmark = pytest.mark.anyio


async def every(c: Client, tool: str) -> list[dict[str, Any]]:
    """Every row of a list tool, page after page."""
    rows: list[dict[str, Any]] = []
    args: dict[str, Any] = {"limit": 500}
    while True:
        page = await c.call_tool(tool, args)
        assert not page.is_error, page.content
        rows.extend(rows_of(page.structured_content))
        if not page.structured_content["next_cursor"]:
            return rows
        args = {"limit": 500, "cursor": page.structured_content["next_cursor"]}


async def storage_identity(c: Client) -> tuple[int, int, int]:
    """(summary total, standalone instances' allocated_gb, clusters' volume_gb)."""
    summary = (await c.call_tool("get_inventory_summary", {})).structured_content
    instances = await every(c, "list_db_instances")
    clusters = await every(c, "list_db_clusters")
    standalone = sum(r["allocated_gb"] for r in instances if r["cluster"] is None)
    return summary["allocated_storage_gb"], standalone, sum(r["volume_gb"] for r in clusters)


async def test_demo_storage_total_is_instances_plus_cluster_volumes() -> None:
    async with Client(build_server(Settings(source="synthetic", seed=42, scale=150))) as c:
        total, standalone, volumes = await storage_identity(c)
        clusters = await every(c, "list_db_clusters")
    assert total == standalone + volumes
    aurora = [r for r in clusters if r["engine"].startswith("aurora")]
    assert aurora and all(r["volume_gb"] > 0 for r in aurora)  # the synthetic Aurora volumes are all in use
    assert volumes > 0 and standalone > 0
