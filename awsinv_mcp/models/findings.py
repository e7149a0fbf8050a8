"""A finding: one rule firing on one resource (the shape of DESIGN.md).

`Finding` is a slotted dataclass: rules build hundreds of thousands of them at 100k DB instances and a
pydantic model per finding would dominate the analysis time. Answers convert only the page they return
(`FindingOut.of(finding)`). Build it with keywords, as the former pydantic model (the rule engine's hot path
alone passes the fields positionally, in declaration order).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

Category = Literal["security", "version", "cost", "performance"]
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low", "info")
CATEGORIES: tuple[Category, ...] = ("security", "version", "cost", "performance")


def raise_severity(severity: Severity, steps: int = 1) -> Severity:
    """`severity` made `steps` levels more severe (capped at critical)."""
    return SEVERITIES[max(0, SEVERITY_ORDER[severity] - steps)]


@dataclass(slots=True)
class Finding:
    rule: str  # stable rule id, e.g. rds.storage_encrypted
    category: Category
    severity: Severity
    title: str
    resource_type: str  # db_instance, db_cluster, db_snapshot, db_cluster_snapshot, s3_bucket, ec2_instance, ...
    resource_id: str  # bare identifier (never an ARN)
    account: str
    region: str
    remediation: str
    arn: str | None = None
    environment: str | None = None
    team: str | None = None
    application: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)  # the values that triggered the rule
    monthly_savings_usd: float | None = None  # cost rules: estimated saving per month
    prowler_check: str | None = None  # equivalent Prowler 5.x check id
    group: str | None = None  # internal: the resource this one belongs to (an Aurora member's cluster)

    def model_dump(self, **_: Any) -> dict[str, Any]:
        """The DESIGN.md fields as a dict (kept for callers of the former pydantic model)."""
        data = asdict(self)
        data.pop("group")
        return data


class FindingOut(BaseModel):
    """A finding as tools return it (every DESIGN.md field)."""

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
        return cls.model_construct(**f.model_dump())
