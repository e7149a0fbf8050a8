"""`Analysis`: everything derived from one snapshot, owned by one object that lives exactly as long as it.

The inventory store builds one `Analysis` per estate (`inventory/store.py`, `derive=`) and drops it with the
snapshot. It runs the catalogue once per date and keeps the run's findings, compliance rows, savings and views;
the server's tools only call its methods and shape the answers. Every number two tools share (a saving, a
finding count, an Extended Support charge) comes from the same run, so the tools cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from awsinv_mcp.analysis import report as R
from awsinv_mcp.analysis import reservations as RS
from awsinv_mcp.analysis import savings_report as SR
from awsinv_mcp.analysis import versions as V
from awsinv_mcp.analysis.catalogue import AnalysisContext
from awsinv_mcp.analysis.engines import Distribution
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.memo import Memo
from awsinv_mcp.models.inventory import Snapshot
from awsinv_mcp.paging import Page, check_limit, fingerprint, paginate

DEFAULT_HORIZON = 6  # months: what counts as "ending soon" for the findings


def utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True)
class Compliance:
    """check_version_compliance: the filtered report and one page of its rows."""

    report: V.ComplianceReport
    page: Page


class Analysis:
    """The analysis of one estate (see the module docstring). Thread-safe; computations run once per key."""

    def __init__(self, estate: Estate, *, today: Callable[[], date] = utc_today) -> None:
        self.estate = estate
        self._today = today
        self._contexts = Memo(maxsize=8)
        self._reports = Memo(maxsize=4)

    @property
    def snapshot(self) -> Snapshot:
        return self.estate.snapshot

    def context(self, as_of: date | None = None, months_ahead: int = DEFAULT_HORIZON) -> AnalysisContext:
        """The run context for `as_of` (default today, UTC) and a horizon: one per pair, so its memo is shared."""
        day = as_of or self._today()
        return self._contexts.get(
            (day, months_ahead),
            lambda: AnalysisContext(as_of=day, environments=self.estate.environments, months_ahead=months_ahead),
        )

    def report(self, as_of: date | None = None) -> R.Report:
        """Every finding of the catalogue as of `as_of` (computed once per date)."""
        ctx = self.context(as_of)
        return self._reports.get(ctx.as_of, lambda: R.run_all(self.snapshot, ctx))

    def findings(
        self, q: R.FindingQuery, *, view: str, limit: int, cursor: str | None, as_of: date | None = None
    ) -> tuple[R.Report, R.FindingsView]:
        report = self.report(as_of)
        return report, R.view_findings(self.estate, report, q, view=view, limit=limit, cursor=cursor)

    def metrics_warning(self, rule_ids: Iterable[str] | None) -> str | None:
        """The warning for metric-based rules among `rule_ids` skipped on instances without CloudWatch data."""
        missing = self.estate.memo("unmeasured", lambda: R.unmeasured(self.snapshot))
        available = self.estate.memo(
            "available", lambda: sum(db.status == "available" for db in self.snapshot.db_instances)
        )
        return R.metrics_warning(missing, available, rule_ids)

    def reservations(self, as_of: date | None = None) -> list[RS.ReservationUse]:
        """Every reserved DB instance with its pool's utilisation and coverage (the run's, shared with the rule)."""
        return RS.uses_for(self.snapshot, self.context(as_of))

    def evaluated(self, review: str) -> dict[str, int]:
        return R.evaluated(self.estate, review)

    def engines(self, group_by: str, f: Q.Filters, *, limit: int, cursor: str | None) -> tuple[Distribution, Page]:
        return R.engine_groups(self.estate, group_by, f, limit=limit, cursor=cursor)

    def compliance(
        self,
        f: Q.Filters,
        *,
        status: str | None,
        as_of: date | None,
        months_ahead: int,
        limit: int,
        cursor: str | None,
    ) -> Compliance:
        """The compliance rows of the run for (`as_of`, `months_ahead`), filtered, summarised and paged."""
        check_limit(limit)
        ctx = self.context(as_of, months_ahead)
        report = V.check_version_compliance(self.estate, V.run_rows(self.snapshot, ctx), f, status)
        query = fingerprint("versions", ctx.as_of, months_ahead, f.key(), status, self.estate.id)
        return Compliance(report, paginate(report.rows, limit=limit, cursor=cursor, query=query))

    def savings(
        self,
        f: Q.Filters,
        *,
        rule: str | None,
        min_savings_usd: float,
        as_of: date | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[AnalysisContext, SR.SavingsReport, Page]:
        """The run's cost findings (the very ones get_findings lists), filtered, largest saving first."""
        report = self.report(as_of)
        found = SR.by_saving(report)
        result = SR.savings_report(self.estate, found, f, rule=rule, min_savings_usd=min_savings_usd)
        query = fingerprint("savings", report.ctx.as_of, f.key(), rule, min_savings_usd, self.estate.id)
        return report.ctx, result, paginate(result.findings, limit=limit, cursor=cursor, query=query)

    def extended_support_charges(self, as_of: date) -> Iterator[tuple[Any, float, date | None]]:
        """What the synthetic cost model bills for Extended Support: the compliance rows of the run of `as_of`."""
        return V.extended_support_charges(self.snapshot, self.context(as_of))
