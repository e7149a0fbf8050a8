"""The rules catalogue: one rule, one id, one severity, one remediation (Prowler-style).

A rule module defines rules in one of two ways:
- `@rule(...)` on a pure function `check(snapshot, ctx) -> Iterable[Finding]` (rules that look across
  resources, e.g. volumes judged by the instance they are attached to);
- `@resource_rule(...)` on a pure function `check(resource, ctx, snapshot) -> Hit` called once per resource
  of the rule's resource type, returning None (compliant or not applicable), the evidence dict, or
  `(evidence, severity)` when this resource ranks above or below the rule's default severity.
  The catalogue turns hits into findings (ids, tags, remediation, Prowler id filled in).

`ctx` carries what is not in the snapshot (the date the analysis is "as of", the environment vocabulary, what
the rules of one run share). `run_rules` evaluates every registered rule (or a subset) and returns findings in a
stable order; `analysis/analysis.py` runs it once per snapshot and date.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.kinds import ResourceKind
from awsinv_mcp.inventory.tags import Environments
from awsinv_mcp.memo import Memo
from awsinv_mcp.models.findings import SEVERITY_ORDER, Category, Finding, ResourceKey, RuleMeta, Severity
from awsinv_mcp.models.inventory import Snapshot

log = logging.getLogger("awsinv_mcp.analysis")


@dataclass(frozen=True)
class AnalysisContext:
    """Inputs of the analysis besides the snapshot, and (`memo`) what rules share within one run: the compute
    plans, the compliance rows, the calendar (keyed by what they are computed from, the snapshot included).
    `analysis/analysis.py` keeps one context per date and horizon."""

    as_of: date
    environments: Environments = field(default_factory=Environments)
    months_ahead: int = 6
    extra: dict[str, Any] = field(default_factory=dict)
    memo: Memo = field(default_factory=Memo, compare=False, repr=False)

    def is_production(self, environment: str | None) -> bool:
        return self.environments.is_production(environment)


Check = Callable[[Snapshot, AnalysisContext], Iterable[Finding]]
Evidence = dict[str, Any]
Hit = Evidence | tuple[Evidence, Severity] | None
ResourceCheck = Callable[[Any, AnalysisContext, Snapshot], Hit]


@dataclass(frozen=True)
class PerResource:
    """How a @resource_rule runs: its per-record function and the kind of records it reads."""

    fn: ResourceCheck
    kind: ResourceKind
    production_only: bool


@dataclass(frozen=True, kw_only=True)
class Rule:
    meta: RuleMeta  # what answers show (one copy, referenced by every finding)
    rationale: str
    resource_types: tuple[str, ...]
    check: Check
    production_only: bool = False
    notes: str | None = None  # scope details for docs/rules.md (what is skipped and why)
    per_resource: PerResource | None = None  # set by @resource_rule: lets the engine fuse loops per collection
    also_in: tuple[str, ...] = ()  # other category reviews listing this rule's findings (one rule, no duplicates)
    metrics: tuple[str, ...] = ()  # CloudWatch metrics the rule judges by: silent on instances without them

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def category(self) -> Category:
        return self.meta.category

    @property
    def severity(self) -> Severity:
        return self.meta.severity

    @property
    def title(self) -> str:
        return self.meta.title

    @property
    def remediation(self) -> str:
        return self.meta.remediation

    @property
    def prowler_check(self) -> str | None:
        return self.meta.prowler_check

    def finding(
        self,
        resource: Any,
        *,
        resource_type: str,
        resource_id: str,
        evidence: Evidence,
        severity: Severity | None = None,
        monthly_savings_usd: float | None = None,
        group: ResourceKey | None = None,
    ) -> Finding:
        """A finding of this rule on `resource` (a record with account, region, labels and usually an ARN)."""
        return Finding(
            meta=self.meta,
            severity=severity or self.meta.severity,
            resource_type=resource_type,
            resource_id=resource_id,
            account=resource.account,
            region=resource.region,
            arn=getattr(resource, "arn", None) or None,
            environment=getattr(resource, "environment", None),
            team=getattr(resource, "team", None),
            application=getattr(resource, "application", None),
            evidence=evidence,
            monthly_savings_usd=monthly_savings_usd,
            group=group,
        )


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
    per_resource: PerResource | None = None,
    also_in: tuple[str, ...] = (),
    metrics: tuple[str, ...] = (),
) -> Callable[[Check], Check]:
    """Register `check` in the catalogue under `id` (ids are unique)."""

    def decorator(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        meta = RuleMeta(
            id=id, category=category, severity=severity, title=title, remediation=remediation,
            prowler_check=prowler_check,
        )  # fmt: skip
        RULES[id] = Rule(
            meta=meta, rationale=rationale, resource_types=resource_types, check=check,
            production_only=production_only, notes=notes, per_resource=per_resource, also_in=also_in,
            metrics=metrics,
        )  # fmt: skip
        return check

    return decorator


def member_group(record: Any) -> ResourceKey | None:
    """Aurora / Multi-AZ cluster members belong to their cluster (for 'all of these rules' queries)."""
    cluster = getattr(record, "cluster", None)
    return ResourceKey("db_cluster", record.account, record.region, cluster) if cluster else None


def emitter(r: Rule) -> Callable[[Any, Evidence | tuple[Evidence, Severity]], Finding]:
    """Builds the findings of a @resource_rule's hits on its records (the engine's hot path: the rule's constants
    bound once)."""
    source = r.per_resource
    assert source is not None
    meta, default, kind = r.meta, r.meta.severity, source.kind
    subtyped, id_attr = kind.subtype is not None, kind.id_attr
    rtype, grouped = kind.name, kind is kinds.DB_INSTANCE

    def emit(record: Any, hit: Evidence | tuple[Evidence, Severity]) -> Finding:
        evidence, severity = hit if type(hit) is tuple else (hit, default)
        return Finding(
            meta=meta,
            severity=severity,
            resource_type=kind.resource_type(record) if subtyped else rtype,
            resource_id=getattr(record, id_attr),
            account=record.account,
            region=record.region,
            arn=record.arn or None,
            environment=record.environment,
            team=record.team,
            application=record.application,
            evidence=evidence,
            group=member_group(record) if grouped and record.cluster else None,
        )

    return emit


def resource_rule(id: str, *, resource_type: str, **meta: Any) -> Callable[[ResourceCheck], ResourceCheck]:
    """Register a per-resource rule: `check(resource, ctx, snapshot)` runs once per record of the kind
    `resource_type` (`inventory/kinds.py`; production records only when `production_only=True`)."""
    kind = kinds.BY_NAME[resource_type]

    def decorator(fn: ResourceCheck) -> ResourceCheck:
        def check(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
            return evaluate(snapshot, ctx, [RULES[id]])[0]

        source = PerResource(fn, kind, bool(meta.get("production_only")))
        rule(id, resource_types=meta.pop("resource_types", kind.resource_types), per_resource=source, **meta)(check)
        return fn

    return decorator


def evaluate(snapshot: Snapshot, ctx: AnalysisContext, rules: Iterable[Rule]) -> tuple[list[Finding], list[str]]:
    """(findings, ids of rules that raised) of `rules`, unsorted. Per-resource rules over the same records
    run in one pass per collection (each record is read once, while it is in cache); a rule that raises
    is dropped with its findings and reported, so one broken rule never hides the others."""
    found: dict[str, list[Finding]] = {}
    failed: list[str] = []
    by_collection: dict[ResourceKind, list[Rule]] = {}
    for r in rules:
        if r.per_resource is not None:
            by_collection.setdefault(r.per_resource.kind, []).append(r)
            continue
        try:
            found[r.id] = list(r.check(snapshot, ctx))
        except Exception:
            log.exception("rule %s failed", r.id)
            failed.append(r.id)
    is_prod = ctx.is_production
    for kind, group in by_collection.items():
        entries = [(r, r.per_resource.fn, emitter(r), found.setdefault(r.id, [])) for r in group]  # type: ignore[union-attr]
        everywhere = [e for e in entries if not e[0].per_resource.production_only]  # type: ignore[union-attr]
        production_only = [e for e in entries if e[0].per_resource.production_only]  # type: ignore[union-attr]
        for record in kind.records(snapshot):
            broken = False
            for live in (everywhere, production_only) if is_prod(record.environment) else (everywhere,):
                for r, fn, emit, out in live:
                    try:
                        hit = fn(record, ctx, snapshot)
                    except Exception:
                        log.exception("rule %s failed on %s", r.id, kind.identifier(record))
                        failed.append(r.id)
                        broken = True
                        continue
                    if hit is not None:
                        out.append(emit(record, hit))
            if broken:  # drop the failed rules and their findings (rare path)
                everywhere = [e for e in everywhere if e[0].id not in failed]
                production_only = [e for e in production_only if e[0].id not in failed]
                for rid in failed:
                    found.pop(rid, None)
    return [f for fs in found.values() for f in fs], failed


def sort_findings(findings: list[Finding], ctx: AnalysisContext | None = None) -> None:
    """Most severe first; within a severity, production resources first (with `ctx`), then by category and rule;
    within a rule the snapshot's (sorted, deterministic) record order is kept by the stable sort. One int per
    finding: 6x cheaper than sorting on a tuple key at 500k findings."""
    position = {rid: i for i, rid in enumerate(sorted(RULES, key=lambda rid: (RULES[rid].category, rid)))}
    unknown = len(position)
    later = {
        env: 0 if ctx is not None and ctx.is_production(env) else 100_000 for env in {f.environment for f in findings}
    }
    findings.sort(key=lambda f: SEVERITY_ORDER[f.severity] * 200_000 + later[f.environment]
                  + position.get(f.rule, unknown))  # fmt: skip


def run_rules(snapshot: Snapshot, ctx: AnalysisContext, *, rule_ids: Iterable[str] | None = None) -> list[Finding]:
    """Every finding of the selected rules (all by default), most severe first, deterministic order."""
    selected = [RULES[r] for r in rule_ids] if rule_ids is not None else list(RULES.values())
    findings, _ = evaluate(snapshot, ctx, selected)
    sort_findings(findings, ctx)
    return findings
