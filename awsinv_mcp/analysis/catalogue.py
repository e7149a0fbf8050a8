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

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from awsinv_mcp.models.findings import SEVERITY_ORDER, Category, Finding, Severity
from awsinv_mcp.models.inventory import Snapshot

log = logging.getLogger("awsinv_mcp.analysis")


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
class PerResource:
    """How a @resource_rule runs: its per-record function and the records it reads."""

    fn: ResourceCheck
    resource_type: str
    collection: str
    id_attr: str
    production_only: bool


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
    per_resource: PerResource | None = None  # set by @resource_rule: lets the engine fuse loops per collection
    also_in: tuple[str, ...] = ()  # other category reviews listing this rule's findings (one rule, no duplicates)

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
    per_resource: PerResource | None = None,
    also_in: tuple[str, ...] = (),
) -> Callable[[Check], Check]:
    """Register `check` in the catalogue under `id` (ids are unique)."""

    def decorator(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        RULES[id] = Rule(id, category, severity, title, rationale, resource_types, remediation, check,
                         prowler_check, production_only, notes, per_resource, also_in)  # fmt: skip
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


def emitter(r: Rule) -> Callable[[Any, Evidence | tuple[Evidence, Severity]], Finding]:
    """Builds the findings of a @resource_rule's hits on its Tagged records (the engine's hot path: the rule's
    constants bound once, the Finding built positionally in field order)."""
    source = r.per_resource
    assert source is not None
    rule_id, category, default, title, remediation, prowler = (
        r.id, r.category, r.severity, r.title, r.remediation, r.prowler_check)  # fmt: skip
    rtype, id_attr = source.resource_type, source.id_attr
    snapshots, instances = rtype == "db_snapshot", rtype == "db_instance"

    def emit(record: Any, hit: Evidence | tuple[Evidence, Severity]) -> Finding:
        evidence, severity = hit if type(hit) is tuple else (hit, default)
        return Finding(
            rule_id, category, severity, title, resource_type_of(record, rtype) if snapshots else rtype,
            getattr(record, id_attr), record.account, record.region, remediation, record.arn or None,
            record.environment, record.team, record.application, evidence, None, prowler,
            member_group(record) if instances and record.cluster else None,
        )  # fmt: skip

    return emit


def resource_rule(id: str, *, resource_type: str, **meta: Any) -> Callable[[ResourceCheck], ResourceCheck]:
    """Register a per-resource rule: `check(resource, ctx, snapshot)` runs once per record of `resource_type`
    (production records only when `production_only=True`)."""
    collection, id_attr = RESOURCE_SOURCES[resource_type]
    types = ("db_snapshot", "db_cluster_snapshot") if resource_type == "db_snapshot" else (resource_type,)

    def decorator(fn: ResourceCheck) -> ResourceCheck:
        def check(snapshot: Snapshot, ctx: AnalysisContext) -> list[Finding]:
            return evaluate(snapshot, ctx, [RULES[id]])[0]

        source = PerResource(fn, resource_type, collection, id_attr, bool(meta.get("production_only")))
        rule(id, resource_types=meta.pop("resource_types", types), per_resource=source, **meta)(check)
        return fn

    return decorator


def evaluate(snapshot: Snapshot, ctx: AnalysisContext, rules: Iterable[Rule]) -> tuple[list[Finding], list[str]]:
    """(findings, ids of rules that raised) of `rules`, unsorted. Per-resource rules over the same records
    run in one pass per collection (each record is read once, while it is in cache); a rule that raises
    is dropped with its findings and reported, so one broken rule never hides the others."""
    found: dict[str, list[Finding]] = {}
    failed: list[str] = []
    by_collection: dict[str, list[Rule]] = {}
    for r in rules:
        if r.per_resource is not None:
            by_collection.setdefault(r.per_resource.collection, []).append(r)
            continue
        try:
            found[r.id] = list(r.check(snapshot, ctx))
        except Exception:
            log.exception("rule %s failed", r.id)
            failed.append(r.id)
    is_prod = ctx.is_production
    for collection, group in by_collection.items():
        entries = [(r, r.per_resource.fn, emitter(r), found.setdefault(r.id, [])) for r in group]  # type: ignore[union-attr]
        everywhere = [e for e in entries if not e[0].per_resource.production_only]  # type: ignore[union-attr]
        production_only = [e for e in entries if e[0].per_resource.production_only]  # type: ignore[union-attr]
        for record in getattr(snapshot, collection):
            broken = False
            for live in (everywhere, production_only) if is_prod(record.environment) else (everywhere,):
                for r, fn, emit, out in live:
                    try:
                        hit = fn(record, ctx, snapshot)
                    except Exception:
                        log.exception("rule %s failed on %s", r.id, getattr(record, r.per_resource.id_attr, "?"))  # type: ignore[union-attr]
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


def finding_sort_key(f: Finding) -> tuple[int, str, str, str, str, str]:
    return (SEVERITY_ORDER[f.severity], f.category, f.rule, f.account, f.region, f.resource_id)


def sort_findings(findings: list[Finding], ctx: AnalysisContext | None = None) -> None:
    """Most severe first; within a severity, production resources first (with `ctx`), then by category and rule;
    within a rule the snapshot's (sorted, deterministic) record order is kept by the stable sort. One int per
    finding: 6x cheaper than sorting on `finding_sort_key` at 500k findings."""
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
