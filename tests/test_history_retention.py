"""Tiered retention (AWSINV_RETENTION): which snapshots each tier keeps, and pruning on SQLite and the real
PostgreSQL deletes the rest without breaking any kept snapshot (record versions still referenced stay)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory.history.reader import StoredSnapshot
from awsinv_mcp.inventory.history.retention import Retention, retained
from awsinv_mcp.inventory.history.sql import HistoryStore
from awsinv_mcp.inventory.synthetic import generate
from tests.test_history_store_keeps_snapshots import store_url  # noqa: F401 - the SQLite/PostgreSQL fixture

T0 = datetime(2026, 9, 1, tzinfo=UTC)


def _at(hours: float, source: str = "aws") -> StoredSnapshot:
    return StoredSnapshot(
        id=f"{source}-{hours}", source=source, collected_at=T0 + timedelta(hours=hours), records=1, status={}
    )


def test_each_tier_keeps_the_newest_of_its_latest_buckets() -> None:
    # every 30 min for 3 days, then one 40 days later
    snaps = [_at(h / 2) for h in range(144)] + [_at(40 * 24)]
    keep = retained(snaps, Retention(hourly=3, daily=2, monthly=1))
    hourly = {"aws-960", "aws-71.5", "aws-70.5"}  # newest of the 3 latest hours that hold a snapshot
    daily = {"aws-960", "aws-71.5"}  # newest of the 2 latest days
    monthly = {"aws-960"}
    assert keep == hourly | daily | monthly
    assert retained(snaps, Retention(hourly=0, daily=0, monthly=0)) == {"aws-960"}  # the newest always stays
    recent = [_at(0), _at(0.25), _at(0.5), _at(0.75), _at(1.25)]
    assert retained(recent, Retention(hourly=1, daily=0, monthly=0)) == {"aws-0.5", "aws-0.75", "aws-1.25"}
    both = retained([*snaps, _at(1, "synthetic"), _at(2, "synthetic")], Retention(hourly=1, daily=0, monthly=0))
    assert both == {"aws-960", "synthetic-2"}  # per source


def test_retention_setting_is_read_or_refused_in_one_line() -> None:
    assert Retention.parse(None) == Retention(hourly=24, daily=30, monthly=12)
    assert Retention.parse("daily=7") == Retention(hourly=0, daily=7, monthly=0)
    with pytest.raises(UserError, match="hourly=24,daily=30,monthly=12"):
        Retention.parse("weekly=4")


def test_prune_keeps_every_retained_snapshot_whole(store_url: str) -> None:  # noqa: F811
    base = generate(seed=3, scale=20, now=T0)
    a = base.db_instances[0]
    snaps = []
    for day in range(6):  # one snapshot a day; the first DB instance changes class on day 2 and is gone on day 4
        instances = list(base.db_instances)
        if day >= 2:
            instances[0] = dataclasses.replace(a, instance_class="db.r6g.8xlarge")
        if day >= 4:
            instances.pop(0)
        snaps.append(dataclasses.replace(base, collected_at=T0 + timedelta(days=day), db_instances=tuple(instances)))
    store = HistoryStore(store_url)
    try:
        for snap in snaps:
            store.save(snap)
        before = {s.id: store.members(s.id) for s in store.snapshots()}
        versions = store.version_count()
        policy = Retention(hourly=0, daily=2, monthly=0)  # keeps days 4 and 5 only
        assert store.prune(policy) == 4
        kept = [s.id for s in store.snapshots()]
        assert kept == [snaps[4].id, snaps[5].id]
        for snapshot_id in kept:
            assert store.members(snapshot_id) == before[snapshot_id]
        assert store.bodies(before[snaps[5].id].values()).keys() == set(before[snaps[5].id].values())
        assert store.version_count() == versions - 2  # a's two versions were held by pruned snapshots only
        assert store.prune(policy) == 0
        store.save(dataclasses.replace(base, collected_at=T0 + timedelta(days=6)))  # a is back: stored again
        assert len(store.resource_history("db_instance", f"{a.identifier}/{a.account}/{a.region}")) == 1
    finally:
        store.close()
