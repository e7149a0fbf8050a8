"""One malformed database entry is reported by name while the others keep working (issue 17 item 2)."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server

pytestmark = pytest.mark.anyio

SECRET = "pw-SECRET-1234"
DATABASES = {
    "good": "sqlite:///:memory:",
    "no_scheme": "notaurl",
    "bad_ipv6": f"postgresql://u:{SECRET}@[::1/db",
    "odd_engine": {"rds": "db-1", "region": "eu-west-1", "engine": "db2"},
}


async def test_bad_entries_are_named_and_the_good_one_answers() -> None:
    server = build_server(Settings(source="synthetic", databases=json.dumps(DATABASES)))
    async with Client(server) as client:
        listed = await client.call_tool("list_databases", {})
        good = await client.call_tool("run_query", {"database": "good", "sql": "SELECT 1 AS one"})
        bad = await client.call_tool("run_query", {"database": "bad_ipv6", "sql": "SELECT 1"})
        engine = await client.call_tool("describe_table", {"database": "odd_engine", "table": "t"})
    rows = {r["name"]: r for r in listed.structured_content["items"]}
    assert set(rows) == set(DATABASES) and rows["good"]["reachable"]
    assert "database 'no_scheme' in AWSINV_DATABASES" in rows["no_scheme"]["error"]
    assert "cannot be parsed" in rows["bad_ipv6"]["error"] and not rows["bad_ipv6"]["reachable"]
    assert "engine 'db2' is not one of" in rows["odd_engine"]["error"]
    assert not good.is_error and good.structured_content["rows"] == [[1]]
    assert bad.is_error and "'bad_ipv6'" in bad.content[0].text
    assert "other databases keep working" in bad.content[0].text
    assert engine.is_error and "'odd_engine'" in engine.content[0].text
    for result in (listed, bad, engine):
        assert SECRET not in json.dumps(result.model_dump(mode="json"))
