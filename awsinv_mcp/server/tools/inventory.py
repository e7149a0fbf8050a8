"""Inventory tools: the summary, the lists of DB instances, clusters, snapshots, EC2 instances and S3 buckets, one
DB instance in full, and a refresh. Each is one call into `awsinv_mcp.inventory` and a shaped answer."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Annotated, Literal

import anyio
from mcp.server.mcpserver import Context
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import Field

from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.network import internet_exposed
from awsinv_mcp.inventory.summary import summarize, volume_warning
from awsinv_mcp.models import answers as A
from awsinv_mcp.models.answers import Row
from awsinv_mcp.models.inventory import CacheCluster, DBCluster, DBInstance, DBSnapshot
from awsinv_mcp.models.table import table
from awsinv_mcp.paging import Page
from awsinv_mcp.server.args import (
    DEFAULT_PAGE,
    Account,
    Application,
    Cursor,
    Detail,
    Engine,
    Environment,
    Limit,
    Query,
    Region,
    Sort,
    Status,
    Team,
)
from awsinv_mcp.server.context import app
from awsinv_mcp.server.resources import PER_SNAPSHOT


def _estate() -> Estate:
    return app().analysis().estate


def _page(
    answer: type[A.TablePage], page: Page, rows: list[Row], estate: Estate, *, detail: bool = False
) -> A.TablePage:
    """A list answer in table form (`models/table.py`); the ARN only with `detail` (get_db_instance has it)."""
    return answer(
        **table(rows, drop=() if detail else ("arn",)), total=page.total, next_cursor=page.next_cursor,
        truncated=page.truncated, **A.meta(estate.snapshot),
    )  # fmt: skip


def db_detail(estate: Estate, db: DBInstance) -> A.DBInstanceDetail:
    """Everything collected about one DB instance, with its exposure as every tool states it."""
    snap = estate.snapshot
    return A.row(
        A.DBInstanceDetail, db, account_alias=snap.account_aliases.get(db.account),
        internet_exposed=internet_exposed(snap, db),
    )  # fmt: skip


def cluster_row(c: DBCluster) -> A.DBClusterRow:
    members = sorted(c.members, key=lambda m: (not m.writer, m.identifier))
    return A.row(A.DBClusterRow, c, members=[m.identifier for m in members], volume_gb=c.allocated_gb)


def cache_row(c: CacheCluster) -> A.CacheClusterRow:
    return A.row(A.CacheClusterRow, c, auth=c.auth_token or bool(c.user_groups))


def snapshot_row(s: DBSnapshot, estate: Estate) -> A.DBSnapshotRow:
    age = (estate.snapshot.collected_at - s.created_at).days if s.created_at else None
    return A.row(A.DBSnapshotRow, s, age_days=age)


def get_inventory_summary() -> A.InventorySummary:
    """Counts of the whole estate: DB instances by account, engine, region, environment, team, status; other
    kinds; risk flags. Start here; list_* give the rows behind a count."""
    return summarize(_estate())


def list_db_instances(
    engine: Engine = None, region: Region = None, account: Account = None, environment: Environment = None,
    team: Team = None, application: Application = None, status: Status = None, q: Query = None,
    cluster: Annotated[str | None, Field(description="Aurora cluster id; 'none' = standalone only")] = None,
    sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None, detail: Detail = False,
) -> A.DBInstancePage:  # fmt: skip
    """RDS and Aurora DB instances (Aurora members have cluster set). One in full: get_db_instance; problems:
    the analysis tools."""
    estate = _estate()
    f = Q.Filters(engine=engine, region=region, account=account, environment=environment, team=team,
                  application=application, status=status, q=q)  # fmt: skip
    page = Q.list_db_instances(estate, f, cluster=cluster, sort=sort, limit=limit, cursor=cursor)
    snap = estate.snapshot
    rows = [A.row(A.DBInstanceRow, db, internet_exposed=internet_exposed(snap, db)) for db in page.items]
    return _page(A.DBInstancePage, page, rows, estate, detail=detail)


def get_db_instance(
    identifier: Annotated[str, Field(description="DB instance identifier or ARN")],
    account: Account = None, region: Region = None,
) -> A.DBInstanceAnswer:  # fmt: skip
    """Every detail of one DB instance (settings, exposure, tags, 14-day utilisation, ARN); an identifier
    used in several accounts/regions needs account or region. Many instances: list_db_instances."""
    estate = _estate()
    db = Q.find_db_instance(estate.snapshot, identifier, account, region)
    return A.DBInstanceAnswer(instance=db_detail(estate, db), **A.meta(estate.snapshot))


def list_db_clusters(
    engine: Engine = None, region: Region = None, account: Account = None, environment: Environment = None,
    team: Team = None, application: Application = None, status: Status = None, q: Query = None,
    sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None, detail: Detail = False,
) -> A.DBClusterPage:  # fmt: skip
    """DB clusters with member ids (writer first). The members' rows: list_db_instances cluster=<id>."""
    estate = _estate()
    f = Q.Filters(engine=engine, region=region, account=account, environment=environment, team=team,
                  application=application, status=status, q=q)  # fmt: skip
    page = Q.list_records(estate, kinds.DB_CLUSTER, f, sort=sort, limit=limit, cursor=cursor)
    answer = _page(A.DBClusterPage, page, [cluster_row(c) for c in page.items], estate, detail=detail)
    missing = volume_warning(estate)
    if missing is not None:
        answer.warnings.append(missing)
    return answer


def list_db_snapshots(
    engine: Engine = None, region: Region = None, account: Account = None, environment: Environment = None,
    team: Team = None, q: Query = None,
    kind: Annotated[Literal["instance", "cluster"] | None, Field(description="instance or cluster")] = None,
    snapshot_type: Annotated[str | None, Field(description="manual, automated, awsbackup")] = None,
    public: Annotated[bool | None, Field(description="only public (true) or non-public (false)")] = None,
    encrypted: bool | None = None,
    older_than_days: Annotated[int | None, Field(ge=0, description="created more than N days ago")] = None,
    shared: bool | None = None,
    sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
) -> A.DBSnapshotPage:  # fmt: skip
    """Instance and cluster snapshots: public, shared, encrypted, age. Risky ones with remediation:
    assess_security."""
    estate = _estate()
    f = Q.Filters(engine=engine, region=region, account=account, environment=environment, team=team, q=q)
    page = Q.list_db_snapshots(
        estate, f, kind=kind, snapshot_type=snapshot_type, public=public, encrypted=encrypted,
        older_than_days=older_than_days, shared=shared, sort=sort, limit=limit, cursor=cursor,
    )  # fmt: skip
    return _page(A.DBSnapshotPage, page, [snapshot_row(s, estate) for s in page.items], estate)


def list_cache_clusters(
    engine: Annotated[str | None, Field(description="redis, valkey, memcached")] = None, region: Region = None,
    account: Account = None, environment: Environment = None, team: Team = None, application: Application = None,
    status: Status = None, q: Query = None, sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
) -> A.CacheClusterPage:  # fmt: skip
    """ElastiCache clusters (Redis OSS/Valkey groups, Memcached): encryption, auth, Multi-AZ, backups.
    Findings: assess_security."""
    estate = _estate()
    f = Q.Filters(region=region, account=account, environment=environment, team=team, application=application,
                  status=status, q=q)  # fmt: skip
    engines = frozenset(Q.words(engine))
    if engines - {"redis", "valkey", "memcached"}:
        raise UserError(f"unknown engine {sorted(engines)[0]!r}; ElastiCache engines are redis, valkey, memcached")
    extra = [lambda c: c.engine in engines] if engines else []
    page = Q.list_records(estate, kinds.CACHE_CLUSTER, f, extra=extra, extra_key=(tuple(sorted(engines)),),
                          sort=sort, limit=limit, cursor=cursor)  # fmt: skip
    return _page(A.CacheClusterPage, page, [cache_row(c) for c in page.items], estate)


def list_ec2_instances(
    region: Region = None, account: Account = None, environment: Environment = None, team: Team = None,
    application: Application = None,
    state: Annotated[str | None, Field(description="running, stopped, ...")] = None, q: Query = None,
    database_host: Annotated[bool | None, Field(description="only self-managed database hosts")] = None,
    public: Annotated[bool | None, Field(description="only instances with (true) / without a public IP")] = None,
    sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
) -> A.EC2Page:  # fmt: skip
    """EC2 instances: self-managed database hosts, public IPs, IMDSv2. Findings: assess_security."""
    estate = _estate()
    f = Q.Filters(region=region, account=account, environment=environment, team=team, application=application,
                  status=state, q=q)  # fmt: skip
    page = Q.list_ec2_instances(estate, f, database_host=database_host, public=public, sort=sort, limit=limit,
                                cursor=cursor)  # fmt: skip
    return _page(A.EC2Page, page, A.rows(A.EC2Row, page.items), estate)


def list_s3_buckets(
    region: Region = None, account: Account = None, environment: Environment = None, team: Team = None,
    q: Query = None,
    purpose: Annotated[str | None, Field(description="backups, exports, logs, data, static, ...")] = None,
    public: bool | None = None, encrypted: bool | None = None,
    sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
) -> A.S3Page:  # fmt: skip
    """S3 buckets: encryption, public access block, public, versioning, purpose. Findings: assess_security."""
    estate = _estate()
    f = Q.Filters(region=region, account=account, environment=environment, team=team, q=q)
    page = Q.list_s3_buckets(estate, f, purpose=purpose, public=public, encrypted=encrypted, sort=sort, limit=limit,
                             cursor=cursor)  # fmt: skip
    return _page(A.S3Page, page, A.rows(A.S3Row, page.items), estate)


async def refresh_inventory(ctx: Context) -> A.RefreshAnswer:
    """Collect the inventory again now, ignoring the cache (progress per account and region; a cancel keeps
    the previous snapshot). Only when asked for fresh data."""
    started = time.perf_counter()
    store = app().inventory
    loop = asyncio.get_running_loop()
    reports: asyncio.Queue[tuple[int, int, str] | None] = asyncio.Queue()
    cancel = threading.Event()

    def progress(done: int, total: int, message: str) -> None:  # on the collecting thread: never blocks
        loop.call_soon_threadsafe(reports.put_nowait, (done, total, message))

    async def forward() -> None:
        while (report := await reports.get()) is not None:
            await ctx.report_progress(*report)

    try:
        async with anyio.create_task_group() as tg:
            tg.start_soon(forward)
            analysis = await anyio.to_thread.run_sync(store.refresh, progress, cancel, abandon_on_cancel=True)
            reports.put_nowait(None)  # after the reports the collection queued: forward them, then stop
    finally:
        cancel.set()  # a cancelled call: the collection stops before its next AWS call
    s = analysis.snapshot
    if ctx.request_context.protocol_version in MODERN_PROTOCOL_VERSIONS:  # subscriptions/listen hear of the snapshot
        for uri in PER_SNAPSHOT:
            await ctx.notify_resource_updated(uri)
    return A.RefreshAnswer(
        db_instances=len(s.db_instances), db_clusters=len(s.db_clusters), ec2_instances=len(s.ec2_instances),
        s3_buckets=len(s.s3_buckets), elapsed_s=round(time.perf_counter() - started, 3), **A.meta(s),
    )  # fmt: skip
