"""Cost tools: get_cost_summary, get_cost_trend, get_cost_forecast (Cost Explorer or the synthetic model)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from awsinv_mcp.models.costs import CostAnswer, CostForecastAnswer, CostTrendAnswer
from awsinv_mcp.server.services import Services
from awsinv_mcp.server.tooling import tool

if TYPE_CHECKING:
    from awsinv_mcp.cost.service import CostService, Filters
    from awsinv_mcp.cost.spend import MonthlySpend
    from awsinv_mcp.models.inventory import Snapshot

GroupBy = Annotated[
    str | list[str] | None,
    Field(description="up to 2 of SERVICE, REGION, LINKED_ACCOUNT, USAGE_TYPE, TAG:<key> (or a bare tag key)"),
]
Service = Annotated[str | None, Field(description="aliases: rds, ec2, ebs, s3")]
CostAccount = Annotated[str | None, Field(description="linked account id(s), comma list")]
CostRegion = Annotated[str | None, Field(description="region(s), comma list")]
Tag = Annotated[str | None, Field(description="Key=Value, e.g. Team=payments")]
Metric = str  # UnblendedCost, AmortizedCost, BlendedCost, NetUnblendedCost, NetAmortizedCost (errors list them)
Top = Annotated[int, Field(ge=1, le=100, description="groups listed; rest in '(other)'")]
Level = Annotated[int, Field(ge=51, le=99, description="percent")]


def extended_support_charges(snapshot: Snapshot, as_of: date) -> Iterator[tuple[Any, float, date | None]]:
    """The version-compliance analysis' Extended Support charges, for the synthetic cost model (which sits below
    analysis): (instance or cluster, monthly USD, first day charged)."""
    from awsinv_mcp.analysis import versions

    calendar = versions.calendar_for(snapshot)
    for row in versions.compliance_rows(snapshot, as_of):
        if row.status != "extended_support" or not row.extended_support_monthly_usd:
            continue
        lc = calendar.lookup(row.engine, row.major)
        since = None
        if lc and lc.end_of_standard_support:
            since = lc.extended_support_charges_start or lc.end_of_standard_support + timedelta(days=1)
        yield row.record, row.extended_support_monthly_usd, since


def cost_service(services: Services) -> CostService:
    """The server's CostService (Cost Explorer client, answer cache, synthetic model), built on first use."""

    def build() -> CostService:
        from awsinv_mcp.cost.service import CostService

        return CostService(services.settings, services.inventory, extended_support=extended_support_charges)

    return services.lazy("cost", build)


def monthly_spend(services: Services) -> MonthlySpend | None:
    """Last full month's spend (total and database) for savings percentages; None when costs are unavailable.

    In aws mode this costs one Cost Explorer request per `cost_cache_ttl` (shared with get_cost_summary)."""
    from awsinv_mcp.cost.spend import current_monthly_spend

    return current_monthly_spend(cost_service(services))


def register(mcp: MCPServer, services: Services) -> None:
    """Register the cost tools."""

    def filters(service: str | None, account: str | None, region: str | None, tag: str | None) -> Filters:
        from awsinv_mcp.cost.service import Filters

        return Filters(service=service, account=account, region=region, tag=tag)

    @tool(mcp, title="Cost summary", open_world=True)
    def get_cost_summary(
        start: Annotated[str | None, Field(description="ISO date")] = None,
        end: Annotated[str | None, Field(description="ISO date, exclusive")] = None,
        granularity: Literal["MONTHLY", "DAILY"] = "MONTHLY",
        group_by: GroupBy = None,
        service: Service = None,
        account: CostAccount = None,
        region: CostRegion = None,
        tag: Tag = None,
        metric: Metric = "UnblendedCost",
        top: Top = 20,
    ) -> CostAnswer:
        """Spend per period (columnar: periods + amounts per group), grouped by up to two keys; default the last
        6 full months. ce_requests = Cost Explorer requests ($0.01 each) this answer cost (cached for hours)."""
        return cost_service(services).summary(
            start=start, end=end, granularity=granularity, group_by=group_by,
            filters=filters(service, account, region, tag), metric=metric, top=top,
        )  # fmt: skip

    @tool(mcp, title="Cost trend", open_world=True)
    def get_cost_trend(
        months: Annotated[int, Field(ge=2, le=36, description="full months to look back")] = 12,
        group_by: GroupBy = None,
        service: Service = None,
        account: CostAccount = None,
        region: CostRegion = None,
        tag: Tag = None,
        metric: Metric = "UnblendedCost",
        top: Top = 20,
    ) -> CostTrendAnswer:
        """Month-over-month change overall and per group, the top movers of the last full month, and the
        forecast of the current month (spent so far + the rest) and the next."""
        return cost_service(services).trend(
            months=months, group_by=group_by, filters=filters(service, account, region, tag), metric=metric,
            top=top,
        )  # fmt: skip

    @tool(mcp, title="Cost forecast", open_world=True)
    def get_cost_forecast(
        start: Annotated[str | None, Field(description="ISO date")] = None,
        end: Annotated[str | None, Field(description="ISO date, exclusive")] = None,
        months: Annotated[int, Field(ge=1, le=18, description="months ahead, this one first")] = 3,
        granularity: Literal["MONTHLY", "DAILY"] = "MONTHLY",
        service: Service = None,
        account: CostAccount = None,
        region: CostRegion = None,
        tag: Tag = None,
        metric: Metric = "UnblendedCost",
        prediction_interval_level: Level = 80,
    ) -> CostForecastAnswer:
        """Forecast spend per period with its prediction interval (mean, lower, upper), and the total."""
        return cost_service(services).forecast(
            start=start, end=end, months=months, granularity=granularity,
            filters=filters(service, account, region, tag), metric=metric, level=prediction_interval_level,
        )  # fmt: skip
