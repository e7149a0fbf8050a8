"""The findings report: caching, filters, 'all of these rules' per resource, summaries, engines, docs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from awsinv_mcp.analysis import report as R
from awsinv_mcp.analysis.analysis import Analysis
from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext, resource_rule, rule
from awsinv_mcp.analysis.docs import render_rules_markdown
from awsinv_mcp.analysis.engines import distribution
from awsinv_mcp.config import Settings
from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.models.findings import SEVERITY_ORDER
from tests.estates import CTX, DEV, bucket, cluster, db, estate, member

EXPOSED = {"publicly_accessible": True, "port": 5432, "subnet_ids": ("subnet-pub",)}


def fleet():
    """Production: one unencrypted + exposed, one unencrypted only, one public only; an Aurora cluster whose
    cluster is unencrypted and a member public; development: unencrypted + exposed."""
    return estate(
        db("bad", storage_encrypted=False, **EXPOSED),
        db("unenc", storage_encrypted=False),
        db("pub", **EXPOSED),
        db("devbad", storage_encrypted=False, **EXPOSED | DEV),
        cluster("auth", storage_encrypted=False), member("auth-1", **EXPOSED), member("auth-2"),
        cluster("safe", members=("safe-1",)), member("safe-1", cluster="safe", **EXPOSED),
        bucket("dumps", public=True, purpose="backups"),
    )  # fmt: skip


def query(snap, **kw):
    return R.select(Estate(snap), R.run_all(snap, CTX), R.FindingQuery(**kw))


def test_match_all_joins_cluster_and_member_findings() -> None:
    snap = fleet()
    found = query(snap, environment="production", match_all=True,
                  rule="*storage_encrypted,rds.internet_exposed|rds.publicly_accessible")  # fmt: skip
    groups = R.by_resource(found)
    assert {g.key for g in groups} == {
        ("db_cluster", "111111111111", "eu-west-1", "auth"),
        ("db_instance", "111111111111", "eu-west-1", "bad"),
    }
    assert [g.severity for g in groups] == ["critical", "critical"]
    assert {f.resource_id for f in found} == {"bad", "auth", "auth-1"}


def test_any_rule_and_filters() -> None:
    snap = fleet()
    found = query(snap, rule="rds.*encrypted*")
    assert {f.resource_id for f in found} == {"bad", "unenc", "devbad", "auth"}
    assert {f.resource_id for f in query(snap, rule="rds.storage_encrypted", environment="prod")} == {"bad", "unenc"}
    assert {f.resource_id for f in query(snap, rule="rds.storage_encrypted", environment="development")} == {"devbad"}
    crit = query(snap, severity="critical")
    assert crit and all(f.severity == "critical" for f in crit)
    high_plus = query(snap, severity="high+")
    assert {f.severity for f in high_plus} == {"critical", "high"}
    assert {f.resource_id for f in query(snap, resource="auth")} >= {"auth", "auth-1"}
    assert {f.resource_type for f in query(snap, resource_type="s3_bucket")} == {"s3_bucket"}
    assert all(f.category == "performance" for f in query(snap, category="performance"))


@pytest.mark.parametrize(
    ("kw", "message"),
    [({"rule": "rds.nope"}, "no rule matches"), ({"severity": "urgent"}, "unknown severity"),
     ({"category": "money"}, "unknown category"), ({"region": "mars-1"}, "unknown region")],
)  # fmt: skip
def test_bad_filters_say_what_to_do(kw: dict, message: str) -> None:
    with pytest.raises(UserError, match=message):
        query(fleet(), **kw)


def test_summary_counts_every_match() -> None:
    snap = fleet()
    found = query(snap, category="security")
    s = R.summarize(found)
    assert s.total == len(found) == sum(s.by_severity.values()) == sum(s.by_category.values())
    assert s.by_category == {"security": len(found)}
    assert s.resource_groups == len(R.by_resource(found))
    assert s.resources == len({(f.resource_type, f.account, f.region, f.resource_id) for f in found})
    assert list(s.by_severity) == [x for x in ("critical", "high", "medium", "low", "info") if x in s.by_severity]


def test_report_is_sorted_and_computed_once_per_analysis_and_date() -> None:
    snap = fleet()
    analysis = Analysis(Estate(snap), today=lambda: CTX.as_of)
    first = analysis.report()
    assert analysis.report(CTX.as_of) is first
    order = [(SEVERITY_ORDER[f.severity], not CTX.is_production(f.environment), f.category, f.rule)
             for f in first.findings]  # fmt: skip
    assert order == sorted(order)
    exposed = [f.resource_id for f in first.findings if f.rule == "rds.internet_exposed"]
    assert exposed == ["bad", "pub", "auth-1", "safe-1", "devbad"]  # production first, then snapshot order
    later = analysis.report(date(2030, 1, 1))
    assert later is not first and later.ctx.as_of == date(2030, 1, 1)
    assert Analysis(Estate(fleet()), today=lambda: CTX.as_of).report() is not first  # another snapshot


def test_a_failing_rule_is_reported_not_fatal() -> None:
    @rule("test.broken", category="security", severity="low", title="t", rationale="r", resource_types=("x",),
          remediation="Console: x. CLI: aws x")  # fmt: skip
    def broken(snapshot, ctx):
        raise RuntimeError("boom")

    try:
        rep = R.run_all(fleet(), CTX)
        assert rep.failed_rules == ("test.broken",)
        assert rep.findings
    finally:
        del RULES["test.broken"]


def test_a_rule_failing_on_one_record_drops_only_that_rule() -> None:
    @resource_rule("test.broken_resource", resource_type="db_instance", category="security", severity="low",
                   title="t", rationale="r", remediation="Console: x. CLI: aws x")  # fmt: skip
    def broken(d, ctx, snap):
        if d.identifier == "unenc":
            raise ValueError("bad record")
        return {"seen": d.identifier}

    try:
        snap = fleet()
        rep = R.run_all(snap, CTX)
        assert rep.failed_rules == ("test.broken_resource",)
        assert not [f for f in rep.findings if f.rule == "test.broken_resource"]
        # records after the failing one are still judged by every other rule
        assert {f.rule for f in rep.findings if f.resource_id == "pub"} >= {"rds.internet_exposed"}
        assert {f.rule for f in rep.findings if f.resource_id == "unenc"} >= {"rds.storage_encrypted"}
    finally:
        del RULES["test.broken_resource"]


def test_synthetic_analysis_is_deterministic() -> None:
    now = datetime(2026, 11, 25, tzinfo=UTC)
    ctx = AnalysisContext(as_of=now.date())
    runs = [R.run_all(generate(seed=7, scale=150, now=now, settings=Settings(source="synthetic")), ctx)
            for _ in range(2)]  # fmt: skip
    a, b = ([(f.rule, f.resource_type, f.account, f.region, f.resource_id, f.severity, repr(f.evidence))
             for f in r.findings] for r in runs)  # fmt: skip
    assert a == b and len(a) > 50
    assert not runs[0].failed_rules
    assert {f.category for f in runs[0].findings} >= {"security", "performance"}


def test_engine_distribution_counts_members_once_for_storage() -> None:
    snap = estate(db("a", allocated_gb=100), db("b", engine="mysql", allocated_gb=50, **DEV),
                  cluster("auth", allocated_gb=300), member("auth-1"), member("auth-2"))  # fmt: skip
    total, groups = distribution(snap.db_instances, snap.db_clusters, "engine")
    assert (total.db_instances, total.db_clusters, total.allocated_gb) == (4, 1, 450)
    assert [(g.key, g.db_instances) for g in groups] == [("aurora-postgresql", 2), ("mysql", 1), ("postgres", 1)]
    total, groups = distribution(snap.db_instances, snap.db_clusters, "environment")
    assert {g.key: g.db_instances for g in groups} == {"production": 3, "development": 1}
    _, groups = distribution(snap.db_instances, snap.db_clusters, "version")
    assert groups[0].as_dict()["versions"] == {"aurora-postgresql 16.4": 2}


def test_docs_rules_md_is_current() -> None:
    path = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
    assert path.read_text(encoding="utf-8") == render_rules_markdown(), (
        "docs/rules.md is stale: run `awsinv-mcp rules-doc` (python -m awsinv_mcp.analysis.docs > docs/rules.md)"
    )
    text = render_rules_markdown()
    assert all(f"### {rid}" in text for rid in RULES)
