"""Prices a FinOps lead recognises (issue 13 item 3): licence-included SQL Server / Oracle, io1/io2 -> gp3, Aurora
Standard vs I/O-Optimized, and every saving labelled estimate / lower bound / upper bound. The figures are the
hand-checked worked examples of docs/costs.md (us-east-1 list prices, resources/prices.json)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from awsinv_mcp import pricing as P
from awsinv_mcp.analysis import savings as S
from awsinv_mcp.analysis.all_rules import RULES
from awsinv_mcp.analysis.catalogue import AnalysisContext, run_rules
from awsinv_mcp.analysis.savings_report import savings_report
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.synthetic.estate import generate
from awsinv_mcp.models.inventory import Utilisation
from tests.estates import CTX, DEV, cluster, db, estate, fire, member

US = "us-east-1"
QUIET = Utilisation(days=14, cpu_avg=3.0, cpu_max=10.0, connections_avg=2, connections_max=5, read_iops_avg=20,
                    write_iops_avg=10, free_storage_gb_min=60.0)  # fmt: skip


def test_license_included_adds_the_edition_licence_per_vcpu() -> None:
    # db.m5.xlarge compute = MySQL db.m5.large 0.171 x 4 vCPUs / 2 = 0.342; SQL Server SE licence 0.25 x 4 vCPUs
    assert P.instance_hourly("sqlserver-se", "db.m5.xlarge", US, False, "license-included") == pytest.approx(1.342)
    assert P.instance_hourly("sqlserver-se", "db.m5.xlarge", US, True, "license-included") == pytest.approx(2.684)
    assert P.instance_hourly("oracle-se2", "db.r5.large", US, False, "license-included") == pytest.approx(0.42)
    assert P.instance_hourly("oracle-ee", "db.r5.large", US, False, "bring-your-own-license") == 0.24
    assert P.instance_hourly("oracle-se2", "db.r5.large", "eu-west-1", False, "license-included") == pytest.approx(
        (0.24 + 2 * 0.09) * 1.112
    )
    assert not P.license_unpriced("sqlserver-se", "license-included")
    assert not P.license_unpriced("oracle-ee", "bring-your-own-license")
    assert P.license_unpriced("sqlserver-se", None) and not P.license_unpriced("postgres", None)


def test_rightsizing_a_license_included_sql_server_counts_the_licence() -> None:
    inst = db("crm-mssql", engine="sqlserver-se", engine_version="15.00.4430.1.v1", instance_class="db.m5.xlarge",
              region=US, multi_az=False, license_model="license-included", utilisation=QUIET, **DEV)  # fmt: skip
    (f,) = fire("cost.rightsizing", estate(inst, regions=(US,)))
    # (1.342 - (0.171 + 2 x 0.25)) x 730 = 489.83 (compute only it was (0.342 - 0.171) x 730 = 124.83)
    assert f.evidence["target_class"] == "db.m5.large" and f.monthly_savings_usd == pytest.approx(489.83)
    assert f.savings_bound == "estimate" and "license-included" in f.evidence["price_basis"]
    unknown = replace(inst, license_model=None)
    (g,) = fire("cost.rightsizing", estate(unknown, regions=(US,)))
    assert g.monthly_savings_usd == pytest.approx(124.83) and g.savings_bound == "lower_bound"
    assert "lower bound" in g.evidence["price_basis"]


def test_io1_to_gp3_worked_example() -> None:
    busy = Utilisation(days=14, cpu_avg=40, cpu_max=70, connections_avg=30, connections_max=60, read_iops_avg=2000,
                       write_iops_avg=1000, free_storage_gb_min=4000)  # fmt: skip
    inst = db("payments-pg", region=US, storage_type="io1", allocated_gb=16_000, iops=8000, multi_az=True,
              utilisation=busy)  # fmt: skip
    snap = estate(inst, regions=(US,))
    assert fire("cost.overprovisioned_iops", snap) == []  # 3,000 of 8,000 IOPS used: sized for its peaks
    (f,) = fire("cost.io_to_gp3", snap)
    # io1 Multi-AZ: 16,000 GB x 0.25 + 8,000 IOPS x 0.20 = 5,600; gp3: 16,000 GB x 0.23 (12,000 IOPS, 500 MiB/s
    # included from 400 GB) = 3,680; 8,000 IOPS x 16 KiB = 125 MiB/s needed
    assert f.monthly_savings_usd == pytest.approx(1920.0) and f.savings_bound == "estimate"
    assert f.evidence["io_monthly_usd"] == 5600.0 and f.evidence["gp3_monthly_usd"] == 3680.0


def test_gp3_only_where_it_can_provision_the_iops() -> None:
    small = db("small-pg", region=US, storage_type="io1", allocated_gb=100, iops=5000, multi_az=False,
               utilisation=replace(QUIET, read_iops_avg=3000, write_iops_avg=1000))  # fmt: skip
    assert fire("cost.io_to_gp3", estate(small, regions=(US,))) == []  # below 400 GB gp3 gives only 3,000 IOPS
    mssql = replace(small, identifier="small-mssql", engine="sqlserver-se", engine_version="15.00.4430.1.v1",
                    license_model="license-included")  # fmt: skip
    (f,) = fire("cost.io_to_gp3", estate(mssql, regions=(US,)))
    # SQL Server provisions gp3 IOPS at any size: io1 100 x 0.125 + 5,000 x 0.10 = 512.50; gp3 100 x 0.115 +
    # 2,000 IOPS above 3,000 x 0.02 + (79 MiB/s needed: none above 125) = 51.50
    assert f.monthly_savings_usd == pytest.approx(461.0)
    stopped = replace(mssql, status="stopped")
    assert fire("cost.io_to_gp3", estate(stopped, regions=(US,))) == []  # its whole storage is the other finding


def _aurora(storage_type: str, io_each: float) -> list:
    used = Utilisation(days=14, cpu_avg=35, cpu_max=70, connections_avg=20, connections_max=50,
                       read_iops_avg=io_each * 2 / 3, write_iops_avg=io_each / 3)  # fmt: skip
    return [
        cluster("auth", region=US, storage_type=storage_type, allocated_gb=500),
        member("auth-1", region=US, instance_class="db.r6g.large", utilisation=used),
        member("auth-2", region=US, instance_class="db.r6g.large", utilisation=used),
    ]


def test_aurora_io_optimized_worked_example() -> None:
    (f,) = fire("cost.aurora_io_optimized", estate(*_aurora("aurora", 300), regions=(US,)))
    # Standard: 2 x 0.26 x 730 = 379.60 + 500 GB x 0.10 = 50 + 600 IOPS x 2,628,000 s = 1,576.8 M I/O x 0.20 = 315.36
    # -> 744.96; I/O-Optimized: 2 x 0.338 x 730 = 493.48 + 500 GB x 0.225 = 112.50 -> 605.98; saving 138.98
    assert f.monthly_savings_usd == pytest.approx(138.98) and f.savings_bound == "estimate"
    assert f.evidence["standard_monthly_usd"] == 744.96 and f.evidence["io_optimized_monthly_usd"] == 605.98
    assert f.evidence["io_share_of_standard_cost"] == pytest.approx(0.423, abs=0.001)
    assert fire("cost.aurora_io_optimized", estate(*_aurora("aurora-iopt1", 300), regions=(US,))) == []
    # an I/O-Optimized cluster with little I/O goes back to Standard: 379.60 + 50 + 10.51 = 440.11 vs 605.98
    (g,) = fire("cost.aurora_io_optimized", estate(*_aurora("aurora-iopt1", 10), regions=(US,)))
    assert g.evidence["action"].endswith("Aurora Standard") and g.monthly_savings_usd == pytest.approx(165.87)


def test_every_cost_finding_is_labelled_and_totals_split_by_bound() -> None:
    snap = generate(42, 150, datetime(2026, 12, 4, tzinfo=UTC))
    ctx = AnalysisContext(as_of=date(2026, 12, 4))
    found = [f for f in run_rules(snap, ctx) if f.category == "cost"]
    priced = [f for f in found if f.monthly_savings_usd is not None]  # a reservation's end date saves nothing
    assert {f.savings_bound for f in priced} == set(S.BOUNDS)
    assert {f.savings_bound for f in found if f.rule == "cost.old_manual_snapshot"} == {"upper_bound"}
    report = savings_report(Estate(snap), found, Q.Filters())
    assert sum(report.by_bound.values()) == pytest.approx(report.total_monthly_savings_usd, abs=0.05)
    assert set(report.by_bound) == set(S.BOUNDS)


def test_cost_rules_are_in_the_catalogue() -> None:
    assert {"cost.io_to_gp3", "cost.aurora_io_optimized"} <= set(RULES)
    assert CTX.as_of  # the crafted estates' date
