"""Cost tools: get_cost_summary, get_cost_trend, get_cost_forecast (Cost Explorer, or the cost model of the demo
estate). Each is one call into `awsinv_mcp.cost`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from awsinv_mcp.analysis.reservations import ReservationUse
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.models.answers import meta
from awsinv_mcp.models.costs import (
    CostAnswer,
    CostForecastAnswer,
    CostTrendAnswer,
    ReservedInstanceRow,
    ReservedInstancesPage,
)
from awsinv_mcp.models.table import table
from awsinv_mcp.server.args import Account, Cursor, Engine, Limit, Region, Sort
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


def list_reserved_instances(
    engine: Engine = None, region: Region = None, account: Account = None,
    state: Annotated[str | None, Field(description="active, retired, ...")] = None,
    ending_within_days: Annotated[int | None, Field(ge=0, le=1095, description="active, ending within")] = None,
    sort: Sort = None, limit: Limit = 20, cursor: Cursor = None,
) -> ReservedInstancesPage:  # fmt: skip
    """Reserved DB instances (class, engine, count, term, offering, start, end, size flexibility) with the
    utilisation and coverage of the fleet they can cover; soonest end first. To buy: find_cost_savings."""
    analysis = app().analysis()
    estate, as_of = analysis.estate, analysis.context().as_of
    kind = kinds.RESERVED_DB_INSTANCE
    uses = {(u.ri.account, u.ri.region, u.ri.id): u for u in analysis.reservations()}
    f = Q.Filters(engine=engine, region=region, account=account, status=state)
    extra: list[Callable[[Any], bool]] = []
    if ending_within_days is not None:
        n = ending_within_days
        extra.append(lambda r: uses[kind.key(r)].active and uses[kind.key(r)].days_left <= n)
    page = Q.list_records(estate, kind, f, extra=extra, extra_key=(ending_within_days, as_of), sort=sort,
                          limit=limit, cursor=cursor)  # fmt: skip
    matched = Q.select(kind.records(estate.snapshot), [*Q.kind_predicates(estate, kind, f), *extra])
    active = [u for u in (uses[kind.key(r)] for r in matched) if u.active]
    return ReservedInstancesPage(
        as_of=as_of, **table(_ri_row(uses[kind.key(r)]) for r in page.items), total=page.total,
        next_cursor=page.next_cursor, truncated=page.truncated, active=len(active),
        ending_within_30_days=sum(u.days_left <= 30 for u in active),
        ending_within_60_days=sum(u.days_left <= 60 for u in active),
        unused=sum(u.utilisation_pct == 0 for u in active), **meta(estate.snapshot),
    )  # fmt: skip


def _ri_row(u: ReservationUse) -> ReservedInstanceRow:
    ri = u.ri
    return ReservedInstanceRow(
        id=ri.id, account=ri.account, region=ri.region, instance_class=ri.instance_class, engine=ri.engine,
        license_model=ri.license_model, multi_az=ri.multi_az, count=ri.count, term_years=ri.duration_years,
        offering_type=ri.offering_type, state=ri.state, start=ri.start.date(), end=ri.end.date(),
        days_left=u.days_left, size_flexible=u.size_flexible, pool=u.pool, normalized_units=u.units,
        fleet_instances=u.fleet_instances, utilisation_pct=u.utilisation_pct, coverage_pct=u.coverage_pct,
    )  # fmt: skip
