"""Analysis tools: assess_security, analyze_performance, analyze_engines, get_findings; resource inventory://findings.

Each tool makes one call into `awsinv_mcp.analysis` (findings are computed once per snapshot and cached)
and shapes the answer: compact rows, each rule's title and remediation once per page.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from awsinv_mcp.analysis import engines as E
from awsinv_mcp.analysis import report as R
from awsinv_mcp.models import analysis as M
from awsinv_mcp.models import answers as A
from awsinv_mcp.models.findings import Finding, FindingOut
from awsinv_mcp.server.args import Account, Application, Cursor, Engine, Environment, Limit, Region, Team
from awsinv_mcp.server.services import Services
from awsinv_mcp.server.tooling import tool

Severity = Annotated[str | None, Field(description="'high+' = high or worse")]
Rule = Annotated[str | None, Field(description="ids or globs, e.g. rds.*encrypted*")]
Resource = Annotated[str | None, Field(description="id substring or ARN")]
ResourceType = Annotated[str | None, Field(description="db_instance, db_cluster, s3_bucket, ...")]
AsOf = Annotated[date | None, Field(description="default today")]
MatchAll = Annotated[bool, Field(description="resources failing every rule pattern")]
View = Annotated[Literal["findings", "resources"], Field(description="one row per finding or per resource")]
Detail = Annotated[bool, Field(description="full rows (arn, remediation)")]
GroupBy = Annotated[
    Literal["engine", "version", "region", "account", "environment", "team", "application"],
    Field(description="dimension to group by"),
]


def finding_row(f: Finding) -> M.FindingRow:
    return M.FindingRow.model_construct(
        rule=f.rule, category=f.category, severity=f.severity, resource_type=f.resource_type,
        resource_id=f.resource_id, account=f.account, region=f.region, environment=f.environment, team=f.team,
        application=f.application, evidence=f.evidence, monthly_savings_usd=f.monthly_savings_usd,
    )  # fmt: skip


def resource_row(group: R.ResourceGroup) -> M.ResourceRow:
    """One resource (key `type:account:region:id`; a cluster's members listed) and the rules it fails."""
    findings = group.findings
    rtype, account, region, rid = group.key.split(":", 3)
    members = sorted({f.resource_id for f in findings if f.resource_type != rtype}) or None
    savings = sum(f.monthly_savings_usd or 0.0 for f in findings)
    first = findings[0]
    return M.ResourceRow(
        resource_type=rtype, resource_id=rid, account=account, region=region, environment=first.environment,
        team=first.team, severity=group.severity, rules=list(dict.fromkeys(f.rule for f in findings)),
        members=members, monthly_savings_usd=round(savings, 2) if savings else None,
    )  # fmt: skip


def rule_infos(findings: list[Finding]) -> dict[str, M.RuleInfo]:
    """Title, remediation and Prowler check of each rule on the page, once."""
    infos: dict[str, M.RuleInfo] = {}
    for f in findings:
        if f.rule not in infos:
            infos[f.rule] = M.RuleInfo(title=f.title, category=f.category, remediation=f.remediation,
                                       prowler_check=f.prowler_check)  # fmt: skip
    return infos


def register(mcp: MCPServer, services: Services) -> None:
    """Register the analysis tools and the inventory://findings resource."""

    def findings_answer(
        query: R.FindingQuery,
        *,
        view: str,
        detail: bool,
        limit: int,
        cursor: str | None,
        as_of: date | None,
        answer: type[M.FindingsPage] = M.FindingsPage,
        **extra: object,
    ):
        snap = services.inventory.get()
        ctx = R.context(services.settings.production_values, as_of)
        rep = services.lazy("findings", R.FindingsCache).report(snap, ctx)
        shown = R.view_findings(snap, rep, query, view=view, limit=limit, cursor=cursor)
        page = shown.page
        if view == "resources":
            items: list = [resource_row(g) for g in page.items]
            rules: dict[str, M.RuleInfo] = {}
        else:
            items = [FindingOut.of(f) for f in page.items] if detail else [finding_row(f) for f in page.items]
            rules = {} if detail else rule_infos(page.items)
        meta = A.meta(snap)
        if rep.failed_rules:
            meta["warnings"] = [
                *meta["warnings"],
                A.WarningOut(  # type: ignore[list-item]
                    scope="analysis", message=f"rules failed and were skipped: {', '.join(rep.failed_rules)}"
                ),
            ]
        return answer(
            as_of=ctx.as_of, summary=M.FindingsSummary(**vars(shown.summary)), items=items, rules=rules,
            total=page.total, next_cursor=page.next_cursor, truncated=page.truncated, **meta, **extra,
        )  # fmt: skip

    def review(
        category: str, q: R.FindingQuery, *, as_of: date | None, limit: int, cursor: str | None
    ) -> M.ReviewAnswer:
        scope = R.evaluated(services.inventory.get(), category)
        return findings_answer(
            q,
            view="findings",
            detail=False,
            limit=limit,
            cursor=cursor,
            as_of=as_of,
            answer=M.ReviewAnswer,
            evaluated=scope,
            rules_checked=R.rule_count(category),
        )

    @tool(mcp, title="Security assessment")
    def assess_security(
        severity: Severity = None, rule: Rule = None, resource_type: ResourceType = None,
        environment: Environment = None, team: Team = None, application: Application = None,
        account: Account = None, region: Region = None, resource: Resource = None, limit: Limit = 10,
        cursor: Cursor = None,
    ) -> M.ReviewAnswer:  # fmt: skip
        """Security findings on RDS/Aurora, snapshots, S3 and EC2 DB hosts: totals, then the most severe with
        evidence; remediation (console + CLI) and Prowler id per rule in `rules`."""
        q = R.FindingQuery(None, severity, rule, resource, resource_type, team, environment, application,
                           account, region, review="security")  # fmt: skip
        return review("security", q, as_of=None, limit=limit, cursor=cursor)

    @tool(mcp, title="Performance analysis")
    def analyze_performance(
        severity: Severity = None, rule: Rule = None, environment: Environment = None, team: Team = None,
        application: Application = None, account: Account = None, region: Region = None,
        resource: Resource = None, limit: Limit = 10, cursor: Cursor = None,
    ) -> M.ReviewAnswer:  # fmt: skip
        """Performance findings on DB instances (burstable in prod, gp2 credits, IOPS limit, storage full,
        high CPU, old classes, Performance Insights off): totals, then the most severe."""
        q = R.FindingQuery(None, severity, rule, resource, None, team, environment, application,
                           account, region, review="performance")  # fmt: skip
        return review("performance", q, as_of=None, limit=limit, cursor=cursor)

    @tool(mcp, title="All findings")
    def get_findings(
        category: Annotated[str | None, Field(description="security, version, cost, performance")] = None,
        severity: Severity = None, rule: Rule = None, resource: Resource = None, resource_type: ResourceType = None,
        team: Team = None, environment: Environment = None, application: Application = None,
        account: Account = None, region: Region = None, match_all: MatchAll = False, view: View = "findings",
        detail: Detail = False, as_of: AsOf = None, limit: Limit = 10, cursor: Cursor = None,
    ) -> M.FindingsPage:  # fmt: skip
        """All findings, filtered and paged, with totals by severity and category and the monthly saving.
        E.g. prod DBs unencrypted AND public: environment=production, match_all=true, view=resources,
        rule='*storage_encrypted,rds.internet_exposed|rds.publicly_accessible'."""
        q = R.FindingQuery(category, severity, rule, resource, resource_type, team, environment, application,
                           account, region, match_all)  # fmt: skip
        return findings_answer(q, view=view, detail=detail, limit=limit, cursor=cursor, as_of=as_of)

    @tool(mcp, title="Engine distribution")
    def analyze_engines(
        group_by: GroupBy = "engine", engine: Engine = None, region: Region = None, account: Account = None,
        environment: Environment = None, team: Team = None, application: Application = None,
        limit: Limit = 10, cursor: Cursor = None,
    ) -> M.EnginesAnswer:  # fmt: skip
        """Distribution of DB engines, versions, classes and storage per group (engine, version, region,
        account, environment, team or application), largest first."""
        snap = services.inventory.get()
        total, page = R.engine_groups(snap, group_by, engine, region, account, environment, team, application,
                                      limit=limit, cursor=cursor)  # fmt: skip
        return M.EnginesAnswer(
            group_by=group_by, totals=M.EngineGroup(**total.as_dict(E.TOTALS_TOP)),
            items=[M.EngineGroup(**g.as_dict()) for g in page.items], total=page.total,
            next_cursor=page.next_cursor, truncated=page.truncated, **A.meta(snap),
        )  # fmt: skip

    @mcp.resource("inventory://findings", name="findings", mime_type="application/json",
                  description="Totals of all findings by severity, category, rule (rows: get_findings)")  # fmt: skip
    def findings_resource() -> str:
        answer = findings_answer(R.FindingQuery(), view="findings", detail=False, limit=5, cursor=None, as_of=None)
        return json.dumps(answer.model_dump(mode="json"), separators=(",", ":"), default=str)
