"""The analysis tools through a real MCP client: synthetic estate and a crafted fleet."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from tests.estates import DEV, bucket, cluster, db, estate, member

pytestmark = pytest.mark.anyio

TOOLS = ("assess_security", "analyze_performance", "get_findings", "analyze_engines")
EXPOSED = {"publicly_accessible": True, "port": 5432, "subnet_ids": ("subnet-pub",)}
QUESTION = {"environment": "production", "rule": "*storage_encrypted,rds.internet_exposed|rds.publicly_accessible",
            "match_all": True, "view": "resources"}  # fmt: skip


@pytest.fixture(scope="module")
def synthetic_server():
    return build_server(Settings(source="synthetic", seed=42, scale=150))


def crafted_server():
    snap = estate(
        db("bad", storage_encrypted=False, **EXPOSED), db("unenc", storage_encrypted=False), db("pub", **EXPOSED),
        db("devbad", storage_encrypted=False, **EXPOSED | DEV), cluster("auth", storage_encrypted=False),
        member("auth-1", **EXPOSED), member("auth-2"), bucket("dumps", public=True, purpose="backups"),
    )  # fmt: skip
    settings = Settings(source="synthetic")
    return build_server(settings, collector=lambda *_: snap)


async def call(client: Client, name: str, args: dict | None = None) -> dict:
    result = await client.call_tool(name, args or {})
    assert not result.is_error, result.content[0].text
    assert json.loads(result.content[0].text) == result.structured_content
    return result.structured_content


async def test_tools_are_listed_read_only_and_short(synthetic_server) -> None:
    async with Client(synthetic_server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        for name in TOOLS:
            t = tools[name]
            assert t.annotations.read_only_hint and t.annotations.open_world_hint  # a cache miss collects from AWS
            assert len(t.description) <= 300 and t.output_schema["properties"]["source"]
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        assert "inventory://findings" in resources


async def test_get_findings_pages_with_totals(synthetic_server) -> None:
    async with Client(synthetic_server) as client:
        first = await call(client, "get_findings", {"limit": 5})
        s = first["summary"]
        assert first["source"] == "synthetic" and first["collected_at"] and first["warnings"] == []
        assert first["total"] == s["total"] == sum(s["by_severity"].values()) == sum(s["by_category"].values())
        assert set(s["by_category"]) >= {"security", "performance"}
        assert len(first["items"]) == 5 and first["truncated"] and first["next_cursor"]
        assert {i["rule"] for i in first["items"]} == set(first["rules"])
        assert all("CLI: aws " in r["remediation"] for r in first["rules"].values() if r["category"] == "security")
        second = await call(client, "get_findings", {"limit": 5, "cursor": first["next_cursor"]})
        key = lambda i: (i["rule"], i["account"], i["region"], i["resource_id"])  # noqa: E731
        assert not {key(i) for i in first["items"]} & {key(i) for i in second["items"]}
        ranks = ["critical", "high", "medium", "low", "info"]
        sev = [ranks.index(i["severity"]) for i in first["items"] + second["items"]]
        assert sev == sorted(sev)
        detail = await call(client, "get_findings", {"limit": 2, "detail": True})
        assert all(i["remediation"] and i["title"] and "arn" in i for i in detail["items"])
        bad = await client.call_tool("get_findings", {"limit": 5, "cursor": first["next_cursor"], "category": "cost"})
        assert bad.is_error and "cursor" in bad.content[0].text


async def test_get_findings_filters(synthetic_server) -> None:
    async with Client(synthetic_server) as client:
        page = await call(client, "get_findings", {"category": "security", "severity": "high+",
                                                   "environment": "production", "limit": 50})  # fmt: skip
        assert page["total"] > 0
        assert all(i["category"] == "security" and i["severity"] in ("critical", "high")
                   and i["environment"] == "production" for i in page["items"])  # fmt: skip
        enc = await call(client, "get_findings", {"rule": "rds.*encrypted*", "limit": 500})
        assert {i["rule"] for i in enc["items"]} <= {"rds.storage_encrypted", "rds.cluster_storage_encrypted",
                                                    "rds.snapshot_encrypted"}  # fmt: skip
        wrong = await client.call_tool("get_findings", {"rule": "rds.nope"})
        assert wrong.is_error and "docs/rules.md" in wrong.content[0].text


async def test_one_call_answers_unencrypted_and_public_production_databases() -> None:
    async with Client(crafted_server()) as client:
        result = await client.call_tool("get_findings", QUESTION)
        answer = result.structured_content
        assert len(result.content[0].text.encode()) < 1024
        rows = {(r["resource_type"], r["resource_id"]): r for r in answer["items"]}
        assert set(rows) == {("db_cluster", "auth"), ("db_instance", "bad")}
        assert rows[("db_cluster", "auth")]["members"] == ["auth-1"]
        assert rows[("db_instance", "bad")]["severity"] == "critical"


async def test_assess_security_and_analyze_performance(synthetic_server) -> None:
    async with Client(synthetic_server) as client:
        sec = await call(client, "assess_security")
        by_category = sec["summary"]["by_category"]
        assert set(by_category) == {"security", "performance"} and sum(by_category.values()) == sec["total"]
        pi = await call(client, "assess_security", {"rule": "perf.*", "limit": 500})
        assert pi["total"] == by_category["performance"] and {i["rule"] for i in pi["items"]} == {
            "perf.performance_insights"
        }  # Performance Insights is part of the security review too
        assert sec["evaluated"]["db_instance"] == 150 and sec["evaluated"]["s3_bucket"] > 0
        assert sec["rules_checked"] >= 35 and len(sec["items"]) == 10
        perf = await call(client, "analyze_performance", {"environment": "production"})
        assert set(perf["summary"]["by_category"]) <= {"performance"}
        assert all(i["environment"] == "production" for i in perf["items"])
        assert perf["evaluated"]["db_instance"] == 150  # and the clusters perf.cluster_mixed_classes reads
        assert set(perf["evaluated"]) == {"db_instance", "db_cluster"} and perf["evaluated"]["db_cluster"] > 0


async def test_analyze_engines_groups_add_up(synthetic_server) -> None:
    async with Client(synthetic_server) as client:
        for group_by in ("engine", "team", "region"):
            page = await call(client, "analyze_engines", {"group_by": group_by, "limit": 500})
            assert page["totals"]["db_instances"] == 150
            assert sum(g["db_instances"] for g in page["items"]) == 150
            assert sum(g["allocated_gb"] for g in page["items"]) == page["totals"]["allocated_gb"]
        pg = await call(client, "analyze_engines", {"group_by": "version", "engine": "postgresql"})
        assert pg["items"] and all(g["key"].startswith(("postgres ", "aurora-postgresql ")) for g in pg["items"])
        bad = await client.call_tool("analyze_engines", {"group_by": "colour"})
        assert bad.is_error


async def test_findings_resource(synthetic_server) -> None:
    async with Client(synthetic_server) as client:
        data = json.loads((await client.read_resource("inventory://findings")).contents[0].text)
        assert data["source"] == "synthetic" and data["summary"]["total"] > 0 and len(data["items"]) <= 5
