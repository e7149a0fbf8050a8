"""check_version_compliance and find_cost_savings: one call each into the current snapshot's `Analysis`."""

from __future__ import annotations

import logging
from datetime import date
from typing import Annotated

from pydantic import Field

from awsinv_mcp.analysis import savings_report as SR
from awsinv_mcp.analysis.all_rules import RULES
from awsinv_mcp.analysis.analysis import Analysis
from awsinv_mcp.analysis.versions import ComplianceReport
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.models import answers as A
from awsinv_mcp.models import compliance as C
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.server.args import Account, Cursor, Engine, Environment, Limit, Region, Team
from awsinv_mcp.server.context import app

AsOf = Annotated[date | None, Field(description="default today")]
MonthsAhead = Annotated[int, Field(ge=0, le=60, description="ending_soon horizon in months")]
ComplianceStatus = Annotated[str | None, Field(description="standard, ending_soon, extended_support, end_of_support")]
CostRule = Annotated[str | None, Field(description="cost rule(s), e.g. reserved_instances,rightsizing")]
MinSavings = Annotated[float, Field(ge=0, description="USD/month at least")]
Detail = Annotated[bool, Field(description="full evidence and remediation per row")]
log = logging.getLogger("awsinv_mcp.server")
PRICES = "resources/prices.json (AWS list prices, read 2026-11-25; regional figures derived, see its notes)"


def savings_row(f: Finding, detail: bool) -> C.SavingsRow:
    return A.row(
        C.SavingsRow, f, monthly_savings_usd=f.monthly_savings_usd or 0.0, savings_bound=f.savings_bound or "estimate",
        action=f.evidence.get("action"),
        how=None if detail else f.evidence.get("how"), evidence=f.evidence if detail else None,
    )  # fmt: skip


def _warnings(report: ComplianceReport) -> list[A.WarningOut]:
    out = []
    if report.unknown_majors:
        listed = ", ".join(f"{k} ({n})" for k, n in sorted(report.unknown_majors.items()))
        out.append(A.WarningOut(scope="lifecycle", message=f"majors missing from the calendar, shown as standard "
                                f"without dates: {listed}"))  # fmt: skip
    if report.unpriced:
        out.append(A.WarningOut(scope="pricing", message=f"{report.unpriced} rows in Extended Support could not be "
                                "priced (region or class without a price); the total leaves them out"))  # fmt: skip
    return out


def _spend_share(savings_usd: float) -> float | None:
    """Savings as a percent of last month's total spend (None when costs are unavailable)."""
    from awsinv_mcp.cost.spend import current_monthly_spend

    spend = current_monthly_spend(app().costs)
    return spend.share(savings_usd) if spend is not None else None


def check_version_compliance(
    as_of: AsOf = None, months_ahead: MonthsAhead = 6, engine: Engine = None, status: ComplianceStatus = None,
    environment: Environment = None, team: Team = None, account: Account = None, region: Region = None,
    limit: Limit = 10, cursor: Cursor = None,
) -> C.ComplianceAnswer:  # fmt: skip
    """Engine support status per instance or cluster (standard, ending_soon, extended_support and its
    charge, end_of_support) and upgrade target, most urgent first. Engine mix alone: analyze_engines."""
    analysis = app().analysis()
    f = Q.Filters(engine=engine, environment=environment, team=team, account=account, region=region)
    result = analysis.compliance(f, status=status, as_of=as_of, months_ahead=months_ahead, limit=limit,
                                 cursor=cursor)  # fmt: skip
    report, page = result.report, result.page
    snap = analysis.snapshot
    return C.ComplianceAnswer(
        as_of=analysis.context(as_of, months_ahead).as_of, months_ahead=months_ahead,
        items=A.rows(C.ComplianceRowOut, page.items), total=page.total, next_cursor=page.next_cursor,
        truncated=page.truncated, by_status=report.by_status, by_engine=report.by_engine,
        by_version=report.by_version, by_environment=report.by_environment, by_team=report.by_team,
        extended_support_monthly_usd=report.extended_support_monthly_usd,
        extended_support_projected_monthly_usd=report.projected_monthly_usd,
        calendar="lifecycle://engines" + (" (dates from RDS where it answered)" if snap.lifecycle_overrides else ""),
        **A.meta(snap, *_warnings(report)),
    )  # fmt: skip


def find_cost_savings(
    as_of: AsOf = None, rule: CostRule = None, environment: Environment = None, team: Team = None,
    account: Account = None, region: Region = None, min_savings_usd: MinSavings = 0.0, detail: Detail = False,
    limit: Limit = 10, cursor: Cursor = None,
) -> C.SavingsAnswer:  # fmt: skip
    """Savings in USD/month and how each was computed (reservations, right-sizing, idle, old classes,
    Extended Support, gp2->gp3, snapshots), largest first. Actual spend: get_cost_summary."""
    analysis = app().analysis()
    f = Q.Filters(environment=environment, team=team, account=account, region=region)
    ctx, report, page = analysis.savings(f, rule=rule, min_savings_usd=min_savings_usd, as_of=as_of, limit=limit,
                                         cursor=cursor)  # fmt: skip
    unfiltered = not any((rule, environment, team, account, region, min_savings_usd))
    pct = _spend_share(report.total_monthly_savings_usd) if unfiltered else None
    rules = {rid: C.RuleBrief(title=RULES[rid].title, remediation=RULES[rid].remediation if detail else None)
             for rid in dict.fromkeys(f.meta.id for f in page.items)}  # fmt: skip
    return C.SavingsAnswer(
        as_of=ctx.as_of, items=[savings_row(x, detail) for x in page.items], total=page.total,
        next_cursor=page.next_cursor, truncated=page.truncated,
        total_monthly_savings_usd=report.total_monthly_savings_usd, by_bound=report.by_bound, savings_pct_of_spend=pct,
        by_rule=report.by_rule, by_team=report.by_team, by_environment=report.by_environment, rules=rules,
        prices=PRICES, **A.meta(analysis.snapshot, *_unmeasured(analysis, rule)),
    )  # fmt: skip


def _unmeasured(analysis: Analysis, rule: str | None) -> list[A.WarningOut]:
    """The warning for cost rules skipped on instances without CloudWatch data (idle, right-sizing, IOPS)."""
    message = analysis.metrics_warning(SR.rule_set(rule) or SR.cost_rule_ids())
    return [A.WarningOut(scope="analysis/cloudwatch", message=message)] if message else []
