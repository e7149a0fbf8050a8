"""Each cost rule fires on crafted resources with a saving checked by hand, and stays silent otherwise."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from awsinv_mcp.analysis import cost_rules  # noqa: F401  (registers the rules)
from awsinv_mcp.analysis.catalogue import RULES, AnalysisContext
from awsinv_mcp.instance_classes import size_down
from awsinv_mcp.models.inventory import (
    ClusterMember,
    DBCluster,
    DBInstance,
    DBSnapshot,
    EC2Instance,
    ReservedDBInstance,
    Snapshot,
    Utilisation,
    Volume,
)
from tests import estates

AS_OF = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, tzinfo=UTC)
CTX = AnalysisContext(as_of=AS_OF)
ACCT, REGION = "111111111111", "us-east-1"
BUSY = Utilisation(
    days=14, cpu_avg=50.0, cpu_max=90.0, connections_avg=20, connections_max=40, read_iops_avg=900, write_iops_avg=600
)
QUIET = Utilisation(days=14, cpu_avg=5.0, cpu_max=20.0, connections_avg=3, connections_max=9)
IDLE = Utilisation(days=14, cpu_avg=1.0, cpu_max=4.0, connections_avg=0, connections_max=0)


def db(identifier: str, klass: str = "db.r6g.xlarge", engine: str = "postgres", **kw: object) -> DBInstance:
    base: dict[str, object] = {
        "account": ACCT,
        "region": REGION,
        "engine_version": "16.8",
        "utilisation": BUSY,
        "created_at": NOW - timedelta(days=400),
        "team": "payments",
    }
    base.update(kw)
    return DBInstance(identifier=identifier, instance_class=klass, engine=engine, **base)  # type: ignore[arg-type]


def estate(*records: object) -> Snapshot:
    return estates.estate(*records, accounts=(), regions=(REGION,), with_network=False, collected_at=NOW)


def run(rule_id: str, snap: Snapshot) -> dict[str, float]:
    return {f.resource_id: f.monthly_savings_usd for f in RULES[rule_id].check(snap, CTX)}  # type: ignore[misc]


def test_idle_instances_and_all_idle_clusters() -> None:
    snap = estate(
        db("idle", "db.t3.medium", "mysql", utilisation=IDLE),  # 0.068 x 730
        db("busy", "db.t3.medium", "mysql"),
        db("stopped", "db.t3.medium", "mysql", utilisation=IDLE, status="stopped"),
        db("short-window", "db.t3.medium", "mysql", utilisation=Utilisation(days=7, connections_max=0)),
        DBCluster(
            account=ACCT,
            region=REGION,
            identifier="quiet",
            engine="aurora-mysql",
            members=(ClusterMember("quiet-1", True), ClusterMember("quiet-2", False)),
        ),
        db("quiet-1", "db.r6g.large", "aurora-mysql", cluster="quiet", utilisation=IDLE),
        db("quiet-2", "db.r6g.large", "aurora-mysql", cluster="quiet", utilisation=IDLE),
        DBCluster(account=ACCT, region=REGION, identifier="half", engine="aurora-mysql"),
        db("half-1", "db.r6g.large", "aurora-mysql", cluster="half", utilisation=IDLE),
        db("half-2", "db.r6g.large", "aurora-mysql", cluster="half"),
    )
    found = run("cost.idle_instance", snap)
    assert found == {"idle": pytest.approx(49.64), "quiet": pytest.approx(2 * 0.26 * 730)}


def test_rightsizing_size_down() -> None:
    snap = estate(
        db("big", "db.m5.2xlarge", utilisation=QUIET),  # (0.712 - 0.356) x 730
        db("old-big", "db.m4.2xlarge", utilisation=QUIET),  # to the Graviton successor one size down: db.m7g.xlarge
        db("busy", "db.m5.2xlarge"),
        db("smallest", "db.m5.large", utilisation=QUIET),  # no smaller non-burstable size
        db("spiky", "db.m5.2xlarge", utilisation=Utilisation(days=14, cpu_avg=5, cpu_max=85, connections_max=5)),
    )
    found = run("cost.rightsizing", snap)
    assert found == {"big": pytest.approx(259.88), "old-big": pytest.approx((0.712 - 0.336) * 730)}
    assert size_down("db.t3.small") == "db.t3.micro" and size_down("db.r5.large") is None
    ev = RULES["cost.rightsizing"].check(snap, CTX)[0].evidence
    assert ev["target_class"] in ("db.m5.xlarge", "db.m7g.xlarge") and "USD/h x 730 h" in ev["how"]


def test_previous_generation_to_graviton_or_intel() -> None:
    snap = estate(
        db("r4", "db.r4.large", "mysql"),  # (0.24 - 0.228) x 730 to db.r7g.large
        db("current", "db.r5.large", "mysql"),
        db("mssql-r4", "db.r4.large", "sqlserver-se"),  # Intel successor db.r6i.large: same compute price, silent
        db("idle-r4", "db.r4.large", "mysql", utilisation=IDLE),  # idle wins: one compute change per instance
    )
    assert run("cost.previous_generation", snap) == {"r4": pytest.approx(8.76)}
    f = RULES["cost.previous_generation"].check(snap, CTX)[0]
    assert f.evidence["target_class"] == "db.r7g.large"


def test_reserved_instances_net_of_reservations() -> None:
    r6g = db("steady", "db.r6g.xlarge")  # (0.45 - 0.315) x 730 = 98.55
    young = db("young", "db.r6g.xlarge", created_at=NOW - timedelta(days=10))
    assert run("cost.reserved_instances", estate(r6g, young)) == {"steady": pytest.approx(98.55)}
    full = ReservedDBInstance(
        id="ri-1",
        account=ACCT,
        region=REGION,
        instance_class="db.r6g.large",
        engine="postgres",
        multi_az=False,
        count=2,
        start=NOW - timedelta(days=100),
        duration_years=1,
        offering_type="No Upfront",
    )
    assert run("cost.reserved_instances", estate(r6g, full)) == {}  # 2 x large = 1 x xlarge (size flexibility)
    half = dataclasses.replace(full, id="ri-2", count=1)
    assert run("cost.reserved_instances", estate(r6g, half)) == {"steady": pytest.approx(49.28, abs=0.01)}
    expired = ReservedDBInstance(
        id="ri-3",
        account=ACCT,
        region=REGION,
        instance_class="db.r6g.xlarge",
        engine="postgres",
        multi_az=False,
        count=1,
        start=NOW - timedelta(days=800),
        duration_years=1,
        offering_type="No Upfront",
    )
    assert run("cost.reserved_instances", estate(r6g, expired)) == {"steady": pytest.approx(98.55)}
    # idle: no reservation; right-sized: priced on the target class (db.r6g.large: (0.225 - 0.1575) x 730)
    quiet = db("quiet", "db.r6g.xlarge", utilisation=QUIET)
    found = run("cost.reserved_instances", estate(db("idle", utilisation=IDLE), quiet))
    assert found == {"quiet": pytest.approx(49.28, abs=0.01)}
    ev = RULES["cost.reserved_instances"].check(estate(r6g), CTX)[0].evidence
    assert ev["monthly_savings_3y_usd"] == pytest.approx((0.45 - 0.18) * 730) and ev["uncovered_share"] == 1.0


def test_gp2_to_gp3_only_where_gp3_is_cheaper() -> None:
    owner = EC2Instance(account=ACCT, region=REGION, identifier="i-1", environment="production", team="web")
    snap = estate(
        owner,
        Volume("vol-gp2", ACCT, REGION, "gp2", 100, True, instance_id="i-1"),  # 100 x (0.10 - 0.08)
        Volume("vol-gp3", ACCT, REGION, "gp3", 100, True, instance_id="i-1"),
        db("rds-gp2", storage_type="gp2", allocated_gb=500),  # RDS gp2 = gp3 per GB here: silent
    )
    assert run("cost.ebs_gp2_to_gp3", snap) == {"vol-gp2": pytest.approx(2.0)}
    f = RULES["cost.ebs_gp2_to_gp3"].check(snap, CTX)[0]
    assert (f.resource_type, f.environment, f.team) == ("ebs_volume", "production", "web")
    assert run("cost.rds_gp2_to_gp3", snap) == {}


def test_overprovisioned_iops() -> None:
    snap = estate(
        db("io1", storage_type="io1", allocated_gb=500, iops=10000),  # 1,500 used -> 3,000: 7,000 x 0.10
        db("io2-busy", storage_type="io2", allocated_gb=500, iops=2500),  # 1,500 of 2,500 used
        db("io1-peaks", storage_type="io1", allocated_gb=500, iops=4000),  # 37.5% on average: sized for its peaks
        db("gp3", storage_type="gp3", allocated_gb=500, iops=12000),
    )
    assert run("cost.overprovisioned_iops", snap) == {"io1": pytest.approx(700.0)}


def test_old_manual_snapshots() -> None:
    def snap(identifier: str, days: int, kind: str = "instance", stype: str = "manual") -> DBSnapshot:
        return DBSnapshot(
            account=ACCT,
            region=REGION,
            identifier=identifier,
            kind=kind,
            snapshot_type=stype,  # type: ignore[arg-type]
            engine="aurora-postgresql" if kind == "cluster" else "postgres",
            allocated_gb=100,
            created_at=NOW - timedelta(days=days),
        )

    found = run(
        "cost.old_manual_snapshot",
        estate(
            snap("old", 200),
            snap("old-cluster", 200, "cluster"),
            snap("recent", 30),
            snap("auto", 200, stype="automated"),
        ),
    )
    assert found == {"old": pytest.approx(9.5), "old-cluster": pytest.approx(2.1)}
    kinds = {
        f.resource_id: f.resource_type
        for f in RULES["cost.old_manual_snapshot"].check(
            estate(snap("old", 200), snap("old-cluster", 200, "cluster")), CTX
        )
    }
    assert kinds == {"old": "db_snapshot", "old-cluster": "db_cluster_snapshot"}


def test_extended_support_avoidable_by_upgrading() -> None:
    snap = estate(
        db("pg12", engine_version="12.22"),
        db("pg17", engine_version="17.6"),
        db("maria", "db.r6g.xlarge", "mariadb", engine_version="10.4.34"),
    )
    assert run("cost.extended_support", snap) == {"pg12": pytest.approx(292.0)}  # year 2: 0.10 x 4 x 730
    f = RULES["cost.extended_support"].check(snap, CTX)[0]
    assert f.evidence["action"] == "upgrade 12 -> 17" and f.severity == "medium"


def test_stopped_instances_still_paying_storage() -> None:
    snap = estate(
        db("stopped", status="stopped", storage_type="gp3", allocated_gb=100),  # 100 x (0.115 - 0.095)
        db("stopped-io1", status="stopped", storage_type="io1", allocated_gb=100, iops=1000),  # + 1,000 x 0.10
        db("running", storage_type="gp3", allocated_gb=100),
        DBCluster(
            account=ACCT,
            region=REGION,
            identifier="aurora-stopped",
            engine="aurora-postgresql",
            status="stopped",
            allocated_gb=1000,
        ),
    )
    found = run("cost.stopped_instance_storage", snap)
    assert found == {
        "stopped": pytest.approx(2.0),
        "stopped-io1": pytest.approx(103.0),
        "aurora-stopped": pytest.approx(79.0),
    }


def test_every_cost_finding_has_a_saving_and_says_how() -> None:
    from awsinv_mcp.config import Settings
    from awsinv_mcp.inventory.synthetic import generate

    snap = generate(seed=7, scale=300, now=NOW, settings=Settings(source="synthetic"))
    total = 0
    for rid, r in RULES.items():
        if r.category != "cost":
            continue
        for f in r.check(snap, CTX):
            if rid == "cost.reserved_instance_expiring":  # a calendar entry: it avoids an increase, saves nothing
                assert f.monthly_savings_usd is None and "on_demand_increase_monthly_usd" in f.evidence
                assert f.evidence.get("action"), f.evidence
                continue
            assert f.monthly_savings_usd is not None and f.monthly_savings_usd > 0, (rid, f.resource_id)
            assert f.evidence.get("how") and f.evidence.get("action"), (rid, f.evidence)
            total += 1
    assert total > 50
