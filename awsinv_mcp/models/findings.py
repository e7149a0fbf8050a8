"""A finding: one rule firing on one resource.

`Finding` is a slotted dataclass: rules build hundreds of thousands of them at 100k DB instances and a pydantic
model per finding would dominate the analysis time. It holds a reference to its rule's `RuleMeta` (the
catalogue's one copy of id, category, title, remediation and Prowler id) instead of copies of those fields;
answers convert only the page they return (`FindingOut.of(finding)`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, Field

Category = Literal["security", "version", "cost", "performance"]
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")
CATEGORIES: tuple[Category, ...] = ("security", "version", "cost", "performance")


def raise_severity(severity: Severity, steps: int = 1) -> Severity:
    """`severity` made `steps` levels more severe (capped at critical)."""
    return SEVERITIES[max(0, SEVERITY_ORDER[severity] - steps)]


class ResourceKey(NamedTuple):
    """The resource a finding is about, as view=resources groups them (an Aurora member's is its cluster)."""

    resource_type: str
    account: str
    region: str
    resource_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleMeta:
    """What answers say about a rule; `analysis/catalogue.py` keeps one per rule."""

    id: str  # stable rule id, e.g. rds.storage_encrypted
    category: Category
    severity: Severity  # the default; a finding may rank above or below it
    title: str
    remediation: str  # console step and the AWS CLI command
    prowler_check: str | None = None  # the Prowler 5.x check of the same scope, where one exists


@dataclass(slots=True, kw_only=True)
class Finding:
    meta: RuleMeta
    severity: Severity
    resource_type: str  # db_instance, db_cluster, db_snapshot, db_cluster_snapshot, s3_bucket, ec2_instance, ...
    resource_id: str  # bare identifier (never an ARN)
    account: str
    region: str
    arn: str | None = None
    environment: str | None = None
    team: str | None = None
    application: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)  # the values that triggered the rule
    monthly_savings_usd: float | None = None  # cost rules: estimated saving per month
    group: ResourceKey | None = None  # the resource this one belongs to (an Aurora member's cluster)

    @property
    def rule(self) -> str:
        return self.meta.id

    @property
    def category(self) -> Category:
        return self.meta.category

    @property
    def savings_bound(self) -> str | None:
        """Cost findings: whether monthly_savings_usd is an estimate, a lower bound or an upper bound."""
        if self.monthly_savings_usd is None:
            return None
        return self.evidence.get("savings_bound", "estimate")


class FindingOut(BaseModel):
    """A finding as tools return it with detail=true (every field)."""

    rule: str = Field(description="stable rule id, e.g. rds.storage_encrypted")
    category: Category
    severity: Severity
    title: str
    resource_type: str = Field(
        description="db_instance, db_cluster, db_snapshot, db_cluster_snapshot, s3_bucket, ec2_instance, ebs_volume"
    )
    resource_id: str = Field(description="bare identifier (never an ARN)")
    arn: str | None = None
    account: str
    region: str
    environment: str | None = None
    team: str | None = None
    application: str | None = None
    evidence: dict[str, Any] = Field(default_factory=dict, description="the values that triggered the rule")
    remediation: str
    monthly_savings_usd: float | None = Field(None, description="cost rules: estimated saving per month")
    prowler_check: str | None = Field(None, description="equivalent Prowler 5.x check id")

    @classmethod
    def of(cls, f: Finding) -> FindingOut:
        m = f.meta
        return cls.model_construct(
            rule=m.id,
            category=m.category,
            severity=f.severity,
            title=m.title,
            resource_type=f.resource_type,
            resource_id=f.resource_id,
            arn=f.arn,
            account=f.account,
            region=f.region,
            environment=f.environment,
            team=f.team,
            application=f.application,
            evidence=f.evidence,
            remediation=m.remediation,
            monthly_savings_usd=f.monthly_savings_usd,
            prowler_check=m.prowler_check,
        )
