"""Version compliance: the engine support calendar and one status row per standalone DB instance or cluster.

Pure functions of a snapshot, a date and `resources/engine_lifecycle.json` (overridden per engine major by
RDS's own lifecycle answers carried in `snapshot.lifecycle_overrides`, aws mode). Statuses:

- `standard`: in standard support and not ending within `months_ahead` calendar months of `as_of`;
- `ending_soon`: standard support ends on or before `as_of` + `months_ahead` months (day clamped);
- `extended_support`: past standard support, RDS Extended Support exists for the engine and has not ended
  (and the resource did not opt out with `open-source-rds-extended-support-disabled`);
- `end_of_support`: past every support date (MariaDB, SQL Server and Oracle have no Extended Support).

Dates are the last day of each period. Aurora cluster members follow their cluster (one row per cluster,
the Extended Support charge summed over members). A major missing from the calendar is reported as
`standard` with no dates, and counted in `unknown_majors` so the answer can warn about it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal

from awsinv_mcp import pricing
from awsinv_mcp.analysis.catalogue import AnalysisContext
from awsinv_mcp.data import load_json
from awsinv_mcp.dates import add_months
from awsinv_mcp.engine_versions import engine_family, major_of
from awsinv_mcp.errors import UserError
from awsinv_mcp.gcpause import paused_gc
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.tags import UNTAGGED
from awsinv_mcp.models.inventory import DBCluster, DBInstance, LifecycleOverride, Snapshot

Status = Literal["standard", "ending_soon", "extended_support", "end_of_support"]
STATUSES: tuple[Status, ...] = ("end_of_support", "extended_support", "ending_soon", "standard")
STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}
SUMMARY_TOP = 12  # summary keys shown before the rest is merged into "others (N)"
EXTENDED_SUPPORT_DISABLED = "open-source-rds-extended-support-disabled"
EXTENDED_SUPPORT_ENROLLED = "open-source-rds-extended-support"  # the RDS default (EngineLifecycleSupport)
OVERRIDE_SOURCE = "RDS DescribeDBMajorEngineVersions (this account)"


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True, slots=True)
class MajorLifecycle:
    """Support dates of one engine major (last day of each period) and where they come from."""

    engine: str  # calendar key: postgres, mysql, mariadb, aurora-mysql, aurora-postgresql, sqlserver, oracle
    major: str
    end_of_standard_support: date | None
    end_of_extended_support: date | None = None
    extended_support_charges_start: date | None = None
    year3_rate_applies: bool = True
    upgrade_target: str | None = None
    upgrade_path: tuple[str, ...] = ()
    name: str | None = None
    source: str = ""
    read_on: str = ""
    confirmed: bool = False
    basis: str | None = None
    overridden: bool = False

    @property
    def has_extended_support(self) -> bool:
        return self.end_of_extended_support is not None

    def status(self, as_of: date, months_ahead: int, *, opted_out: bool = False) -> Status:
        """Support status on `as_of` (see module docstring)."""
        end = self.end_of_standard_support
        if end is None or as_of <= end:
            if end is not None and end <= add_months(as_of, months_ahead):
                return "ending_soon"
            return "standard"
        if not opted_out and self.end_of_extended_support is not None and as_of <= self.end_of_extended_support:
            return "extended_support"
        return "end_of_support"

    def extended_support_year(self, as_of: date) -> int:
        """Year (1-3) of Extended Support on `as_of`, counted from the start of charges; year 3 is billed at the
        year 1-2 rate where AWS says so (`year3_rate_applies`)."""
        if self.end_of_standard_support is None:
            return 1
        start = self.extended_support_charges_start or date.fromordinal(self.end_of_standard_support.toordinal() + 1)
        year = 1
        while year < 3 and as_of >= add_months(start, 12 * year):
            year += 1
        return 2 if year == 3 and not self.year3_rate_applies else year

    def to_dict(self) -> dict[str, Any]:
        """Compact JSON form for lifecycle://engines."""
        out: dict[str, Any] = {
            "end_of_standard_support": _iso(self.end_of_standard_support),
            "end_of_extended_support": _iso(self.end_of_extended_support),
            "upgrade_target": self.upgrade_target,
            "confirmed": self.confirmed,
        }
        if self.name:
            out["name"] = self.name
        if self.upgrade_path:
            out["upgrade_path"] = list(self.upgrade_path)
        if self.extended_support_charges_start:
            out["extended_support_charges_start"] = _iso(self.extended_support_charges_start)
        if self.basis:
            out["basis"] = self.basis
        if self.overridden:
            out["source"] = self.source
        return out


@dataclass(frozen=True)
class Calendar:
    """Every known engine major, keyed by (calendar engine, major)."""

    majors: dict[tuple[str, str], MajorLifecycle]
    engines: dict[str, dict[str, Any]] = field(default_factory=dict)  # engine -> label, source, extended_support
    read_on: str = ""

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Calendar:
        read_on = data["read_on"]
        majors: dict[tuple[str, str], MajorLifecycle] = {}
        engines: dict[str, dict[str, Any]] = {}
        for engine, spec in data["engines"].items():
            engines[engine] = {k: spec[k] for k in ("label", "source", "extended_support")}
            for major, m in spec["majors"].items():
                majors[(engine, major)] = MajorLifecycle(
                    engine=engine, major=major,
                    end_of_standard_support=_day(m["end_of_standard_support"]),
                    end_of_extended_support=_day(m.get("end_of_extended_support")),
                    extended_support_charges_start=_day(m.get("extended_support_charges_start")),
                    year3_rate_applies=m.get("year3_rate_applies", True),
                    upgrade_target=m.get("upgrade_target"), upgrade_path=tuple(m.get("upgrade_path", ())),
                    name=m.get("name"), source=m.get("source", spec["source"]), read_on=m.get("read_on", read_on),
                    confirmed=bool(m.get("confirmed")), basis=m.get("basis"),
                )  # fmt: skip
        return cls(majors, engines, read_on)

    @classmethod
    def default(cls) -> Calendar:
        """The bundled calendar (resources/engine_lifecycle.json)."""
        return _default_calendar()

    def lookup(self, engine: str, major: str) -> MajorLifecycle | None:
        return self.majors.get((engine_family(engine), major))

    def with_overrides(self, overrides: Iterable[LifecycleOverride]) -> Calendar:
        """A copy where RDS's lifecycle answers replace the file's dates for the majors they cover."""
        majors = dict(self.majors)
        for o in overrides:
            key = (engine_family(o.engine), o.major)
            base = majors.get(key) or MajorLifecycle(engine=key[0], major=o.major, end_of_standard_support=None)
            majors[key] = replace(
                base,
                end_of_standard_support=o.end_of_standard_support or base.end_of_standard_support,
                end_of_extended_support=o.end_of_extended_support or base.end_of_extended_support,
                source=OVERRIDE_SOURCE, overridden=True, confirmed=True,
            )  # fmt: skip
        return Calendar(majors, self.engines, self.read_on)

    def to_dict(self) -> dict[str, Any]:
        """engine -> {label, source, extended_support, majors: {major: dates...}} (lifecycle://engines)."""
        out: dict[str, Any] = {}
        for (engine, major), lc in self.majors.items():
            entry = out.setdefault(engine, {**self.engines.get(engine, {}), "majors": {}})
            entry["majors"][major] = lc.to_dict()
        return out


@cache
def _default_calendar() -> Calendar:
    return Calendar.from_data(load_json("engine_lifecycle.json"))


def calendar_for(snapshot: Snapshot) -> Calendar:
    """The bundled calendar, with the snapshot's RDS lifecycle answers applied (aws mode)."""
    base = Calendar.default()
    return base.with_overrides(snapshot.lifecycle_overrides) if snapshot.lifecycle_overrides else base


# ---- rows -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComplianceRow:
    """One standalone DB instance or one cluster (members follow their cluster)."""

    resource_id: str
    resource_type: Literal["instance", "cluster"]
    account: str
    region: str
    engine: str
    engine_version: str
    major: str
    status: Status
    end_of_standard_support: date | None
    end_of_extended_support: date | None
    extended_support_monthly_usd: float | None
    upgrade_target: str | None
    environment: str | None
    team: str | None
    record: Any = field(repr=False, compare=False)  # the DBInstance or DBCluster
    known: bool = True  # False when the major is not in the calendar
    es_basis: str | None = None  # how the Extended Support charge was computed
    lifecycle_setting: str | None = None  # enrolled, enrolled (default), disabled (forced upgrade); None: no ES
    extended_support_starts: date | None = None  # first day Extended Support is billed (ending_soon/extended rows)
    extended_support_year: int | None = None  # the rate band now (extended_support) or at the start (ending_soon)
    year3_starts: date | None = None  # the year-3 rate (twice years 1-2) applies from this day
    year3_monthly_usd: float | None = None  # the monthly charge at the year-3 rate

    def sort_key(self) -> tuple[Any, ...]:
        return (STATUS_ORDER[self.status], self.end_of_standard_support or date.max,
                -(self.extended_support_monthly_usd or 0.0), self.account, self.region, self.resource_id)  # fmt: skip


def members_by_cluster(snapshot: Snapshot) -> dict[tuple[str, str, str], list[DBInstance]]:
    """(account, region, cluster identifier) -> member DB instances."""
    members: dict[tuple[str, str, str], list[DBInstance]] = defaultdict(list)
    for inst in snapshot.db_instances:
        if inst.cluster:
            members[(inst.account, inst.region, inst.cluster)].append(inst)
    return members


def run_members(snapshot: Snapshot, ctx: AnalysisContext, cluster: DBCluster) -> list[DBInstance]:
    """The collected member instances of `cluster` (the index is built once per analysis run)."""
    index = ctx.memo.get(("members_by_cluster", snapshot), lambda: members_by_cluster(snapshot))
    return index.get((cluster.account, cluster.region, cluster.identifier), [])


def _resources(snapshot: Snapshot) -> Iterator[tuple[DBInstance | DBCluster, list[DBInstance]]]:
    """Standalone instances (and members of clusters missing from the snapshot), then clusters with members."""
    members = members_by_cluster(snapshot)
    clusters = snapshot.clusters_by_key
    for inst in snapshot.db_instances:
        if not inst.cluster or (inst.account, inst.region, inst.cluster) not in clusters:
            yield inst, [inst]
    for cluster in snapshot.db_clusters:
        yield cluster, members.get((cluster.account, cluster.region, cluster.identifier), [])


def extended_support_charge(
    engine: str, year: int, region: str, members: Iterable[DBInstance], cluster: DBCluster | None = None
) -> tuple[float, str]:
    """Monthly Extended Support charge of the resource's instances and how it was computed.

    Provisioned: rate(engine, year, region) x vCPUs x 730, a Multi-AZ standby counting again (AWS bills
    standbys). Aurora Serverless v2 members: ACU rate x the cluster's minimum ACUs x 730 (a lower bound).
    Raises PriceNotFound when a rate or class is unknown.
    """
    rate = pricing.extended_support_vcpu_hour(engine, year, region)
    cpus = 0
    acus = 0.0
    for inst in members:
        if inst.instance_class == "db.serverless":
            acus += cluster.serverless_v2_min_acu if cluster and cluster.serverless_v2_min_acu else 0.0
            continue
        copies = 2 if (inst.multi_az and not inst.cluster) else 1
        cpus += pricing.vcpus(inst.instance_class) * copies
    total = rate * cpus * pricing.HOURS_PER_MONTH
    basis = f"year {year} rate ${rate}/vCPU-h x {cpus} vCPU x {pricing.HOURS_PER_MONTH} h ({region})"
    if acus:
        acu_rate = pricing.extended_support_acu_hour(year, region)
        total += acu_rate * acus * pricing.HOURS_PER_MONTH
        basis += f" + ${acu_rate}/ACU-h x {acus} min ACU x {pricing.HOURS_PER_MONTH} h"
    return round(total, 2), basis


def lifecycle_setting(record: DBInstance | DBCluster, lc: MajorLifecycle | None) -> str | None:
    """What the resource's EngineLifecycleSupport means: 'enrolled' (or 'enrolled (default)' when RDS did not say:
    RDS enrols by default), 'disabled (forced upgrade)' (RDS upgrades the major when standard support ends instead
    of billing Extended Support); None for engines without Extended Support."""
    if lc is None or not lc.has_extended_support:
        return None
    value = record.engine_lifecycle_support
    if value == EXTENDED_SUPPORT_DISABLED:
        return "disabled (forced upgrade)"
    return "enrolled" if value else "enrolled (default)"


def charges_start(lc: MajorLifecycle) -> date | None:
    """The first day RDS bills Extended Support for this major."""
    if lc.extended_support_charges_start:
        return lc.extended_support_charges_start
    return lc.end_of_standard_support + timedelta(days=1) if lc.end_of_standard_support else None


def _judge(engine: str, version: str, opted_out: bool, calendar: Calendar, as_of: date, months_ahead: int,
           cache: dict[Any, Any]) -> tuple[str, MajorLifecycle | None, Status, int]:  # fmt: skip
    """(major, lifecycle, status, Extended Support year) of an engine version, computed once per run."""
    key = (engine, version, opted_out)
    found = cache.get(key)
    if found is None:
        major = major_of(engine, version)
        lc = calendar.lookup(engine, major)
        status: Status = "standard" if lc is None else lc.status(as_of, months_ahead, opted_out=opted_out)
        year = lc.extended_support_year(as_of) if lc is not None and status == "extended_support" else 0
        found = cache[key] = (major, lc, status, year)
    return found


def _row(record: DBInstance | DBCluster, members: list[DBInstance], calendar: Calendar, as_of: date,
         months_ahead: int, cache: dict[Any, Any]) -> ComplianceRow:  # fmt: skip
    engine = record.engine
    opted_out = record.engine_lifecycle_support == EXTENDED_SUPPORT_DISABLED
    major, lc, status, year = _judge(engine, record.engine_version, opted_out, calendar, as_of, months_ahead, cache)
    is_cluster = isinstance(record, DBCluster)
    charge = basis = None
    if year:
        try:
            charge, basis = extended_support_charge(engine, year, record.region, members,
                                                    record if is_cluster else None)  # fmt: skip
        except pricing.PriceNotFound as exc:
            basis = f"not priced: {exc}"
    elif status == "ending_soon" and lc is not None and lc.has_extended_support and not opted_out:
        start = charges_start(lc)
        try:  # forward-looking: what RDS bills from the day after standard support ends (issue 13 item 2)
            charge, basis = extended_support_charge(engine, 1, record.region, members,
                                                    record if is_cluster else None)  # fmt: skip
            basis = f"projected from {start.isoformat() if start else '?'} (year 1 rate; year 3 doubles): {basis}"
        except pricing.PriceNotFound as exc:
            basis = f"not priced: {exc}"
    setting = lifecycle_setting(record, lc)
    starts = band = year3 = year3_usd = None
    if lc is not None and setting and not opted_out and status in ("ending_soon", "extended_support"):
        starts = charges_start(lc)
        band = year or 1
        year3 = add_months(starts, 24) if starts and lc.year3_rate_applies else None
        if year3 is not None and (lc.end_of_extended_support is None or year3 <= lc.end_of_extended_support):
            try:
                year3_usd = extended_support_charge(engine, 3, record.region, members,
                                                    record if is_cluster else None)[0]  # fmt: skip
            except pricing.PriceNotFound:
                year3_usd = None
        else:
            year3 = None
    return ComplianceRow(
        record.identifier, "cluster" if is_cluster else "instance", record.account, record.region, engine,
        record.engine_version, major, status, lc.end_of_standard_support if lc else None,
        lc.end_of_extended_support if lc else None, charge, lc.upgrade_target if lc else None, record.environment,
        record.team, record, lc is not None, basis, setting, starts, band, year3, year3_usd,
    )  # fmt: skip


def compliance_rows(
    snapshot: Snapshot, as_of: date, months_ahead: int = 6, calendar: Calendar | None = None
) -> list[ComplianceRow]:
    """Every row of the estate, most urgent first."""
    calendar = calendar or calendar_for(snapshot)
    cache: dict[Any, Any] = {}
    with paused_gc():
        rows = [_row(rec, members, calendar, as_of, months_ahead, cache) for rec, members in _resources(snapshot)]
        rows.sort(key=ComplianceRow.sort_key)
    return rows


def run_calendar(snapshot: Snapshot, ctx: AnalysisContext) -> Calendar:
    """The calendar of one analysis run (computed once per run: the overrides are applied once)."""
    return ctx.memo.get(("calendar", snapshot), lambda: calendar_for(snapshot))


def run_rows(snapshot: Snapshot, ctx: AnalysisContext) -> list[ComplianceRow]:
    """The compliance rows of one analysis run (its date and horizon): what the version rules, the compliance
    tool and the Extended Support charges of the cost model all read, so they never disagree."""
    calendar = run_calendar(snapshot, ctx)
    return ctx.memo.get(
        ("compliance_rows", snapshot), lambda: compliance_rows(snapshot, ctx.as_of, ctx.months_ahead, calendar)
    )


def extended_support_charges(snapshot: Snapshot, ctx: AnalysisContext) -> Iterator[tuple[Any, float, date | None]]:
    """(instance or cluster, monthly USD, first day charged) of every row in Extended Support (what the synthetic
    cost model bills)."""
    calendar = run_calendar(snapshot, ctx)
    for row in run_rows(snapshot, ctx):
        if row.status != "extended_support" or not row.extended_support_monthly_usd:
            continue
        lc = calendar.lookup(row.engine, row.major)
        since = None
        if lc and lc.end_of_standard_support:
            since = lc.extended_support_charges_start or lc.end_of_standard_support + timedelta(days=1)
        yield row.record, row.extended_support_monthly_usd, since


# ---- filtering and summaries ------------------------------------------------------------------------------


def parse_statuses(status: str | None) -> frozenset[str] | None:
    """A comma list of compliance statuses; raises UserError for unknown ones."""
    words = [w.strip().lower() for w in (status or "").split(",") if w.strip()]
    unknown = [w for w in words if w not in STATUS_ORDER]
    if unknown:
        raise UserError(f"unknown status {unknown[0]!r}; use {', '.join(reversed(STATUSES))}")
    return frozenset(words) or None


def row_filter(estate: Estate, f: Q.Filters, status: str | None = None) -> Callable[[ComplianceRow], bool] | None:
    """A predicate over rows for the filters (comma lists, engine families, account aliases, label values), or
    None when nothing is filtered. Raises UserError for unknown engines, regions, accounts, labels and statuses."""
    statuses = parse_statuses(status)
    checks = Q.predicates(estate, f)
    if statuses is None and not checks:
        return None

    def keep(row: ComplianceRow) -> bool:
        return (statuses is None or row.status in statuses) and all(c(row.record) for c in checks)

    return keep


@dataclass
class ComplianceReport:
    """Filtered rows (most urgent first) and their summaries."""

    rows: list[ComplianceRow]
    by_status: dict[str, int]
    by_engine: dict[str, dict[str, int]]
    by_version: dict[str, dict[str, int]]
    by_environment: dict[str, dict[str, int]]
    by_team: dict[str, dict[str, int]]
    extended_support_monthly_usd: float
    unknown_majors: dict[str, int]
    unpriced: int  # rows in Extended Support whose charge could not be priced
    projected_monthly_usd: float = 0.0  # ending_soon rows: what they will be billed once standard support ends


def _tally(target: dict[str, Counter[str]], key: str, status: str) -> None:
    target.setdefault(key, Counter())[status] += 1


def _ordered(counts: dict[str, Counter[str]], top: int | None = None) -> dict[str, dict[str, int]]:
    """Keys with the most urgent, largest counts first; statuses in urgency order. Past `top` keys the rest is
    merged into one "others (N)" entry so summaries stay small for estates with many teams or versions."""

    def urgency(item: tuple[str, Counter[str]]) -> tuple[Any, ...]:
        c = item[1]
        return (*(-c[s] for s in STATUSES[:3]), -c.total(), item[0])

    items = sorted(counts.items(), key=urgency)
    if top is not None and len(items) > top:
        rest: Counter[str] = Counter()
        for _, c in items[top:]:
            rest.update(c)
        items = [*items[:top], (f"others ({len(items) - top})", rest)]
    return {k: {s: c[s] for s in STATUSES if c[s]} for k, c in items}


def check_version_compliance(
    estate: Estate, rows: list[ComplianceRow], f: Q.Filters, status: str | None = None
) -> ComplianceReport:
    """The `rows` matching the filters (comma lists; see `row_filter`), most urgent first, with summaries by
    status, engine, version, environment and team over the matching rows."""
    keep = row_filter(estate, f, status)
    label = estate.environments.label
    if keep is not None:
        rows = [r for r in rows if keep(r)]
    by_status: Counter[str] = Counter()
    by_engine: dict[str, Counter[str]] = {}
    by_version: dict[str, Counter[str]] = {}
    by_env: dict[str, Counter[str]] = {}
    by_team: dict[str, Counter[str]] = {}
    unknown: Counter[str] = Counter()
    total = projected = 0.0
    unpriced = 0
    for r in rows:
        by_status[r.status] += 1
        _tally(by_engine, r.engine, r.status)
        _tally(by_version, f"{engine_family(r.engine)} {r.major}", r.status)
        _tally(by_env, label(r.environment), r.status)
        _tally(by_team, r.team or UNTAGGED, r.status)
        if not r.known:
            unknown[f"{r.engine} {r.major}"] += 1
        if r.extended_support_monthly_usd is not None and r.status == "extended_support":
            total += r.extended_support_monthly_usd  # billed now; ending_soon rows carry a projection, not summed
        elif r.status == "extended_support":
            unpriced += 1
        elif r.status == "ending_soon" and r.extended_support_monthly_usd is not None:
            projected += r.extended_support_monthly_usd
    return ComplianceReport(
        rows=rows, by_status={s: by_status[s] for s in STATUSES if by_status[s]},
        by_engine=_ordered(by_engine), by_version=_ordered(by_version, SUMMARY_TOP),
        by_environment=_ordered(by_env, SUMMARY_TOP), by_team=_ordered(by_team, SUMMARY_TOP),
        extended_support_monthly_usd=round(total, 2), unknown_majors=dict(unknown), unpriced=unpriced,
        projected_monthly_usd=round(projected, 2),
    )  # fmt: skip
