"""check_version_compliance rows, charges, filters and summaries; the version rules of the catalogue."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from awsinv_mcp.analysis import version_rules  # noqa: F401  (registers the rules)
from awsinv_mcp.analysis.analysis import Analysis
from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext
from awsinv_mcp.analysis.versions import ComplianceReport, compliance_rows
from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.models.inventory import Account, ClusterMember, DBCluster, DBInstance, LifecycleOverride, Snapshot
from tests import estates

AS_OF = date(2026, 11, 25)
PROD, DEV = "111111111111", "222222222222"


def db(identifier: str, engine: str, version: str, klass: str = "db.r6g.xlarge", **kw: object) -> DBInstance:
    base: dict[str, object] = {"account": PROD, "region": "us-east-1", "environment": "production", "team": "payments"}
    base.update(kw)
    return DBInstance(identifier=identifier, engine=engine, engine_version=version, instance_class=klass, **base)  # type: ignore[arg-type]


def estate(*records: DBInstance | DBCluster, overrides: tuple[LifecycleOverride, ...] = ()) -> Snapshot:
    return estates.estate(
        *records, accounts=(Account(PROD, "acme-prod"), Account(DEV, "acme-dev")), regions=("us-east-1", "eu-west-1"),
        with_network=False, collected_at=datetime(2026, 11, 25, tzinfo=UTC), lifecycle_overrides=overrides,
    )  # fmt: skip


def check_version_compliance(snapshot: Snapshot, as_of: date = AS_OF, *, status: str | None = None,
                             months_ahead: int = 6, **filters: str) -> ComplianceReport:  # fmt: skip
    """The compliance report of the analysis of `snapshot` (what check_version_compliance answers)."""
    analysis = Analysis(Estate(snapshot))
    return analysis.compliance(Q.Filters(**filters), status=status, as_of=as_of, months_ahead=months_ahead,
                               limit=500, cursor=None).report  # fmt: skip


def by_id(snapshot: Snapshot, **kw: str) -> dict[str, object]:
    return {r.resource_id: r for r in check_version_compliance(snapshot, AS_OF, **kw).rows}


def test_statuses_and_charges_by_hand() -> None:
    snap = estate(
        db("pg12", "postgres", "12.22", multi_az=True),  # ES year 2 (since 2025-03-01): 0.10 x 4 vCPU x 2 x 730
        db("pg14", "postgres", "14.17"),  # ends 2027-02-28: within 6 months
        db("pg17", "postgres", "17.4"),
        db("maria105", "mariadb", "10.5.27"),  # no Extended Support
        db("my57", "mysql", "5.7.44", "db.m5.2xlarge", region="eu-west-1"),  # year 3: 0.224 x 8 x 730
        db("my80-off", "mysql", "8.0.40", engine_lifecycle_support="open-source-rds-extended-support-disabled"),
        db("mssql16", "sqlserver-se", "13.00.6455.2.v1", "db.m5.xlarge"),
    )
    rows = by_id(snap)
    assert {k: r.status for k, r in rows.items()} == {  # type: ignore[attr-defined]
        "pg12": "extended_support",
        "pg14": "ending_soon",
        "pg17": "standard",
        "maria105": "end_of_support",
        "my57": "extended_support",
        "my80-off": "end_of_support",
        "mssql16": "end_of_support",
    }
    assert rows["pg12"].extended_support_monthly_usd == 584.0  # type: ignore[attr-defined]
    assert rows["my57"].extended_support_monthly_usd == pytest.approx(1308.16)  # type: ignore[attr-defined]
    # ending soon: the projected year-1 charge from the day after standard support ends, $0.1 x 4 vCPU x 730 h
    assert rows["pg14"].extended_support_monthly_usd == 292.0  # type: ignore[attr-defined]
    assert rows["pg14"].es_basis.startswith("projected from 2027-03-01")  # type: ignore[attr-defined]
    assert rows["pg12"].upgrade_target == "17" and rows["my57"].upgrade_target == "8.4"  # type: ignore[attr-defined]
    report = check_version_compliance(snap, AS_OF)
    assert [r.status for r in report.rows[:4]] == ["end_of_support"] * 3 + ["extended_support"]
    assert report.extended_support_monthly_usd == pytest.approx(584.0 + 1308.16)
    assert report.by_status == {"end_of_support": 3, "extended_support": 2, "ending_soon": 1, "standard": 1}


def test_aurora_members_follow_their_cluster_and_sum_their_vcpus() -> None:
    members = (ClusterMember("apg13-1", True), ClusterMember("apg13-2", False))
    cluster = DBCluster(
        account=PROD,
        region="us-east-1",
        identifier="apg13",
        engine="aurora-postgresql",
        engine_version="13.20",
        members=members,
        environment="production",
        team="identity",
    )
    snap = estate(
        cluster,
        db("apg13-1", "aurora-postgresql", "13.20", "db.r6g.2xlarge", cluster="apg13"),
        db("apg13-2", "aurora-postgresql", "13.20", "db.r6g.large", cluster="apg13", multi_az=True),
    )
    rows = check_version_compliance(snap, AS_OF).rows
    assert [(r.resource_id, r.resource_type) for r in rows] == [("apg13", "cluster")]
    # year 1 of Extended Support (since 2026-03-01): 0.10 x (8 + 2) vCPU x 730; a member's flag does not double
    assert rows[0].extended_support_monthly_usd == 730.0
    assert rows[0].es_basis is not None and "10 vCPU" in rows[0].es_basis


def test_serverless_members_are_charged_per_minimum_acu() -> None:
    cluster = DBCluster(
        account=PROD,
        region="us-east-1",
        identifier="sls",
        engine="aurora-mysql",
        engine_version="5.7.mysql_aurora.2.11.5",
        serverless_v2_min_acu=4.0,
    )
    snap = estate(cluster, db("sls-1", "aurora-mysql", "5.7.mysql_aurora.2.11.5", "db.serverless", cluster="sls"))
    row = check_version_compliance(snap, AS_OF).rows[0]
    # Aurora MySQL 2 is billed at the year 1-2 rate: 0.085 per ACU-hour x 4 ACU x 730
    assert row.status == "extended_support" and row.extended_support_monthly_usd == pytest.approx(248.2)


def test_unknown_majors_are_standard_and_counted() -> None:
    report = check_version_compliance(estate(db("future", "postgres", "19.1")), AS_OF)
    assert report.rows[0].status == "standard" and report.rows[0].end_of_standard_support is None
    assert report.unknown_majors == {"postgres 19": 1}


def test_filters_are_comma_lists_with_families_aliases_and_production_spellings() -> None:
    snap = estate(
        db("a", "postgres", "12.22"),
        db("b", "postgres", "12.22", environment="prod", team="identity"),
        db("c", "aurora-postgresql", "13.20", account=DEV, environment="development"),
        db("d", "mysql", "8.4.5", region="eu-west-1"),
        db("e", "sqlserver-ee", "16.00.4195.2.v1"),
    )
    assert set(by_id(snap, environment="production")) == {"a", "b", "d", "e"}
    assert set(by_id(snap, engine="postgresql")) == {"a", "b", "c"}
    assert set(by_id(snap, engine="sqlserver")) == {"e"}
    assert set(by_id(snap, account="acme-dev")) == {"c"}
    assert set(by_id(snap, status="standard,extended_support", region="us-east-1")) == {"a", "b", "c", "e"}
    assert set(by_id(snap, team="identity")) == {"b"}
    report = check_version_compliance(snap, AS_OF, engine="postgres")
    assert report.by_engine == {"postgres": {"extended_support": 2}}
    assert report.by_version == {"postgres 12": {"extended_support": 2}}
    assert report.by_environment == {"production": {"extended_support": 2}}  # prod is production: one label
    with pytest.raises(UserError, match="unknown status"):
        check_version_compliance(snap, AS_OF, status="expired")
    with pytest.raises(UserError, match="unknown engine"):
        check_version_compliance(snap, AS_OF, engine="db2")


def test_rds_answers_override_the_bundled_dates() -> None:
    snap = estate(
        db("pg14", "postgres", "14.17"),
        overrides=(LifecycleOverride("postgres", "14", date(2026, 10, 31), date(2029, 10, 31)),),
    )
    row = compliance_rows(snap, AS_OF)[0]
    assert row.status == "extended_support" and row.end_of_standard_support == date(2026, 10, 31)


def test_version_rules_fire_once_per_resource_and_stay_silent_on_supported_ones() -> None:
    members = (ClusterMember("amy-1", True), ClusterMember("amy-2", False))
    cluster = DBCluster(
        account=PROD,
        region="us-east-1",
        identifier="amy",
        engine="aurora-mysql",
        engine_version="5.7.mysql_aurora.2.12.4",
        members=members,
        environment="production",
    )
    snap = estate(
        cluster,
        db("amy-1", "aurora-mysql", "5.7.mysql_aurora.2.12.4", cluster="amy"),
        db("amy-2", "aurora-mysql", "5.7.mysql_aurora.2.12.4", cluster="amy"),
        db("maria", "mariadb", "10.4.34"),
        db("pg14", "postgres", "14.17"),
        db("pg17", "postgres", "17.6"),
        db("pg18", "postgres", "18.1"),
    )
    ctx = AnalysisContext(as_of=AS_OF)
    fired = {
        rid: [(f.resource_type, f.resource_id) for f in RULES[rid].check(snap, ctx)]
        for rid in ("rds.engine_end_of_support", "rds.engine_extended_support", "rds.engine_standard_support_ending")
    }
    assert fired == {
        "rds.engine_end_of_support": [("db_instance", "maria")],
        "rds.engine_extended_support": [("db_cluster", "amy")],
        "rds.engine_standard_support_ending": [("db_instance", "pg14")],
    }
    es = RULES["rds.engine_extended_support"].check(snap, ctx)[0]
    assert es.category == "version" and es.evidence["upgrade_target"] == "8.0"
    assert es.evidence["extended_support_monthly_usd"] == pytest.approx(0.1 * 8 * 730)
    quiet = AnalysisContext(as_of=date(2026, 1, 1), months_ahead=1)
    assert RULES["rds.engine_standard_support_ending"].check(estate(db("pg17", "postgres", "17.6")), quiet) == []


def test_summaries_merge_the_tail_into_others() -> None:
    snap = estate(*(db(f"db{i}", "postgres", "16.8", team=f"team{i:02d}") for i in range(15)))
    report = check_version_compliance(snap, AS_OF)
    assert len(report.by_team) == 13 and report.by_team["others (3)"] == {"standard": 3}
    assert sum(sum(v.values()) for v in report.by_team.values()) == 15
