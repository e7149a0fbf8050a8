"""The cost facade the server wires to: summary, trend and forecast from Cost Explorer or the synthetic model.

The source follows the inventory's (`aws` reads Cost Explorer, `synthetic` prices the synthetic estate);
the synthetic model needs the snapshot, Cost Explorer does not (no inventory collection for a cost call).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from awsinv_mcp.config import Settings
from awsinv_mcp.cost.charges import ExtendedSupportFn
from awsinv_mcp.cost.explorer import CostExplorer
from awsinv_mcp.cost.model import CostModel
from awsinv_mcp.cost.shape import (
    COST_METRICS,
    CostFilter,
    CostQuery,
    Rows,
    build_answer,
    make_filter,
    make_query,
    no_match_warning,
    parse_date,
    period_starts,
    rows_from_ce,
)
from awsinv_mcp.cost.trend import group_changes, linear_forecast, mom_changes, top_movers
from awsinv_mcp.dates import days_in_month, month_start
from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory.query import account_ids, region_set
from awsinv_mcp.inventory.store import InventoryStore
from awsinv_mcp.models.answers import WarningOut
from awsinv_mcp.models.costs import (
    CostAnswer,
    CostForecastAnswer,
    CostTrendAnswer,
    ForecastPoint,
    MonthForecast,
    TrendForecast,
)

SourceKind = Literal["aws", "synthetic"]
FORECAST_METRICS = {
    "UnblendedCost": "UNBLENDED_COST",
    "BlendedCost": "BLENDED_COST",
    "AmortizedCost": "AMORTIZED_COST",
    "NetUnblendedCost": "NET_UNBLENDED_COST",
    "NetAmortizedCost": "NET_AMORTIZED_COST",
    "UsageQuantity": "USAGE_QUANTITY",
    "NormalizedUsageAmount": "NORMALIZED_USAGE_AMOUNT",
}
HISTORY_MONTHS = 12  # full months the synthetic forecast learns from


@dataclass(slots=True)
class Collected:
    """Rows plus where they came from and what they cost."""

    rows: Rows
    source: SourceKind
    collected_at: datetime
    requests: int = 0
    warnings: list[WarningOut] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Filters:
    """Tool filter arguments, as given."""

    service: str | None = None
    account: str | None = None
    region: str | None = None
    tag: str | None = None


def _r(value: float) -> float:
    return round(value, 2)


def month_so_far(this_month: date, to_date: float, rest: tuple[float, float, float]) -> MonthForecast:
    """The current month as get_cost_trend and get_cost_forecast both report it: spent so far, the forecast of the
    remaining days (mean, lower, upper) and their sum."""
    return MonthForecast(
        period=this_month.isoformat(),
        mean=_r(to_date + rest[0]),
        lower=_r(to_date + rest[1]),
        upper=_r(to_date + rest[2]),
        actual_to_date=_r(to_date),
        forecast_rest=_r(rest[0]),
    )


class CostService:
    """One per server (built lazily): owns the Cost Explorer client and its answer cache; the synthetic model lives
    with its estate."""

    def __init__(
        self,
        settings: Settings,
        inventory: InventoryStore[Any],
        *,
        explorer: CostExplorer | None = None,
        clock: Callable[[], datetime] | None = None,
        extended_support: ExtendedSupportFn | None = None,
    ) -> None:
        self.settings = settings
        self.extended_support = extended_support
        self.inventory = inventory
        self.explorer = explorer or CostExplorer(settings)
        self._clock = clock or (lambda: datetime.now(UTC))

    @property
    def source(self) -> SourceKind:
        return self.inventory.source

    def today(self) -> date:
        """The date answers are relative to: the clock's (aws), or the synthetic snapshot's (its costs stop there)."""
        if self.source == "synthetic":
            return self.model().as_of
        return self._clock().date()

    @property
    def tag_keys(self) -> tuple[str, ...]:
        s = self.settings
        return (s.team_tag_key, s.application_tag_key, s.env_tag_key)

    # ---- sources ------------------------------------------------------------------------------

    def model(self) -> CostModel:
        """The synthetic cost model of the current snapshot (built once per estate, dropped with it)."""
        estate = self.inventory.estate()
        return estate.memo("cost_model", lambda: CostModel(estate.snapshot, self.settings, self.extended_support))

    def collect(self, query: CostQuery) -> Collected:
        """Rows for `query` from the active source."""
        if self.source == "aws":
            fetched = self.explorer.cost_and_usage(query.ce_request())
            rows = rows_from_ce(fetched.result["ResultsByTime"], query)
            return Collected(rows, "aws", fetched.fetched_at, fetched.requests)
        if query.metric not in COST_METRICS:
            raise UserError(f"the synthetic estate models costs only; use metric one of {', '.join(COST_METRICS)}")
        model = self.model()
        warnings = [
            WarningOut(scope=f"cost/{kind}", message=f"{n} {kind} resources have no price in the bundled tables "
                       "(unknown class, type or region) and are left out")
            for kind, n in sorted(model.unpriced.items())
        ]  # fmt: skip
        return Collected(model.rows(query), "synthetic", model.snapshot.collected_at, 0, warnings)

    def _accounts(self, account: str | None) -> str | None:
        """Account aliases resolved to ids through the inventory; unknown accounts refused. With aws, 12-digit ids
        pass unchecked (Cost Explorer sees linked accounts the inventory may not cover; no collection needed)."""
        names = [v.strip() for v in (account or "").split(",") if v.strip()]
        if not names:
            return None
        ids: list[str] = []
        for name in names:
            if self.source == "aws" and name.isdigit() and len(name) == 12:
                ids.append(name)
            else:
                ids.extend(sorted(account_ids(self.inventory.estate().snapshot, name) or ()))
        return ",".join(dict.fromkeys(ids))

    def _filter(self, filters: Filters) -> CostFilter:
        if self.source == "synthetic":
            region_set(self.inventory.estate().snapshot, filters.region)  # refuses regions the estate does not have
        return make_filter(
            service=filters.service,
            account=self._accounts(filters.account),
            region=filters.region,
            tag=filters.tag,
            tag_keys=self.tag_keys,
        )

    # ---- tools --------------------------------------------------------------------------------

    def summary(
        self,
        *,
        start: str | None = None,
        end: str | None = None,
        granularity: str = "MONTHLY",
        group_by: str | Sequence[str] | None = None,
        filters: Filters = Filters(),
        metric: str = "UnblendedCost",
        top: int = 20,
    ) -> CostAnswer:
        query = make_query(
            today=self.today(),
            start=start,
            end=end,
            granularity=granularity,
            metric=metric,
            group_by=group_by,
            filter=self._filter(filters),
            tag_keys=self.tag_keys,
        )
        got = self.collect(query)
        warnings = list(got.warnings)
        if query.end > self.today() + timedelta(days=1):
            warnings.append(WarningOut(scope="cost", message=f"the window reaches past today ({self.today()}): "
                                       "spend after it is 0 here; get_cost_forecast estimates it"))  # fmt: skip
        return build_answer(
            got.rows,
            query,
            source=got.source,
            collected_at=got.collected_at,
            ce_requests=got.requests,
            top=top,
            warnings=warnings,
        )

    def trend(
        self,
        *,
        months: int = 12,
        group_by: str | Sequence[str] | None = None,
        filters: Filters = Filters(),
        metric: str = "UnblendedCost",
        top: int = 20,
        level: int = 80,
    ) -> CostTrendAnswer:
        """The last `months` full months, the current month so far, and the forecast of this month and next."""
        if not 2 <= months <= 36:
            raise UserError("months must be between 2 and 36")
        today = self.today()
        this_month = month_start(today)
        query = make_query(
            today=today,
            start=month_start(this_month, -months),
            end=today if today > this_month else this_month,
            metric=metric,
            group_by=group_by,
            filter=self._filter(filters),
            tag_keys=self.tag_keys,
        )
        got = self.collect(query)
        full = [i for i, p in enumerate(got.rows.periods) if p < this_month.isoformat()]
        totals = [sum(series[i] for series in got.rows.amounts.values()) for i in range(len(got.rows.periods))]
        full_totals = [totals[i] for i in full]
        to_date = sum(totals[len(full) :])
        per_group = {keys: [series[i] for i in full] for keys, series in got.rows.amounts.items()}
        changes = group_changes(query.group_by, per_group) if query.group_by else []
        warnings = list(got.warnings)
        empty = no_match_warning(query.filter, totals)
        if empty:
            warnings.append(empty)
        if len(changes) > top:
            warnings.append(WarningOut(scope="cost", message=f"{len(changes) - top} smaller groups not listed; filter "
                                       "or raise top to see them"))  # fmt: skip
        requests = got.requests
        forecast, extra = self._trend_forecast(query, today, full_totals, to_date, level, warnings)
        requests += extra
        return CostTrendAnswer(
            source=got.source,
            collected_at=got.collected_at,
            warnings=warnings,
            currency=got.rows.currency,
            metric=query.metric,
            periods=[got.rows.periods[i] for i in full],
            totals=[_r(t) for t in full_totals],
            mom_change_pct=mom_changes(full_totals),
            items=changes[:top],
            top_movers=top_movers(changes),
            forecast=forecast,
            ce_requests=requests,
        )

    def _trend_forecast(
        self,
        query: CostQuery,
        today: date,
        history: list[float],
        to_date: float,
        level: int,
        warnings: list[WarningOut],
    ) -> tuple[TrendForecast | None, int]:
        this_month, next_month = month_start(today), month_start(today, 1)
        if self.source == "aws":
            try:
                fetched = self.explorer.forecast(
                    self._forecast_request(today, month_start(today, 2), "MONTHLY", query.metric, query.filter, level)
                )
            except UserError as exc:
                warnings.append(WarningOut(scope="cost/forecast", message=str(exc)))
                return None, 0
            points = {
                r["TimePeriod"]["Start"][:7]: (
                    float(r["MeanValue"]),
                    float(r.get("PredictionIntervalLowerBound", r["MeanValue"])),
                    float(r.get("PredictionIntervalUpperBound", r["MeanValue"])),
                )
                for r in fetched.result.get("ForecastResultsByTime", [])
            }
            rest = points.get(this_month.isoformat()[:7], (0.0, 0.0, 0.0))
            following = points.get(next_month.isoformat()[:7])
            requests = fetched.requests
        else:
            predicted = linear_forecast(history[-HISTORY_MONTHS:], 2, level)
            share = (days_in_month(today) - today.day + 1) / days_in_month(today)
            rest = tuple(v * share for v in predicted[0])  # type: ignore[assignment]
            following = predicted[1]
            requests = 0
        current = month_so_far(this_month, to_date, rest)
        nxt = (
            ForecastPoint(
                period=next_month.isoformat(), mean=_r(following[0]), lower=_r(following[1]), upper=_r(following[2])
            )
            if following
            else None
        )
        return TrendForecast(current_month=current, next_month=nxt, prediction_interval_level=level), requests

    @staticmethod
    def _forecast_request(
        start: date, end: date, granularity: str, metric: str, cost_filter: CostFilter, level: int
    ) -> dict[str, Any]:
        request: dict[str, Any] = {
            "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
            "Metric": FORECAST_METRICS[metric],
            "Granularity": granularity,
            "PredictionIntervalLevel": level,
        }
        expression = cost_filter.ce()
        if expression:
            request["Filter"] = expression
        return request

    def forecast(
        self,
        *,
        start: str | None = None,
        end: str | None = None,
        months: int = 3,
        granularity: str = "MONTHLY",
        filters: Filters = Filters(),
        metric: str = "UnblendedCost",
        level: int = 80,
    ) -> CostForecastAnswer:
        """Expected spend from `start` (default today) to `end` (default: `months` calendar months, this one first)."""
        today = self.today()
        gran = granularity.upper()
        if gran not in ("MONTHLY", "DAILY"):
            raise UserError(f"granularity must be MONTHLY or DAILY; got {granularity!r}")
        if level not in range(51, 100):
            raise UserError("prediction_interval_level must be between 51 and 99")
        query = make_query(today=today, start=today, end=today + timedelta(days=1), metric=metric)
        start_d = parse_date(start, "start") or today
        end_d = parse_date(end, "end") or month_start(today, months)
        if start_d < today:
            raise UserError(f"a forecast starts today ({today}) or later; use get_cost_summary for the past")
        if end_d <= start_d:
            raise UserError(f"end ({end_d}) must be after start ({start_d}); end is exclusive")
        if end_d > month_start(today, 18):
            raise UserError("Cost Explorer forecasts at most 18 months ahead")
        cost_filter = self._filter(filters)
        if self.source == "aws":
            fetched = self.explorer.forecast(
                self._forecast_request(start_d, end_d, gran, query.metric, cost_filter, level)
            )
            by_time = fetched.result.get("ForecastResultsByTime", [])
            periods = [r["TimePeriod"]["Start"] for r in by_time]
            mean = [float(r["MeanValue"]) for r in by_time]
            lower = [
                float(r["PredictionIntervalLowerBound"]) if "PredictionIntervalLowerBound" in r else None
                for r in by_time
            ]
            upper = [
                float(r["PredictionIntervalUpperBound"]) if "PredictionIntervalUpperBound" in r else None
                for r in by_time
            ]
            unit = fetched.result.get("Total", {}).get("Unit", "USD")
            source: SourceKind = "aws"
            collected_at, requests = fetched.fetched_at, fetched.requests
        else:
            periods, mean, lower, upper = self._synthetic_forecast(
                start_d, end_d, gran, query.metric, cost_filter, level
            )
            unit, source, requests = "USD", "synthetic", 0
            collected_at = self.model().snapshot.collected_at
        known_lower = [v for v in lower if v is not None]
        known_upper = [v for v in upper if v is not None]
        empty = no_match_warning(cost_filter, mean)
        current = None
        if start_d == today:  # the series starts with the rest of this month: say what is already spent
            in_month = [i for i, p in enumerate(periods) if p < month_start(today, 1).isoformat()]
            rest = tuple(
                sum(mean[i] if v[i] is None else v[i] for i in in_month)  # type: ignore[misc]
                for v in (mean, lower, upper)
            )
            to_date, spent_requests = self._month_to_date(today, query.metric, cost_filter)
            current, requests = month_so_far(month_start(today), to_date, rest), requests + spent_requests  # type: ignore[arg-type]
        return CostForecastAnswer(
            source=source,
            collected_at=collected_at,
            warnings=[empty] if empty else [],
            currency=unit,
            metric=query.metric,
            granularity=gran,
            prediction_interval_level=level,
            current_month=current,
            periods=periods,
            mean=[_r(v) for v in mean],
            lower=[None if v is None else _r(v) for v in lower],
            upper=[None if v is None else _r(v) for v in upper],
            total=ForecastPoint(
                period=periods[0] if periods else start_d.isoformat(),
                mean=_r(sum(mean)),
                lower=_r(sum(known_lower)) if len(known_lower) == len(lower) else None,
                upper=_r(sum(known_upper)) if len(known_upper) == len(upper) else None,
            ),
            ce_requests=requests,
        )

    def _month_to_date(self, today: date, metric: str, cost_filter: CostFilter) -> tuple[float, int]:
        """(spent from the first of this month to today, Cost Explorer requests): get_cost_trend's actual_to_date."""
        this_month = month_start(today)
        if today <= this_month:
            return 0.0, 0
        got = self.collect(CostQuery(this_month, today, "MONTHLY", metric, (), cost_filter))
        return sum(sum(series) for series in got.rows.amounts.values()), got.requests

    def _synthetic_forecast(
        self, start: date, end: date, granularity: str, metric: str, cost_filter: CostFilter, level: int
    ) -> tuple[list[str], list[float], list[float | None], list[float | None]]:
        """Linear forecast of the model's last full months, spread over the requested periods by days."""
        this_month = month_start(self.today())
        history_q = CostQuery(month_start(this_month, -HISTORY_MONTHS), this_month, "MONTHLY", metric, (), cost_filter)
        rows = self.collect(history_q).rows
        history = [sum(s[i] for s in rows.amounts.values()) for i in range(len(rows.periods))]
        horizon = (end.year - this_month.year) * 12 + end.month - this_month.month + 1
        monthly = linear_forecast(history, horizon, level)
        periods, mean, lower, upper = [], [], [], []
        for p in period_starts(start, end, granularity):  # type: ignore[arg-type]
            p_end = min(end, p + timedelta(days=1) if granularity == "DAILY" else month_start(p, 1))
            m = (p.year - this_month.year) * 12 + p.month - this_month.month
            share = (p_end - p).days / days_in_month(p)
            periods.append(p.isoformat())
            mean.append(monthly[m][0] * share)
            lower.append(monthly[m][1] * share)
            upper.append(monthly[m][2] * share)
        return periods, mean, lower, upper
