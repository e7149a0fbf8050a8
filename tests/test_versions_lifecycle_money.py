"""Issue 13 item 2: each compliance row says the instance's lifecycle setting (Extended Support enrolled, or
disabled = forced upgrade), when Extended Support billing starts, its year band and the year-3 doubling; pending
maintenance actions (deprecated minor versions among them) are dated findings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from awsinv_mcp.analysis.catalogue import AnalysisContext
from awsinv_mcp.analysis.versions import compliance_rows
from awsinv_mcp.inventory.aws.rds import db_instance_record, pending_by_arn
from awsinv_mcp.inventory.synthetic.estate import generate
from awsinv_mcp.models.inventory import PendingMaintenance
from tests.estates import db, estate, fire

US = "us-east-1"
AS_OF = date(2026, 12, 4)


def _row(**kw):
    (row,) = compliance_rows(estate(db("pg", region=US, **kw), regions=(US,)), AS_OF, 6)
    return row


def test_ending_soon_row_carries_setting_start_band_and_year3() -> None:
    row = _row(engine_version="14.17", instance_class="db.m7g.large", multi_az=True)
    assert row.status == "ending_soon" and row.lifecycle_setting == "enrolled (default)"
    assert row.extended_support_starts == date(2027, 3, 1) and row.extended_support_year == 1
    # year 1: $0.10/vCPU-h x 2 vCPU x 2 copies x 730 h = 292; year 3 (from 2029-03-01) twice that
    assert row.extended_support_monthly_usd == pytest.approx(292.0)
    assert row.year3_starts == date(2029, 3, 1) and row.year3_monthly_usd == pytest.approx(584.0)
    enrolled = _row(engine_version="14.17", engine_lifecycle_support="open-source-rds-extended-support")
    assert enrolled.lifecycle_setting == "enrolled"


def test_extended_support_row_says_its_year_band() -> None:
    row = _row(engine_version="12.22", instance_class="db.m7g.large", multi_az=False)
    assert row.status == "extended_support" and row.extended_support_starts == date(2025, 3, 1)
    assert row.extended_support_year == 2 and row.year3_starts == date(2027, 3, 1)
    assert row.year3_monthly_usd == pytest.approx(2 * row.extended_support_monthly_usd)


def test_disabled_means_forced_upgrade_and_no_charge() -> None:
    row = _row(engine_version="14.17", engine_lifecycle_support="open-source-rds-extended-support-disabled")
    assert row.lifecycle_setting == "disabled (forced upgrade)"
    assert row.extended_support_monthly_usd is None and row.extended_support_starts is None
    maria = _row(engine="mariadb", engine_version="10.6.21")
    assert maria.lifecycle_setting is None  # no Extended Support for MariaDB


def test_pending_maintenance_is_a_dated_finding() -> None:
    soon = PendingMaintenance("db-upgrade", "Minor version 8.0.36 is deprecated: automatic upgrade to 8.0.42",
                              auto_applied_after=date(2026, 12, 20), forced_apply_date=date(2027, 1, 10))  # fmt: skip
    later = PendingMaintenance("system-update", "New Operating System update", current_apply_date=date(2027, 5, 1))
    snap = estate(
        db("soon", engine="mysql", engine_version="8.0.36", pending_maintenance=(later, soon)),
        db("later", pending_maintenance=(later,)), db("none"),
    )  # fmt: skip
    ctx = AnalysisContext(as_of=AS_OF)
    by_id = {f.resource_id: f for f in fire("rds.pending_maintenance", snap, ctx)}
    assert set(by_id) == {"soon", "later"}
    first = by_id["soon"]
    assert first.severity == "high" and first.evidence["next_action"] == "db-upgrade"
    assert first.evidence["next_date"] == "2026-12-20" and first.evidence["actions"][0]["days_until"] == 16
    assert by_id["later"].severity == "low" and by_id["later"].evidence["next_date"] == "2027-05-01"


def test_demo_estate_dates_its_deprecated_minors() -> None:
    snap = generate(42, 150, datetime(2026, 12, 4, tzinfo=UTC))
    found = fire("rds.pending_maintenance", snap, AnalysisContext(as_of=AS_OF))
    assert found and all(f.evidence["next_action"] == "db-upgrade" for f in found)
    assert all("is deprecated" in f.evidence["actions"][0]["description"] for f in found)
    assert {f.severity for f in found} >= {"high", "medium"}


def test_pending_actions_from_the_api_shape() -> None:
    arn = "arn:aws:rds:us-east-1:123456789012:db:orders"
    raw = [{"ResourceIdentifier": arn, "PendingMaintenanceActionDetails": [
        {"Action": "db-upgrade", "Description": "upgrade", "ForcedApplyDate": datetime(2027, 1, 10, tzinfo=UTC),
         "AutoAppliedAfterDate": datetime(2026, 12, 20, tzinfo=UTC), "OptInStatus": "next-maintenance"}]}]  # fmt: skip
    pending = pending_by_arn(raw)
    (action,) = pending[arn]
    assert action.forced_apply_date == date(2027, 1, 10) and action.opt_in_status == "next-maintenance"
    from awsinv_mcp.config import Settings

    record = db_instance_record({"DBInstanceIdentifier": "orders", "DBInstanceArn": arn}, account="123456789012",
                                region=US, settings=Settings(), subnet_groups={}, pending=pending)  # fmt: skip
    assert record.pending_maintenance == (action,)


@pytest.mark.anyio
async def test_ending_soon_answer_totals_the_projection_apart_from_what_is_billed() -> None:
    from mcp import Client

    from awsinv_mcp.config import Settings
    from awsinv_mcp.server.app import build_server

    async with Client(build_server(Settings(source="synthetic", seed=42, scale=150))) as c:
        soon = (
            await c.call_tool("check_version_compliance", {"status": "ending_soon", "limit": 500})
        ).structured_content
    assert soon["total"] > 0 and soon["extended_support_monthly_usd"] == 0.0  # nothing billed yet
    projected = sum(r["extended_support_monthly_usd"] or 0.0 for r in soon["items"])
    assert soon["extended_support_projected_monthly_usd"] == pytest.approx(projected, abs=0.05) and projected > 0
    row = next(r for r in soon["items"] if r["extended_support_monthly_usd"])
    assert row["extended_support_starts"] and row["extended_support_year"] == 1 and row["year3_starts"]
    assert row["year3_monthly_usd"] == pytest.approx(2 * row["extended_support_monthly_usd"], abs=0.02)
