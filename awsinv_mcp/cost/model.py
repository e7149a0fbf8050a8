"""The synthetic cost model: the synthetic estate priced from the analysis' price tables, month by month.

Every resource becomes cost lines (`Line`: service, usage type, account, region, owner tags and a rate
from `cost.charges`, which prices them with `awsinv_mcp.pricing`). A line's amount in a period is

    rate x (hours active, or the share of the month active) x growth(months back) x noise(month)

- *Reference month* = the last full month before the snapshot: there growth and noise are 1, so that
  month prices exactly the inventory as it is (the consistency the tests check).
- *Growth*: storage-like lines were smaller in the past (a real trend back through the history);
  resources created later cost nothing before their creation; stopped instances pay no hours.
- *Noise*: backup and object storage vary a few percent per account, region and month, deterministic
  for the seed. Instance hours vary only with the length of the month.
Costs stop at the snapshot's date (no future costs); grouping follows the inventory's own fields for
the team, application and environment tag keys, so cost by team agrees with `list_db_instances(team=)`.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from operator import attrgetter

from awsinv_mcp.config import Settings
from awsinv_mcp.cost.charges import Charge, ExtendedSupportFn, Kind, resource_charges
from awsinv_mcp.cost.shape import (
    UNTAGGED,
    CostFilter,
    CostQuery,
    GroupKey,
    Rows,
    period_starts,
)
from awsinv_mcp.dates import days_in_month, month_start
from awsinv_mcp.gcpause import paused_gc
from awsinv_mcp.models.inventory import Snapshot

# monthly growth looking back (storage fills up), and the amplitude of monthly noise, per kind of charge
GROWTH: dict[Kind, float] = {"compute": 0.0, "storage": 0.015, "iops": 0.0, "backup": 0.03, "support": 0.0,
                             "object": 0.03}  # fmt: skip
NOISE: dict[Kind, float] = {"compute": 0.0, "storage": 0.0, "iops": 0.0, "backup": 0.06, "support": 0.0,
                            "object": 0.05}  # fmt: skip

REGION_PREFIX = {
    "us-east-1": "", "us-east-2": "USE2-", "us-west-1": "USW1-", "us-west-2": "USW2-", "ca-central-1": "CAN1-",
    "eu-west-1": "EU-", "eu-west-2": "EUW2-", "eu-west-3": "EUW3-", "eu-central-1": "EUC1-", "eu-central-2": "EUC2-",
    "eu-north-1": "EUN1-", "eu-south-1": "EUS1-", "ap-south-1": "APS3-", "ap-southeast-1": "APS1-",
    "ap-southeast-2": "APS2-", "ap-northeast-1": "APN1-", "ap-northeast-2": "APN2-", "ap-northeast-3": "APN3-",
    "sa-east-1": "SAE1-", "me-south-1": "MES1-", "af-south-1": "AFS1-",
}  # fmt: skip


@lru_cache(maxsize=8192)
def usage_type(region: str, usage: str) -> str:
    """Cost Explorer's USAGE_TYPE: the region code prefix (none for us-east-1) and the usage."""
    prefix = REGION_PREFIX.get(region, region.upper().replace("-", "") + "-")
    return prefix + usage


@dataclass(frozen=True, slots=True)
class Line:
    """One priced charge of one resource."""

    service: str
    usage_type: str
    account: str
    region: str
    team: str | None
    application: str | None
    environment: str | None
    tags: Mapping[str, str]
    charge: Charge


class CostModel:
    """Cost lines of one snapshot and their amounts for any cost query."""

    def __init__(
        self, snapshot: Snapshot, settings: Settings, extended_support: ExtendedSupportFn | None = None
    ) -> None:
        self.snapshot = snapshot
        self.settings = settings
        self.as_of = snapshot.collected_at.date()
        self.reference = month_start(month_start(self.as_of), -1)
        with paused_gc():
            self.lines, self.unpriced = self._build(extended_support)
        self._noise: dict[tuple[str, str, str, date], float] = {}
        self._rows: dict[CostQuery, Rows] = {}
        s = settings
        self._fields = {s.team_tag_key: "team", s.application_tag_key: "application", s.env_tag_key: "environment"}

    def _build(self, extended_support: ExtendedSupportFn | None) -> tuple[list[Line], dict[str, int]]:
        priced = resource_charges(self.snapshot, self.as_of, extended_support)
        lines = [
            Line(
                service=service,
                usage_type=usage_type(owner.region, charge.usage),
                account=owner.account,
                region=owner.region,
                team=owner.team,
                application=owner.application,
                environment=owner.environment,
                tags=owner.tags,
                charge=charge,
            )
            for owner, service, charges in priced.items
            for charge in charges
        ]
        return lines, dict(priced.unpriced)

    # ---- factors --------------------------------------------------------------------------------

    def months_back(self, day: date) -> int:
        """Whole months from `day`'s month to the reference month (negative after it)."""
        return (self.reference.year - day.year) * 12 + self.reference.month - day.month

    def noise(self, kind: Kind, account: str, region: str, month: date) -> float:
        amplitude = NOISE[kind]
        if not amplitude or month == self.reference:
            return 1.0
        key = (kind, account, region, month)
        value = self._noise.get(key)
        if value is None:
            digest = hashlib.blake2b(f"{self.settings.seed}:{kind}:{account}:{region}:{month}".encode(), digest_size=8)
            uniform = int.from_bytes(digest.digest(), "big") / 2**64
            value = self._noise[key] = 1 + amplitude * (2 * uniform - 1)
        return value

    def factor(self, kind: Kind, account: str, region: str, day: date) -> float:
        """Growth and noise of a charge of `kind` in `day`'s month (1 in the reference month)."""
        month = month_start(day)
        growth = (1 + GROWTH[kind]) ** -self.months_back(month)
        return growth * self.noise(kind, account, region, month)

    # ---- queries --------------------------------------------------------------------------------

    def group_getter(self, key: GroupKey) -> Callable[[Line], str]:
        """The function giving a line's value for one group_by key."""
        if key.kind == "DIMENSION":
            return attrgetter({"LINKED_ACCOUNT": "account"}.get(key.key, key.key.lower()))
        return lambda line: self.tag_value(line, key.key) or UNTAGGED

    def tag_value(self, line: Line, key: str) -> str | None:
        field = self._fields.get(key)
        return getattr(line, field) if field else line.tags.get(key)

    def matches(self, line: Line, f: CostFilter) -> bool:
        if f.services and line.service not in f.services:
            return False
        if f.accounts and line.account not in f.accounts:
            return False
        if f.regions and line.region not in f.regions:
            return False
        if f.tag:
            value = (self.tag_value(line, f.tag[0]) or "").lower()
            if value not in f.tag[1]:
                return False
        return True

    def rows(self, query: CostQuery) -> Rows:
        """Amounts per group and period for `query` (the same shape Cost Explorer's answer becomes); memoised."""
        rows = self._rows.get(query)
        if rows is None:
            if len(self._rows) >= 64:
                self._rows.clear()
            with paused_gc():
                rows = self._rows[query] = self._compute(query)
        return rows

    def _compute(self, query: CostQuery) -> Rows:
        starts = period_starts(query.start, query.end, query.granularity)
        bounds = [(p, min(month_start(p, 1) if query.granularity == "MONTHLY" else p + timedelta(days=1), query.end))
                  for p in starts]  # fmt: skip
        f = query.filter
        if f.tag:  # tag values compare case-insensitively (the inventory lower-cases environments)
            f = replace(f, tag=(f.tag[0], tuple(v.lower() for v in f.tag[1])))
        filtered = f != CostFilter()
        getters = [self.group_getter(k) for k in query.group_by]
        # lines with the same group, charge shape and dates share one series: sum their rates first
        rates: dict[tuple, float] = defaultdict(float)
        for line in self.lines:
            if filtered and not self.matches(line, f):
                continue
            c = line.charge
            since = c.since if c.since and c.since > query.start else None
            until = c.until if c.until and c.until < query.end else None
            group = tuple(get(line) for get in getters)
            rates[(group, c.kind, c.basis, since, until, line.account, line.region)] += c.rate
        month_days = [days_in_month(ps) for ps, _ in bounds]
        factors: dict[tuple[Kind, str, str], list[float]] = {}
        amounts: dict[tuple[str, ...], list[float]] = {}
        for (group, kind, basis, since, until, account, region), rate in rates.items():
            series = amounts.setdefault(group, [0.0] * len(starts))
            scale = factors.get((kind, account, region))
            if scale is None:
                scale = factors[(kind, account, region)] = [self.factor(kind, account, region, ps) for ps, _ in bounds]
            stop = min(until, self.as_of) if until else self.as_of
            for i, (ps, pe) in enumerate(bounds):
                first = since if since and since > ps else ps
                days = ((pe if pe < stop else stop) - first).days
                if days > 0:
                    series[i] += rate * scale[i] * (24 * days if basis == "hour" else days / month_days[i])
        if not amounts and not query.group_by:
            amounts[()] = [0.0] * len(starts)
        return Rows([p.isoformat() for p in starts], amounts)
