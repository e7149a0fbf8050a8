"""Pure trend arithmetic: month-over-month change, per-group movers, and a linear forecast with an interval."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import NormalDist

from awsinv_mcp.cost.shape import GroupKey
from awsinv_mcp.models.costs import GroupChange


def pct(new: float, old: float) -> float | None:
    """Change from `old` to `new` in percent (None when `old` is zero)."""
    if abs(old) < 1e-9:
        return None
    return round((new - old) / abs(old) * 100, 1)


def mom_changes(values: Sequence[float]) -> list[float | None]:
    """Month-over-month change per period in percent; the first period has none."""
    return [None] + [pct(values[i], values[i - 1]) for i in range(1, len(values))]


def average_change_pct(values: Sequence[float]) -> float | None:
    """Compound average monthly change over the window (None when it starts or ends at zero)."""
    if len(values) < 2 or values[0] <= 0 or values[-1] <= 0:
        return None
    return round(((values[-1] / values[0]) ** (1 / (len(values) - 1)) - 1) * 100, 2)


def group_changes(
    group_by: Sequence[GroupKey], amounts: Mapping[tuple[str, ...], Sequence[float]]
) -> list[GroupChange]:
    """One row per group: last month, its change from the month before, the average trend; largest first."""
    rows = []
    for keys, series in amounts.items():
        last = series[-1] if series else 0.0
        before = series[-2] if len(series) > 1 else 0.0
        rows.append(
            GroupChange(
                group={k.label: v for k, v in zip(group_by, keys, strict=False)},
                last=round(last, 2),
                change=round(last - before, 2),
                change_pct=pct(last, before),
                trend_pct=average_change_pct(series),
            )
        )
    rows.sort(key=lambda r: (-r.last, sorted(r.group.items())))
    return rows


def top_movers(changes: Sequence[GroupChange], n: int = 5) -> list[GroupChange]:
    """The `n` groups whose last month moved most (absolute change), ignoring zero moves."""
    moved = [c for c in changes if abs(c.change) >= 0.01]
    return sorted(moved, key=lambda c: (-abs(c.change), sorted(c.group.items())))[:n]


def linear_forecast(values: Sequence[float], horizon: int, level: int = 80) -> list[tuple[float, float, float]]:
    """(mean, lower, upper) for the `horizon` periods after `values`, by least squares on the index.

    The interval is the ordinary prediction interval of a simple linear regression (normal quantile
    for `level` percent); amounts never go below zero.
    """
    n = len(values)
    if n == 0:
        return [(0.0, 0.0, 0.0)] * horizon
    if n == 1:
        return [(values[0], values[0], values[0])] * horizon
    xs = range(n)
    x_mean = (n - 1) / 2
    y_mean = sum(values) / n
    sxx = sum((x - x_mean) ** 2 for x in xs)
    slope = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, values, strict=True)) / sxx
    intercept = y_mean - slope * x_mean
    residuals = [y - (intercept + slope * x) for x, y in zip(xs, values, strict=True)]
    sigma = math.sqrt(sum(r * r for r in residuals) / max(n - 2, 1))
    z = NormalDist().inv_cdf(0.5 + level / 200)
    out = []
    for h in range(1, horizon + 1):
        x = n - 1 + h
        mean = max(intercept + slope * x, 0.0)
        half = z * sigma * math.sqrt(1 + 1 / n + (x - x_mean) ** 2 / sxx)
        out.append((mean, max(mean - half, 0.0), mean + half))
    return out
