"""Reserved DB instances (issue 13 item 4): utilisation and coverage of their pools, size flexibility where RDS
applies it, the expiry calendar rule (pure), and list_reserved_instances on the demo estate (MCP client)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from mcp import Client

from awsinv_mcp.analysis.reservations import reservation_use
from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.aws.rds import reserved_engine, reserved_license
from awsinv_mcp.models.inventory import ReservedDBInstance
from awsinv_mcp.models.table import rows_of
from awsinv_mcp.server.app import build_server
from tests.estates import ACCOUNT, AS_OF, NOW, REGION, db, estate, fire

EXPIRING = "cost.reserved_instance_expiring"


def ri(
    ident: str,
    klass: str,
    engine: str = "mysql",
    *,
    count: int = 1,
    days_ago: int = 100,
    years: int = 1,
    multi_az: bool = False,
    state: str = "active",
    license_model: str | None = None,
) -> ReservedDBInstance:
    return ReservedDBInstance(id=ident, account=ACCOUNT, region=REGION, instance_class=klass, engine=engine,
                              multi_az=multi_az, count=count, start=NOW - timedelta(days=days_ago),
                              duration_years=years, offering_type="No Upfront", state=state,
                              license_model=license_model)  # fmt: skip


def uses(*records):
    return {u.ri.id: u for u in reservation_use(estate(*records), AS_OF)}


def test_size_flexible_engines_pool_a_family_in_normalised_units() -> None:
    # one db.r6g.xlarge reservation (8 units) vs two running db.r6g.large MySQL (4 + 4) and a Multi-AZ one (4 x 2)
    got = uses(
        ri("r1", "db.r6g.xlarge"),
        db("a", engine="mysql", instance_class="db.r6g.large", multi_az=False),
        db("b", engine="mysql", instance_class="db.r6g.large", multi_az=False),
        db("c", engine="mysql", instance_class="db.r6g.large", multi_az=True),
        db("other-engine", engine="postgres", instance_class="db.r6g.large"),
    )["r1"]
    assert got.size_flexible and got.pool == "mysql db.r6g family (size-flexible)"
    assert (got.units, got.fleet_instances, got.fleet_units) == (8.0, 3, 16.0)
    assert (got.utilisation_pct, got.coverage_pct) == (100.0, 50.0)


@pytest.mark.parametrize(
    ("engine", "license_model", "flexible"),
    [("sqlserver-se", "license-included", False), ("oracle-se2", "license-included", False),
     ("oracle-ee", "bring-your-own-license", True), ("aurora-postgresql", None, True), ("mariadb", None, True)],
)  # fmt: skip
def test_size_flexibility_follows_aws(engine: str, license_model: str | None, flexible: bool) -> None:
    got = uses(
        ri("r1", "db.m5.2xlarge", engine, license_model=license_model),
        db("small", engine=engine, instance_class="db.m5.xlarge", license_model=license_model, multi_az=False),
    )["r1"]
    assert got.size_flexible is flexible
    # a smaller size of the family: covered (half the reservation used) only where RDS applies size flexibility
    assert (got.utilisation_pct, got.coverage_pct) == ((50.0, 100.0) if flexible else (0.0, None))


def test_ended_and_retired_reservations_are_not_active() -> None:
    got = uses(
        ri("ended", "db.r6g.large", days_ago=400),
        ri("retired", "db.r6g.large", state="retired", days_ago=20),
        ri("live", "db.r6g.large", count=2),
        db("a", engine="mysql", instance_class="db.r6g.large", multi_az=False),
    )
    assert not got["ended"].active and got["ended"].days_left == -35 and got["ended"].utilisation_pct is None
    assert not got["retired"].active
    assert (got["live"].reserved_units, got["live"].utilisation_pct, got["live"].coverage_pct) == (8.0, 50.0, 100.0)


def test_expiry_calendar_finding_ahead_of_the_end_date() -> None:
    snap = estate(
        ri("in-20-days", "db.r6g.large", days_ago=365 - 20),
        ri("in-45-days", "db.r6g.large", days_ago=365 - 45),
        ri("in-90-days", "db.r6g.large", days_ago=365 - 90),
        ri("ended", "db.r6g.large", days_ago=400),
        ri("three-years", "db.r6g.large", years=3, days_ago=3 * 365 - 10),
        db("a", engine="mysql", instance_class="db.r6g.large", multi_az=False),
    )
    found = {f.resource_id: f for f in fire(EXPIRING, snap)}
    assert set(found) == {"in-20-days", "in-45-days", "three-years"}
    assert found["in-20-days"].severity == "high" and found["in-45-days"].severity == "medium"
    ev = found["in-20-days"].evidence
    assert ev["days_left"] == 20 and ev["ends"] == (NOW - timedelta(days=345) + timedelta(days=365)).date().isoformat()
    assert found["in-20-days"].monthly_savings_usd is None  # a calendar entry, not a saving
    assert found["in-20-days"].resource_type == "reserved_db_instance"
    # one running large and four active large reservations: a quarter used, so do not simply renew them all
    assert ev["utilisation_pct"] == 25.0 and ev["action"] == "renew only the used part, or let it lapse"
    assert ev["on_demand_increase_monthly_usd"] > 0 and "estimate" in ev["how"]


@pytest.mark.parametrize(
    ("product", "engine", "licence"),
    [("postgresql", "postgres", None), ("oracle-se2(li)", "oracle-se2", "license-included"),
     ("oracle-ee(byol)", "oracle-ee", "bring-your-own-license"), ("sqlserver-se(li)", "sqlserver-se",
      "license-included"), ("aurora-postgresql", "aurora-postgresql", None)],
)  # fmt: skip
def test_product_descriptions(product: str, engine: str, licence: str | None) -> None:
    assert (reserved_engine(product), reserved_license(product)) == (engine, licence)


@pytest.mark.anyio
async def test_list_reserved_instances_on_the_demo_estate() -> None:
    async with Client(build_server(Settings(source="synthetic", seed=42, scale=150))) as c:
        every = (await c.call_tool("list_reserved_instances", {"limit": 500})).structured_content
        soon = (await c.call_tool("list_reserved_instances", {"ending_within_days": 60})).structured_content
        calendar = await c.call_tool("get_findings", {"rule": "cost.reserved_instance_expiring", "limit": 100})
        bad = await c.call_tool("list_reserved_instances", {"sort": "price"})
        savings = (await c.call_tool("find_cost_savings", {})).structured_content
    rows = rows_of(every)
    assert every["source"] == "synthetic" and every["total"] == len(rows) > 10
    assert [r["end"] for r in rows] == sorted(r["end"] for r in rows)  # soonest end first
    assert every["active"] == sum(r["state"] == "active" and r["days_left"] >= 0 for r in rows)
    assert all(r["size_flexible"] == (not r["engine"].startswith("sqlserver")
                                      and r["license_model"] != "license-included") for r in rows)  # fmt: skip
    assert not any(r["term_years"] == 3 and r["offering_type"] == "No Upfront" for r in rows)  # not sold by RDS
    # the calendar tool and the rule agree
    ids = sorted(r["id"] for r in rows_of(soon))
    assert ids == sorted(f["resource_id"] for f in calendar.structured_content["items"]) and ids
    assert soon["ending_within_60_days"] == len(ids) and soon["ending_within_30_days"] <= len(ids)
    assert bad.is_error and "sort by one of id, end" in bad.content[0].text
    assert "cost.reserved_instance_expiring" not in savings["by_rule"]  # no saving: not in the savings total
