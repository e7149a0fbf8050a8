"""Two tools never answer the same fact differently: a DB instance's internet exposure is the same in
get_db_instance, the list rows, the resource and the findings; every environment and team value the summary
reports is accepted by every tool that filters by it, with the same count wherever the tools count DB instances."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.models.table import rows_of
from awsinv_mcp.server.app import build_server
from tests.estates import DEV, cluster, db, estate, member

pytestmark = pytest.mark.anyio

LABEL_FILTERED = (
    "list_db_instances", "list_db_clusters", "list_db_snapshots", "list_cache_clusters", "list_ec2_instances",
    "list_s3_buckets", "get_findings", "assess_security", "analyze_performance", "check_version_compliance",
    "find_cost_savings", "analyze_engines",
)  # fmt: skip


def crafted() -> Any:
    """Exposure every way it can happen: standalone, a member inheriting its cluster's open network, a member with
    its own closed network, a public instance in a private subnet; and labels spelled several ways."""
    return estate(
        db("open", publicly_accessible=True, subnet_ids=("subnet-pub",), port=5432),
        db("private-subnet", publicly_accessible=True, subnet_ids=("subnet-priv",), port=5432),
        db("closed", publicly_accessible=True, subnet_ids=("subnet-pub",), security_groups=("sg-closed",), port=5432),
        db("untagged-team", team=None, environment=None, application=None),
        db("dev-db", **DEV),
        cluster("auth", members=("auth-1", "auth-2"), security_groups=("sg-open",), subnet_ids=("subnet-pub",),
                port=5432),
        member("auth-1", publicly_accessible=True, security_groups=(), subnet_ids=(), port=None),
        member("auth-2", publicly_accessible=False, security_groups=(), subnet_ids=(), port=None),
        cluster("billing", members=("billing-1",), security_groups=("sg-open",), subnet_ids=("subnet-pub",)),
        member("billing-1", cluster="billing", publicly_accessible=True, security_groups=("sg-closed",),
               subnet_ids=("subnet-priv",), port=5432),
    )  # fmt: skip


def servers() -> list[tuple[str, Any]]:
    snap = crafted()
    return [
        ("crafted", build_server(Settings(source="synthetic"), collector=lambda *_: snap)),
        ("default", build_server(Settings(source="synthetic", seed=42, scale=150))),
    ]


async def call(c: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await c.call_tool(tool, args)
    assert not result.is_error, (tool, args, result.content[0].text)
    return result.structured_content


@pytest.mark.parametrize(("name", "server"), servers(), ids=lambda v: v if isinstance(v, str) else "")
async def test_internet_exposure_is_one_fact_everywhere(name: str, server: Any) -> None:
    async with Client(server) as c:
        rows = rows_of(await call(c, "list_db_instances", {"limit": 500, "detail": True}))
        found = await call(c, "get_findings", {"rule": "rds.internet_exposed", "limit": 500})
        exposed_by_finding = {(f["account"], f["region"], f["resource_id"]) for f in found["items"]}
        for row in rows:
            key = (row["account"], row["region"], row["identifier"])
            detail = (await call(c, "get_db_instance", {"identifier": row["arn"]}))["instance"]
            resource = await c.read_resource(f"inventory://db-instances/{quote(row['arn'], safe='')}")
            from_resource = json.loads(resource.contents[0].text)["instance"]
            assert row["internet_exposed"] == detail["internet_exposed"] == from_resource["internet_exposed"], key
            assert row["internet_exposed"] == (key in exposed_by_finding), key
    exposed = {r["identifier"] for r in rows if r["internet_exposed"]}
    if name == "crafted":  # the member inherits its cluster's open network; a member with its own closed one does not
        assert exposed == {"open", "auth-1"}
    else:
        assert exposed


@pytest.mark.parametrize(("name", "server"), servers(), ids=lambda v: v if isinstance(v, str) else "")
async def test_every_label_the_summary_reports_filters_every_tool_with_the_same_count(name: str, server: Any) -> None:
    async with Client(server) as c:
        summary = await call(c, "get_inventory_summary", {})
        for label, counts in (("environment", summary["by_environment"]), ("team", summary["by_team"])):
            assert "untagged" in counts or name == "default", counts
            for value, count in counts.items():
                if value == "other":
                    continue
                listed = await call(c, "list_db_instances", {label: value, "limit": 1})
                engines = await call(c, "analyze_engines", {label: value})
                assert listed["total"] == engines["totals"]["db_instances"] == count, (label, value)
                for tool in LABEL_FILTERED:
                    await call(c, tool, {label: value})


async def test_configured_production_values_mean_the_same_to_every_tool() -> None:
    snap = estate(db("a"), db("b", environment="live"), db("c", **DEV))
    server = build_server(Settings(source="synthetic", production_values="live"), collector=lambda *_: snap)
    async with Client(server) as c:
        for spelling in ("live", "production", "prod", "Live"):
            listed = await call(c, "list_db_instances", {"environment": spelling})
            findings = await call(c, "get_findings", {"environment": spelling})
            versions = await call(c, "check_version_compliance", {"environment": spelling})
            assert {r["identifier"] for r in rows_of(listed)} == {"a", "b"}, spelling
            assert {f["resource_id"] for f in findings["items"]} <= {"a", "b"}
            assert versions["total"] == 2
        summary = await call(c, "get_inventory_summary", {})
    assert summary["by_environment"] == {"production": 2, "development": 1}
