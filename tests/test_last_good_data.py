"""A failure keeps the last good data and says so (issue 18 items 5 and 6).

Pure `carry_forward` on crafted estates, then the real AWS collection (moto in-process, faults injected on the
collector's own clients) through the store: a region that fails, every call failing (expired credentials, endpoint
gone) and a region that stalls past `AWSINV_COLLECT_DEADLINE`.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError

from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.aws.collector import collect
from awsinv_mcp.inventory.lastgood import age, carry_forward
from awsinv_mcp.inventory.store import InventoryStore
from awsinv_mcp.models.inventory import Gap
from tests.aws_support import Faults, aws, db_instance, fast_retries, op  # noqa: F401 (fixtures)
from tests.estates import NOW, db, estate

REGIONS = ["us-east-1", "eu-west-1"]


# --- carry_forward, pure ------------------------------------------------------------------------------------
def test_a_failed_region_keeps_its_previous_records_with_their_age() -> None:
    before = estate(db("a", region="us-east-1"), db("b", region="eu-west-1"), regions=("eu-west-1", "us-east-1"))
    later = NOW + timedelta(hours=2, minutes=5)
    after = estate(db("a", region="us-east-1"), collected_at=later, regions=("us-east-1",),
                   gaps=(Gap("111111111111", "eu-west-1"),))  # fmt: skip
    merged = carry_forward(before, after)
    assert sorted(d.identifier for d in merged.db_instances) == ["a", "b"]
    assert merged.collected_at == later and "eu-west-1" in merged.regions
    (note,) = [w for w in merged.warnings if w.message.startswith("kept")]
    assert "kept 1 record(s) of 111111111111/eu-west-1" in note.message and "(2 h 5 min old)" in note.message
    assert merged.gaps[0].since == NOW  # a later failure still dates the records from their own collection


def test_a_resource_deleted_in_a_healthy_region_is_not_resurrected() -> None:
    before = estate(db("a", region="us-east-1"), db("gone", region="us-east-1"), db("b", region="eu-west-1"))
    after = estate(db("a", region="us-east-1"), gaps=(Gap("111111111111", "eu-west-1", "ec2"),))
    merged = carry_forward(before, after)
    assert [d.identifier for d in merged.db_instances] == ["a"]  # the ec2 gap does not cover RDS records


def test_a_refresh_where_everything_failed_keeps_the_old_snapshot() -> None:
    before = estate(db("a"), db("b"))
    after = dataclasses.replace(estate(collected_at=NOW + timedelta(minutes=30), accounts=()), gaps=(Gap(""),))
    merged = carry_forward(before, after)
    assert merged.collected_at == NOW and len(merged.db_instances) == 2
    assert "failed everywhere" in merged.warnings[0].message and "30 min earlier" in merged.warnings[0].message


def test_without_gaps_the_new_snapshot_is_the_answer() -> None:
    after = estate(db("a"))
    assert carry_forward(estate(db("a"), db("b")), after) is after
    assert age(NOW, NOW + timedelta(days=2, hours=3)) == "2 d 3 h"


# --- the real collection through the store --------------------------------------------------------------------
def _store(faults: Faults, **settings: Any) -> InventoryStore[Any]:
    config = Settings(source="aws", regions=REGIONS, **settings)

    def collector(s: Settings, progress: Any, cancel: threading.Event | None) -> Any:
        return collect(s, progress, hook=faults, cancel=cancel)

    return InventoryStore(config, collector)


def _seed() -> None:
    for region in REGIONS:
        db_instance(boto3.client("rds", region_name=region), f"db-{region}")


@pytest.mark.usefixtures("aws", "fast_retries")
def test_a_region_that_fails_on_refresh_keeps_its_databases() -> None:
    _seed()
    faults = Faults()
    store = _store(faults)
    assert len(store.refresh().snapshot.db_instances) == 2
    unreachable = EndpointConnectionError(endpoint_url="https://rds.eu-west-1.amazonaws.com")
    faults.add(lambda s, o, a, r, req: r == "eu-west-1", exception=lambda: unreachable)
    snap = store.refresh().snapshot
    assert sorted(d.identifier for d in snap.db_instances) == ["db-eu-west-1", "db-us-east-1"]
    messages = [w.message for w in snap.warnings]
    assert any("could not reach" in m and "eu-west-1" in m for m in messages)
    assert any(m.startswith("kept ") and "of 123456789012/eu-west-1" in m and "old)" in m for m in messages)
    assert len([m for m in messages if "could not reach" in m]) == 1  # one outage, one warning


@pytest.mark.usefixtures("aws", "fast_retries")
@pytest.mark.parametrize("failure", ["expired", "unreachable"])
def test_a_refresh_where_every_call_fails_keeps_the_whole_estate(failure: str) -> None:
    _seed()
    faults = Faults()
    store = _store(faults)
    first = store.refresh().snapshot
    if failure == "expired":
        faults.add(lambda *_: True, "ExpiredToken", status=400)
    else:
        faults.add(lambda *_: True, exception=lambda: EndpointConnectionError(endpoint_url="https://sts.amazonaws.com"))
    snap = store.refresh().snapshot
    assert len(snap.db_instances) == len(first.db_instances) == 2  # before: 0 DB instances, source "aws"
    assert snap.collected_at == first.collected_at
    assert "failed everywhere" in snap.warnings[0].message


@pytest.mark.usefixtures("aws")
def test_a_stalled_region_is_abandoned_at_the_deadline_with_its_last_good_data() -> None:
    _seed()
    faults = Faults()
    store = _store(faults)
    assert len(store.refresh().snapshot.db_instances) == 2  # the last good data (no deadline: a loaded machine is slow)
    store.settings = store.settings.model_copy(update={"collect_deadline": 2.0})
    faults.add(op("rds", "DescribeDBInstances", "eu-west-1"), delay=8.0)  # the region hangs
    started = time.monotonic()
    snap = store.refresh().snapshot
    took = time.monotonic() - started
    assert took < 7.0, f"the refresh waited {took:.1f} s for a stalled region"
    assert sorted(d.identifier for d in snap.db_instances) == ["db-eu-west-1", "db-us-east-1"]
    messages = [w.message for w in snap.warnings]
    assert any("did not finish within the 2 s collection deadline" in m for m in messages)
    assert any(m.startswith("kept ") and "of 123456789012/eu-west-1 " in m for m in messages)
