"""find_cost_savings: every cost finding once per snapshot and context (cached), filtered, sorted by saving,
with totals by rule, team and environment."""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from awsinv_mcp.analysis import cost_rules  # noqa: F401  (registers the cost rules)
from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext
from awsinv_mcp.analysis.versions import expand_environment
from awsinv_mcp.errors import UserError
from awsinv_mcp.gcpause import paused_gc
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.models.inventory import Snapshot


def cost_rule_ids() -> tuple[str, ...]:
    return tuple(rid for rid, r in RULES.items() if r.category == "cost")


def _run(snapshot: Snapshot, ctx: AnalysisContext) -> tuple[Finding, ...]:
    found: list[Finding] = []
    with paused_gc():
        for rid in cost_rule_ids():
            found.extend(RULES[rid].check(snapshot, ctx))
        found.sort(key=lambda f: (-(f.monthly_savings_usd or 0.0), f.rule, f.account, f.region, f.resource_id))
    return tuple(found)


class CostFindingsCache:
    """Cost findings of the most recent (snapshot, context) pairs; one computation at a time."""

    def __init__(self, size: int = 2) -> None:
        self._size = size
        self._found: OrderedDict[tuple[object, ...], tuple[Finding, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def findings(self, snapshot: Snapshot, ctx: AnalysisContext) -> tuple[Finding, ...]:
        key = (snapshot, *ctx.cache_key())
        with self._lock:
            found = self._found.get(key)
            if found is None:
                found = self._found[key] = _run(snapshot, ctx)
                while len(self._found) > self._size:
                    self._found.popitem(last=False)
            else:
                self._found.move_to_end(key)
            return found


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
    by_rule: dict[str, dict[str, int | float]]  # rule -> {count, monthly_usd}
    by_team: dict[str, float]
    by_environment: dict[str, float]


def _top(totals: dict[str, float], top: int) -> dict[str, float]:
    return {k: round(v, 2) for k, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:top]}


def savings_report(
    found: Iterable[Finding],
    snapshot: Snapshot,
    ctx: AnalysisContext,
    *,
    rule: str | None = None,
    environment: str | None = None,
    team: str | None = None,
    account: str | None = None,
    region: str | None = None,
    min_savings_usd: float = 0.0,
    top: int = 10,
) -> SavingsReport:
    """Filter cost findings (comma lists; any production spelling selects all) and total them."""
    rules = rule_set(rule)
    f = Q.Filters(region=region, account=account, team=team,
                  environment=expand_environment(environment, ctx.production_values))  # fmt: skip
    checks = Q.predicates(snapshot, f, engine_attr=None, text_fields=lambda _: ())
    matches = [
        x for x in found
        if (rules is None or x.rule in rules) and (x.monthly_savings_usd or 0.0) >= min_savings_usd
        and all(c(x) for c in checks)
    ]  # fmt: skip
    counts: Counter[str] = Counter()
    by_rule: dict[str, float] = defaultdict(float)
    by_team: dict[str, float] = defaultdict(float)
    by_env: dict[str, float] = defaultdict(float)
    total = 0.0
    for x in matches:
        usd = x.monthly_savings_usd or 0.0
        total += usd
        counts[x.rule] += 1
        by_rule[x.rule] += usd
        by_team[x.team or "untagged"] += usd
        by_env[x.environment or "untagged"] += usd
    ordered = sorted(by_rule, key=lambda r: (-by_rule[r], r))
    return SavingsReport(
        findings=matches, total_monthly_savings_usd=round(total, 2),
        by_rule={r: {"count": counts[r], "monthly_usd": round(by_rule[r], 2)} for r in ordered},
        by_team=_top(by_team, top), by_environment=_top(by_env, top),
    )  # fmt: skip
