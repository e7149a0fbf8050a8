"""CloudWatch utilisation of RDS instances: 14-day statistics through GetMetricData, up to 500 queries per call;
and the volume Aurora clusters use (VolumeBytesUsed, the latest daily average).

One query per (instance, statistic) with a single period spanning the whole window, so each query returns
one datapoint (two when the window straddles a period boundary; those are combined).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from awsinv_mcp.inventory.aws.context import Scope
from awsinv_mcp.models.inventory import Utilisation

DAYS = 14
MAX_QUERIES = 500  # GetMetricData's limit per request
GIB = 1024**3

# (Utilisation field, RDS metric, statistic, scale)
METRICS: tuple[tuple[str, str, str, float], ...] = (
    ("cpu_avg", "CPUUtilization", "Average", 1.0),
    ("cpu_max", "CPUUtilization", "Maximum", 1.0),
    ("connections_avg", "DatabaseConnections", "Average", 1.0),
    ("connections_max", "DatabaseConnections", "Maximum", 1.0),
    ("free_storage_gb_min", "FreeStorageSpace", "Minimum", 1 / GIB),
    ("read_iops_avg", "ReadIOPS", "Average", 1.0),
    ("write_iops_avg", "WriteIOPS", "Average", 1.0),
    ("burst_balance_min", "BurstBalance", "Minimum", 1.0),
    ("freeable_memory_gb_min", "FreeableMemory", "Minimum", 1 / GIB),
)


def metric_queries(identifiers: Sequence[str], period: int) -> tuple[list[dict[str, Any]], dict[str, tuple[str, int]]]:
    """All queries for `identifiers`, and query id -> (identifier, index into METRICS)."""
    queries, index = [], {}
    for n, identifier in enumerate(identifiers):
        for m, (_, metric, stat, _) in enumerate(METRICS):
            qid = f"q{n}_{m}"
            index[qid] = (identifier, m)
            queries.append(
                {
                    "Id": qid,
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "AWS/RDS",
                            "MetricName": metric,
                            "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": identifier}],
                        },
                        "Period": period,
                        "Stat": stat,
                    },
                    "ReturnData": True,
                }
            )
    return queries, index


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def combine(stat: str, values: Sequence[float]) -> float | None:
    """One number from the datapoints of one query."""
    if not values:
        return None
    if stat == "Maximum":
        return max(values)
    if stat == "Minimum":
        return min(values)
    return sum(values) / len(values)


def utilisation_from_results(
    results: list[dict[str, Any]], index: dict[str, tuple[str, int]], days: int = DAYS
) -> dict[str, Utilisation]:
    """identifier -> Utilisation from MetricDataResults (instances without any datapoint are absent)."""
    points: dict[str, list[float]] = defaultdict(list)  # a query's datapoints may span several pages
    for result in results:
        if result.get("Id") in index:
            points[result["Id"]].extend(result.get("Values") or [])
    values: dict[str, dict[str, float]] = defaultdict(dict)
    for qid, numbers in points.items():
        identifier, m = index[qid]
        field, _, stat, scale = METRICS[m]
        number = combine(stat, numbers)
        if number is not None:
            values[identifier][field] = round(number * scale, 3)
    return {identifier: Utilisation(days=days, **fields) for identifier, fields in values.items() if fields}


def _metric_data(scope: Scope, queries: list[dict[str, Any]], start: datetime, end: datetime) -> list[dict[str, Any]]:
    """MetricDataResults of `queries` (batches of MAX_QUERIES; a failed call is a fault and yields nothing)."""
    cloudwatch = scope.client("cloudwatch")
    results: list[dict[str, Any]] = []
    for batch in _chunks(queries, MAX_QUERIES):
        results.extend(
            scope.fetch(
                "cloudwatch:GetMetricData",
                lambda batch=batch: scope.pages(
                    cloudwatch,
                    "get_metric_data",
                    "MetricDataResults",
                    MetricDataQueries=batch,
                    StartTime=start,
                    EndTime=end,
                ),
                [],
            )
        )
    return results


VOLUME_DAYS = 3  # VolumeBytesUsed: the latest of the last 3 daily averages (AWS publishes it about hourly)


def volume_queries(clusters: Sequence[str]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """One daily-average VolumeBytesUsed query per cluster, and query id -> cluster identifier."""
    queries, index = [], {}
    for n, identifier in enumerate(clusters):
        qid = f"v{n}"
        index[qid] = identifier
        queries.append(
            {
                "Id": qid,
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/RDS",
                        "MetricName": "VolumeBytesUsed",
                        "Dimensions": [{"Name": "DBClusterIdentifier", "Value": identifier}],
                    },
                    "Period": 86400,
                    "Stat": "Average",
                },
                "ReturnData": True,
            }
        )
    return queries, index


def volumes_from_results(results: list[dict[str, Any]], index: dict[str, str]) -> dict[str, int]:
    """cluster -> GiB used, from the newest datapoint of its query (clusters without a datapoint are absent)."""
    newest: dict[str, tuple[datetime, float]] = {}
    for result in results:
        identifier = index.get(result.get("Id", ""))
        if identifier is None:
            continue
        for moment, value in zip(result.get("Timestamps") or (), result.get("Values") or (), strict=False):
            if identifier not in newest or moment > newest[identifier][0]:
                newest[identifier] = (moment, value)
    return {identifier: round(value / GIB) for identifier, (_, value) in newest.items()}


def aurora_volumes(scope: Scope, clusters: Sequence[str], *, now: datetime | None = None) -> dict[str, int]:
    """GiB each Aurora cluster of `clusters` uses (VolumeBytesUsed) in the scope's account and region."""
    if not clusters:
        return {}
    end = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    queries, index = volume_queries(clusters)
    return volumes_from_results(_metric_data(scope, queries, end - timedelta(days=VOLUME_DAYS), end), index)


def rds_utilisation(scope: Scope, identifiers: Sequence[str], *, now: datetime | None = None) -> dict[str, Utilisation]:
    """14-day utilisation of the RDS instances `identifiers` in the scope's account and region."""
    if not identifiers:
        return {}
    end = (now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=DAYS)
    period = DAYS * 86400
    queries, index = metric_queries(identifiers, period)
    return utilisation_from_results(_metric_data(scope, queries, start, end), index)
