"""Inventory tools and resources through the official MCP client, in-process, on a crafted snapshot."""

from __future__ import annotations

import json

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from awsinv_mcp.config import Settings
from awsinv_mcp.models.table import rows_of
from awsinv_mcp.server.app import build_server
from tests.estates import DEV_ACCOUNT as DEV
from tests.estates import PROD_ACCOUNT as PROD
from tests.estates import two_account_estate

pytestmark = pytest.mark.anyio


@pytest.fixture
def server():
    settings = Settings(source="synthetic")
    snap = two_account_estate()

    def collector(settings: Settings, progress, cancel=None) -> object:
        if progress:
            for i, region in enumerate(snap.regions, 1):
                progress(i, len(snap.regions), f"collected {region}")
        return snap

    return build_server(settings, collector=collector)


async def call(client: Client, name: str, args: dict | None = None):
    result = await client.call_tool(name, args or {})
    return result


async def test_tools_listed_with_schemas_and_annotations(server) -> None:
    async with Client(server) as c:
        tools = {t.name: t for t in (await c.list_tools()).tools}
    for name in (
        "get_inventory_summary",
        "list_db_instances",
        "get_db_instance",
        "list_db_clusters",
        "list_db_snapshots",
        "list_ec2_instances",
        "list_s3_buckets",
        "refresh_inventory",
    ):
        tool = tools[name]
        assert tool.output_schema and "source" in tool.output_schema["properties"], name
        assert tool.annotations.read_only_hint is True
        assert tool.description and len(tool.description) < 400
    assert tools["refresh_inventory"].annotations.open_world_hint is True
    assert tools["list_db_instances"].annotations.open_world_hint is True  # a cache miss collects from AWS


async def test_summary_counts(server) -> None:
    async with Client(server) as c:
        r = await call(c, "get_inventory_summary")
    s = r.structured_content
    assert not r.is_error
    assert s["source"] == "synthetic" and s["db_instances"] == 6 and s["db_clusters"] == 1
    assert s["by_engine"]["aurora-postgresql"] == 2
    assert s["risk_flags"]["publicly_accessible"] == 1 and s["risk_flags"]["public_snapshots"] == 1
    assert s["warnings"][0]["scope"] == "222222222222/ap-south-1"
    # the text the model reads is compact JSON, identical to the structured content
    text = r.content[0].text
    assert "\n" not in text and json.loads(text) == s


async def test_list_filters_paging_and_sort(server) -> None:
    async with Client(server) as c:
        first = (
            await call(c, "list_db_instances", {"limit": 2, "sort": "-allocated_gb", "detail": True})
        ).structured_content
        assert first["total"] == 6 and first["truncated"] and rows_of(first)[0]["identifier"] == "ledger"
        second = (
            await call(
                c,
                "list_db_instances",
                {"limit": 2, "sort": "-allocated_gb", "detail": True, "cursor": first["next_cursor"]},
            )
        ).structured_content
        assert {i["arn"] for i in rows_of(second)}.isdisjoint({i["arn"] for i in rows_of(first)})
        prod_pg = await call(c, "list_db_instances", {"engine": "postgresql", "environment": "production"})
        ids = sorted(i["identifier"] for i in rows_of(prod_pg.structured_content))
        assert ids == ["auth-1", "auth-2", "ledger", "orders-db"]
        members = (await call(c, "list_db_instances", {"cluster": "auth"})).structured_content
        assert {i["cluster"] for i in rows_of(members)} == {"auth"} and members["total"] == 2
        by_alias = (await call(c, "list_db_instances", {"account": "acme-dev"})).structured_content
        assert {i["account"] for i in rows_of(by_alias)} == {DEV}
        text = (await call(c, "list_db_instances", {"q": "SCRAT"})).structured_content
        assert [i["identifier"] for i in rows_of(text)] == ["scratch"]
        last = (await call(c, "list_db_instances", {"limit": 6})).structured_content
        assert last["next_cursor"] is None and last["truncated"] is False


async def test_get_db_instance_by_arn_and_ambiguity(server) -> None:
    async with Client(server) as c:
        amb = await call(c, "get_db_instance", {"identifier": "orders-db"})
        assert amb.is_error and "ambiguous" in amb.content[0].text and "arn:aws:rds" in amb.content[0].text
        arn = f"arn:aws:rds:us-east-1:{PROD}:db:orders-db"
        one = (await call(c, "get_db_instance", {"identifier": arn})).structured_content
        assert one["instance"]["account"] == PROD and one["instance"]["engine"] == "postgres"
        scoped = await call(c, "get_db_instance", {"identifier": "orders-db", "account": "acme-dev"})
        assert scoped.structured_content["instance"]["engine"] == "mysql"
        exposed = (await call(c, "get_db_instance", {"identifier": "ledger"})).structured_content["instance"]
        assert exposed["internet_exposed"] is True and exposed["storage_encrypted"] is False


async def test_other_lists(server) -> None:
    async with Client(server) as c:
        cl = (await call(c, "list_db_clusters")).structured_content
        assert rows_of(cl)[0]["members"] == ["auth-1", "auth-2"]
        snaps = (await call(c, "list_db_snapshots", {"public": True})).structured_content
        assert [s["identifier"] for s in rows_of(snaps)] == ["ledger-manual-1"] and rows_of(snaps)[0]["age_days"] == 400
        old = (await call(c, "list_db_snapshots", {"older_than_days": 30})).structured_content
        assert old["total"] == 1
        everything = rows_of((await call(c, "list_db_snapshots", {"limit": 500})).structured_content)
        for shared in (True, False):
            rows = rows_of((await call(c, "list_db_snapshots", {"shared": shared})).structured_content)
            assert [s["identifier"] for s in rows] == [s["identifier"] for s in everything
                                                       if bool(s["shared_with"]) == shared]  # fmt: skip
        hosts = (await call(c, "list_ec2_instances", {"database_host": True})).structured_content
        assert [h["identifier"] for h in rows_of(hosts)] == ["i-0abc"]
        assert rows_of(hosts)[0]["imds_v2_required"] is False
        buckets = (await call(c, "list_s3_buckets", {"purpose": "exports"})).structured_content
        assert rows_of(buckets)[0]["public"] is True and buckets["total"] == 1


@pytest.mark.parametrize(
    ("tool", "args", "expected"),
    [
        ("get_db_instance", {"identifier": "nope"}, "no DB instance 'nope'"),
        ("list_db_instances", {"region": "mars-1"}, "unknown region 'mars-1'"),
        ("list_db_instances", {"account": "999"}, "unknown account '999'"),
        ("list_db_instances", {"engine": "mongo"}, "unknown engine 'mongo'"),
        ("list_db_instances", {"cursor": "garbage!"}, "invalid cursor"),
        ("list_db_instances", {"limit": 0}, "argument 'limit'"),
        ("list_db_instances", {"limit": 501}, "argument 'limit'"),
        ("list_db_instances", {"engin": "postgres"}, "has no argument(s) 'engin'"),
        ("list_db_instances", {"sort": "password"}, "cannot sort by 'password'"),
    ],
)
async def test_bad_arguments_are_clean_tool_errors(server, tool, args, expected) -> None:
    async with Client(server) as c:
        r = await call(c, tool, args)
    assert r.is_error
    text = r.content[0].text
    assert expected in text
    assert "Error executing tool" not in text and "Traceback" not in text


async def test_cursor_of_other_query_is_rejected(server) -> None:
    async with Client(server) as c:
        page = (await call(c, "list_db_instances", {"limit": 1})).structured_content
        r = await call(c, "list_db_instances", {"limit": 1, "engine": "mysql", "cursor": page["next_cursor"]})
    assert r.is_error and "different query" in r.content[0].text


async def test_resources(server) -> None:
    async with Client(server) as c:
        summary = await c.read_resource("inventory://summary")
        data = json.loads(summary.contents[0].text)
        assert data["db_instances"] == 6 and data["source"] == "synthetic"
        templates = (await c.list_resource_templates()).resource_templates
        assert any(t.uri_template == "inventory://db-instances/{identifier}" for t in templates)
        one = json.loads((await c.read_resource("inventory://db-instances/ledger")).contents[0].text)
        assert one["instance"]["identifier"] == "ledger"


async def test_an_unknown_tool_is_a_protocol_error(server) -> None:
    async with Client(server) as c:
        with pytest.raises(MCPError, match="Unknown tool: 'no_such_tool'") as raised:
            await c.call_tool("no_such_tool", {})
    assert raised.value.error.code == -32602


async def test_refresh_reports_progress(server) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(server, mode="legacy") as c:
        r = await c.call_tool("refresh_inventory", {}, progress_callback=on_progress)
    assert not r.is_error and r.structured_content["db_instances"] == 6
    assert seen and seen[-1][0] == seen[-1][1]


async def test_same_seed_same_answers() -> None:
    answers = []
    for _ in range(2):
        async with Client(build_server(Settings(source="synthetic", seed=7, scale=300))) as c:
            summary = (await c.call_tool("get_inventory_summary", {})).structured_content
            page = (await c.call_tool("list_db_instances", {"limit": 20, "sort": "-allocated_gb"})).structured_content
        for answer in (summary, page):
            answer.pop("collected_at")
        page.pop("next_cursor")  # cursors are bound to the snapshot they page
        answers.append((summary, page))
    assert answers[0] == answers[1]
    assert answers[0][0]["db_instances"] == 300
    async with Client(build_server(Settings(source="synthetic", seed=8, scale=300))) as c:
        other = (await c.call_tool("get_inventory_summary", {})).structured_content
    other.pop("collected_at")
    assert other != answers[0][0]


def test_engine_versions_sort_numerically() -> None:
    from awsinv_mcp.engine_versions import version_sort_key

    versions = ["16.10", "16.3", "9.6.24", "16.8", "5.7.mysql_aurora.2.11.5", "8.0.mysql_aurora.3.04.0"]
    assert sorted(versions, key=version_sort_key) == [
        "5.7.mysql_aurora.2.11.5", "8.0.mysql_aurora.3.04.0", "9.6.24", "16.3", "16.8", "16.10",
    ]  # fmt: skip


async def test_list_sorted_by_engine_version(server) -> None:
    async with Client(server) as c:
        page = (await c.call_tool("list_db_instances", {"sort": "engine_version"})).structured_content
    versions = [i["engine_version"] for i in rows_of(page)]
    assert versions[0] == "8.0.36" and versions[-1] == "16.4"


async def test_cache_clusters_listed_filtered_and_counted() -> None:
    async with Client(build_server(Settings(source="synthetic", seed=42, scale=150))) as c:
        summary = (await c.call_tool("get_inventory_summary", {})).structured_content
        page = (await c.call_tool("list_cache_clusters", {"limit": 500})).structured_content
        memcached = (await c.call_tool("list_cache_clusters", {"engine": "memcached"})).structured_content
        bad = await c.call_tool("list_cache_clusters", {"engine": "mongodb"})
    assert summary["cache_clusters"] == page["total"] == len(rows_of(page)) > 0
    assert {r["engine"] for r in rows_of(page)} == {"redis", "valkey", "memcached"}
    assert memcached["total"] > 0 and all(r["engine"] == "memcached" for r in rows_of(memcached))
    assert not any(r["replication_group"] for r in rows_of(memcached))
    assert bad.is_error and "redis, valkey, memcached" in bad.content[0].text
