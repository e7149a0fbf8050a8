"""Cost answers: compact and columnar (the cost shape the README documents).

One `periods` list of period start dates; each item carries its `group` (dimension -> value, empty
when ungrouped) and one amount per period, so a 12-month breakdown by team stays a few KB.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from awsinv_mcp.models.answers import Answer, TablePage


class CostItem(BaseModel):
    group: dict[str, str] = Field(description="group_by key -> value (e.g. {'TAG:Team': 'payments'}); {} ungrouped")
    amounts: list[float] = Field(description="one amount per period, in the order of `periods`")
    total: float


class CostAnswer(Answer):
    """get_cost_summary: amounts per period and group."""

    currency: str = "USD"
    metric: str = "UnblendedCost"
    granularity: str = "MONTHLY"
    periods: list[str] = Field(description="period start dates (ISO), in order")
    items: list[CostItem] = Field(description="largest total first")
    total_amount: float = Field(description="sum over items")
    ce_requests: int = Field(0, description="Cost Explorer requests this answer cost ($0.01 each); 0 from cache")


class GroupChange(BaseModel):
    group: dict[str, str]
    last: float = Field(description="amount of the last full month")
    change: float = Field(description="last full month minus the month before")
    change_pct: float | None = Field(description="change in percent of the month before (null from zero)")
    trend_pct: float | None = Field(None, description="average month-over-month change over the window, percent")


class ForecastPoint(BaseModel):
    period: str = Field(description="period start date (ISO)")
    mean: float
    lower: float | None = None
    upper: float | None = None


class MonthForecast(ForecastPoint):
    """The current month: what is spent so far plus the forecast of its remaining days (mean = their sum)."""

    actual_to_date: float = Field(0.0, description="spent this month up to today (actual)")
    forecast_rest: float = Field(0.0, description="forecast from today to the month's end")


class TrendForecast(BaseModel):
    current_month: MonthForecast | None = None
    next_month: ForecastPoint | None = None
    prediction_interval_level: int = 80


class CostTrendAnswer(Answer):
    """get_cost_trend: month-over-month change overall and per group, top movers, forecast."""

    currency: str = "USD"
    metric: str = "UnblendedCost"
    periods: list[str] = Field(description="full months, oldest first")
    totals: list[float] = Field(description="overall amount per period")
    mom_change_pct: list[float | None] = Field(description="overall month-over-month change per period, percent")
    items: list[GroupChange] = Field(default_factory=list, description="per group, largest last month first")
    top_movers: list[GroupChange] = Field(default_factory=list, description="largest absolute change last month")
    forecast: TrendForecast | None = None
    ce_requests: int = 0


class CostForecastAnswer(Answer):
    """get_cost_forecast: expected spend per period with its prediction interval."""

    currency: str = "USD"
    metric: str = "UnblendedCost"
    granularity: str = "MONTHLY"
    prediction_interval_level: int = 80
    current_month: MonthForecast | None = Field(None, description="when starting today: as get_cost_trend's")
    periods: list[str] = Field(description="period start dates; from today, the first is the rest of this month")
    mean: list[float]
    lower: list[float | None]
    upper: list[float | None]
    total: ForecastPoint = Field(description="sum over the periods (period = first start date)")
    ce_requests: int = 0


class ReservedInstanceRow(BaseModel):
    """One reserved DB instance and how the running fleet uses its pool."""

    id: str
    account: str
    region: str
    instance_class: str
    engine: str
    license_model: str | None
    multi_az: bool
    count: int
    term_years: int
    offering_type: str
    state: str
    start: date
    end: date
    days_left: int = Field(description="negative once ended")
    size_flexible: bool = Field(description="covers any size of its family (normalised units)")
    pool: str = Field(description="what it can cover in its account and region")
    normalized_units: float | None
    fleet_instances: int = Field(description="running instances of the pool")
    utilisation_pct: float | None = Field(description="pool's reserved units in use")
    coverage_pct: float | None = Field(description="pool's running units reserved")


class ReservedInstancesPage(TablePage):
    """list_reserved_instances, soonest end first by default. Rows: ReservedInstanceRow."""

    as_of: date
    active: int = Field(description="active reservations among the matches")
    ending_within_30_days: int
    ending_within_60_days: int
    unused: int = Field(description="active ones nothing running uses")
