"""Version compliance and cost savings: tools check_version_compliance, find_cost_savings; resource
lifecycle://engines. Each tool makes one call into `awsinv_mcp.analysis` and shapes the answer."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from typing import Annotated

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from awsinv_mcp import pricing
from awsinv_mcp.analysis import savings_report as SR
from awsinv_mcp.analysis import versions as V
from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext
from awsinv_mcp.models import answers as A
from awsinv_mcp.models import compliance as C
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.paging import fingerprint, paginate
from awsinv_mcp.server.args import Account, Cursor, Engine, Environment, Limit, Region, Team
from awsinv_mcp.server.services import Services
from awsinv_mcp.server.tooling import tool

AsOf = Annotated[date | None, Field(description="default today")]
MonthsAhead = Annotated[int, Field(ge=0, le=60, description="ending_soon horizon in months")]
ComplianceStatus = Annotated[str | None, Field(description="standard, ending_soon, extended_support, end_of_support")]
CostRule = Annotated[str | None, Field(description="cost rule(s), e.g. reserved_instances,rightsizing")]
MinSavings = Annotated[float, Field(ge=0, description="USD/month at least")]
Detail = Annotated[bool, Field(description="full evidence and remediation per row")]
log = logging.getLogger("awsinv_mcp.server")
PRICES = "resources/prices.json (AWS list prices, read 2026-11-25; regional figures derived, see its notes)"


def _today() -> date:
    return datetime.now(UTC).date()


def compliance_row(r: V.ComplianceRow) -> C.ComplianceRowOut:
    return C.ComplianceRowOut.model_construct(
        resource_id=r.resource_id, resource_type=r.resource_type, account=r.account, region=r.region,
        engine=r.engine, engine_version=r.engine_version, major=r.major, status=r.status,
        end_of_standard_support=r.end_of_standard_support, end_of_extended_support=r.end_of_extended_support,
        extended_support_monthly_usd=r.extended_support_monthly_usd, upgrade_target=r.upgrade_target,
        environment=r.environment, team=r.team,
    )  # fmt: skip


def savings_row(f: Finding, detail: bool) -> C.SavingsRow:
    return C.SavingsRow.model_construct(
        rule=f.rule, severity=f.severity, resource_type=f.resource_type, resource_id=f.resource_id,
        account=f.account, region=f.region, environment=f.environment, team=f.team,
        monthly_savings_usd=f.monthly_savings_usd or 0.0, action=f.evidence.get("action"),
        how=None if detail else f.evidence.get("how"), evidence=f.evidence if detail else None,
    )  # fmt: skip


def _warnings(report: V.ComplianceReport) -> list[A.WarningOut]:
    out = []
    if report.unknown_majors:
        listed = ", ".join(f"{k} ({n})" for k, n in sorted(report.unknown_majors.items()))
        out.append(A.WarningOut(scope="lifecycle", message=f"majors missing from the calendar, shown as standard "
                                f"without dates: {listed}"))  # fmt: skip
    if report.unpriced:
        out.append(A.WarningOut(scope="pricing", message=f"{report.unpriced} rows in Extended Support could not be "
                                "priced (region or class without a price); the total leaves them out"))  # fmt: skip
    return out


def register(mcp: MCPServer, services: Services) -> None:
    """Register check_version_compliance, find_cost_savings and lifecycle://engines."""

    def context(as_of: date | None) -> AnalysisContext:
        values = tuple(v.lower() for v in services.settings.production_values)
        return AnalysisContext(as_of=as_of or _today(), production_values=values)

    def spend_share(savings_usd: float) -> float | None:
        """Savings as a percent of last month's total spend (None when costs are unavailable)."""
        from awsinv_mcp.server.cost_tools import monthly_spend

        try:
            spend = monthly_spend(services)
        except Exception:  # the savings answer must not fail because costs do
            log.warning("monthly spend unavailable for find_cost_savings", exc_info=True)
            return None
        return spend.share(savings_usd) if spend is not None else None

    @tool(mcp, title="Engine version compliance")
    def check_version_compliance(
        as_of: AsOf = None, months_ahead: MonthsAhead = 6, engine: Engine = None, status: ComplianceStatus = None,
        environment: Environment = None, team: Team = None, account: Account = None, region: Region = None,
        limit: Limit = 10, cursor: Cursor = None,
    ) -> C.ComplianceAnswer:  # fmt: skip
        """Engine support status per standalone DB instance or cluster (Aurora members follow their cluster):
        standard, ending_soon (within months_ahead), extended_support (with its monthly charge), end_of_support;
        upgrade target; totals by engine, version, environment, team. Most urgent first."""
        snap = services.inventory.get()
        day = as_of or _today()
        report = V.check_version_compliance(
            snap, day, months_ahead, engine=engine, status=status, environment=environment, team=team,
            account=account, region=region, production_values=services.settings.production_values,
        )  # fmt: skip
        key = fingerprint("versions", day, months_ahead, engine, status, environment, team, account, region, id(snap))
        page = paginate(report.rows, limit=limit, cursor=cursor, query=key)
        meta = A.meta(snap)
        meta["warnings"] = [*meta["warnings"], *_warnings(report)]
        return C.ComplianceAnswer(
            as_of=day, months_ahead=months_ahead, items=[compliance_row(r) for r in page.items], total=page.total,
            next_cursor=page.next_cursor, truncated=page.truncated, by_status=report.by_status,
            by_engine=report.by_engine, by_version=report.by_version, by_environment=report.by_environment,
            by_team=report.by_team, extended_support_monthly_usd=report.extended_support_monthly_usd,
            calendar="lifecycle://engines" + (" (dates from RDS where it answered)" if snap.lifecycle_overrides
                                              else ""), **meta,
        )  # fmt: skip

    @tool(mcp, title="Find cost savings", open_world=True)  # aws mode: last month's spend from Cost Explorer
    def find_cost_savings(
        as_of: AsOf = None, rule: CostRule = None, environment: Environment = None, team: Team = None,
        account: Account = None, region: Region = None, min_savings_usd: MinSavings = 0.0, detail: Detail = False,
        limit: Limit = 10, cursor: Cursor = None,
    ) -> C.SavingsAnswer:  # fmt: skip
        """Savings with monthly USD and how each was computed: Reserved Instances (net of reservations), right-sizing,
        idle, previous generation, Extended Support, IOPS, gp2->gp3, old snapshots, stopped instances. Largest
        first; totals by rule, team, environment."""
        snap = services.inventory.get()
        ctx = context(as_of)
        found = services.lazy("cost_findings", SR.CostFindingsCache).findings(snap, ctx)
        report = SR.savings_report(found, snap, ctx, rule=rule, environment=environment, team=team,
                                   account=account, region=region, min_savings_usd=min_savings_usd)  # fmt: skip
        key = fingerprint("savings", ctx.as_of, rule, environment, team, account, region, min_savings_usd, id(snap))
        page = paginate(report.findings, limit=limit, cursor=cursor, query=key)
        unfiltered = not any((rule, environment, team, account, region, min_savings_usd))
        pct = spend_share(report.total_monthly_savings_usd) if unfiltered else None
        rules = {f.rule: C.RuleBrief(title=RULES[f.rule].title, remediation=RULES[f.rule].remediation if detail
                                     else None) for f in page.items}  # fmt: skip
        return C.SavingsAnswer(
            as_of=ctx.as_of, items=[savings_row(f, detail) for f in page.items], total=page.total,
            next_cursor=page.next_cursor, truncated=page.truncated,
            total_monthly_savings_usd=report.total_monthly_savings_usd, savings_pct_of_spend=pct,
            by_rule=report.by_rule,
            by_team=report.by_team, by_environment=report.by_environment, rules=rules, prices=PRICES,
            **A.meta(snap),
        )  # fmt: skip

    @mcp.resource("lifecycle://engines", name="engine_lifecycle", mime_type="application/json",
                  description="Engine support calendar used by check_version_compliance: end of standard and "
                  "Extended Support per engine major, upgrade targets, AWS sources.")  # fmt: skip
    def engine_lifecycle() -> str:
        snap = services.inventory.peek()  # never collect just to show the calendar
        cal = V.calendar_for(snap) if snap is not None else V.Calendar.default()
        body = {"read_on": cal.read_on, "dates": "last day of each period", "engines": cal.to_dict(),
                "extended_support_years": {"1": "year1_2", "2": "year1_2", "3": "year3"},
                "extended_support_rates": pricing.extended_support_rates()}  # fmt: skip
        return json.dumps(body, separators=(",", ":"))
