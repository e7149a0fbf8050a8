"""Snapshot sharing rules (issue 13 item 7), pure: shared outside the organisation (or the collected accounts), and
production snapshots shared into non-production accounts. aws mode on moto: tests/test_advice_aws.py."""

from __future__ import annotations

from awsinv_mcp.analysis.all_rules import RULES
from awsinv_mcp.models.inventory import Account
from tests.estates import ACCOUNT, DEV, db_snapshot, estate, fire

STAGING, PARTNER, SANDBOX = "333333333333", "999999999999", "444444444444"
ACCOUNTS = (Account(ACCOUNT, "acme-prod", "production"), Account(STAGING, "acme-staging", "staging"))
OUTSIDE, LOWER = "rds.snapshot_shared_outside", "rds.snapshot_prod_shared_to_nonprod"


def hits(rule: str, *snaps, **fields) -> dict[str, dict]:
    return {f.resource_id: f.evidence for f in fire(rule, estate(*snaps, accounts=ACCOUNTS, **fields))}


def test_catalogued_with_one_id_severity_and_remediation() -> None:
    for rid in (OUTSIDE, LOWER):
        r = RULES[rid]
        assert r.category == "security" and r.severity == "high" and "--values-to-remove" in r.remediation
        assert r.prowler_check is None  # Prowler has no RDS check of this scope
        assert r.resource_types == ("db_snapshot", "db_cluster_snapshot")


def test_shared_outside_the_collected_accounts() -> None:
    found = hits(
        OUTSIDE,
        db_snapshot("to-partner", shared_with=(PARTNER, STAGING)),
        db_snapshot("to-staging", shared_with=(STAGING,)),
        db_snapshot("private"),
        db_snapshot("cluster-to-partner", kind="cluster", source_id="auth", shared_with=(PARTNER,)),
    )
    assert set(found) == {"to-partner", "cluster-to-partner"}
    assert found["to-partner"]["shared_with_outside"] == [PARTNER]
    assert found["to-partner"]["known_from"] == "the collected accounts"
    cluster = fire(OUTSIDE, estate(db_snapshot("c", kind="cluster", shared_with=(PARTNER,)), accounts=ACCOUNTS))
    assert cluster[0].resource_type == "db_cluster_snapshot"


def test_an_organisation_account_is_inside_even_when_not_collected() -> None:
    org = (*ACCOUNTS, Account(SANDBOX, "acme-sandbox", "development"))
    found = hits(OUTSIDE, db_snapshot("to-sandbox", shared_with=(SANDBOX,)),
                 db_snapshot("to-partner", shared_with=(PARTNER,)), organisation=org)  # fmt: skip
    assert set(found) == {"to-partner"} and found["to-partner"]["known_from"] == "the AWS Organization"


def test_production_shared_into_non_production() -> None:
    org = (*ACCOUNTS, Account(SANDBOX, "acme-sandbox", "development"))
    found = hits(
        LOWER,
        db_snapshot("prod-to-staging", shared_with=(STAGING,)),
        db_snapshot("prod-to-sandbox", shared_with=(SANDBOX, PARTNER)),  # an org account that was not collected
        db_snapshot("prod-to-partner", shared_with=(PARTNER,)),  # outside: the other rule's, environment unknown
        db_snapshot("dev-to-staging", shared_with=(STAGING,), **DEV),
        # untagged: the environment of its account (acme-prod is production)
        db_snapshot("untagged-to-staging", shared_with=(STAGING,), environment=None, team=None, application=None),
        db_snapshot("prod-to-prod", shared_with=(ACCOUNT,)),
        organisation=org,
    )
    assert set(found) == {"prod-to-staging", "prod-to-sandbox", "untagged-to-staging"}
    assert found["prod-to-sandbox"]["shared_with_non_production"] == {SANDBOX: "development"}
    assert found["prod-to-staging"]["shared_with_non_production"] == {STAGING: "staging"}
