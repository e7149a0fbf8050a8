"""The inventory summary: counts and breakdowns of an estate (computed once per estate, see `Estate.memo`)."""

from __future__ import annotations

from collections import Counter

from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.query import count_by
from awsinv_mcp.models.answers import InventorySummary, WarningOut, meta

TOP = 15  # longest breakdown listed in full; the rest is summed as 'other'


def allocated_storage_gb(estate: Estate) -> int:
    """Storage of the estate: standalone DB instances' allocated storage plus each cluster's volume once (Aurora
    members report a placeholder size; their storage is the cluster volume)."""
    snap = estate.snapshot
    return sum(db.allocated_gb for db in snap.db_instances if db.cluster is None) + sum(
        c.allocated_gb for c in snap.db_clusters
    )


def volume_warning(estate: Estate) -> WarningOut | None:
    """aws mode: Aurora clusters whose volume CloudWatch did not report (VolumeBytesUsed), counted as 0 GB."""

    def compute() -> WarningOut | None:
        snap = estate.snapshot
        missing = [c.identifier for c in snap.db_clusters if c.engine.startswith("aurora") and not c.allocated_gb]
        if snap.source != "aws" or not missing:
            return None
        sample = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        return WarningOut(
            scope="inventory/cloudwatch",
            message=f"Aurora clusters without a VolumeBytesUsed datapoint in the last 3 days: {len(missing)} "
            f"({sample}); their volume_gb is 0 and allocated_storage_gb leaves them out. Allow "
            "cloudwatch:GetMetricData to the identity that collects, then refresh_inventory.",
        )

    return estate.memo("volume_warning", compute)


def summarize(estate: Estate) -> InventorySummary:
    """Counts of every counted kind, DB instances by engine, region, environment, team and status, per account,
    and risk flags."""
    return estate.memo("summary", lambda: _summarize(estate))


def _summarize(estate: Estate) -> InventorySummary:
    snap, envs = estate.snapshot, estate.environments
    dbs = snap.db_instances
    per_account = Counter(db.account for db in dbs)
    aliases = snap.account_aliases
    flags = {
        "publicly_accessible": sum(db.publicly_accessible for db in dbs),
        "unencrypted": sum(not db.storage_encrypted for db in dbs),
        "single_az_production": sum(
            1 for db in dbs if db.cluster is None and not db.multi_az and envs.is_production(db.environment)
        ),
        "stopped": sum(db.status == "stopped" for db in dbs),
        "public_snapshots": sum(s.public for s in snap.db_snapshots),
        "public_buckets": sum(b.public for b in snap.s3_buckets),
    }
    return InventorySummary(
        accounts=[
            {"id": a.id, "alias": aliases.get(a.id), "db_instances": per_account.get(a.id, 0)} for a in snap.accounts
        ],
        regions=list(snap.regions),
        **{kind.field: len(kind.records(snap)) for kind in kinds.COUNTED},
        database_hosts=sum(e.database_host for e in snap.ec2_instances),
        allocated_storage_gb=allocated_storage_gb(estate),
        by_engine=count_by(dbs, lambda d: d.engine),
        by_region=count_by(dbs, lambda d: d.region),
        by_environment=count_by(dbs, lambda d: envs.label(d.environment), top=TOP),
        by_team=count_by(dbs, lambda d: d.team, top=TOP),
        by_status=count_by(dbs, lambda d: d.status, top=TOP),
        risk_flags=flags,
        **meta(snap, *filter(None, [volume_warning(estate)])),
    )
