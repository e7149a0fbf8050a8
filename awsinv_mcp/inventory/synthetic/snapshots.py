"""DB snapshots: the latest automated one per backed-up source, manual ones for a minority, a few AWS Backup.

Snapshots carry their source's tags only when it copies tags to snapshots. Old manual snapshots are
sometimes unencrypted (taken before an encrypt-by-copy migration); only unencrypted manual snapshots are
ever public, as in RDS. Every `source_id` names an instance or cluster of the estate.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

from awsinv_mcp.inventory.synthetic import catalogue as cat
from awsinv_mcp.inventory.synthetic.draw import below, days_ago, key_uuid, one_of
from awsinv_mcp.inventory.synthetic.organisation import Organisation
from awsinv_mcp.models.inventory import DBCluster, DBInstance, DBSnapshot

MANUAL_RATE = (0.30, 0.20, 0.35)  # sources with manual snapshots, per environment
PUBLIC_RATE = (0.05, 0.10, 0.25)  # of unencrypted manual snapshots
SHARED_RATE = 0.06
AWS_BACKUP_RATE = (0.08, 0.02, 0.0)
MANUAL_NAMES = ("pre-upgrade", "manual", "before-migration", "release", "final", "audit")


def _snapshot(
    source: DBInstance | DBCluster,
    identifier: str,
    snapshot_type: str,
    created_at: datetime,
    *,
    encrypted: bool,
    public: bool = False,
    shared_with: tuple[str, ...] = (),
) -> DBSnapshot:
    kind = "cluster" if isinstance(source, DBCluster) else "instance"
    arn_kind = "cluster-snapshot" if kind == "cluster" else "snapshot"
    tagged = source.copy_tags_to_snapshot
    return DBSnapshot(
        account=source.account,
        region=source.region,
        tags=source.tags if tagged else {},  # shared, read-only like every record's tags
        environment=source.environment if tagged else None,
        team=source.team if tagged else None,
        application=source.application if tagged else None,
        identifier=identifier,
        arn=f"arn:aws:rds:{source.region}:{source.account}:{arn_kind}:{identifier}",
        kind=kind,
        snapshot_type=snapshot_type,
        source_id=source.identifier,
        engine=source.engine,
        engine_version=source.engine_version,
        encrypted=encrypted,
        public=public,
        shared_with=shared_with,
        allocated_gb=source.allocated_gb,
        created_at=created_at,
    )


def _manual(
    rng: random.Random, org: Organisation, source: DBInstance | DBCluster, base: datetime, env_index: int
) -> list[DBSnapshot]:
    found = []
    for _ in range(one_of(rng, (1, 1, 1, 2, 2, 3))):
        old = rng.random() < 0.35
        created = days_ago(rng, base, 366, 1500) if old else days_ago(rng, base, 1, 365)
        encrypted = source.storage_encrypted and not (old and rng.random() < 0.3)
        public = not encrypted and rng.random() < PUBLIC_RATE[env_index]
        shared: tuple[str, ...] = ()
        if rng.random() < SHARED_RATE:
            refresh = env_index == 0 and rng.random() < 0.5  # production copies shared to staging for refreshes
            shared = (org.account_by_env["staging"].id if refresh else org.external_account,)
        name = one_of(rng, MANUAL_NAMES)
        identifier = f"{source.identifier}-{name}-{created:%Y%m%d}-{below(rng, 1000):03d}"
        found.append(_snapshot(source, identifier, "manual", created, encrypted=encrypted, public=public,
                               shared_with=shared))  # fmt: skip
    return found


def build_snapshots(
    rng: random.Random,
    org: Organisation,
    instances: list[DBInstance],
    clusters: list[DBCluster],
    base: datetime,
) -> list[DBSnapshot]:
    """Snapshots of every standalone instance and cluster (Aurora members have none of their own)."""
    env_of = {a.id: cat.ENVIRONMENTS.index(a.environment or "development") for a in org.accounts}
    sources: list[DBInstance | DBCluster] = [db for db in instances if db.cluster is None]
    sources.extend(clusters)
    found: list[DBSnapshot] = []
    for source in sources:
        env_index = env_of[source.account]
        if source.backup_retention_days > 0:
            created = base - timedelta(hours=1 + below(rng, 23), minutes=below(rng, 60))
            found.append(_snapshot(source, f"rds:{source.identifier}-{created:%Y-%m-%d-%H-%M}", "automated",
                                   created, encrypted=source.storage_encrypted))  # fmt: skip
        if rng.random() < AWS_BACKUP_RATE[env_index]:
            created = days_ago(rng, base, 1, 30)
            found.append(_snapshot(source, f"awsbackup:job-{key_uuid(rng)}", "awsbackup", created,
                                   encrypted=source.storage_encrypted))  # fmt: skip
        if rng.random() < MANUAL_RATE[env_index]:
            found.extend(_manual(rng, org, source, base, env_index))
    return _ensure_public(found)


def _ensure_public(snapshots: list[DBSnapshot]) -> list[DBSnapshot]:
    """Make sure the estate shows at least one public snapshot (the first unencrypted manual one)."""
    if any(s.public for s in snapshots):
        return snapshots
    for i, snap in enumerate(snapshots):
        if snap.snapshot_type == "manual" and not snap.encrypted:
            snapshots[i] = dataclasses.replace(snap, public=True)
            break
    return snapshots
