"""Current monthly spend, so savings can be stated as a share of what the estate costs.

`current_monthly_spend(service)` answers the last full month's spend, in total and for the database
service (RDS/Aurora), from the same source the cost tools use (one cached Cost Explorer request in
aws mode, the cost model in synthetic mode). It returns None when costs are unavailable (Cost
Explorer not enabled, no permission): callers then simply omit the percentage.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from awsinv_mcp.cost.shape import RDS
from awsinv_mcp.dates import month_start
from awsinv_mcp.errors import UserError

if TYPE_CHECKING:
    from awsinv_mcp.cost.service import CostService

log = logging.getLogger("awsinv_mcp.cost")


@dataclass(frozen=True, slots=True)
class MonthlySpend:
    period: str  # first day of the month measured (the last full month)
    total: float
    database: float  # Amazon Relational Database Service (RDS and Aurora)
    currency: str
    source: Literal["aws", "synthetic"]
    ce_requests: int = 0

    def share(self, amount: float, *, of: Literal["total", "database"] = "total") -> float | None:
        """`amount` as a percent of the spend (None when the spend is zero)."""
        base = self.total if of == "total" else self.database
        return round(amount / base * 100, 1) if base > 0 else None


def current_monthly_spend(service: CostService) -> MonthlySpend | None:
    """The last full month's spend by service, or None when the cost source cannot answer."""
    this_month = month_start(service.today())
    start = month_start(this_month, -1)
    try:
        answer = service.summary(start=start.isoformat(), end=this_month.isoformat(), group_by="SERVICE", top=100)
    except UserError as exc:
        log.info("monthly spend unavailable: %s", exc)
        return None
    database = sum(i.total for i in answer.items if i.group.get("SERVICE") == RDS)
    return MonthlySpend(
        period=start.isoformat(),
        total=answer.total_amount,
        database=round(database, 2),
        currency=answer.currency,
        source=answer.source,
        ce_requests=answer.ce_requests,
    )
