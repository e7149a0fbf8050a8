"""The six MCP prompts: listed with their arguments, rendered with them, and argument completion."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from mcp import Client
from mcp.types import PromptReference, ResourceTemplateReference

from awsinv_mcp.config import Settings
from awsinv_mcp.models.inventory import DBInstance, EC2Instance, Snapshot
from awsinv_mcp.server.app import build_server

pytestmark = pytest.mark.anyio

DESIGN_TOOLS = {
    "get_inventory_summary", "list_db_instances", "get_db_instance", "list_db_clusters", "list_db_snapshots",
    "list_ec2_instances", "list_s3_buckets", "refresh_inventory", "analyze_engines", "check_version_compliance",
    "assess_security", "find_cost_savings", "analyze_performance", "get_findings", "get_cost_summary",
    "get_cost_trend", "get_cost_forecast", "list_databases", "list_schemas", "list_tables", "describe_table",
    "run_query", "explain_query", "database_health", "list_snapshots", "get_changes", "get_resource_history",
    "list_reserved_instances",
}  # fmt: skip

EXPECTED = {
    "database_security_audit": ["get_inventory_summary", "assess_security", "get_findings"],
    "version_compliance_report": ["check_version_compliance", "analyze_engines"],
    "cost_optimization_review": [
        "get_cost_summary",
        "get_cost_trend",
        "find_cost_savings",
        "get_cost_forecast",
        "list_reserved_instances",
    ],
    "performance_review": ["analyze_performance", "get_db_instance"],
    "team_database_overview": ["list_db_instances", "list_db_clusters", "check_version_compliance", "get_findings"],
    "inspect_database": ["list_databases", "database_health", "list_schemas", "list_tables", "describe_table"],
    "change_review": ["list_snapshots", "get_changes", "get_resource_history"],
}


def tools_in_order(text: str) -> list[str]:
    """Tool names in the order the instruction first names them."""
    seen: list[str] = []
    for name in re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text):
        if name in DESIGN_TOOLS and name not in seen:
            seen.append(name)
    return seen


def tiny_snapshot(settings: Settings, progress, cancel=None) -> Snapshot:
    return Snapshot(
        source="synthetic",
        collected_at=datetime(2026, 11, 1, tzinfo=UTC),
        db_instances=(
            DBInstance(account="1", region="eu-west-1", identifier="a", team="payments", environment="production"),
            DBInstance(account="1", region="eu-west-1", identifier="b", team="platform", environment="staging"),
            DBInstance(account="1", region="eu-west-1", identifier="c", team="Pay-Ops", environment="production"),
        ),
        ec2_instances=(EC2Instance(account="1", region="eu-west-1", identifier="i-1", team="search"),),
    )


@pytest.fixture
def server():
    settings = Settings(
        source="synthetic",
        databases=json.dumps({"orders": "sqlite:///orders.db", "crm": "postgresql://app:pw@127.0.0.1/crm"}),
    )
    return build_server(settings, collector=tiny_snapshot)


async def test_seven_prompts_listed_with_arguments(server):
    async with Client(server) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(prompts) == set(EXPECTED)
    args = {name: {a.name: a.required for a in p.arguments} for name, p in prompts.items()}
    assert args["team_database_overview"] == {"team": True, "environment": False}
    assert args["inspect_database"] == {"database": True, "schema": False}
    assert args["version_compliance_report"] == {"environment": False, "months_ahead": False, "engine": False}
    assert args["change_review"] == {"since": False, "environment": False}
    assert all(p.description and p.title for p in prompts.values())
    assert all(a.description for p in prompts.values() for a in p.arguments)


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_each_prompt_names_its_tools_in_order(server, name):
    arguments = {"team": "payments"} if name == "team_database_overview" else {}
    if name == "inspect_database":
        arguments = {"database": "orders"}
    async with Client(server) as client:
        result = await client.get_prompt(name, arguments)
    assert len(result.messages) == 1 and result.messages[0].role == "user"
    text = result.messages[0].content.text
    assert tools_in_order(text)[: len(EXPECTED[name])] == EXPECTED[name]
    assert "synthetic" in text and "Not checked" in text


async def test_arguments_reach_the_instructions(server):
    async with Client(server) as client:
        version = await client.get_prompt(
            "version_compliance_report", {"environment": "production", "months_ahead": "12", "engine": "postgres"}
        )
        team = await client.get_prompt("team_database_overview", {"team": "payments", "environment": "staging"})
        db = await client.get_prompt("inspect_database", {"database": "orders", "schema": "sales"})
        perf = await client.get_prompt("performance_review", {"environment": "all"})
    text = version.messages[0].content.text
    assert "months_ahead=12" in text and 'engine="postgres"' in text and 'environment="production"' in text
    assert "12 months ahead" in text
    text = team.messages[0].content.text
    assert 'list_db_instances with environment="staging", team="payments"' in text
    text = db.messages[0].content.text
    assert 'database="orders"' in text and 'schema="sales"' in text
    assert "environment=" not in perf.messages[0].content.text


async def test_default_performance_review_is_production(server):
    async with Client(server) as client:
        perf = await client.get_prompt("performance_review", {})
    assert 'analyze_performance with environment="production"' in perf.messages[0].content.text


async def test_completion_of_team_database_and_environment(server):
    async with Client(server) as client:
        team = await client.complete(
            PromptReference(type="ref/prompt", name="team_database_overview"), {"name": "team", "value": "s"}
        )
        every = await client.complete(
            PromptReference(type="ref/prompt", name="team_database_overview"), {"name": "team", "value": ""}
        )
        database = await client.complete(
            PromptReference(type="ref/prompt", name="inspect_database"), {"name": "database", "value": "c"}
        )
        schema_db = await client.complete(
            ResourceTemplateReference(type="ref/resource", uri="db://{database}/schema"),
            {"name": "database", "value": ""},
        )
        env = await client.complete(
            PromptReference(type="ref/prompt", name="cost_optimization_review"), {"name": "environment", "value": "p"}
        )
        identifier = await client.complete(
            ResourceTemplateReference(type="ref/resource", uri="inventory://db-instances/{identifier}"),
            {"name": "identifier", "value": "b"},
        )
        other = await client.complete(
            PromptReference(type="ref/prompt", name="version_compliance_report"), {"name": "engine", "value": ""}
        )
    assert team.completion.values == ["search", "Pay-Ops", "payments"]  # prefix matches first, then substring
    assert every.completion.values == ["Pay-Ops", "payments", "platform", "search", "untagged"]
    assert every.completion.total == 5 and every.completion.has_more is False
    assert database.completion.values == ["crm"]
    assert schema_db.completion.values == ["crm", "orders"]
    assert env.completion.values == ["production"]
    assert identifier.completion.values == ["b"]
    assert other.completion.values == []


CALL = re.compile(r"\b([a-z]+(?:_[a-z]+)+) with ((?:\w+=(?:\"[^\"]*\"|[\w.]+)(?:,? (?:and )?)?)+)")


async def test_every_stated_argument_is_one_the_tool_accepts(server):
    """The `tool with a=..., b=...` calls in every prompt (all arguments set) match the registered tools."""
    full = {
        "database_security_audit": {"environment": "production", "min_severity": "high"},
        "version_compliance_report": {"environment": "production", "months_ahead": "3", "engine": "mysql"},
        "cost_optimization_review": {"environment": "production", "months": "6"},
        "performance_review": {"environment": "production", "team": "payments"},
        "team_database_overview": {"team": "payments", "environment": "production"},
        "inspect_database": {"database": "orders", "schema": "public"},
        "change_review": {"since": "24h", "environment": "production"},
    }
    async with Client(server) as client:
        tools = {t.name: set(t.input_schema.get("properties", {})) for t in (await client.list_tools()).tools}
        checked = 0
        for name, arguments in full.items():
            prompt_text = (await client.get_prompt(name, arguments)).messages[0].content.text
            for tool_name, args_text in CALL.findall(prompt_text):
                if tool_name not in tools:  # a tool another module has not registered yet
                    continue
                stated = set(re.findall(r"(\w+)=", re.sub(r'"[^"]*"', '""', args_text)))
                assert stated <= tools[tool_name], (name, tool_name, stated - tools[tool_name])
                checked += 1
    assert checked >= 15
