"""The rules catalogue: one rule, one id, one severity, one remediation (Prowler-style).

A rule module defines rules in one of two ways:
- `@rule(...)` on a pure function `check(snapshot, ctx) -> Iterable[Finding]` (rules that look across
  resources, e.g. volumes judged by the instance they are attached to);
- `@resource_rule(...)` on a pure function `check(resource, ctx, snapshot) -> Hit` called once per resource
  of the rule's resource type, returning None (compliant or not applicable), the evidence dict, or
  `(evidence, severity)` when this resource ranks above or below the rule's default severity.
  The catalogue turns hits into findings (ids, tags, remediation, Prowler id filled in).

`ctx` carries what is not in the snapshot (the date the analysis is "as of", which environments count as
production, lifecycle and price tables). `run_rules` evaluates every registered rule (or a subset) and
returns findings in a stable order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from awsinv_mcp.models.findings import SEVERITY_ORDER, Category, Finding, Severity
from awsinv_mcp.models.inventory import Snapshot


@dataclass(frozen=True)
class AnalysisContext:
    """Inputs of the analysis besides the snapshot."""

    as_of: date
    production_values: tuple[str, ...] = ("production", "prod", "prd")
    months_ahead: int = 6
    extra: dict[str, Any] = field(default_factory=dict)

    def is_production(self, environment: str | None) -> bool:
        return environment is not None and environment.lower() in self.production_values

    def cache_key(self) -> tuple[Any, ...]:
        """A hashable key of everything that changes the findings."""
        return (self.as_of, tuple(self.production_values), self.months_ahead, repr(sorted(self.extra.items())))


Check = Callable[[Snapshot, AnalysisContext], Iterable[Finding]]
Evidence = dict[str, Any]
Hit = Evidence | tuple[Evidence, Severity] | None
ResourceCheck = Callable[[Any, AnalysisContext, Snapshot], Hit]

# resource type -> (Snapshot attribute holding the records, attribute holding the bare identifier)
RESOURCE_SOURCES: dict[str, tuple[str, str]] = {
    "db_instance": ("db_instances", "identifier"),
    "db_cluster": ("db_clusters", "identifier"),
    "db_snapshot": ("db_snapshots", "identifier"),  # also db_cluster_snapshot (by the snapshot's kind)
    "s3_bucket": ("s3_buckets", "name"),
    "ec2_instance": ("ec2_instances", "identifier"),
}


@dataclass(frozen=True)
class Rule:
    id: str
    category: Category
    severity: Severity
    title: str
    rationale: str
    resource_types: tuple[str, ...]
    remediation: str  # console step and the AWS CLI command
    check: Check
    prowler_check: str | None = None
    production_only: bool = False
    notes: str | None = None  # scope details for docs/rules.md (what is skipped and why)

    def finding(
        self,
        resource: Any,
        *,
        resource_type: str,
        resource_id: str,
        evidence: Evidence,
        severity: Severity | None = None,
        monthly_savings_usd: float | None = None,
        prowler_check: str | None = None,
        group: str | None = None,
    ) -> Finding:
        """A finding of this rule on `resource` (a Tagged record: account, region, tags, arn)."""
        return Finding(
            rule=self.id, category=self.category, severity=severity or self.severity, title=self.title,
            resource_type=resource_type, resource_id=resource_id, arn=getattr(resource, "arn", None) or None,
            account=resource.account, region=resource.region, environment=getattr(resource, "environment", None),
            team=getattr(resource, "team", None), application=getattr(resource, "application", None),
            evidence=evidence, remediation=self.remediation, monthly_savings_usd=monthly_savings_usd,
            prowler_check=prowler_check or self.prowler_check, group=group,
        )  # fmt: skip


RULES: dict[str, Rule] = {}


def rule(
    id: str,
    *,
    category: Category,
    severity: Severity,
    title: str,
    rationale: str,
    resource_types: tuple[str, ...],
    remediation: str,
    prowler_check: str | None = None,
    production_only: bool = False,
    notes: str | None = None,
) -> Callable[[Check], Check]:
    """Register `check` in the catalogue under `id` (ids are unique)."""

    def decorator(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        RULES[id] = Rule(id, category, severity, title, rationale, resource_types, remediation, check,
                         prowler_check, production_only, notes)  # fmt: skip
        return check

    return decorator


def resource_type_of(record: Any, resource_type: str) -> str:
    """The finding's resource type: cluster snapshots are `db_cluster_snapshot`."""
    if resource_type == "db_snapshot" and getattr(record, "kind", "instance") == "cluster":
        return "db_cluster_snapshot"
    return resource_type


def member_group(record: Any) -> str | None:
    """Aurora / Multi-AZ cluster members belong to their cluster (for 'all of these rules' queries)."""
    cluster = getattr(record, "cluster", None)
    return f"db_cluster:{record.account}:{record.region}:{cluster}" if cluster else None


def resource_rule(id: str, *, resource_type: str, **meta: Any) -> Callable[[ResourceCheck], ResourceCheck]:
    """Register a per-resource rule: `check(resource, ctx, snapshot)` runs once per record of `resource_type`
    (production records only when `production_only=True`)."""
    collection, id_attr = RESOURCE_SOURCES[resource_type]
    types = ("db_snapshot", "db_cluster_snapshot") if resource_type == "db_snapshot" else (resource_type,)
    production_only = bool(meta.get("production_only"))

    def decorator(fn: ResourceCheck) -> ResourceCheck:
        def check(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
            this = RULES[id]
            rule_id, category, default, title, remediation = this.id, this.category, this.severity, this.title, \
                this.remediation  # fmt: skip
            prowler, is_prod = this.prowler_check, ctx.is_production
            found: list[Finding] = []
            append = found.append
            for record in getattr(snapshot, collection):
                if production_only and not is_prod(record.environment):
                    continue
                hit = fn(record, ctx, snapshot)
                if hit is None:
                    continue
                evidence, severity = hit if type(hit) is tuple else (hit, default)
                cluster = getattr(record, "cluster", None)
                append(Finding(
                    rule=rule_id, category=category, severity=severity, title=title,
                    resource_type=resource_type_of(record, resource_type), resource_id=getattr(record, id_attr),
                    account=record.account, region=record.region, remediation=remediation, arn=record.arn or None,
                    environment=record.environment, team=record.team, application=record.application,
                    evidence=evidence, prowler_check=prowler,
                    group=member_group(record) if cluster else None,
                ))  # fmt: skip
            return found

        rule(id, resource_types=meta.pop("resource_types", types), **meta)(check)
        return fn

    return decorator


def finding_sort_key(f: Finding) -> tuple[int, str, str, str, str, str]:
    return (SEVERITY_ORDER[f.severity], f.category, f.rule, f.account, f.region, f.resource_id)


def run_rules(snapshot: Snapshot, ctx: AnalysisContext, *, rule_ids: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the selected rules (all by default), most severe first, deterministic order."""
    selected = [RULES[r] for r in rule_ids] if rule_ids is not None else list(RULES.values())
    findings: list[Finding] = []
    for r in selected:
        findings.extend(r.check(snapshot, ctx))
    findings.sort(key=finding_sort_key)
    return findings
