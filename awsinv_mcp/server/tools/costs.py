"""Cost tools: get_cost_summary, get_cost_trend, get_cost_forecast (Cost Explorer, or the cost model of the demo
estate). Each is one call into `awsinv_mcp.cost`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from awsinv_mcp.models.costs import CostAnswer, CostForecastAnswer, CostTrendAnswer
from awsinv_mcp.server.context import app

if TYPE_CHECKING:
    from awsinv_mcp.cost.service import Filters

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


def _filters(service: str | None, account: str | None, region: str | None, tag: str | None) -> Filters:
    from awsinv_mcp.cost.service import Filters

    return Filters(service=service, account=account, region=region, tag=tag)


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
    """Spend per period and group (default the last 6 full months; DAILY: the last 30 days); ce_requests = Cost
    Explorer requests paid ($0.01 each). Change over time: get_cost_trend; ahead: get_cost_forecast."""
    return app().costs.summary(
        start=start, end=end, granularity=granularity, group_by=group_by,
        filters=_filters(service, account, region, tag), metric=metric, top=top,
    )  # fmt: skip


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
    """Month-over-month change overall and per group, the last month's top movers, this and next month's
    forecast. Totals of one period: get_cost_summary."""
    return app().costs.trend(
        months=months, group_by=group_by, filters=_filters(service, account, region, tag), metric=metric,
        top=top,
    )  # fmt: skip


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
    """Forecast spend per period with its prediction interval, and the total. Past spend:
    get_cost_summary."""
    return app().costs.forecast(
        start=start, end=end, months=months, granularity=granularity,
        filters=_filters(service, account, region, tag), metric=metric, level=prediction_interval_level,
    )  # fmt: skip
