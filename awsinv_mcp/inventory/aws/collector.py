"""The AWS collection: accounts x regions fanned out on one bounded pool, assembled into one Snapshot.

Task graph (every box runs on the pool of `settings.max_concurrency` workers):

    caller identity -> setup(account): alias, regions -> per region: compute (EC2), databases (RDS +
    CloudWatch), instance snapshots, cluster snapshots, reserved DB instances
                                                      -> per account: S3 listing -> bucket batches
                                                      -> once per collection: RDS engine lifecycle dates
    profiles / role ARNs / Organizations members -> assume or identify -> setup(account) -> ...

A failing account, region or call becomes a warning; everything else is collected. Progress is reported
once per finished account x region (and once per account for S3), on the thread that called `collect()`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from awsinv_mcp.config import Settings
from awsinv_mcp.errors import Cancelled
from awsinv_mcp.inventory import kinds
from awsinv_mcp.inventory.aws import ec2, elasticache, rds, s3
from awsinv_mcp.inventory.aws.context import Fault, Results, Scope, Target
from awsinv_mcp.inventory.aws.errors import Where, describe
from awsinv_mcp.inventory.aws.fanout import (
    BACKGROUND,
    CHAIN,
    SETUP,
    ClientFactory,
    ClientHook,
    FanOut,
    RateLimits,
    Unit,
)
from awsinv_mcp.inventory.aws.lifecycle import fetch_lifecycle_overrides
from awsinv_mcp.inventory.aws.regions import account_regions
from awsinv_mcp.inventory.aws.sessions import (
    SessionMaker,
    account_alias,
    caller_target,
    env_profile,
    identify,
    org_members,
    partition_of,
    role_account,
)
from awsinv_mcp.inventory.aws.tags import account_environment
from awsinv_mcp.models.inventory import Account, DBSnapshot, Gap, LifecycleOverride, Snapshot

log = logging.getLogger("awsinv_mcp.inventory.aws")

ProgressFn = Callable[[int, int, str], None]

REGION_TASKS: tuple[tuple[str, Callable[[Scope], None]], ...] = (
    ("ec2", ec2.collect_compute),
    ("rds", rds.collect_databases),
    ("rds", lambda scope: rds.collect_snapshots(scope, "instance")),
    ("rds", lambda scope: rds.collect_snapshots(scope, "cluster")),
    ("rds", rds.collect_reserved),
    ("elasticache", elasticache.collect_caches),
)


class Progress:
    """Counts finished account x region units; reports them on the collecting thread (`deliver()`).

    Units finish on worker threads; their reports are queued and delivered by the thread that called
    `collect()`, so a progress callback may use thread-bound machinery (e.g. anyio's from_thread).
    `done` never decreases; `total` grows as accounts and their regions are discovered.
    """

    def __init__(self, progress: ProgressFn | None, names: dict[str, str]) -> None:
        self._progress = progress
        self._names = names
        self._lock = threading.Lock()
        self._queue: deque[tuple[int, int, str]] = deque()
        self.done = 0
        self.total = 0

    def expect(self, units: int) -> None:
        with self._lock:
            self.total += units

    def finished(self, unit: Unit) -> None:
        account, region = unit
        if region == "setup":
            return
        name = self._names.get(account, account)
        what = "S3 buckets" if region == "s3" else region
        with self._lock:
            self.done += 1
            self._queue.append((self.done, self.total, f"collected {name} {what}"))

    def deliver(self) -> None:
        while self._progress is not None and self._queue:
            done, total, message = self._queue.popleft()
            try:
                self._progress(done, total, message)
            except Exception:
                log.exception("progress callback failed")


class Collection:
    """One run of the AWS collection (build, `run()`, read `snapshot()`)."""

    def __init__(
        self,
        settings: Settings,
        progress: ProgressFn | None = None,
        hook: ClientHook | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.settings = settings
        self.results = Results(cancel=cancel or threading.Event())
        self.clients = ClientFactory(RateLimits(), hook)
        self.maker = SessionMaker(share=settings.share_botocore)
        self._names: dict[str, str] = {}
        self.progress = Progress(progress, self._names)
        self.pool = FanOut(
            settings.max_concurrency,
            on_error=self._task_failed,
            on_unit_done=self.progress.finished,
            cancel=self.results.cancel,
        )
        self.targets: list[Target] = []
        self.organisation: tuple[Account, ...] = ()  # every member, when the organisation was listed unnarrowed
        self.regions: set[str] = set()
        self._claimed: set[str] = set()
        self._lock = threading.Lock()
        self._lifecycle_asked = False
        self.lifecycle: tuple[LifecycleOverride, ...] = ()

    # -- helpers ------------------------------------------------------------------------------------
    def scope(self, target: Target, region: str | None, service: str) -> Scope:
        return Scope(target, region, service, settings=self.settings, clients=self.clients, results=self.results)

    def claim(self, account: str) -> bool:
        """True the first time `account` is seen: every account is collected once."""
        with self._lock:
            if account in self._claimed:
                return False
            self._claimed.add(account)
            return True

    def _task_failed(self, unit: Unit, exc: Exception) -> None:
        account, region = unit
        where = Where(account, None, None if region in ("setup", "s3") else region, "collector")
        message = f"collecting {account} {region} stopped on an unexpected {type(exc).__name__}: {exc}"
        self.results.fault(Fault(where, f"task {region}", "error", message))

    # -- accounts -----------------------------------------------------------------------------------
    def run(self) -> None:
        deadline = time.monotonic() + self.settings.collect_deadline
        try:
            self._start()
        finally:
            late = self.pool.wait(on_wake=self.progress.deliver, deadline=deadline)
            if late:
                self.results.stopped.set()
                self._overdue(late)

    def _overdue(self, units: list[Unit]) -> None:
        """A fault (hence a warning and a gap) for each account x region still running at the deadline."""
        seconds = f"{self.settings.collect_deadline:g}"
        for account, region in units:
            service = "s3" if region == "s3" else "account" if region == "setup" else None
            where = Where(account, None, None if region in ("setup", "s3") else region, service)
            message = (
                f"{where.label} did not finish within the {seconds} s collection deadline "
                "(AWSINV_COLLECT_DEADLINE); its last good records are kept"
            )
            self.results.fault(Fault(where, "collection", "deadline", message))

    def _start(self) -> None:
        caller = self._session_or_fault(
            lambda: caller_target(self.maker), Where("", service="sts", profile=env_profile())
        )
        identity = identify(self.scope(caller, None, "sts")) if caller is not None else None
        if caller is not None and identity is not None:
            caller.id = identity["Account"]
            caller.partition = partition_of(identity.get("Arn", ""))
            self.claim(caller.id)
            self.pool.spawn((caller.id, "setup"), lambda: self.setup(caller), SETUP)
        for profile in self.settings.profiles:
            self.pool.spawn((f"profile {profile}", "setup"), lambda p=profile: self.from_profile(p), SETUP)
        if caller is not None and identity is not None:
            for arn in self.settings.role_arns:
                self.from_role_arn(caller, arn)
            if self.settings.org_role:
                self.pool.spawn((caller.id, "setup"), lambda: self.from_organization(caller), SETUP)

    def _session_or_fault(self, make: Callable[[], Target], where: Where) -> Target | None:
        """`make()`, or None with a warning (a profile missing from the AWS config, ...)."""
        try:
            return make()
        except Exception as exc:
            kind, message = describe(exc, "sts:GetCallerIdentity", where)
            self.results.fault(Fault(where, "sts:GetCallerIdentity", kind, message))
            return None

    def from_profile(self, profile: str) -> None:
        where = Where("", service="sts", profile=profile)
        target = self._session_or_fault(
            lambda: Target(id="", session=self.maker.profile(profile), origin=f"profile {profile}", profile=profile),
            where,
        )
        identity = identify(self.scope(target, None, "sts")) if target is not None else None
        if target is None or identity is None:
            return
        target.id = identity["Account"]
        target.partition = partition_of(identity.get("Arn", ""))
        if self.claim(target.id):
            self.setup(target)

    def from_role_arn(self, caller: Target, arn: str) -> None:
        account = role_account(arn)
        if account is None:
            where = Where(caller.id, None, None, "sts")
            message = f"AWSINV_ROLE_ARNS entry {arn!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)"
            self.results.fault(Fault(where, "sts:AssumeRole", "error", message))
            return
        if self.claim(account):
            self.pool.spawn((account, "setup"), lambda: self.assume(caller, account, arn, f"role {arn}"), SETUP)

    def from_organization(self, caller: Target) -> None:
        members = org_members(self.scope(caller, None, "organizations"))
        if members and not (self.settings.org_ous or self.settings.org_accounts):  # the whole organisation
            self.organisation = tuple(
                Account(id=m["Id"], alias=m.get("Name"), environment=account_environment(m.get("Name"), self.settings))
                for m in sorted(members, key=lambda m: m["Id"])
            )
        role = self.settings.org_role or ""
        for member in members:
            account = member["Id"]
            if self.claim(account):
                arn = f"arn:{caller.partition}:iam::{account}:role/{role}"
                name = member.get("Name")
                self.pool.spawn(
                    (account, "setup"),
                    lambda a=account, r=arn, n=name: self.assume(caller, a, r, "organizations", n),
                    SETUP,
                )

    def assume(self, caller: Target, account: str, arn: str, origin: str, name: str | None = None) -> None:
        target = Target(id=account, session=caller.session, origin=origin, name=name, partition=caller.partition)
        scope = self.scope(target, None, "sts")
        sts = self.clients.get(caller.session, caller.id, "sts", caller.home_region)
        session = scope.fetch(
            "sts:AssumeRole",
            lambda: self.maker.assumed(sts, arn, self.settings, caller.session.region_name),
            None,
        )
        if session is not None:
            target.session = session
            self.setup(target)

    # -- per account --------------------------------------------------------------------------------
    def setup(self, target: Target) -> None:
        """Alias and regions of one account, then its region tasks and its S3 task."""
        account_scope = self.scope(target, None, "account")
        target.alias = account_alias(account_scope)
        target.environment = account_environment(target.alias or target.name, self.settings)
        display = target.alias or target.name
        self._names[target.id] = f"{target.id} ({display})" if display else target.id
        regions = account_regions(self.scope(target, None, "ec2"))
        with self._lock:
            self.targets.append(target)
            self.regions.update(regions)
        self.progress.expect(len(regions) + 1)
        for region in regions:
            tasks = [self._region_task(target, region, service, fn) for service, fn in REGION_TASKS]
            self.pool.spawn_all((target.id, region), tasks)
        if regions:
            self._ask_lifecycle(target, target.home_region if target.home_region in regions else regions[0])
        s3_scope = self.scope(target, None, "s3")
        self.pool.spawn(
            (target.id, "s3"), lambda: s3.collect_buckets(s3_scope, self._spawner((target.id, "s3"))), CHAIN
        )

    def _ask_lifecycle(self, target: Target, region: str) -> None:
        """RDS's engine support dates, once per collection (they are the same in every account and region)."""
        with self._lock:
            if self._lifecycle_asked:
                return
            self._lifecycle_asked = True
        scope = self.scope(target, region, "rds")

        def ask() -> None:
            self.lifecycle = scope.fetch(
                "rds:DescribeDBMajorEngineVersions", lambda: fetch_lifecycle_overrides(scope.client("rds")), ()
            )

        self.pool.spawn((target.id, "setup"), ask, BACKGROUND)

    def _region_task(
        self, target: Target, region: str, service: str, fn: Callable[[Scope], None]
    ) -> Callable[[], None]:
        scope = self.scope(target, region, service)
        return lambda: fn(scope)

    def _spawner(self, unit: Unit) -> Callable[[Callable[[], None]], None]:
        return lambda fn: self.pool.spawn(unit, fn, CHAIN)

    # -- result -------------------------------------------------------------------------------------
    def gaps(self, faults: list[Fault]) -> tuple[Gap, ...]:
        """What the faults left uncollected (see `inventory/lastgood.py`); expected absences are not gaps."""
        out: set[Gap] = set()
        for f in faults:
            where = f.where
            if f.kind in ("opt_in", "unsupported") or (where.service == "account" and f.kind != "deadline"):
                continue
            if not where.account:
                if where.profile is None:
                    out.add(Gap(""))  # the caller's own identity failed: nothing could be collected
                continue
            whole_account = where.service in ("sts", "account") or (where.service == "ec2" and where.region is None)
            if whole_account:
                out.add(Gap(where.account))
            elif where.service in ("collector", None):
                out.add(Gap(where.account, where.region))
            else:
                out.add(Gap(where.account, where.region, where.service))
        return tuple(sorted(out, key=lambda g: (g.account, g.region or "", g.service or "")))

    def snapshot(self, collected_at: datetime | None = None) -> Snapshot:
        records, faults = self.results.frozen()
        accounts = tuple(
            sorted(
                (Account(id=t.id, alias=t.alias or t.name, environment=t.environment) for t in self.targets),
                key=lambda a: a.id,
            )
        )
        found = {kind.field: tuple(sorted(records.get(kind.name, ()), key=kind.key)) for kind in kinds.KINDS}
        sources = found["db_instances"] + found["db_clusters"]
        found["db_snapshots"] = tuple(inherit_labels(found["db_snapshots"], sources))
        return Snapshot(
            source="aws",
            collected_at=collected_at or datetime.now(UTC),
            accounts=accounts,
            regions=tuple(sorted(self.regions)),
            warnings=tuple(self.results.warnings()),
            lifecycle_overrides=self.lifecycle,
            organisation=self.organisation,
            orderable_classes=tuple(
                sorted(set(records.get(rds.ORDERABLE, ())), key=lambda o: (o.region, o.engine, o.engine_version))
            ),
            gaps=self.gaps(faults),
            **found,
        )


def inherit_labels(snapshots: tuple[DBSnapshot, ...], sources: tuple[Any, ...]) -> list[DBSnapshot]:
    """Untagged snapshots take environment/team/application from their DB instance or cluster."""
    labels = {(s.account, s.region, s.identifier): s for s in sources}
    out = []
    for snap in snapshots:
        source = labels.get((snap.account, snap.region, snap.source_id))
        if source is not None and not (snap.environment or snap.team or snap.application):
            snap = dataclasses.replace(
                snap, environment=source.environment, team=source.team, application=source.application
            )
        out.append(snap)
    return out


def collect(
    settings: Settings,
    progress: ProgressFn | None = None,
    *,
    hook: ClientHook | None = None,
    cancel: threading.Event | None = None,
) -> Snapshot:
    """Collect every configured account x region into one Snapshot (see the module docstring). Once `cancel` is
    set, no further AWS call starts and `Cancelled` is raised."""
    collection = Collection(settings, progress, hook, cancel)
    collection.run()
    if collection.results.cancel.is_set():
        raise Cancelled("the collection was cancelled")
    return collection.snapshot()
