"""The parity tables (analysis/parity.py) agree with the catalogue, and rules that carry a Prowler id judge the
same resources as that check (its logic restated from its source, prowler-cloud/prowler)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from awsinv_mcp.analysis import parity
from awsinv_mcp.analysis.all_rules import RULES
from awsinv_mcp.models.inventory import DBCluster, DBInstance
from tests.estates import DEV, cluster, db, estate, fire, member


def test_prowler_table_lists_every_check_once_and_every_rule_carrying_an_id() -> None:
    checks = [p.check for p in parity.PROWLER]
    assert len(checks) == len(set(checks)) == 35
    assert all(c.startswith("rds_") for c in checks)
    for p in parity.PROWLER:
        assert (p.status == "matched") == bool(p.rules), p.check
        assert p.status == "matched" or p.note, p.check  # a reason for every gap
        for rid in p.rules:
            assert RULES[rid].prowler_check == p.check, (rid, p.check)
    carried = {r.id: r.prowler_check for r in RULES.values() if r.prowler_check and r.prowler_check.startswith("rds_")}
    listed = {rid: p.check for p in parity.PROWLER for rid in p.rules}
    assert carried == listed


def test_trusted_advisor_table_names_existing_rules() -> None:
    names = [p.check for p in parity.TRUSTED_ADVISOR]
    assert len(names) == len(set(names))
    assert {p.category for p in parity.TRUSTED_ADVISOR} == {"fault tolerance", "security", "cost optimization",
                                                           "performance"}  # fmt: skip
    for p in parity.TRUSTED_ADVISOR:
        assert (p.status == "matched") == bool(p.rules), p.check
        assert p.status == "matched" or p.note, p.check
        assert all(rid in RULES for rid in p.rules), p.check


def test_counts_add_up() -> None:
    for table in (parity.PROWLER, parity.TRUSTED_ADVISOR):
        c = parity.counts(table)
        assert sum(c.values()) == len(table) and c["matched"] > c["missing"] > 0


# Prowler's verdict (True = FAIL) restated from each check's source, on the same record.
def _prowler_instance_logs(d: DBInstance) -> bool:
    return not d.log_exports  # rds_instance_integration_cloudwatch_logs: any export passes


def _prowler_cluster_logs(c: DBCluster) -> bool:
    return c.engine in ("aurora-mysql", "aurora-postgresql", "mysql", "postgres") and not c.log_exports


def _prowler_default_admin(d: DBInstance) -> bool:
    return d.master_username in ("admin", "postgres")  # exact names


def _prowler_backup(d: DBInstance) -> bool | None:
    return None if d.replica_source else d.backup_retention_days <= 0  # replicas are not reported by default


def _prowler_extended_support(d: DBInstance) -> bool:
    return d.engine_lifecycle_support == "open-source-rds-extended-support"


INSTANCES = [
    db("none", engine="mysql", log_exports=()),
    db("some", engine="mysql", log_exports=("error",)),
    db("all", engine="mysql", log_exports=("audit", "error")),
    db("pg", log_exports=("postgresql",)),
    db("ora", engine="oracle-ee", log_exports=("alert",)),
    db("Admin", master_username="Admin"),
    db("admin", engine="mysql", master_username="admin", log_exports=("audit", "error")),
    db("postgres", master_username="postgres"),
    db("nobackup", backup_retention_days=0, **DEV),
    db("replica", backup_retention_days=0, replica_source="nobackup"),
    db("enrolled", engine_lifecycle_support="open-source-rds-extended-support"),
    db("optout", engine_lifecycle_support="open-source-rds-extended-support-disabled"),
    db("old", engine_version="12.22", engine_lifecycle_support="open-source-rds-extended-support"),
]
CLUSTERS = [
    cluster("c-none", log_exports=()),
    cluster("c-some", engine="aurora-mysql", log_exports=("error",)),
    cluster("c-all", engine="aurora-mysql", log_exports=("audit", "error")),
]

AGREEMENT: list[tuple[str, Callable[[Any], bool | None], list[Any]]] = [
    ("rds.log_exports", _prowler_instance_logs, INSTANCES),
    ("rds.cluster_log_exports", _prowler_cluster_logs, CLUSTERS),
    ("rds.default_master_username", _prowler_default_admin, INSTANCES),
    ("rds.backup_enabled", _prowler_backup, INSTANCES),
    ("rds.extended_support_enrolled", _prowler_extended_support, INSTANCES),
]


@pytest.mark.parametrize(("rule_id", "prowler_fails", "records"), AGREEMENT, ids=[a[0] for a in AGREEMENT])
def test_rule_fires_exactly_where_its_prowler_check_fails(
    rule_id: str, prowler_fails: Callable[[Any], bool | None], records: list[Any]
) -> None:
    fired = {f.resource_id for f in fire(rule_id, estate(*records))}
    failed = {r.identifier for r in records if prowler_fails(r)}
    assert fired == failed
    assert fired  # the sweep exercises a failing resource


def test_stricter_log_judgement_is_a_separate_rule_never_on_the_same_resource() -> None:
    snap = estate(*INSTANCES, *CLUSTERS)
    strict = {f.resource_id for f in fire("rds.log_exports_recommended", snap)}
    strict |= {f.resource_id for f in fire("rds.cluster_log_exports_recommended", snap)}
    prowler = {f.resource_id for f in fire("rds.log_exports", snap)} | {
        f.resource_id for f in fire("rds.cluster_log_exports", snap)
    }
    assert strict == {"some", "ora", "c-some"} and prowler == {"none", "c-none"}
    assert RULES["rds.log_exports_recommended"].prowler_check is None


def test_extended_support_enrolment_severity_follows_the_support_calendar() -> None:
    enrolled = "open-source-rds-extended-support"
    soon = db("soon", engine_version="14.15", engine_lifecycle_support=enrolled)  # standard support ends 2027-02-28
    snap = estate(*INSTANCES, soon, cluster(), member("auth-1", engine_lifecycle_support=enrolled))
    found = {f.resource_id: f for f in fire("rds.extended_support_enrolled", snap)}
    assert {k: f.severity for k, f in found.items()} == {"enrolled": "info", "old": "low", "auth-1": "info",
                                                         "soon": "medium"}  # fmt: skip
    assert found["old"].evidence["end_of_standard_support"] == "2025-02-28"  # PostgreSQL 12, already past
    assert found["auth-1"].group is not None and found["auth-1"].group.resource_id == "auth"
    assert found["enrolled"].category == "version"
