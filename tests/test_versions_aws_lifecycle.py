"""describe_db_major_engine_versions -> LifecycleOverride, with botocore's Stubber (moto lacks the API)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import boto3
from botocore.stub import Stubber

from awsinv_mcp.inventory.aws.lifecycle import (
    fetch_lifecycle_overrides,
    lifecycle_overrides_or_warning,
    override_record,
)


def _client():
    return boto3.client("rds", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def _major(engine: str, major: str, standard: datetime | None, extended: datetime | None = None) -> dict:
    lifecycles = []
    if standard is not None:
        lifecycles.append(
            {
                "LifecycleSupportName": "open-source-rds-standard-support",
                "LifecycleSupportStartDate": datetime(2020, 1, 1, tzinfo=UTC),
                "LifecycleSupportEndDate": standard,
            }
        )
    if extended is not None:
        lifecycles.append(
            {
                "LifecycleSupportName": "open-source-rds-extended-support",
                "LifecycleSupportStartDate": standard,
                "LifecycleSupportEndDate": extended,
            }
        )
    return {"Engine": engine, "MajorEngineVersion": major, "SupportedEngineLifecycles": lifecycles}


def test_fetch_pages_through_every_engine() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_response(
            "describe_db_major_engine_versions",
            {
                "DBMajorEngineVersions": [
                    _major("postgres", "13", datetime(2026, 2, 28, tzinfo=UTC), datetime(2029, 2, 28, tzinfo=UTC))
                ],
                "Marker": "m1",
            },
            {"Engine": "postgres"},
        )
        stub.add_response(
            "describe_db_major_engine_versions",
            {
                "DBMajorEngineVersions": [
                    _major("postgres", "14", datetime(2027, 2, 28, tzinfo=UTC), datetime(2030, 2, 28, tzinfo=UTC))
                ]
            },
            {"Engine": "postgres", "Marker": "m1"},
        )
        stub.add_response(
            "describe_db_major_engine_versions",
            {
                "DBMajorEngineVersions": [
                    _major("mariadb", "10.6", datetime(2026, 8, 31, tzinfo=UTC)),
                    _major("mariadb", "9.9", None),
                ]
            },
            {"Engine": "mariadb"},
        )
        found = fetch_lifecycle_overrides(client, ("postgres", "mariadb"))
        stub.assert_no_pending_responses()
    assert [(o.engine, o.major) for o in found] == [("mariadb", "10.6"), ("postgres", "13"), ("postgres", "14")]
    pg13 = found[1]
    assert pg13.end_of_standard_support == date(2026, 2, 28) and pg13.end_of_extended_support == date(2029, 2, 28)
    assert found[0].end_of_extended_support is None


def test_api_failure_becomes_a_warning() -> None:
    client = _client()
    with Stubber(client) as stub:
        stub.add_client_error(
            "describe_db_major_engine_versions", service_error_code="AccessDenied", http_status_code=403
        )
        overrides, warning = lifecycle_overrides_or_warning(client, ("mysql",))
    assert overrides == ()
    assert warning is not None and "AccessDenied" in warning.message and warning.scope == "rds/lifecycle"


def test_record_accepts_iso_strings_and_skips_empty_answers() -> None:
    rec = override_record(
        {
            "Engine": "mysql",
            "MajorEngineVersion": "8.0",
            "SupportedEngineLifecycles": [
                {
                    "LifecycleSupportName": "open-source-rds-standard-support",
                    "LifecycleSupportEndDate": "2026-07-31T00:00:00Z",
                }
            ],
        }
    )
    assert rec is not None and rec.end_of_standard_support == date(2026, 7, 31)
    assert override_record({"Engine": "mysql", "MajorEngineVersion": "9.9", "SupportedEngineLifecycles": []}) is None
