"""Answer models of the analysis tools: findings pages, per-category reviews, engine distributions.

Findings pages are compact: rows carry the ids and evidence, and each rule's title, remediation and
Prowler check appear once in `rules` (not once per row). `detail=true` returns full findings (every field).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from awsinv_mcp.models.answers import ListAnswer, Row
from awsinv_mcp.models.findings import Category, FindingOut, Severity


class FindingRow(Row):
    """One finding, compact: the rule's title and remediation are in the answer's `rules`."""

    rule: str
    category: Category
    severity: Severity
    resource_type: str
    resource_id: str = Field(description="bare identifier (never an ARN)")
    account: str
    region: str
    environment: str | None = None
    team: str | None = None
    application: str | None = None
    evidence: dict[str, Any] = Field(default_factory=dict)
    monthly_savings_usd: float | None = None


class ResourceRow(BaseModel):
    """One resource with the rules it fails (view=resources); an Aurora cluster includes its members."""

    resource_type: str
    resource_id: str
    account: str
    region: str
    environment: str | None = None
    team: str | None = None
    severity: Severity = Field(description="the most severe of its findings")
    rules: list[str]
    members: list[str] | None = Field(None, description="cluster members with findings of their own")
    monthly_savings_usd: float | None = None


class RuleInfo(Row):
    title: str
    category: Category
    remediation: str = Field(description="console step and AWS CLI command")
    prowler_check: str | None = None


class FindingsSummary(Row):
    total: int = Field(description="findings matching the filters")
    resources: int = Field(description="distinct resources the matching findings name")
    resource_groups: int = Field(description="the same, cluster members counted in their cluster (view=resources)")
    by_severity: dict[str, int]
    by_category: dict[str, int]
    top_rules: dict[str, int] = Field(description="rule -> findings, the 10 most frequent")
    monthly_savings_usd: float = Field(description="sum of estimated monthly savings of matching findings")


class FindingsPage(ListAnswer):
    """A page of findings (or of resources, view=resources) with totals over every match."""

    as_of: date = Field(description="date the analysis is computed for")
    summary: FindingsSummary
    items: list[FindingRow | FindingOut | ResourceRow]
    rules: dict[str, RuleInfo] = Field(default_factory=dict, description="rules of the rows on this page")


class ReviewAnswer(FindingsPage):
    """assess_security / analyze_performance: the category's findings, most severe first, and its scope."""

    evaluated: dict[str, int] = Field(description="resources the rules examined, by type")
    rules_checked: int


class EngineGroup(BaseModel):
    key: str = Field(description="the group_by value ('untagged' when missing)")
    db_instances: int
    db_clusters: int
    allocated_gb: int
    engines: dict[str, int] = Field(description="DB instances per engine (largest, then 'other')")
    versions: dict[str, int] = Field(description="DB instances per engine version (largest, then 'other')")
    classes: dict[str, int] = Field(description="DB instances per instance class (largest, then 'other')")
    storage_types: dict[str, int]


class EnginesAnswer(ListAnswer):
    group_by: str
    totals: EngineGroup = Field(description="the whole (filtered) fleet")
    items: list[EngineGroup]
