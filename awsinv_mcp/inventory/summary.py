"""The inventory summary: counts and breakdowns of a snapshot, computed once per snapshot."""

from __future__ import annotations

import weakref
from collections import Counter

from awsinv_mcp.inventory.query import count_by
from awsinv_mcp.models.answers import InventorySummary, meta
from awsinv_mcp.models.inventory import Snapshot

_CACHE: weakref.WeakKeyDictionary[Snapshot, InventorySummary] = weakref.WeakKeyDictionary()
TOP = 15  # longest breakdown listed in full; the rest is summed as 'other'


def _production(env: str | None) -> bool:
    return env is not None and env.lower() in ("production", "prod", "prd")


def summarize(snap: Snapshot) -> InventorySummary:
    """Counts by engine, region, environment, team, status, account, plus risk flags (cached per snapshot)."""
    cached = _CACHE.get(snap)
    if cached is not None:
        return cached
    dbs = snap.db_instances
    per_account = Counter(db.account for db in dbs)
    aliases = snap.account_aliases
    flags = {
        "publicly_accessible": sum(db.publicly_accessible for db in dbs),
        "unencrypted": sum(not db.storage_encrypted for db in dbs),
        "single_az_production": sum(
            1 for db in dbs if db.cluster is None and not db.multi_az and _production(db.environment)
        ),
        "stopped": sum(db.status == "stopped" for db in dbs),
        "public_snapshots": sum(s.public for s in snap.db_snapshots),
        "public_buckets": sum(b.public for b in snap.s3_buckets),
    }
    result = InventorySummary(
        accounts=[
            {"id": a.id, "alias": aliases.get(a.id), "db_instances": per_account.get(a.id, 0)} for a in snap.accounts
        ],
        regions=list(snap.regions),
        db_instances=len(dbs),
        db_clusters=len(snap.db_clusters),
        db_snapshots=len(snap.db_snapshots),
        ec2_instances=len(snap.ec2_instances),
        database_hosts=sum(e.database_host for e in snap.ec2_instances),
        s3_buckets=len(snap.s3_buckets),
        # Aurora members report a placeholder size; their storage is the cluster volume, counted once
        allocated_storage_gb=sum(db.allocated_gb for db in dbs if db.cluster is None)
        + sum(c.allocated_gb for c in snap.db_clusters),
        by_engine=count_by(dbs, lambda d: d.engine),
        by_region=count_by(dbs, lambda d: d.region),
        by_environment=count_by(dbs, lambda d: d.environment, top=TOP),
        by_team=count_by(dbs, lambda d: d.team, top=TOP),
        by_status=count_by(dbs, lambda d: d.status, top=TOP),
        risk_flags=flags,
        **meta(snap),
    )
    _CACHE[snap] = result
    return result
