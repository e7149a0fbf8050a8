"""Lazy tool registration: the cached tools/list equals the live one, and calls still work."""

from __future__ import annotations

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server

pytestmark = pytest.mark.anyio


async def test_cached_list_matches_live_and_calls_work(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("AWSINV_CACHE_DIR", str(tmp_path))
    settings = Settings(source="synthetic", scale=20)
    async with Client(build_server(settings)) as eager:
        live = {t.name: t for t in (await eager.list_tools()).tools}
        live_templates = (await eager.list_resource_templates()).resource_templates
        live_resources = (await eager.list_resources()).resources

    async with Client(build_server(settings, lazy=True)) as first:  # cache miss: registers, writes the cache
        miss = {t.name: t for t in (await first.list_tools()).tools}
    assert list(tmp_path.rglob("lists-*.json")), "cache file written"

    server = build_server(settings, lazy=True)
    assert not await server.list_tools(), "nothing registered before the first request"
    async with Client(server) as second:  # cache hit
        hit = {t.name: t for t in (await second.list_tools()).tools}
        assert (await second.list_resource_templates()).resource_templates == live_templates
        assert (await second.list_resources()).resources == live_resources
        r = await second.call_tool("list_db_instances", {"limit": 1})
        assert not r.is_error and r.structured_content["total"] == 20
        bad = await second.call_tool("list_db_instances", {"bogus": 1})
        assert bad.is_error and "bogus" in bad.content[0].text
    assert set(hit) == set(miss) == set(live)
    assert len(await server.list_tools()) == len(live)
    for name, tool in live.items():
        assert hit[name].input_schema == tool.input_schema, name
        assert hit[name].output_schema == tool.output_schema, name
        assert hit[name].annotations == tool.annotations, name


async def test_requests_racing_the_registration_wait_for_all_of_it(tmp_path, monkeypatch) -> None:
    """The first requests arrive together: each waits (on the event loop) until every tool and resource exists."""
    import anyio

    monkeypatch.setenv("AWSINV_CACHE_DIR", str(tmp_path))
    settings = Settings(source="synthetic", scale=20)
    async with Client(build_server(settings, lazy=True)) as first:
        await first.list_tools()  # writes the cache
    server = build_server(settings, lazy=True)
    answers: dict[str, object] = {}
    async with Client(server) as c:

        async def read() -> None:
            answers["resource"] = (await c.read_resource("inventory://summary")).contents[0].text

        async def call() -> None:
            answers["tool"] = await c.call_tool("get_inventory_summary", {})

        async def templates() -> None:
            answers["templates"] = (await c.list_resource_templates()).resource_templates

        async with anyio.create_task_group() as tg:
            for fn in (read, call, templates):
                tg.start_soon(fn)
    assert '"db_instances":20' in str(answers["resource"])
    assert not answers["tool"].is_error  # type: ignore[attr-defined]
    assert answers["templates"]
