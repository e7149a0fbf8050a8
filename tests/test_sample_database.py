"""A fresh install has a database to inspect (issue 17 item 15): the built-in `sample` SQLite shop is offered when
none is configured, generated once into the cache directory, read-only, and the page's card names it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp import Client
from starlette.testclient import TestClient

from awsinv_mcp.clients.web.app import create_app
from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


async def test_the_sample_is_offered_when_nothing_is_configured(cache: Path) -> None:
    async with Client(build_server(Settings(source="synthetic"))) as client:
        listed = (await client.call_tool("list_databases", {})).structured_content["items"]
        count = await client.call_tool("run_query", {"database": "sample", "sql": "SELECT count(*) FROM orders"})
        write = await client.call_tool("run_query", {"database": "sample", "sql": "DELETE FROM orders"})
        tables = await client.call_tool("list_tables", {"database": "sample"})
    assert [d["name"] for d in listed] == ["sample"] and listed[0]["reachable"]
    assert "synthetic" in listed[0]["description"]
    assert count.structured_content["rows"] == [[2000]]
    assert write.is_error
    assert {"customers", "orders", "order_items", "products", "order_totals"} <= {
        row[0] for row in tables.structured_content["rows"]
    }
    assert [p.name for p in (cache / "awsinv-mcp").iterdir()] == ["sample-v1.db"]


async def test_no_sample_beside_configured_databases_or_when_turned_off(tmp_path: Path) -> None:
    configured = Settings(source="synthetic", databases=json.dumps({"mine": f"sqlite:///{tmp_path}/x.db"}))
    off = Settings(source="synthetic", sample_database=False)
    for settings, expected in ((configured, ["mine"]), (off, [])):
        async with Client(build_server(settings)) as client:
            listed = (await client.call_tool("list_databases", {})).structured_content["items"]
        assert [d["name"] for d in listed] == expected


def test_the_inspect_card_names_a_real_database() -> None:
    settings = Settings(source="synthetic")
    with TestClient(create_app(settings, mcp_target=build_server(settings)), base_url="http://127.0.0.1") as web:
        cards = {c["name"]: c for c in web.get("/api/v1/prompts").json()["items"]}
    assert cards["inspect_database"]["arguments"] == {"database": "sample"}
    assert "<database>" not in cards["inspect_database"]["text"]
