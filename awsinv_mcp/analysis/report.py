"""Findings of one analysis run, filtered, summarised and paged (`analysis/analysis.py` owns the runs).

`run_all` evaluates the catalogue once; `FindingQuery` holds the get_findings filters; `select` applies them,
`summarize` totals the matches and `view_findings` pages them. A rule that raises is reported as a warning,
never as a failed answer.
"""

from __future__ import annotations

import fnmatch
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, dataclass, field
from typing import Any

from awsinv_mcp.analysis.all_rules import RULES
from awsinv_mcp.analysis.catalogue import AnalysisContext, Rule, evaluate, sort_findings
from awsinv_mcp.analysis.engines import GROUP_BY, Distribution, distribution
from awsinv_mcp.errors import UserError
from awsinv_mcp.gcpause import paused_gc
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.memo import Memo
from awsinv_mcp.models.findings import CATEGORIES, SEVERITIES, SEVERITY_ORDER, Finding, ResourceKey
from awsinv_mcp.models.inventory import Snapshot
from awsinv_mcp.paging import DEFAULT_LIMIT, Page, check_limit, fingerprint, paginate

VIEW_CACHE = 16  # filtered views kept per report


@dataclass(frozen=True)
class Report:
    """Every finding of every rule for one snapshot and context, most severe first."""

    ctx: AnalysisContext
    findings: tuple[Finding, ...]
    failed_rules: tuple[str, ...] = ()
    elapsed_s: float = 0.0
    views: Memo = field(default_factory=lambda: Memo(maxsize=VIEW_CACHE), compare=False, repr=False)
    # filtered views already computed (query -> summary, rows), so paging on costs nothing


def run_all(snapshot: Snapshot, ctx: AnalysisContext, rules: Iterable[Rule] | None = None) -> Report:
    """Evaluate `rules` (default: the whole catalogue) over `snapshot`; deterministic order."""
    started = time.perf_counter()
    with paused_gc():  # half a million new acyclic objects: collections would only rescan the snapshot
        findings, failed = evaluate(snapshot, ctx, list(rules) if rules is not None else list(RULES.values()))
        sort_findings(findings, ctx)
    return Report(ctx, tuple(findings), tuple(failed), time.perf_counter() - started)


# --- filters -----------------------------------------------------------------------------------------------


def rule_patterns(value: str | Sequence[str] | None) -> list[frozenset[str]]:
    """The rule ids each comma-separated pattern selects. A pattern is a rule id or glob (`rds.*encrypted*`),
    or alternatives joined by `|`; a pattern selecting no rule is a UserError."""
    selected = []
    for pattern in Q.words(value):
        ids = frozenset(rid for rid in RULES for alt in pattern.split("|") if fnmatch.fnmatchcase(rid, alt.strip()))
        if not ids:
            raise UserError(
                f"no rule matches {pattern!r}; rule ids look like rds.storage_encrypted (globs allowed: "
                "rds.*encrypted*; '|' for alternatives); docs/rules.md lists them all"
            )
        selected.append(ids)
    return selected


def severity_set(value: str | None) -> frozenset[str] | None:
    """Comma list of severities; `high+` means high or more severe."""
    chosen: set[str] = set()
    for word in Q.words(value):
        at_least = word.endswith("+")
        name = word.rstrip("+")
        if name not in SEVERITY_ORDER:
            raise UserError(f"unknown severity {name!r}; use {', '.join(SEVERITIES)} (suffix + for 'or worse')")
        chosen.update(s for s in SEVERITIES if s == name or (at_least and SEVERITY_ORDER[s] <= SEVERITY_ORDER[name]))
    return frozenset(chosen) or None


def resource_key(f: Finding) -> ResourceKey:
    """The resource a finding belongs to; Aurora members belong to their cluster."""
    return f.group or ResourceKey(f.resource_type, f.account, f.region, f.resource_id)


@dataclass(frozen=True, kw_only=True)
class FindingQuery:
    """get_findings filters; comma lists mean 'any of'. `match_all` keeps resources failing every rule pattern."""

    category: str | None = None
    severity: str | None = None
    rule: str | Sequence[str] | None = None
    resource: str | None = None
    resource_type: str | None = None
    team: str | None = None
    environment: str | None = None
    application: str | None = None
    account: str | None = None
    region: str | None = None
    match_all: bool = False
    review: str | None = None  # a category review: its rules (see review_rules) instead of `category`

    def key(self) -> tuple[object, ...]:
        rule = self.rule if isinstance(self.rule, str) or self.rule is None else tuple(self.rule)
        return (*astuple(self)[:2], rule, *astuple(self)[3:])


def allowed_rules(q: FindingQuery) -> frozenset[str] | None:
    """The rule ids the rule-level filters (category, review, rule patterns) leave; None when none is set."""
    allowed: frozenset[str] | None = None

    def narrow(ids: Iterable[str]) -> None:
        nonlocal allowed
        allowed = frozenset(ids) if allowed is None else allowed & frozenset(ids)

    categories = Q.words(q.category)
    for c in categories:
        if c not in CATEGORIES:
            raise UserError(f"unknown category {c!r}; use {', '.join(CATEGORIES)}")
    if categories:
        narrow(r.id for r in RULES.values() if r.category in categories)
    if q.review:
        narrow(r.id for r in review_rules(q.review))
    patterns = rule_patterns(q.rule)
    if patterns:
        narrow(frozenset().union(*patterns))
        if not allowed and q.review:
            raise UserError(
                f"no {q.review} rule matches {q.rule!r} (it belongs to another category); "
                "call get_findings with rule= for any rule"
            )
    return allowed


def _predicates(estate: Estate, q: FindingQuery) -> list[Callable[[Finding], bool]]:
    """Checks of the per-finding filters (the rule-level ones are `allowed_rules`)."""
    f = Q.Filters(region=q.region, account=q.account, environment=q.environment, team=q.team, application=q.application)
    checks = Q.predicates(estate, f, status_attr=None, engine_attr=None, text_fields=lambda _: ())
    severities = severity_set(q.severity)
    if severities:
        checks.append(lambda f: f.severity in severities)
    types = frozenset(Q.words(q.resource_type))
    known_types = sorted({t for r in RULES.values() for t in r.resource_types})
    if types - set(known_types):
        bad = sorted(types - set(known_types))[0]
        raise UserError(f"unknown resource_type {bad!r}; use {', '.join(known_types)}")
    if types:
        checks.append(lambda f: f.resource_type in types)
    if q.resource and q.resource.strip():
        needle = q.resource.strip().lower()
        if needle.startswith("arn:"):
            checks.append(lambda f: (f.arn or "").lower() == needle)
        else:

            def named(f: Finding) -> bool:
                return needle in f.resource_id.lower() or (f.group is not None and needle in f.group.resource_id)

            checks.append(named)
    return checks


def select(estate: Estate, report: Report, q: FindingQuery) -> list[Finding]:
    """The report's findings matching `q`, in report order (rule-level filters first: they are the cheapest)."""
    allowed = allowed_rules(q)
    found = list(report.findings) if allowed is None else [f for f in report.findings if f.meta.id in allowed]
    checks = _predicates(estate, q)
    if checks:
        found = [f for f in found if all(c(f) for c in checks)]
    per_pattern = rule_patterns(q.rule)
    if not (q.match_all and per_pattern):
        return found
    matched: dict[ResourceKey, set[int]] = {}
    for f in found:
        for i, ids in enumerate(per_pattern):
            if f.meta.id in ids:
                matched.setdefault(resource_key(f), set()).add(i)
    keep = {k for k, hits in matched.items() if len(hits) == len(per_pattern)}
    return [f for f in found if resource_key(f) in keep]


@dataclass(frozen=True)
class Summary:
    total: int
    resources: int  # distinct resources the findings name (Aurora members each count)
    resource_groups: int  # the same with each Aurora member counted in its cluster (view=resources rows)
    by_severity: dict[str, int]
    by_category: dict[str, int]
    top_rules: dict[str, int]
    monthly_savings_usd: float


def summarize(findings: Sequence[Finding], *, top: int = 10) -> Summary:
    by_severity = Counter(f.severity for f in findings)
    by_category = Counter(f.meta.category for f in findings)
    savings = sum(f.monthly_savings_usd or 0.0 for f in findings)
    return Summary(
        total=len(findings),
        resources=len({(f.resource_type, f.account, f.region, f.resource_id) for f in findings}),
        resource_groups=len({resource_key(f) for f in findings}),
        by_severity={s: by_severity[s] for s in SEVERITIES if by_severity[s]},
        by_category={c: by_category[c] for c in CATEGORIES if by_category[c]},
        top_rules=dict(Counter(f.meta.id for f in findings).most_common(top)),
        monthly_savings_usd=round(savings, 2),
    )


@dataclass(frozen=True)
class ResourceGroup:
    """One resource (a cluster with its members) and its findings, for view=resources."""

    key: ResourceKey
    findings: tuple[Finding, ...]

    @property
    def severity(self) -> str:
        return min((f.severity for f in self.findings), key=SEVERITY_ORDER.__getitem__)


def by_resource(findings: Sequence[Finding]) -> list[ResourceGroup]:
    """Findings grouped per resource, in the order of each resource's most severe finding."""
    groups: dict[ResourceKey, list[Finding]] = {}
    for f in findings:
        groups.setdefault(resource_key(f), []).append(f)
    return [ResourceGroup(k, tuple(v)) for k, v in groups.items()]


@dataclass(frozen=True)
class FindingsView:
    """What a findings answer shows: totals over every match and one page (findings or resource groups)."""

    summary: Summary
    page: Page


def view_findings(
    estate: Estate,
    report: Report,
    q: FindingQuery,
    *,
    view: str = "findings",
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> FindingsView:
    """Filter, summarise and page the report's findings (`view` = findings or resources)."""
    check_limit(limit)

    def compute() -> tuple[Summary, list[Any]]:
        with paused_gc():
            matches = select(estate, report, q)
            rows: list[Any] = by_resource(matches) if view == "resources" else matches
            return summarize(matches), rows

    summary, rows = report.views.get((q.key(), view), compute)
    query = fingerprint("findings", q.key(), view, estate.id, report.ctx.as_of)
    return FindingsView(summary, paginate(rows, limit=limit, cursor=cursor, query=query))


def unmeasured(snapshot: Snapshot) -> list[str]:
    """Available DB instances without any CloudWatch statistic (utilisation not collected), in snapshot order."""
    return [db.identifier for db in snapshot.db_instances if db.status == "available" and db.utilisation is None]


def metrics_warning(missing: Sequence[str], instances: int, rule_ids: Iterable[str] | None) -> str | None:
    """What the metric-based rules among `rule_ids` (default: every rule) could not judge, and how to fix it; None
    when every available instance has CloudWatch data or no such rule is selected."""
    selected = [RULES[rid] for rid in (sorted(RULES) if rule_ids is None else sorted(rule_ids)) if RULES[rid].metrics]
    if not missing or not selected:
        return None
    names = ", ".join(f"{r.id} ({'+'.join(r.metrics)})" for r in selected)
    sample = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return (
        f"{len(missing)} of {instances} available DB instances have no CloudWatch data ({sample}): the metric-based "
        f"rules {names} were skipped on them, so no finding does not mean healthy. Fix: allow cloudwatch:GetMetricData "
        "to the identity that collects (a denied call is also listed among the warnings); RDS publishes these AWS/RDS "
        "metrics only while an instance runs, and CloudWatch keeps 1-minute points 15 days and 5-minute points 63 "
        "days, so an instance started or restored recently has too little history; then call refresh_inventory."
    )


def review_rules(review: str) -> list[Rule]:
    """The rules a category review (assess_security, analyze_performance) shows: the category's own, plus rules of
    another category that belong to it too (`also_in`, e.g. Performance Insights in the security review)."""
    return [r for r in RULES.values() if r.category == review or review in r.also_in]


def rule_count(review: str) -> int:
    return len(review_rules(review))


def type_counts(estate: Estate) -> dict[str, int]:
    """Records per finding resource type (cluster snapshots apart), over every registered kind."""

    def compute() -> dict[str, int]:
        counts: Counter[str] = Counter()
        for kind in kinds.KINDS:
            records = kind.records(estate.snapshot)
            if kind.subtype is None:
                counts[kind.name] += len(records)
            else:
                counts.update(kind.resource_type(r) for r in records)
        return dict(counts)

    return estate.memo("type_counts", compute)


def evaluated(estate: Estate, review: str) -> dict[str, int]:
    """Resources the review's rules examine, by type."""
    counts = type_counts(estate)
    types = sorted({t for r in review_rules(review) for t in r.resource_types if t in kinds.BY_RESOURCE_TYPE})
    return {t: counts.get(t, 0) for t in types}


def engine_groups(
    estate: Estate, group_by: str, f: Q.Filters, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> tuple[Distribution, Page]:
    """analyze_engines: the filtered fleet's distribution and one page of groups."""
    if group_by not in GROUP_BY:
        raise UserError(f"group_by must be one of {', '.join(GROUP_BY)}")
    snapshot = estate.snapshot
    instances = Q.select(snapshot.db_instances, Q.kind_predicates(estate, kinds.DB_INSTANCE, f))
    clusters = Q.select(snapshot.db_clusters, Q.kind_predicates(estate, kinds.DB_CLUSTER, f))
    label = estate.environments.label if group_by == "environment" else None
    total, groups = distribution(instances, clusters, group_by, label)
    query = fingerprint("engines", group_by, f.key(), estate.id)
    return total, paginate(groups, limit=limit, cursor=cursor, query=query)
