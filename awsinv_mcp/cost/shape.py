"""The cost query and the columnar cost answer, shared by the Cost Explorer and synthetic sources.

- `CostQuery` is one request: window, granularity, metric, up to two group keys, filters.
- `parse_group_by` accepts `SERVICE`, `REGION`, `LINKED_ACCOUNT`, `USAGE_TYPE`, `TAG:<key>`, a bare tag
  key (`Team` = `TAG:Team`), a list or a single (comma-separated) string.
- `build_answer` turns `{group values: amounts per period}` into the cost answer: largest groups first,
  the tail folded into one `(other)` item so the answer stays small; the items always sum to the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from awsinv_mcp.dates import month_start
from awsinv_mcp.errors import UserError
from awsinv_mcp.models.answers import WarningOut
from awsinv_mcp.models.costs import CostAnswer, CostItem

DIMENSIONS = ("SERVICE", "REGION", "LINKED_ACCOUNT", "USAGE_TYPE")
DIMENSION_ALIASES = {
    "service": "SERVICE",
    "region": "REGION",
    "account": "LINKED_ACCOUNT",
    "linked_account": "LINKED_ACCOUNT",
    "usage_type": "USAGE_TYPE",
    "usagetype": "USAGE_TYPE",
}
METRICS = (
    "UnblendedCost",
    "BlendedCost",
    "AmortizedCost",
    "NetUnblendedCost",
    "NetAmortizedCost",
    "UsageQuantity",
    "NormalizedUsageAmount",
)
COST_METRICS = METRICS[:5]

# Cost Explorer's SERVICE values for the services this server inventories, with short aliases.
RDS = "Amazon Relational Database Service"
EC2 = "Amazon Elastic Compute Cloud - Compute"
EC2_OTHER = "EC2 - Other"
S3 = "Amazon Simple Storage Service"
SERVICE_ALIASES = {"rds": RDS, "aurora": RDS, "ec2": EC2, "ebs": EC2_OTHER, "ec2-other": EC2_OTHER, "s3": S3}

UNTAGGED = "(untagged)"
OTHER = "(other)"
MAX_GROUP_BY = 2
DEFAULT_TOP = 20

Granularity = Literal["MONTHLY", "DAILY"]


@dataclass(frozen=True, slots=True)
class GroupKey:
    """One group_by term: a Cost Explorer dimension or a tag key."""

    kind: Literal["DIMENSION", "TAG"]
    key: str

    @property
    def label(self) -> str:
        """The key used in each item's `group` object: `SERVICE` or `TAG:Team`."""
        return self.key if self.kind == "DIMENSION" else f"TAG:{self.key}"

    def ce(self) -> dict[str, str]:
        return {"Type": self.kind, "Key": self.key}


def parse_group_by(value: str | Sequence[str] | None, tag_keys: Iterable[str] = ()) -> tuple[GroupKey, ...]:
    """Up to two group keys. A bare name matching a configured tag key case-insensitively takes its spelling."""
    if value is None:
        return ()
    terms = value.split(",") if isinstance(value, str) else [t for v in value for t in str(v).split(",")]
    known_tags = {k.lower(): k for k in tag_keys}
    keys: list[GroupKey] = []
    for raw in (t.strip() for t in terms):
        if not raw:
            continue
        if raw.upper().startswith("TAG:"):
            tag = raw[4:].strip()
            if not tag:
                raise UserError("group_by 'TAG:' needs a tag key, e.g. 'TAG:Team'")
            key = GroupKey("TAG", known_tags.get(tag.lower(), tag))
        elif raw.upper() in DIMENSIONS:
            key = GroupKey("DIMENSION", raw.upper())
        elif raw.lower() in DIMENSION_ALIASES:
            key = GroupKey("DIMENSION", DIMENSION_ALIASES[raw.lower()])
        else:
            key = GroupKey("TAG", known_tags.get(raw.lower(), raw))
        if key not in keys:
            keys.append(key)
    if len(keys) > MAX_GROUP_BY:
        raise UserError(
            f"group_by takes at most {MAX_GROUP_BY} keys (Cost Explorer's limit); got {[k.label for k in keys]}"
        )
    return tuple(keys)


@dataclass(frozen=True, slots=True)
class CostFilter:
    """Filters: each a tuple of accepted values (empty = any); `tag` is (key, values)."""

    services: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    tag: tuple[str, tuple[str, ...]] | None = None

    def ce(self) -> dict[str, Any] | None:
        """Cost Explorer's Filter expression (None when nothing is filtered)."""
        parts: list[dict[str, Any]] = []
        for dim, values in (("SERVICE", self.services), ("LINKED_ACCOUNT", self.accounts), ("REGION", self.regions)):
            if values:
                parts.append({"Dimensions": {"Key": dim, "Values": list(values)}})
        if self.tag:
            parts.append({"Tags": {"Key": self.tag[0], "Values": list(self.tag[1])}})
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"And": parts}


def _values(text: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (text or "").split(",") if v.strip())


def make_filter(
    *,
    service: str | None = None,
    account: str | None = None,
    region: str | None = None,
    tag: str | None = None,
    tag_keys: Iterable[str] = (),
) -> CostFilter:
    """Filters from tool arguments: comma lists; `service` also takes rds/ec2/ebs/s3; `tag` is `Key=Value`."""
    services = tuple(SERVICE_ALIASES.get(s.lower(), s) for s in _values(service))
    tag_filter = None
    if tag:
        key, sep, value = tag.partition("=") if "=" in tag else tag.partition(":")
        if not sep or not key.strip():
            raise UserError("tag filter must look like 'Team=payments' (several values: 'Team=payments,search')")
        known = {k.lower(): k for k in tag_keys}
        key = key.strip()
        tag_filter = (known.get(key.lower(), key), _values(value) or ("",))
    return CostFilter(services, _values(account), _values(region), tag_filter)


@dataclass(frozen=True, slots=True)
class CostQuery:
    """One cost request. `end` is exclusive, as in Cost Explorer."""

    start: date
    end: date
    granularity: Granularity = "MONTHLY"
    metric: str = "UnblendedCost"
    group_by: tuple[GroupKey, ...] = ()
    filter: CostFilter = field(default_factory=CostFilter)

    def ce_request(self) -> dict[str, Any]:
        """Arguments of `ce.get_cost_and_usage` (without NextPageToken)."""
        request: dict[str, Any] = {
            "TimePeriod": {"Start": self.start.isoformat(), "End": self.end.isoformat()},
            "Granularity": self.granularity,
            "Metrics": [self.metric],
        }
        if self.group_by:
            request["GroupBy"] = [g.ce() for g in self.group_by]
        expression = self.filter.ce()
        if expression:
            request["Filter"] = expression
        return request


# ---- dates -------------------------------------------------------------------------------------


def parse_date(value: str | date | None, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return datetime.fromisoformat(value.strip()).date()
    except ValueError:
        raise UserError(f"{name} must be an ISO date such as 2026-01-01; got {value!r}") from None


def period_starts(start: date, end: date, granularity: Granularity) -> list[date]:
    """Start dates of the periods covering [start, end)."""
    out: list[date] = []
    current = start
    while current < end:
        out.append(current)
        current = current + timedelta(days=1) if granularity == "DAILY" else month_start(current, 1)
    return out


DEFAULT_DAILY_DAYS = 30


def make_query(
    *,
    today: date,
    start: str | date | None = None,
    end: str | date | None = None,
    granularity: str = "MONTHLY",
    metric: str = "UnblendedCost",
    group_by: str | Sequence[str] | None = None,
    filter: CostFilter | None = None,
    tag_keys: Iterable[str] = (),
    default_months: int = 6,
    max_daily_days: int = 93,
) -> CostQuery:
    """Validate tool arguments into a query; default window: the last `default_months` full months (MONTHLY) or
    the last DEFAULT_DAILY_DAYS days (DAILY)."""
    gran = granularity.upper()
    if gran not in ("MONTHLY", "DAILY"):
        raise UserError(f"granularity must be MONTHLY or DAILY; got {granularity!r}")
    matched = next((m for m in METRICS if m.lower() == metric.lower()), None)
    if matched is None:
        raise UserError(f"metric must be one of {', '.join(METRICS)}; got {metric!r}")
    start_given = parse_date(start, "start")
    this_month = month_start(today)
    if gran == "DAILY":  # default: the last DEFAULT_DAILY_DAYS days up to today (exclusive)
        end_d = parse_date(end, "end") or today
        start_d = start_given or end_d - timedelta(days=DEFAULT_DAILY_DAYS)
    else:  # default end: the first of this month (full months), or today when the window starts this month
        end_d = parse_date(end, "end") or (today if start_given and start_given >= this_month else this_month)
        start_d = start_given or month_start(month_start(end_d - timedelta(days=1)), 1 - default_months)
    if start_d >= end_d:
        raise UserError(f"start ({start_d}) must be before end ({end_d}); end is exclusive")
    if gran == "MONTHLY":
        start_d = month_start(start_d)
    if gran == "DAILY" and (end_d - start_d).days > max_daily_days:
        raise UserError(f"DAILY covers at most {max_daily_days} days per call; narrow start/end or use MONTHLY")
    return CostQuery(
        start_d,
        end_d,
        gran,
        matched,
        parse_group_by(group_by, tag_keys),
        filter or CostFilter(),  # type: ignore[arg-type]
    )


# ---- Cost Explorer results -> rows ----------------------------------------------------------------


def group_value(key: GroupKey, raw: str) -> str:
    """Cost Explorer writes tag groups as `Key$value` (`Key$` when untagged)."""
    if key.kind == "TAG":
        _, _, value = raw.partition("$")
        return value or UNTAGGED
    return raw or "(none)"


@dataclass(slots=True)
class Rows:
    """Amounts per group (a tuple of values, one per group key) per period, as collected."""

    periods: list[str]
    amounts: dict[tuple[str, ...], list[float]]
    currency: str = "USD"
    estimated: list[str] = field(default_factory=list)


def rows_from_ce(results_by_time: list[dict[str, Any]], query: CostQuery) -> Rows:
    """Merge Cost Explorer's `ResultsByTime` (pages may repeat a period with more groups) into rows."""
    periods = [p.isoformat() for p in period_starts(query.start, query.end, query.granularity)]
    for result in results_by_time:
        start = result["TimePeriod"]["Start"]
        if start not in periods:
            periods.append(start)
    periods.sort()
    index = {p: i for i, p in enumerate(periods)}
    rows = Rows(periods, {})
    for result in results_by_time:
        i = index[result["TimePeriod"]["Start"]]
        if result.get("Estimated") and result["TimePeriod"]["Start"] not in rows.estimated:
            rows.estimated.append(result["TimePeriod"]["Start"])
        if query.group_by:
            cells = [
                (tuple(group_value(k, v) for k, v in zip(query.group_by, g.get("Keys", []), strict=False)), g)
                for g in result.get("Groups", [])
            ]
        else:
            cells = [((), {"Metrics": result.get("Total", {})})]
        for keys, cell in cells:
            metric = cell.get("Metrics", {}).get(query.metric)
            if not metric:
                continue
            rows.currency = metric.get("Unit") or rows.currency
            series = rows.amounts.setdefault(keys, [0.0] * len(periods))
            series[i] += float(metric.get("Amount") or 0)
    if not query.group_by and not rows.amounts:
        rows.amounts[()] = [0.0] * len(periods)
    return rows


# ---- rows -> answer --------------------------------------------------------------------------------


def _round(value: float) -> float:
    return round(value, 2)


def build_items(
    group_by: Sequence[GroupKey], amounts: Mapping[tuple[str, ...], Sequence[float]], n_periods: int, top: int
) -> tuple[list[CostItem], int]:
    """Items largest first; beyond `top` groups the rest fold into one `(other)` item. Returns (items, folded)."""
    ranked = sorted(amounts.items(), key=lambda kv: (-abs(sum(kv[1])), kv[0]))
    keep, rest = ranked[:top], ranked[top:]
    if len(rest) == 1:
        keep, rest = ranked, []
    items = [_item(group_by, keys, series) for keys, series in keep]
    if rest:
        folded = [sum(series[i] for _, series in rest) for i in range(n_periods)]
        label = f"{OTHER} {len(rest)} groups"
        items.append(_item(group_by, tuple(label for _ in group_by), folded))
    _balance(items, [sum(series[i] for series in amounts.values()) for i in range(n_periods)])
    return items, len(rest)


def _balance(items: list[CostItem], columns: Sequence[float]) -> None:
    """Per period, put the cents rounding lost on the largest item, so every period (and the total) matches the
    ungrouped answer whichever way spend is grouped (an ungrouped answer is left as it is)."""
    if len(items) < 2:
        return
    big = max(items, key=lambda i: abs(i.total))
    for p, column in enumerate(columns):
        diff = _round(_round(column) - sum(i.amounts[p] for i in items))
        if diff:
            big.amounts[p] = _round(big.amounts[p] + diff)
    big.total = _round(sum(big.amounts))


def _item(group_by: Sequence[GroupKey], keys: tuple[str, ...], series: Sequence[float]) -> CostItem:
    amounts = [_round(a) for a in series]
    return CostItem(
        group={k.label: v for k, v in zip(group_by, keys, strict=False)}, amounts=amounts, total=_round(sum(amounts))
    )


def no_match_warning(cost_filter: CostFilter, amounts: Iterable[float]) -> WarningOut | None:
    """A note when filters matched no spend at all (a misspelt service or tag value looks like $0 otherwise)."""
    if cost_filter.ce() is None or any(amounts):
        return None
    given = [
        f"{name}={','.join(values)}"
        for name, values in (("service", cost_filter.services), ("account", cost_filter.accounts),
                             ("region", cost_filter.regions))
        if values
    ]  # fmt: skip
    if cost_filter.tag:
        given.append(f"tag={cost_filter.tag[0]}={','.join(cost_filter.tag[1])}")
    return WarningOut(
        scope="cost",
        message=f"no spend matched the filters ({'; '.join(given)}) in this window: check the values "
        "(group_by SERVICE, REGION, LINKED_ACCOUNT or the tag key lists the ones that carry cost)",
    )


def build_answer(
    rows: Rows,
    query: CostQuery,
    *,
    source: Literal["aws", "synthetic"],
    collected_at: datetime,
    ce_requests: int = 0,
    top: int = DEFAULT_TOP,
    warnings: Iterable[WarningOut] = (),
) -> CostAnswer:
    """The columnar answer; `total_amount` is the sum of the (rounded, balanced) item totals."""
    items, folded = build_items(query.group_by, rows.amounts, len(rows.periods), top)
    notes = list(warnings)
    if folded:
        notes.append(
            WarningOut(scope="cost", message=f"{folded} smaller groups folded into '{OTHER}'; filter to see them")
        )
    if rows.estimated:
        named = (
            ", ".join(rows.estimated) if len(rows.estimated) <= 3 else f"{len(rows.estimated)} from {rows.estimated[0]}"
        )
        notes.append(WarningOut(scope="cost", message=f"periods {named} are estimated (not yet final)"))
    empty = no_match_warning(query.filter, (i.total for i in items))
    if empty:
        notes.append(empty)
    for key in query.group_by:
        if key.kind == "TAG" and items and all(i.group.get(key.label) == UNTAGGED for i in items if i.total):
            notes.append(
                WarningOut(
                    scope="cost",
                    message=f"no cost carries tag {key.key!r}: activate it as a cost allocation tag "
                    "(Billing > Cost allocation tags); it applies from activation onwards",
                )
            )
    return CostAnswer(
        source=source,
        collected_at=collected_at,
        warnings=notes,
        currency=rows.currency,
        metric=query.metric,
        granularity=query.granularity,
        periods=rows.periods,
        items=items,
        total_amount=_round(sum(i.total for i in items)),
        ce_requests=ce_requests,
    )
