"""Analysis tools: assess_security, analyze_performance, get_findings, analyze_engines. Each is one call into the
current snapshot's `Analysis` (findings are computed once per snapshot and date) and a shaped answer: compact
rows, each rule's title and remediation once per page (from the catalogue)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field

from awsinv_mcp.analysis import engines as E
from awsinv_mcp.analysis import report as R
from awsinv_mcp.analysis.all_rules import RULES
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.models import analysis as M
from awsinv_mcp.models import answers as A
from awsinv_mcp.models.findings import Finding, FindingOut
from awsinv_mcp.server.args import Account, Application, Cursor, Engine, Environment, Limit, Region, Team
from awsinv_mcp.server.context import app

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


def resource_row(group: R.ResourceGroup) -> M.ResourceRow:
    """One resource (a cluster's members listed) and the rules it fails."""
    findings, key = group.findings, group.key
    members = sorted({f.resource_id for f in findings if f.resource_type != key.resource_type}) or None
    savings = sum(f.monthly_savings_usd or 0.0 for f in findings)
    first = findings[0]
    return M.ResourceRow(
        resource_type=key.resource_type, resource_id=key.resource_id, account=key.account, region=key.region,
        environment=first.environment, team=first.team, severity=group.severity,
        rules=list(dict.fromkeys(f.meta.id for f in findings)), members=members,
        monthly_savings_usd=round(savings, 2) if savings else None,
    )  # fmt: skip


def rule_infos(findings: list[Finding]) -> dict[str, M.RuleInfo]:
    """Title, remediation and Prowler check of each rule on the page, once (from the catalogue)."""
    return {rid: A.row(M.RuleInfo, RULES[rid].meta) for rid in dict.fromkeys(f.meta.id for f in findings)}


def findings_answer(
    q: R.FindingQuery,
    *,
    view: str,
    detail: bool,
    limit: int,
    cursor: str | None,
    as_of: date | None,
    answer: type[M.FindingsPage] = M.FindingsPage,
    review: str | None = None,
) -> Any:
    """A page of findings (or resources) with totals, for get_findings, the reviews and inventory://findings."""
    analysis = app().analysis()
    report, shown = analysis.findings(q, view=view, limit=limit, cursor=cursor, as_of=as_of)
    page = shown.page
    if view == "resources":
        items: list[Any] = [resource_row(g) for g in page.items]
        rules: dict[str, M.RuleInfo] = {}
    else:
        items = [FindingOut.of(f) for f in page.items] if detail else A.rows(M.FindingRow, page.items)
        rules = {} if detail else rule_infos(page.items)
    failed = report.failed_rules
    warnings = [A.WarningOut(scope="analysis", message=f"rules failed and were skipped: {', '.join(failed)}")]
    unmeasured = analysis.metrics_warning(R.allowed_rules(q))
    if unmeasured:
        warnings.append(A.WarningOut(scope="analysis/cloudwatch", message=unmeasured))
    extra = {"evaluated": analysis.evaluated(review), "rules_checked": R.rule_count(review)} if review else {}
    return answer(
        as_of=report.ctx.as_of, summary=A.row(M.FindingsSummary, shown.summary), items=items, rules=rules,
        total=page.total, next_cursor=page.next_cursor, truncated=page.truncated,
        **A.meta(analysis.snapshot, *(warnings if failed else warnings[1:])), **extra,
    )  # fmt: skip


def assess_security(
    severity: Severity = None, rule: Rule = None, resource_type: ResourceType = None,
    environment: Environment = None, team: Team = None, application: Application = None,
    account: Account = None, region: Region = None, resource: Resource = None, limit: Limit = 10,
    cursor: Cursor = None,
) -> M.ReviewAnswer:  # fmt: skip
    """Security findings (RDS/Aurora, snapshots, S3, EC2 DB hosts), most severe first, with evidence;
    remediation per rule in `rules`. Across categories: get_findings."""
    q = R.FindingQuery(severity=severity, rule=rule, resource=resource, resource_type=resource_type, team=team,
                       environment=environment, application=application, account=account, region=region,
                       review="security")  # fmt: skip
    return findings_answer(q, view="findings", detail=False, limit=limit, cursor=cursor, as_of=None,
                           answer=M.ReviewAnswer, review="security")  # fmt: skip


def analyze_performance(
    severity: Severity = None, rule: Rule = None, environment: Environment = None, team: Team = None,
    application: Application = None, account: Account = None, region: Region = None,
    resource: Resource = None, limit: Limit = 10, cursor: Cursor = None,
) -> M.ReviewAnswer:  # fmt: skip
    """Performance findings on DB instances (burstable in prod, gp2 credits, IOPS, storage, CPU, old
    classes), most severe first. Across categories: get_findings."""
    q = R.FindingQuery(severity=severity, rule=rule, resource=resource, team=team, environment=environment,
                       application=application, account=account, region=region, review="performance")  # fmt: skip
    return findings_answer(q, view="findings", detail=False, limit=limit, cursor=cursor, as_of=None,
                           answer=M.ReviewAnswer, review="performance")  # fmt: skip


def get_findings(
    category: Annotated[str | None, Field(description="security, version, cost, performance")] = None,
    severity: Severity = None, rule: Rule = None, resource: Resource = None, resource_type: ResourceType = None,
    team: Team = None, environment: Environment = None, application: Application = None,
    account: Account = None, region: Region = None, match_all: MatchAll = False, view: View = "findings",
    detail: Detail = False, as_of: AsOf = None, limit: Limit = 10, cursor: Cursor = None,
) -> M.FindingsPage:  # fmt: skip
    """Findings of every category with totals; combines rules (unencrypted AND public: match_all=true,
    view=resources, rule='*storage_encrypted,rds.internet_exposed'). One area: assess_security etc."""
    q = R.FindingQuery(category=category, severity=severity, rule=rule, resource=resource,
                       resource_type=resource_type, team=team, environment=environment, application=application,
                       account=account, region=region, match_all=match_all)  # fmt: skip
    return findings_answer(q, view=view, detail=detail, limit=limit, cursor=cursor, as_of=as_of)


def analyze_engines(
    group_by: GroupBy = "engine", engine: Engine = None, region: Region = None, account: Account = None,
    environment: Environment = None, team: Team = None, application: Application = None,
    limit: Limit = 10, cursor: Cursor = None,
) -> M.EnginesAnswer:  # fmt: skip
    """DB engines, versions, classes and storage per group, largest first. Support status and upgrades:
    check_version_compliance."""
    analysis = app().analysis()
    f = Q.Filters(engine=engine, region=region, account=account, environment=environment, team=team,
                  application=application)  # fmt: skip
    total, page = analysis.engines(group_by, f, limit=limit, cursor=cursor)
    return M.EnginesAnswer(
        group_by=group_by, totals=M.EngineGroup(**total.as_dict(E.TOTALS_TOP)),
        items=[M.EngineGroup(**g.as_dict()) for g in page.items], total=page.total,
        next_cursor=page.next_cursor, truncated=page.truncated, **A.meta(analysis.snapshot),
    )  # fmt: skip
