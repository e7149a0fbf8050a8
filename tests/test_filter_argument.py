"""The estate filters as one `filter` object (issue 16 item 2; server/tooling.py `fold_filters`, `unfold_filter`):
listed once per tool as `filter` with its keys in `_meta` for programs, answered exactly as the same filters given
as top-level arguments, and refused in one sentence when malformed."""

from __future__ import annotations

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from awsinv_mcp.server.tooling import FILTER_META

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def server():
    return build_server(Settings(source="synthetic", scale=150))


async def test_filters_are_listed_as_one_object_with_their_keys_in_meta(server) -> None:
    async with Client(server) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
    listed = tools["list_db_instances"]
    assert "filter" in listed.input_schema["properties"] and "engine" not in listed.input_schema["properties"]
    assert listed.meta[FILTER_META] == ["engine", "region", "account", "environment", "team", "application",
                                        "status", "q"]  # fmt: skip
    assert "severity" in tools["get_findings"].meta[FILTER_META]
    # two identifying arguments are not a filter: get_db_instance keeps account and region
    assert {"account", "region"} <= set(tools["get_db_instance"].input_schema["properties"])


async def test_filter_object_answers_as_top_level_arguments(server) -> None:
    async with Client(server) as c:
        nested = await c.call_tool("list_db_instances", {"filter": {"engine": "postgresql", "environment": "prod"}})
        flat = await c.call_tool("list_db_instances", {"engine": "postgresql", "environment": "prod"})
        findings = await c.call_tool("get_findings", {"filter": {"severity": "high+"}, "limit": 3})
    assert not nested.is_error and nested.structured_content["total"] > 0
    assert nested.structured_content == flat.structured_content
    assert not findings.is_error and findings.structured_content["total"] > 0


@pytest.mark.parametrize(
    ("tool", "args", "said"),
    [
        ("list_db_instances", {"filter": {"colour": "red"}}, "filter has no key(s) 'colour'; filter keys: engine"),
        ("list_s3_buckets", {"filter": {"engine": "mysql"}}, "list_s3_buckets has no argument(s) 'engine'"),
        ("list_db_instances", {"filter": {"team": "a"}, "team": "b"}, "'team' given both in filter and as an"),
        ("list_db_instances", {"filter": "team=payments"}, "argument 'filter' must be an object of filters"),
    ],
)
async def test_a_malformed_filter_is_refused_in_one_sentence(server, tool: str, args: dict, said: str) -> None:
    async with Client(server) as c:
        result = await c.call_tool(tool, args)
    assert result.is_error and said in result.content[0].text
