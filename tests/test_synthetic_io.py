"""The synthetic estate's I/O and certificates are physically consistent with each instance's storage and age."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.inventory.synthetic.utilisation import storage_iops_capacity
from awsinv_mcp.models.inventory import DBInstance, Snapshot

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def large() -> Snapshot:
    return generate(seed=7, scale=1000, now=NOW)


def io_share(db: DBInstance) -> float | None:
    """Average read+write IOPS over what the storage sustains (None: Aurora, stopped)."""
    u = db.utilisation
    capacity = storage_iops_capacity(db.storage_type, db.allocated_gb, db.iops)
    if u is None or u.read_iops_avg is None or u.write_iops_avg is None or not capacity:
        return None
    return (u.read_iops_avg + u.write_iops_avg) / capacity


def test_capacity_by_storage_type() -> None:
    assert storage_iops_capacity("gp2", 20, None) == 100  # minimum 100
    assert storage_iops_capacity("gp2", 500, None) == 1500  # 3 per GiB
    assert storage_iops_capacity("gp2", 8000, None) == 16_000  # ceiling
    assert storage_iops_capacity("gp3", 100, 3000) == 3000
    assert storage_iops_capacity("io2", 100, 5000) == 5000
    assert storage_iops_capacity("aurora", 1, None) is None


@pytest.mark.parametrize("seed", [42, 7])
def test_average_iops_never_exceed_the_storage_and_few_run_near_it(seed: int, large: Snapshot) -> None:
    snap = generate(seed=42, scale=150, now=NOW) if seed == 42 else large
    shares = [s for db in snap.db_instances if (s := io_share(db)) is not None]
    assert len(shares) > 50
    assert max(shares) <= 1.0  # a 14-day average cannot exceed what the storage delivers
    near = sum(s >= 0.8 for s in shares) / len(shares)
    assert 0 < near <= 0.08  # a small minority near the limit, as perf.iops_storage_ratio should report


def test_gp2_near_its_baseline_has_spent_its_burst_credits(large: Snapshot) -> None:
    gp2 = [db for db in large.db_instances if db.storage_type == "gp2" and db.allocated_gb < 1000 and io_share(db)]
    assert gp2
    for db in gp2:
        assert db.utilisation is not None and db.utilisation.burst_balance_min is not None
        share = io_share(db)
        assert share is not None
        if share >= 0.7:
            assert db.utilisation.burst_balance_min <= 20, db.identifier
        else:
            assert db.utilisation.burst_balance_min >= 55, db.identifier


def test_small_instances_do_not_drive_large_storage(large: Snapshot) -> None:
    busy_micro = [
        db.identifier for db in large.db_instances
        if db.instance_class.endswith((".micro", ".small")) and (io_share(db) or 0) >= 0.8 and (db.iops or 0) > 3000
    ]  # fmt: skip
    assert busy_micro == []


def test_expired_ca_only_on_instances_created_before_the_new_default(large: Snapshot) -> None:
    old = [db for db in large.db_instances if db.ca_certificate == "rds-ca-2019"]
    assert 0 < len(old) <= 0.05 * len(large.db_instances)
    assert all(db.created_at is not None and db.created_at.date() < date(2024, 1, 26) for db in old)
