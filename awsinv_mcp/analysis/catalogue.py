"""The rules catalogue: one rule, one id, one severity, one remediation (Prowler-style).

A rule module defines rules with the `@rule(...)` decorator on a pure function
`check(snapshot, ctx) -> Iterable[Finding]`. `ctx` carries what is not in the snapshot (the date the
analysis is "as of", which environments count as production, lifecycle and price tables).
`run_rules` evaluates every registered rule (or a subset) and returns findings in a stable order.
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


Check = Callable[[Snapshot, AnalysisContext], Iterable[Finding]]


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
) -> Callable[[Check], Check]:
    """Register `check` in the catalogue under `id` (ids are unique)."""

    def decorator(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        RULES[id] = Rule(id, category, severity, title, rationale, resource_types, remediation, check,
                         prowler_check, production_only)
        return check

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
