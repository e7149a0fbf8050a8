"""Everything the server offers, in one visible list: the tools (with their toolset), the resources, the prompts.

Adding a tool: a plain function in `server/tools/<area>.py` (its name, docstring and typed signature are the
tool's name, description and input schema; its return annotation the output schema) and one line here
(docs/architecture.md walks through it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mcp.server.mcpserver import MCPServer

from awsinv_mcp.config import TOOLSETS  # noqa: F401 - the names; each ToolDef names its own
from awsinv_mcp.server import resources as res
from awsinv_mcp.server.apps import APP_MIME_TYPE, AppDef
from awsinv_mcp.server.tooling import ToolDef
from awsinv_mcp.server.tools import analysis, compliance, costs, databases, history, inventory

# MCP Apps (issue 15): views of the web page as `ui://awsinv/<view>` resources, each linked from the tool that
# answers its question (`app=` below) and offered when that tool is.
OVERVIEW = AppDef(view="overview", title="Overview", description="The estate at a glance: counts, engines, versions.")
FINDINGS = AppDef(view="findings", title="Findings", description="Findings by severity, rule and resource.")
CHANGES = AppDef(view="changes", title="Changes", description="What changed in the estate since a date.")
APPS: tuple[AppDef, ...] = (OVERVIEW, FINDINGS, CHANGES)

TOOLS: tuple[ToolDef, ...] = (
    ToolDef(fn=inventory.get_inventory_summary, title="Inventory summary", toolset="inventory", app=OVERVIEW.uri),
    ToolDef(fn=inventory.list_db_instances, title="List DB instances", toolset="inventory"),
    ToolDef(fn=inventory.get_db_instance, title="Get one DB instance", toolset="inventory"),
    ToolDef(fn=inventory.list_db_clusters, title="List Aurora / Multi-AZ DB clusters", toolset="inventory"),
    ToolDef(fn=inventory.list_db_snapshots, title="List DB snapshots", toolset="inventory"),
    ToolDef(fn=inventory.list_cache_clusters, title="List ElastiCache clusters", toolset="inventory"),
    ToolDef(fn=inventory.list_ec2_instances, title="List EC2 instances", toolset="inventory"),
    ToolDef(fn=inventory.list_s3_buckets, title="List S3 buckets", toolset="inventory"),
    ToolDef(fn=inventory.refresh_inventory, title="Refresh the inventory", toolset="inventory"),
    ToolDef(fn=analysis.assess_security, title="Security assessment", toolset="analysis"),
    ToolDef(fn=analysis.analyze_performance, title="Performance analysis", toolset="analysis"),
    ToolDef(fn=analysis.get_findings, title="All findings", toolset="analysis", app=FINDINGS.uri),
    ToolDef(fn=analysis.analyze_engines, title="Engine distribution", toolset="analysis"),
    ToolDef(fn=compliance.check_version_compliance, title="Engine version compliance", toolset="analysis"),
    ToolDef(fn=compliance.find_cost_savings, title="Find cost savings", toolset="analysis"),
    ToolDef(fn=costs.get_cost_summary, title="Cost summary", toolset="cost"),
    ToolDef(fn=costs.get_cost_trend, title="Cost trend", toolset="cost"),
    ToolDef(fn=costs.get_cost_forecast, title="Cost forecast", toolset="cost"),
    ToolDef(fn=costs.list_reserved_instances, title="List reserved DB instances", toolset="cost"),
    ToolDef(fn=databases.list_databases, title="List configured databases", toolset="databases"),
    ToolDef(fn=databases.list_schemas, title="List schemas of a database", toolset="databases"),
    ToolDef(fn=databases.list_tables, title="List tables of a schema", toolset="databases"),
    ToolDef(fn=databases.describe_table, title="Describe a table", toolset="databases"),
    ToolDef(fn=databases.run_query, title="Run a read-only query", toolset="databases"),
    ToolDef(fn=databases.explain_query, title="Explain a query", toolset="databases"),
    ToolDef(fn=databases.database_health, title="Database health", toolset="databases"),
    ToolDef(fn=history.list_snapshots, title="List stored snapshots", toolset="history"),
    ToolDef(fn=history.get_changes, title="What changed between snapshots", toolset="history", app=CHANGES.uri),
    ToolDef(fn=history.get_resource_history, title="One resource over time", toolset="history"),
)


def tools_of(toolsets: Sequence[str]) -> tuple[ToolDef, ...]:
    """The catalogue's tools in the chosen toolsets (`AWSINV_TOOLSETS`), in catalogue order."""
    return tuple(t for t in TOOLS if t.toolset in toolsets)


@dataclass(frozen=True, kw_only=True)
class ResourceDef:
    uri: str
    fn: Callable[..., str]
    title: str
    mime_type: str = "application/json"

    @property
    def name(self) -> str:
        return self.fn.__name__


RESOURCES: tuple[ResourceDef, ...] = (
    ResourceDef(uri=res.SUMMARY_URI, fn=res.inventory_summary, title="Inventory summary"),
    ResourceDef(uri="inventory://db-instances/{identifier}", fn=res.db_instance, title="One DB instance"),
    ResourceDef(uri=res.FINDINGS_URI, fn=res.findings, title="Findings totals"),
    ResourceDef(uri=res.CHANGES_URI, fn=res.changes, title="Changes since the previous snapshot"),
    ResourceDef(uri="lifecycle://engines", fn=res.engine_lifecycle, title="Engine support calendar"),
    ResourceDef(uri="db://{database}/schema", fn=res.database_schema, title="Schema of a configured database"),
)


def apps_of(tools: Sequence[ToolDef]) -> tuple[AppDef, ...]:
    """The Apps linked from `tools`, in catalogue order."""
    linked = {t.app for t in tools}
    return tuple(a for a in APPS if a.uri in linked)


def register_resources(mcp: MCPServer, tools: Sequence[ToolDef]) -> None:
    """The resources, and the App resources of the offered `tools` (read, and so built, on each resources/read)."""
    for r in RESOURCES:
        mcp.resource(r.uri, name=r.name, title=r.title, description=r.fn.__doc__, mime_type=r.mime_type)(r.fn)
    for a in apps_of(tools):
        mcp.resource(a.uri, name=a.name, title=a.title, description=a.description, mime_type=APP_MIME_TYPE)(a.html)
