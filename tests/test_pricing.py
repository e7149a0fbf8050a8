"""Price lookups, checked by hand against resources/prices.json."""

from __future__ import annotations

import pytest

from awsinv_mcp import pricing as P
from awsinv_mcp.data import load_json


def test_every_table_names_its_source_and_basis() -> None:
    data = load_json("prices.json")
    assert data["read_on"] == "2026-11-25" and data["hours_per_month"] == 730
    for key in (
        "region_multipliers",
        "reserved",
        "rds_storage",
        "extended_support",
        "ec2_hourly",
        "ebs_gb_month",
        "s3_gb_month",
    ):
        assert data[key]["source"].startswith("https://aws.amazon.com/"), key
        assert data[key]["basis"], key
    for name, table in data["rds_instance_hourly"]["tables"].items():
        assert table["source"].startswith("https://aws.amazon.com/") and table["basis"], name
    assert set(P.known_regions()) == {"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"}
    assert set(data["extended_support"]["vcpu_hour"]) == set(P.known_regions())


def test_instance_hourly_by_hand() -> None:
    # db.m5.large PostgreSQL us-east-1 is 0.178; 2xlarge has 8 vCPU = 4 x large
    assert P.instance_hourly("postgres", "db.m5.2xlarge", "us-east-1") == pytest.approx(0.712)
    # eu-west-1 multiplier 1.112, Multi-AZ doubles: 0.712 x 1.112 x 2
    assert P.instance_hourly("postgres", "db.m5.2xlarge", "eu-west-1", multi_az=True) == pytest.approx(1.583488)
    # burstable sizes are read, not derived
    assert P.instance_hourly("mysql", "db.t3.micro", "us-east-1") == 0.017
    # MariaDB is priced as MySQL; previous-generation m4 as m5
    assert P.instance_hourly("mariadb", "db.m4.xlarge", "us-east-1") == pytest.approx(0.342)
    # Aurora: one member, Multi-AZ flag ignored; I/O-Optimized x 1.3
    assert P.instance_hourly("aurora-postgresql", "db.r6g.xlarge", "us-east-1", multi_az=True) == pytest.approx(0.52)
    assert P.instance_hourly("aurora-mysql", "db.r6g.large", "us-east-1", io_optimized=True) == pytest.approx(0.338)
    # SQL Server / Oracle: compute only (the MySQL price of the class)
    assert P.is_compute_only("sqlserver-se") and not P.is_compute_only("postgres")
    assert P.instance_hourly("oracle-ee", "db.r5.large", "us-east-1", license_model="bring-your-own-license") == 0.24


def test_reserved_and_monthly_by_hand() -> None:
    # db.r6g.xlarge MySQL: 0.215 x 2 = 0.43; 1y No Upfront factor 0.70, 3y Partial Upfront factor 0.40
    assert P.reserved_hourly("mysql", "db.r6g.xlarge", "us-east-1", 1) == pytest.approx(0.301)
    assert P.reserved_hourly("mysql", "db.r6g.xlarge", "us-east-1", 3) == pytest.approx(0.172)
    assert P.monthly(0.301) == pytest.approx(219.73)
    assert "No Upfront" in P.reserved_offering(1) and "Partial" in P.reserved_offering(3)
    with pytest.raises(P.PriceNotFound):
        P.reserved_hourly("mysql", "db.r6g.xlarge", "us-east-1", 2)
    assert P.normalization_units("db.r5.2xlarge") == 16 and P.normalization_units("db.r5.large", multi_az=True) == 8
    assert P.size_flexible("postgres") and not P.size_flexible("sqlserver-se")


def test_storage_by_hand() -> None:
    assert P.storage_gb_month("gp3", "us-east-1") == 0.115
    assert P.storage_gb_month("io1", "eu-central-1", multi_az=True) == pytest.approx(0.125 * 1.199 * 2)
    assert P.iops_month("io2", "us-east-1") == 0.10
    assert P.billable_iops("io1", 5000) == 5000
    assert P.billable_iops("gp3", 5000, "postgres", 100) == 2000  # baseline 3,000
    assert P.billable_iops("gp3", 15000, "postgres", 500) == 3000  # baseline 12,000 from 400 GB
    assert P.billable_iops("gp3", 5000, "sqlserver-se", 500) == 2000
    assert P.billable_iops("gp2", 3000) == 0
    assert P.snapshot_gb_month("us-east-1") == 0.095 and P.snapshot_gb_month("us-east-1", aurora=True) == 0.021
    assert P.storage_gb_month("aurora", "us-east-1") == 0.10 and P.aurora_io_per_million("us-east-1") == 0.20
    with pytest.raises(P.PriceNotFound):
        P.storage_gb_month("st1", "us-east-1")


def test_extended_support_rates_are_read_per_region() -> None:
    assert P.extended_support_vcpu_hour("postgres", 1, "us-east-1") == 0.100
    assert P.extended_support_vcpu_hour("mysql", 2, "eu-west-1") == 0.112
    assert P.extended_support_vcpu_hour("aurora-postgresql", 3, "ap-southeast-2") == 0.240
    assert P.extended_support_acu_hour(1, "us-east-1") == 0.085
    # db.r5.large (2 vCPU) in year 1, us-east-1: 0.10 x 2 x 730 = 146 (AWS's own example)
    assert P.monthly(P.extended_support_vcpu_hour("mysql", 1, "us-east-1") * P.vcpus("db.r5.large")) == 146
    with pytest.raises(P.PriceNotFound):
        P.extended_support_vcpu_hour("mariadb", 1, "us-east-1")
    with pytest.raises(P.PriceNotFound):
        P.extended_support_vcpu_hour("postgres", 4, "us-east-1")


def test_ec2_ebs_s3_and_unknowns() -> None:
    assert P.ec2_hourly("m5.large", "us-east-1") == 0.096
    assert P.ec2_hourly("r5.xlarge", "ap-southeast-2") == pytest.approx(0.252 * 1.199)
    assert P.ebs_gb_month("gp2", "us-east-1") == 0.10 and P.ebs_gb_month("gp3", "us-east-1") == 0.08
    assert P.s3_gb_month("us-east-1") == 0.023
    assert P.vcpus("db.r7g.4xlarge") == 16
    assert P.price_note("us-east-1") == "us-east-1 list price"
    assert "1.112" in P.price_note("eu-west-1") and "derived" in P.price_note("eu-west-1")
    for call in (
        lambda: P.instance_hourly("postgres", "db.m5.large", "sa-east-1"),
        lambda: P.instance_hourly("postgres", "db.x9.large", "us-east-1"),
        lambda: P.instance_hourly("aurora-mysql", "db.serverless", "us-east-1"),
        lambda: P.ec2_hourly("z9.large", "us-east-1"),
    ):
        with pytest.raises(P.PriceNotFound):
            call()


def test_every_synthetic_ec2_type_and_db_class_has_a_price() -> None:
    from awsinv_mcp.inventory.synthetic.catalogue import EC2_DB_TYPES, EC2_TYPES

    for name, _ in (*EC2_TYPES, *EC2_DB_TYPES):
        assert P.ec2_hourly(name, "us-east-1") > 0, name
    for name, facts in load_json("instance_classes.json")["classes"].items():
        engine = "postgres" if facts["processor"] == "graviton" else "sqlserver-se"
        assert P.instance_hourly(engine, name, "us-east-1") > 0, name
