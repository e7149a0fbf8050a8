"""The engine lifecycle calendar: file shape, major parsing, status boundaries, overrides, synthetic coverage."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from awsinv_mcp.analysis.versions import Calendar, MajorLifecycle
from awsinv_mcp.data import load_json
from awsinv_mcp.dates import add_months
from awsinv_mcp.engine_versions import engine_family, major_of
from awsinv_mcp.inventory.synthetic.catalogue import ENGINE_VERSIONS
from awsinv_mcp.models.inventory import LifecycleOverride

CAL = Calendar.default()
ONE = timedelta(days=1)


def test_every_major_has_source_read_date_and_consistent_dates() -> None:
    data = load_json("engine_lifecycle.json")
    assert data["read_on"] == "2026-11-25"
    for engine, spec in data["engines"].items():
        assert spec["source"].startswith("https://docs.aws.amazon.com/"), engine
        for major, m in spec["majors"].items():
            lc = CAL.lookup(engine, major)
            assert lc is not None and lc.source == spec["source"] and lc.read_on == "2026-11-25"
            assert lc.end_of_standard_support is not None, (engine, major)
            if lc.end_of_extended_support is not None:
                assert spec["extended_support"], f"{engine} has no Extended Support but {major} has an end date"
                assert lc.end_of_extended_support > lc.end_of_standard_support
            if not m.get("confirmed"):
                assert m.get("basis"), f"{engine} {major}: unconfirmed dates must say where they come from"
            target = lc.upgrade_target
            if target is not None:
                assert CAL.lookup(engine, target) is not None, (engine, major, target)


@pytest.mark.parametrize("engine", ["mariadb", "sqlserver", "oracle"])
def test_engines_without_extended_support_have_no_extended_dates(engine: str) -> None:
    majors = [lc for (e, _), lc in CAL.majors.items() if e == engine]
    assert majors and all(lc.end_of_extended_support is None for lc in majors)


@pytest.mark.parametrize(
    ("engine", "version", "major"),
    [
        ("postgres", "13.12", "13"),
        ("postgres", "9.6.24", "9.6"),
        ("aurora-postgresql", "15.4", "15"),
        ("mysql", "8.0.36", "8.0"),
        ("mariadb", "10.11.9", "10.11"),
        ("aurora-mysql", "8.0.mysql_aurora.3.05.2", "8.0"),
        ("aurora-mysql", "5.7.mysql_aurora.2.11.5", "5.7"),
        ("sqlserver-se", "15.00.4415.2.v1", "15.00"),
        ("oracle-ee", "19.0.0.0.ru-2024-10.rur-2024-10.r1", "19"),
    ],
)
def test_major_of(engine: str, version: str, major: str) -> None:
    assert major_of(engine, version) == major


def test_calendar_covers_every_major_the_synthetic_estate_emits() -> None:
    missing = {
        (engine, major_of(engine, version))
        for engine, versions in ENGINE_VERSIONS.items()
        for version, _ in versions
        if CAL.lookup(engine, major_of(engine, version)) is None
    }
    assert not missing


def test_add_months_clamps_the_day() -> None:
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 25), 0) == date(2026, 11, 25)
    assert add_months(date(2026, 11, 25), 14) == date(2028, 1, 25)


def _all_majors() -> list[MajorLifecycle]:
    return sorted(CAL.majors.values(), key=lambda lc: (lc.engine, lc.major))


@pytest.mark.parametrize("lc", _all_majors(), ids=lambda lc: f"{lc.engine}-{lc.major}")
def test_status_boundaries_of_every_date(lc: MajorLifecycle) -> None:
    eoss = lc.end_of_standard_support
    assert eoss is not None
    # months_ahead=0: only the last day itself is "ending soon"
    assert lc.status(eoss - ONE, 0) == "standard"
    assert lc.status(eoss, 0) == "ending_soon"
    after = "extended_support" if lc.has_extended_support else "end_of_support"
    assert lc.status(eoss + ONE, 0) == after
    assert lc.status(eoss + ONE, 0, opted_out=True) == "end_of_support"
    if lc.end_of_extended_support is not None:
        eoes = lc.end_of_extended_support
        assert lc.status(eoes - ONE, 0) == "extended_support"
        assert lc.status(eoes, 0) == "extended_support"
        assert lc.status(eoes + ONE, 0) == "end_of_support"


def test_ending_soon_horizon_in_calendar_months() -> None:
    lc = CAL.lookup("postgres", "14")  # standard support ends 2027-02-28
    assert lc is not None
    assert lc.status(date(2026, 8, 27), 6) == "standard"  # + 6 months = 2027-02-27
    assert lc.status(date(2026, 8, 28), 6) == "ending_soon"  # + 6 months = 2027-02-28
    assert lc.status(date(2026, 8, 31), 6) == "ending_soon"
    assert lc.status(date(2026, 11, 25), 3) == "standard"
    assert lc.status(date(2026, 11, 25), 6) == "ending_soon"


def test_extended_support_years_count_from_the_start_of_charges() -> None:
    pg13 = CAL.lookup("postgres", "13")  # standard support ends 2026-02-28
    assert pg13 is not None
    assert pg13.extended_support_year(date(2026, 3, 1)) == 1
    assert pg13.extended_support_year(date(2027, 2, 28)) == 1
    assert pg13.extended_support_year(date(2027, 3, 1)) == 2
    assert pg13.extended_support_year(date(2028, 3, 1)) == 3
    pg11 = CAL.lookup("postgres", "11")  # charges started 2024-04-01, a month after standard support ended
    assert pg11 is not None
    assert pg11.extended_support_year(date(2026, 3, 31)) == 2
    assert pg11.extended_support_year(date(2026, 4, 1)) == 3
    amy57 = CAL.lookup("aurora-mysql", "5.7")  # billed at the year 1-2 rate throughout
    assert amy57 is not None
    assert amy57.extended_support_year(date(2027, 12, 1)) == 2


def test_rds_lifecycle_answers_override_the_file() -> None:
    cal = CAL.with_overrides(
        [
            LifecycleOverride("postgres", "14", date(2027, 3, 31), date(2030, 3, 31)),
            LifecycleOverride("mariadb", "12.0", date(2030, 1, 31), None),
        ]
    )
    pg14 = cal.lookup("postgres", "14")
    assert pg14 is not None and pg14.overridden
    assert pg14.end_of_standard_support == date(2027, 3, 31) and pg14.end_of_extended_support == date(2030, 3, 31)
    assert pg14.upgrade_target == "17"  # kept from the file
    new = cal.lookup("mariadb", "12.0")
    assert new is not None and new.end_of_standard_support == date(2030, 1, 31)
    untouched = cal.lookup("postgres", "13")
    assert untouched is not None and not untouched.overridden
    assert CAL.lookup("postgres", "14").end_of_standard_support == date(2027, 2, 28)  # type: ignore[union-attr]


def test_engine_family_families() -> None:
    assert engine_family("sqlserver-web") == "sqlserver"
    assert engine_family("oracle-se2-cdb") == "oracle"
    assert engine_family("aurora-postgresql") == "aurora-postgresql"


def test_calendar_json_form_is_compact_and_complete() -> None:
    body = CAL.to_dict()
    rds = {"postgres", "mysql", "mariadb", "aurora-mysql", "aurora-postgresql", "sqlserver", "oracle"}
    assert set(body) == rds | {"redis"}  # ElastiCache for Redis OSS too
    assert body["mysql"]["majors"]["8.0"]["end_of_standard_support"] == "2026-07-31"
    assert body["mysql"]["majors"]["5.7"]["upgrade_path"] == ["8.0", "8.4"]
    assert body["sqlserver"]["majors"]["13.00"]["name"] == "SQL Server 2016"
