"""Inventory tools: summary, lists of DB instances, clusters, snapshots, EC2 instances, S3 buckets, refresh."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

import anyio
from cachetools import LRUCache
from mcp.server.mcpserver import Context, MCPServer
from pydantic import Field

from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.summary import summarize
from awsinv_mcp.models import answers as A
from awsinv_mcp.models.inventory import DBCluster, DBInstance, DBSnapshot, EC2Instance, S3Bucket, Snapshot
from awsinv_mcp.paging import Page, fingerprint, paginate
from awsinv_mcp.server.args import (
    DEFAULT_PAGE,
    Account,
    Application,
    Cursor,
    Engine,
    Environment,
    Limit,
    Query,
    Region,
    Sort,
    Status,
    Team,
)  # fmt: skip
from awsinv_mcp.server.services import Services
from awsinv_mcp.server.tooling import tool

P = TypeVar("P", bound=A.ListAnswer)


def db_row(db: DBInstance) -> A.DBInstanceRow:
    return A.DBInstanceRow(
        identifier=db.identifier, arn=db.arn, account=db.account, region=db.region, engine=db.engine,
        engine_version=db.engine_version, instance_class=db.instance_class, status=db.status,
        environment=db.environment, team=db.team, application=db.application, cluster=db.cluster,
        multi_az=db.multi_az, storage_encrypted=db.storage_encrypted, publicly_accessible=db.publicly_accessible,
        storage_type=db.storage_type, allocated_gb=db.allocated_gb,
    )  # fmt: skip


def db_detail(snap: Snapshot, db: DBInstance) -> A.DBInstanceDetail:
    from awsinv_mcp.inventory.network import internet_exposed

    base = db_row(db).model_dump()
    return A.DBInstanceDetail(
        **base,
        account_alias=snap.account_aliases.get(db.account), tags=dict(db.tags), iops=db.iops,
        storage_throughput=db.storage_throughput, max_allocated_gb=db.max_allocated_gb,
        backup_retention_days=db.backup_retention_days, deletion_protection=db.deletion_protection,
        iam_auth=db.iam_auth, auto_minor_version_upgrade=db.auto_minor_version_upgrade,
        master_username=db.master_username, monitoring_interval=db.monitoring_interval,
        performance_insights=db.performance_insights, log_exports=list(db.log_exports),
        copy_tags_to_snapshot=db.copy_tags_to_snapshot, port=db.port, ca_certificate=db.ca_certificate,
        ca_certificate_valid_till=db.ca_certificate_valid_till.isoformat() if db.ca_certificate_valid_till else None,
        license_model=db.license_model, security_groups=list(db.security_groups), vpc_id=db.vpc_id,
        availability_zone=db.availability_zone, created_at=db.created_at,
        engine_lifecycle_support=db.engine_lifecycle_support, internet_exposed=internet_exposed(snap, db),
        utilisation=asdict(db.utilisation) if db.utilisation else None,
    )  # fmt: skip


def cluster_row(c: DBCluster) -> A.DBClusterRow:
    members = sorted(c.members, key=lambda m: (not m.writer, m.identifier))
    return A.DBClusterRow(
        identifier=c.identifier, arn=c.arn, account=c.account, region=c.region, engine=c.engine,
        engine_version=c.engine_version, engine_mode=c.engine_mode, status=c.status, environment=c.environment,
        team=c.team, application=c.application, members=[m.identifier for m in members], multi_az=c.multi_az,
        storage_encrypted=c.storage_encrypted, deletion_protection=c.deletion_protection,
        backup_retention_days=c.backup_retention_days, iam_auth=c.iam_auth,
    )  # fmt: skip


def snapshot_row(s: DBSnapshot, now: datetime) -> A.DBSnapshotRow:
    age = (now - s.created_at).days if s.created_at else None
    return A.DBSnapshotRow(
        identifier=s.identifier, account=s.account, region=s.region, kind=s.kind, snapshot_type=s.snapshot_type,
        source_id=s.source_id, engine=s.engine, engine_version=s.engine_version, encrypted=s.encrypted,
        public=s.public, shared_with=list(s.shared_with), allocated_gb=s.allocated_gb, created_at=s.created_at,
        age_days=age,
    )  # fmt: skip


def ec2_row(e: EC2Instance) -> A.EC2Row:
    return A.EC2Row(
        identifier=e.identifier, name=e.name, account=e.account, region=e.region, instance_type=e.instance_type,
        state=e.state, environment=e.environment, team=e.team, application=e.application, public_ip=e.public_ip,
        imds_v2_required=e.imds_v2_required, database_host=e.database_host, database_engine=e.database_engine,
    )  # fmt: skip


def s3_row(b: S3Bucket) -> A.S3Row:
    return A.S3Row(
        name=b.name, account=b.account, region=b.region, encrypted=b.encrypted,
        public_access_block=b.public_access_block, public=b.public, versioning=b.versioning, purpose=b.purpose,
        environment=b.environment, team=b.team,
    )  # fmt: skip


DB_SORT = ("identifier", "engine", "engine_version", "instance_class", "region", "account", "allocated_gb",
           "created_at", "status", "environment", "team")  # fmt: skip


def page_answer(model: type[P], page: Page, convert: Callable[[Any], Any], snap: Snapshot) -> P:
    """A list answer: the page's rows converted, paging fields, and the snapshot's source/time/warnings."""
    return model(
        items=[convert(r) for r in page.items],
        total=page.total,
        next_cursor=page.next_cursor,
        truncated=page.truncated,
        **A.meta(snap),
    )


def register(mcp: MCPServer, services: Services) -> None:
    """Register the inventory tools."""
    results: LRUCache[str, list[Any]] = LRUCache(maxsize=32)  # filtered+sorted rows, so later pages are cheap

    def snap() -> Snapshot:
        return services.inventory.get()

    lock = threading.Lock()

    def matched(key: str, compute: Callable[[], list[Any]]) -> list[Any]:
        with lock:
            rows = results.get(key)
        if rows is None:
            rows = compute()
            with lock:
                results[key] = rows
        return rows

    @tool(mcp, title="Inventory summary")
    def get_inventory_summary() -> A.InventorySummary:
        """Counts of the whole estate: DB instances by engine, region, environment, team and status, clusters,
        snapshots, EC2 database hosts, S3 buckets, risk flags, per account. Start here."""
        return summarize(snap())

    @tool(mcp, title="List DB instances")
    def list_db_instances(
        engine: Engine = None, region: Region = None, account: Account = None, environment: Environment = None,
        team: Team = None, application: Application = None, status: Status = None, q: Query = None,
        cluster: Annotated[str | None, Field(description="Aurora cluster id; 'none' = standalone only")] = None,
        sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
    ) -> A.DBInstancePage:  # fmt: skip
        """RDS and Aurora DB instances (Aurora members have cluster set), filtered, sorted, paged.
        Sort fields: identifier, engine, engine_version, instance_class, region, account, allocated_gb, created_at."""
        s = snap()
        f = Q.Filters(engine, region, account, environment, team, application, status, q)
        checks = Q.predicates(s, f)
        if cluster:
            want = None if cluster.lower() == "none" else cluster
            checks.append(lambda d: d.cluster == want)
        key = fingerprint("db", f, cluster, sort, s.collected_at)
        rows = matched(key, lambda: Q.sort_records(Q.select(s.db_instances, checks), sort, DB_SORT, "identifier"))
        page = paginate(rows, limit=limit, cursor=cursor, query=key)
        return page_answer(A.DBInstancePage, page, db_row, s)

    @tool(mcp, title="Get one DB instance")
    def get_db_instance(
        identifier: Annotated[str, Field(description="DB instance identifier or ARN")],
        account: Account = None, region: Region = None,
    ) -> A.DBInstanceAnswer:  # fmt: skip
        """Every collected detail of one DB instance (settings, network exposure, tags, 14-day utilisation).
        Accepts an ARN; a bare identifier used in several accounts/regions needs account or region."""
        s = snap()
        return A.DBInstanceAnswer(
            instance=db_detail(s, Q.find_db_instance(s, identifier, account, region)), **A.meta(s)
        )

    @tool(mcp, title="List Aurora / Multi-AZ DB clusters")
    def list_db_clusters(
        engine: Engine = None, region: Region = None, account: Account = None, environment: Environment = None,
        team: Team = None, application: Application = None, status: Status = None, q: Query = None,
        sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
    ) -> A.DBClusterPage:  # fmt: skip
        """DB clusters with their member instance ids (writer first), filtered, sorted, paged."""
        s = snap()
        f = Q.Filters(engine, region, account, environment, team, application, status, q)
        key = fingerprint("cl", f, sort, s.collected_at)
        rows = matched(key, lambda: Q.sort_records(
            Q.select(s.db_clusters, Q.predicates(s, f)), sort,
            ("identifier", "engine", "engine_version", "region", "account", "created_at"), "identifier"))  # fmt: skip
        page = paginate(rows, limit=limit, cursor=cursor, query=key)
        return page_answer(A.DBClusterPage, page, cluster_row, s)

    @tool(mcp, title="List DB snapshots")
    def list_db_snapshots(
        engine: Engine = None, region: Region = None, account: Account = None, environment: Environment = None,
        team: Team = None, q: Query = None,
        kind: Annotated[Literal["instance", "cluster"] | None, Field(description="instance or cluster")] = None,
        snapshot_type: Annotated[str | None, Field(description="manual, automated, awsbackup")] = None,
        public: Annotated[bool | None, Field(description="only public (true) or non-public (false)")] = None,
        encrypted: bool | None = None,
        older_than_days: Annotated[int | None, Field(ge=0, description="created more than N days ago")] = None,
        sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
    ) -> A.DBSnapshotPage:  # fmt: skip
        """Instance and cluster snapshots with public/shared/encryption state and age, filtered, paged."""
        s = snap()
        f = Q.Filters(engine, region, account, environment, team, None, None, q)
        checks = Q.predicates(s, f)
        if kind:
            checks.append(lambda r: r.kind == kind)
        types = Q.choice_set(snapshot_type, Q.SNAPSHOT_TYPES, "snapshot_type")
        if types:
            checks.append(lambda r: r.snapshot_type.lower() in types)
        if public is not None:
            checks.append(lambda r: r.public == public)
        if encrypted is not None:
            checks.append(lambda r: r.encrypted == encrypted)
        now = s.collected_at
        if older_than_days is not None:
            checks.append(lambda r: r.created_at is not None and (now - r.created_at).days > older_than_days)
        key = fingerprint("snap", f, kind, snapshot_type, public, encrypted, older_than_days, sort, s.collected_at)
        rows = matched(key, lambda: Q.sort_records(
            Q.select(s.db_snapshots, checks), sort,
            ("identifier", "created_at", "allocated_gb", "engine", "region", "account"), "-created_at"))  # fmt: skip
        page = paginate(rows, limit=limit, cursor=cursor, query=key)
        return page_answer(A.DBSnapshotPage, page, lambda r: snapshot_row(r, now), s)

    @tool(mcp, title="List EC2 instances")
    def list_ec2_instances(
        region: Region = None, account: Account = None, environment: Environment = None, team: Team = None,
        application: Application = None,
        state: Annotated[str | None, Field(description="running, stopped, ...")] = None, q: Query = None,
        database_host: Annotated[bool | None, Field(description="only self-managed database hosts")] = None,
        public: Annotated[bool | None, Field(description="only instances with (true) / without a public IP")] = None,
        sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
    ) -> A.EC2Page:  # fmt: skip
        """EC2 instances, flagging self-managed database hosts, public IPs and IMDSv2, filtered, paged."""
        s = snap()
        f = Q.Filters(None, region, account, environment, team, application, state, q)
        checks = Q.predicates(s, f, status_attr="state", engine_attr=None)
        if database_host is not None:
            checks.append(lambda e: e.database_host == database_host)
        if public is not None:
            checks.append(lambda e: (e.public_ip is not None) == public)
        key = fingerprint("ec2", f, database_host, public, sort, s.collected_at)
        rows = matched(key, lambda: Q.sort_records(
            Q.select(s.ec2_instances, checks), sort,
            ("identifier", "name", "instance_type", "region", "account", "launched_at"), "identifier"))  # fmt: skip
        page = paginate(rows, limit=limit, cursor=cursor, query=key)
        return page_answer(A.EC2Page, page, ec2_row, s)

    @tool(mcp, title="List S3 buckets")
    def list_s3_buckets(
        region: Region = None, account: Account = None, environment: Environment = None, team: Team = None,
        q: Query = None,
        purpose: Annotated[str | None, Field(description="backups, exports, logs, data, static, ...")] = None,
        public: bool | None = None, encrypted: bool | None = None,
        sort: Sort = None, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
    ) -> A.S3Page:  # fmt: skip
        """S3 buckets with encryption, public access block, public status, versioning and purpose, paged."""
        s = snap()
        f = Q.Filters(None, region, account, environment, team, None, None, q)
        checks = Q.predicates(s, f, engine_attr=None,
                              text_fields=lambda b: (b.name, b.purpose, *b.tags.values()))  # fmt: skip
        for attr, value in (("public", public), ("encrypted", encrypted)):
            if value is not None:
                checks.append(lambda b, attr=attr, value=value: getattr(b, attr) == value)
        if purpose:
            wanted = {p.strip().lower() for p in purpose.split(",")}
            checks.append(lambda b: (b.purpose or "").lower() in wanted)
        key = fingerprint("s3", f, purpose, public, encrypted, sort, s.collected_at)
        rows = matched(key, lambda: Q.sort_records(
            Q.select(s.s3_buckets, checks), sort, ("name", "region", "account", "size_gb"), "name"))  # fmt: skip
        page = paginate(rows, limit=limit, cursor=cursor, query=key)
        return page_answer(A.S3Page, page, s3_row, s)

    @tool(mcp, title="Refresh the inventory", open_world=True)
    async def refresh_inventory(ctx: Context) -> A.RefreshAnswer:
        """Collect the inventory again now (ignoring the cache), reporting progress per account and region."""
        started = time.perf_counter()

        def progress(done: int, total: int, message: str) -> None:
            anyio.from_thread.run(ctx.report_progress, done, total, message)

        s = await anyio.to_thread.run_sync(services.inventory.refresh, progress)
        return A.RefreshAnswer(
            db_instances=len(s.db_instances),
            db_clusters=len(s.db_clusters),
            ec2_instances=len(s.ec2_instances),
            s3_buckets=len(s.s3_buckets),
            elapsed_s=round(time.perf_counter() - started, 3),
            **A.meta(s),
        )
