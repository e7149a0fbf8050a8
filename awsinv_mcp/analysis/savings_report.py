"""find_cost_savings: the cost findings of the analysis run (the same ones get_findings lists), filtered, sorted by
saving, with totals by rule, team and environment."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from awsinv_mcp.analysis.all_rules import RULES
from awsinv_mcp.analysis.report import Report
from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.tags import UNTAGGED
from awsinv_mcp.models.findings import Finding


def cost_rule_ids() -> tuple[str, ...]:
    return tuple(rid for rid, r in RULES.items() if r.category == "cost")


def by_saving(report: Report) -> list[Finding]:
    """The report's cost findings, largest saving first (once per report)."""

    def compute() -> list[Finding]:
        # cost findings with a saving (the reservation calendar avoids an increase: get_findings lists it)
        found = [f for f in report.findings if f.meta.category == "cost" and f.monthly_savings_usd is not None]
        found.sort(key=lambda f: (-(f.monthly_savings_usd or 0.0), f.meta.id, f.account, f.region, f.resource_id))
        return found

    return report.views.get("cost_by_saving", compute)


def rule_set(rule: str | None) -> frozenset[str] | None:
    """Cost rule ids from a comma list (the `cost.` prefix is optional)."""
    words = [w.strip().lower() for w in (rule or "").split(",") if w.strip()]
    if not words:
        return None
    known = cost_rule_ids()
    chosen = set()
    for w in words:
        rid = w if w.startswith("cost.") else f"cost.{w}"
        if rid not in known:
            raise UserError(f"unknown cost rule {w!r}; use one of {', '.join(known)}")
        chosen.add(rid)
    return frozenset(chosen)


@dataclass(frozen=True)
class SavingsReport:
    findings: list[Finding]  # matches, largest saving first
    total_monthly_savings_usd: float
    by_bound: dict[str, float]  # estimate / lower_bound / upper_bound -> monthly_usd (adds up to the total)
    by_rule: dict[str, dict[str, int | float]]  # rule -> {count, monthly_usd}
    by_team: dict[str, float]
    by_environment: dict[str, float]


def _top(totals: dict[str, float], top: int) -> dict[str, float]:
    return {k: round(v, 2) for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:top]}


def savings_report(
    estate: Estate,
    found: Iterable[Finding],
    f: Q.Filters,
    *,
    rule: str | None = None,
    min_savings_usd: float = 0.0,
    top: int = 10,
) -> SavingsReport:
    """Filter cost findings (comma lists; label filters as every tool takes them) and total them."""
    rules = rule_set(rule)
    checks = Q.predicates(estate, f, status_attr=None, engine_attr=None, text_fields=lambda _: ())
    matches = [
        x
        for x in found
        if (rules is None or x.meta.id in rules)
        and (x.monthly_savings_usd or 0.0) >= min_savings_usd
        and all(c(x) for c in checks)
    ]
    label = estate.environments.label
    counts: Counter[str] = Counter()
    by_rule: dict[str, float] = defaultdict(float)
    by_team: dict[str, float] = defaultdict(float)
    by_env: dict[str, float] = defaultdict(float)
    total = 0.0
    by_bound: dict[str, float] = dict.fromkeys(("estimate", "lower_bound", "upper_bound"), 0.0)
    for x in matches:
        usd = x.monthly_savings_usd or 0.0
        total += usd
        by_bound[x.savings_bound or "estimate"] += usd
        counts[x.meta.id] += 1
        by_rule[x.meta.id] += usd
        by_team[x.team or UNTAGGED] += usd
        by_env[label(x.environment)] += usd
    ordered = sorted(by_rule, key=lambda r: (-by_rule[r], r))
    return SavingsReport(
        findings=matches,
        total_monthly_savings_usd=round(total, 2),
        by_bound={k: round(v, 2) for k, v in by_bound.items()},
        by_rule={r: {"count": counts[r], "monthly_usd": round(by_rule[r], 2)} for r in ordered},
        by_team=_top(by_team, top),
        by_environment=_top(by_env, top),
    )
