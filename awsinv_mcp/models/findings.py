"""A finding: one rule firing on one resource (the shape of DESIGN.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

Category = Literal["security", "version", "cost", "performance"]
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


class Finding(BaseModel):
    rule: str = Field(description="stable rule id, e.g. rds.storage_encrypted")
    category: Category
    severity: Severity
    title: str
    resource_type: str = Field(description="db_instance, db_cluster, db_snapshot, db_cluster_snapshot, s3_bucket, ec2_instance")
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
