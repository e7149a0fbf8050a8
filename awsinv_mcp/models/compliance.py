"""Answer models of check_version_compliance and find_cost_savings (their output schemas)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from awsinv_mcp.models.answers import ListAnswer, Row, absent

StatusCounts = dict[str, int]


class ComplianceRowOut(Row):
    """One standalone DB instance or one cluster (Aurora members follow their cluster)."""

    resource_id: str
    resource_type: Literal["instance", "cluster"]
    account: str
    region: str
    engine: str
    engine_version: str
    major: str
    status: Literal["standard", "ending_soon", "extended_support", "end_of_support"]
    end_of_standard_support: date | None
    end_of_extended_support: date | None
    extended_support_monthly_usd: float | None = Field(description="rate x vCPUs x 730 h; clusters: all members")
    upgrade_target: str | None
    lifecycle_setting: str | None = Field(None, description="enrolled, or disabled: forced upgrade")
    extended_support_starts: date | None = None
    extended_support_year: int | None = Field(None, description="rate band 1-3")
    year3_starts: date | None = Field(None, description="rate x2 from")
    year3_monthly_usd: float | None = None
    environment: str | None = None
    team: str | None = None


class ComplianceAnswer(ListAnswer):
    as_of: date
    months_ahead: int
    items: list[ComplianceRowOut] = Field(description="most urgent first")
    by_status: StatusCounts
    by_engine: dict[str, StatusCounts]
    by_version: dict[str, StatusCounts] = Field(description="'engine major' -> status counts")
    by_environment: dict[str, StatusCounts]
    by_team: dict[str, StatusCounts]
    extended_support_monthly_usd: float = Field(description="billed now: extended_support rows")
    extended_support_projected_monthly_usd: float = Field(0.0, description="ending_soon rows, once standard ends")
    calendar: str = Field(description="where the support dates come from")


class SavingsRow(Row):
    rule: str
    severity: str
    resource_type: str
    resource_id: str
    account: str
    region: str
    environment: str | None = None
    team: str | None = None
    monthly_savings_usd: float
    savings_bound: Literal["estimate", "lower_bound", "upper_bound"] = "estimate"
    action: str | None = Field(None, description="the change that saves it")
    how: str | None = Field(None, description="how the saving was computed")
    evidence: dict[str, Any] | None = Field(None, description="all values (detail=true)", exclude_if=absent)


class RuleBrief(BaseModel):
    title: str
    remediation: str | None = Field(None, description="console step and CLI (detail=true)", exclude_if=absent)


class SavingsAnswer(ListAnswer):
    as_of: date
    currency: Literal["USD"] = "USD"
    items: list[SavingsRow] = Field(description="largest saving first")
    total_monthly_savings_usd: float = Field(description="sum over the matches (never double counted)")
    by_bound: dict[str, float] = Field(description="total by estimate, lower_bound, upper_bound")
    savings_pct_of_spend: float | None = Field(
        None, description="total as % of last full month's spend (unfiltered calls, when costs are available)"
    )
    by_rule: dict[str, dict[str, int | float]] = Field(description="rule -> count, monthly_usd")
    by_team: dict[str, float] = Field(description="top teams by monthly saving")
    by_environment: dict[str, float]
    rules: dict[str, RuleBrief] = Field(description="rules on this page")
    prices: str = Field(description="where the prices come from")
