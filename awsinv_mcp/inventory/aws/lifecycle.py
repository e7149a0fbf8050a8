"""RDS's own engine lifecycle: `describe_db_major_engine_versions` -> `LifecycleOverride` records.

RDS answers this for the open-source engines (MySQL, PostgreSQL, MariaDB, Aurora MySQL, Aurora PostgreSQL)
and not for SQL Server or Oracle. Its dates override `resources/engine_lifecycle.json` for the majors it
covers (see `analysis.versions.Calendar.with_overrides`). The dates are the same in every region, so one
call per collection (any region the account can reach) is enough.

Usage by the AWS collector (once per collection, not per region):

    from awsinv_mcp.inventory.aws.lifecycle import lifecycle_overrides_or_warning
    overrides, warning = lifecycle_overrides_or_warning(session.client("rds", region_name=region))
    snapshot = Snapshot(..., lifecycle_overrides=overrides, warnings=(*warnings, *([warning] if warning else [])))

Missing permission (rds:DescribeDBMajorEngineVersions) or an old region yields a warning and no overrides;
the bundled calendar then applies.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from awsinv_mcp.models.inventory import LifecycleOverride, Warning

ENGINES = ("mysql", "postgres", "mariadb", "aurora-mysql", "aurora-postgresql")
STANDARD = "open-source-rds-standard-support"
EXTENDED = "open-source-rds-extended-support"


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    return None


def override_record(raw: dict[str, Any]) -> LifecycleOverride | None:
    """One DBMajorEngineVersions entry -> an override (None when RDS gave no support dates)."""
    ends = {lc.get("LifecycleSupportName"): _day(lc.get("LifecycleSupportEndDate"))
            for lc in raw.get("SupportedEngineLifecycles") or ()}  # fmt: skip
    standard, extended = ends.get(STANDARD), ends.get(EXTENDED)
    if standard is None and extended is None:
        return None
    return LifecycleOverride(
        engine=raw["Engine"], major=str(raw["MajorEngineVersion"]),
        end_of_standard_support=standard, end_of_extended_support=extended,
    )  # fmt: skip


def fetch_lifecycle_overrides(rds_client: Any, engines: tuple[str, ...] = ENGINES) -> tuple[LifecycleOverride, ...]:
    """Every engine major RDS reports support dates for (paginated, one engine at a time), sorted."""
    paginator = rds_client.get_paginator("describe_db_major_engine_versions")
    found: dict[tuple[str, str], LifecycleOverride] = {}
    for engine in engines:
        for page in paginator.paginate(Engine=engine):
            for raw in page.get("DBMajorEngineVersions", ()):
                record = override_record(raw)
                if record is not None:
                    found[(record.engine, record.major)] = record
    return tuple(found[k] for k in sorted(found))


def lifecycle_overrides_or_warning(
    rds_client: Any, engines: tuple[str, ...] = ENGINES
) -> tuple[tuple[LifecycleOverride, ...], Warning | None]:
    """`fetch_lifecycle_overrides`, turning any API failure into a warning (the bundled calendar applies)."""
    try:
        return fetch_lifecycle_overrides(rds_client, engines), None
    except Exception as exc:  # botocore ClientError, EndpointConnectionError, unknown operation on old regions
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        return (), Warning(
            scope="rds/lifecycle",
            message=f"RDS engine lifecycle dates unavailable ({code}); using the bundled calendar "
            "(grant rds:DescribeDBMajorEngineVersions to use RDS's own dates)",
        )
