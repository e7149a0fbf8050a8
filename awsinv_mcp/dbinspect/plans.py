"""What an execution plan says, in a few lines: pure functions over the plans the dialects return.

explain_query answers with `summarize(nodes, ...)` by default (the raw plan only with detail=true). Each dialect
turns its own plan into a flat list of `Node`s (`Dialect.plan_nodes`, which calls one of the `*_nodes` here):
PostgreSQL's JSON plan, MySQL/MariaDB's EXPLAIN FORMAT=JSON (and MySQL's EXPLAIN ANALYZE tree), SQLite's
EXPLAIN QUERY PLAN rows. The summary: the plan's cost and time, the costliest nodes by their own cost or time
(children excluded), estimated against actual rows where the plan was run, sequential scans of large tables, and
the indexes used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

LARGE_TABLE_ROWS = 10_000
"""A sequential scan is worth a line when its table holds at least this many rows."""
MISESTIMATE = 10.0
"""Estimated and actual rows this many times apart are listed (the planner's statistics are off)."""
TOP = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """One step of a plan. `cost` and `ms` are the node's own (children excluded); rows are per loop."""

    node: str
    table: str | None = None
    index: str | None = None
    cost: float | None = None
    rows: float | None = None
    actual_rows: float | None = None
    loops: int | None = None
    ms: float | None = None
    full_scan: bool = False
    rows_read: float | None = None  # rows a full scan reads (before filters), when the plan says
    cut_short: bool = False  # a LIMIT above stopped it early: its actual rows say nothing of its estimate


@dataclass(frozen=True, slots=True, kw_only=True)
class Nodes:
    nodes: list[Node]
    cost: float | None = None
    ms: float | None = None


def summarize(
    plan: Nodes, table_rows: Mapping[str, int | None] | None = None, *, large: int = LARGE_TABLE_ROWS, top: int = TOP
) -> dict[str, Any]:
    """The summary explain_query answers with (None values left out). `table_rows` are row estimates by table
    name (the catalog's), used to tell a large table's sequential scan from a small one's."""
    sizes = table_rows or {}
    ranked = sorted(
        (n for n in plan.nodes if (n.ms if n.ms is not None else n.cost) is not None),
        key=lambda n: n.ms if n.ms is not None else n.cost or 0.0,
        reverse=True,
    )
    scans = []
    for n in plan.nodes:
        if not n.full_scan:
            continue
        size = sizes.get(n.table) if n.table else None
        size = size if size is not None else n.rows_read
        if size is None or size >= large:
            scans.append(_clean({"table": n.table, "rows": _int(size)}))
    misestimates = [
        _row(n)
        for n in plan.nodes
        if n.rows is not None
        and n.actual_rows is not None
        and not n.cut_short
        and max(n.rows, n.actual_rows) >= MISESTIMATE * max(min(n.rows, n.actual_rows), 1)
    ]
    return _clean({
        "cost": plan.cost,
        "ms": plan.ms,
        "nodes": len(plan.nodes),
        "costliest": [_row(n) for n in ranked[:top]] or None,
        "misestimates": misestimates[:top] or None,
        "seq_scans": scans or None,
        "indexes": sorted({n.index for n in plan.nodes if n.index}) or None,
    })  # fmt: skip


def _int(value: float | None) -> int | None:
    return None if value is None else round(value)


def _row(n: Node) -> dict[str, Any]:
    return _clean({
        "node": n.node, "table": n.table, "index": n.index,
        "cost": None if n.cost is None else round(n.cost, 2), "ms": None if n.ms is None else round(n.ms, 3),
        "rows": _int(n.rows), "actual_rows": _int(n.actual_rows), "loops": n.loops if (n.loops or 1) > 1 else None,
    })  # fmt: skip


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


# --- PostgreSQL: EXPLAIN (FORMAT JSON) -------------------------------------------------------------------------

_PG_FULL_SCANS = {"Seq Scan", "Parallel Seq Scan"}
_PG_BLOCKING = {"Sort", "Hash", "Aggregate", "Materialize", "WindowAgg", "SetOp"}
"""Nodes that read all their input before returning a row: a LIMIT above them does not cut their input short."""


def postgres_nodes(plan: Any) -> Nodes:
    """Nodes of a PostgreSQL JSON plan (`[{"Plan": {...}, "Execution Time": ...}]`)."""
    top = plan[0] if isinstance(plan, list) and plan else plan
    if not isinstance(top, dict) or not isinstance(top.get("Plan"), dict):
        return Nodes(nodes=[])
    root = top["Plan"]
    return Nodes(nodes=list(_pg_walk(root, False)), cost=root.get("Total Cost"), ms=top.get("Execution Time"))


def _pg_walk(node: dict[str, Any], cut_short: bool) -> Iterator[Node]:
    children = [c for c in node.get("Plans", []) if isinstance(c, dict)]
    loops = node.get("Actual Loops")
    ms = None
    if node.get("Actual Total Time") is not None:
        # own time: this node's total minus its children's, each times its loops
        ms = node["Actual Total Time"] * (loops or 1) - sum(
            c.get("Actual Total Time", 0) * (c.get("Actual Loops") or 1) for c in children
        )
    cost = node.get("Total Cost")
    if cost is not None:
        cost -= sum(c.get("Total Cost", 0) for c in children)
    kind = node.get("Node Type", "?")
    read = None
    if node.get("Actual Rows") is not None:
        read = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * (loops or 1)
    yield Node(
        node=kind,
        table=node.get("Relation Name"),
        index=node.get("Index Name"),
        cost=max(cost, 0.0) if cost is not None else None,
        rows=node.get("Plan Rows"),
        actual_rows=node.get("Actual Rows"),
        loops=loops,
        ms=max(ms, 0.0) if ms is not None else None,
        full_scan=kind in _PG_FULL_SCANS,
        rows_read=read,
        cut_short=cut_short,
    )
    below = kind == "Limit" or (cut_short and kind not in _PG_BLOCKING)
    for child in children:
        yield from _pg_walk(child, below)


# --- MySQL / MariaDB: EXPLAIN FORMAT=JSON, ANALYZE FORMAT=JSON, MySQL's EXPLAIN ANALYZE tree ---------------------

_ACCESS = {
    "ALL": "full scan", "index": "full index scan", "range": "index range scan", "ref": "index lookup",
    "eq_ref": "unique index lookup", "const": "constant row", "system": "constant row", "ref_or_null": "index lookup",
    "index_merge": "index merge", "fulltext": "fulltext index", "unique_subquery": "unique index lookup",
    "index_subquery": "index lookup", "hash_ALL": "hash join scan", "hash_index": "hash join on index",
}  # fmt: skip


def mysql_nodes(plan: Any) -> Nodes:
    """Nodes of MySQL's or MariaDB's JSON plan, or of MySQL 8's EXPLAIN ANALYZE tree (text)."""
    if isinstance(plan, str):
        return _mysql_tree(plan)
    if isinstance(plan, list) and len(plan) == 1 and isinstance(plan[0], str):
        return _mysql_tree(plan[0])
    if not isinstance(plan, dict):
        return Nodes(nodes=[])
    block = plan.get("query_block", {})
    cost = _number(block.get("cost_info", {}).get("query_cost")) if isinstance(block, dict) else None
    if cost is None and isinstance(block, dict):
        cost = _number(block.get("cost"))  # MariaDB 11
    ms = _number(block.get("r_total_time_ms")) if isinstance(block, dict) else None
    return Nodes(nodes=[_mysql_table(t) for t in _tables(plan)], cost=cost, ms=ms)


def _tables(value: Any) -> Iterator[dict[str, Any]]:
    """Every `table` object of a MySQL/MariaDB JSON plan, in plan order."""
    if isinstance(value, dict):
        if "table_name" in value:
            yield value
        for child in value.values():
            yield from _tables(child)
    elif isinstance(value, list):
        for child in value:
            yield from _tables(child)


def _number(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _mysql_table(t: dict[str, Any]) -> Node:
    access = str(t.get("access_type", "?"))
    info = t.get("cost_info") if isinstance(t.get("cost_info"), dict) else {}
    cost = _number(info.get("read_cost"))
    if cost is not None:
        cost += _number(info.get("eval_cost")) or 0.0
    else:
        cost = _number(t.get("cost"))  # MariaDB 11
    estimate = _number(t.get("rows_examined_per_scan", t.get("rows")))
    ms = _number(t.get("r_table_time_ms"))
    if ms is not None:
        ms += _number(t.get("r_other_time_ms")) or 0.0
    loops = t.get("r_loops")
    return Node(
        node=_ACCESS.get(access, access),
        table=t.get("table_name"),
        index=t.get("key"),
        cost=cost,
        rows=estimate,
        actual_rows=_number(t.get("r_rows")),
        loops=int(loops) if loops is not None else None,
        ms=ms,
        full_scan=access in ("ALL", "hash_ALL"),
        rows_read=estimate,
    )


_TREE = re.compile(
    r"-> (?P<what>.+?)\s+\(cost=(?P<cost>[\d.e+]+) rows=(?P<rows>[\d.e+]+)\)"
    r"(?: \(actual time=(?P<first>[\d.]+)\.\.(?P<last>[\d.]+) rows=(?P<actual>[\d.e+]+) loops=(?P<loops>\d+)\))?"
)


def _mysql_tree(text: str) -> Nodes:
    """MySQL 8's EXPLAIN ANALYZE / FORMAT=TREE text: one node a line (costs and times include the children)."""
    nodes = []
    for line in text.splitlines():
        m = _TREE.search(line)
        if not m:
            continue
        what = m["what"]
        table = re.search(r" on (?:<[^>]+> )?`?(\w+)`?", what)
        index = re.search(r" using `?(\w+)`?", what)
        loops = int(m["loops"]) if m["loops"] else None
        nodes.append(
            Node(
                node=what.split(" on ")[0].split(":")[0],
                table=table[1] if table else None,
                index=index[1] if index and not what.startswith("Table scan") else None,
                cost=float(m["cost"]),
                rows=float(m["rows"]),
                actual_rows=float(m["actual"]) if m["actual"] else None,
                loops=loops,
                ms=float(m["last"]) * (loops or 1) if m["last"] else None,
                full_scan=what.startswith("Table scan"),
                rows_read=float(m["rows"]),
            )
        )
    first = nodes[0] if nodes else None
    return Nodes(nodes=nodes, cost=first.cost if first else None, ms=first.ms if first else None)


# --- SQLite: EXPLAIN QUERY PLAN -------------------------------------------------------------------------------

_SQLITE = re.compile(r"^(?P<op>SCAN|SEARCH) (?:TABLE )?(?P<table>\S+)(?: AS \S+)?(?P<rest>.*)$")


def sqlite_nodes(plan: Any) -> Nodes:
    """Nodes of SQLite's EXPLAIN QUERY PLAN rows (`[{"id", "parent", "detail"}]`): no costs or row counts."""
    nodes = []
    for row in plan if isinstance(plan, list) else []:
        detail = str(row.get("detail", "")) if isinstance(row, dict) else str(row)
        m = _SQLITE.match(detail)
        if not m:
            nodes.append(Node(node=detail))
            continue
        index = re.search(r"USING (?:COVERING )?INDEX (\S+)", m["rest"])
        primary = "USING INTEGER PRIMARY KEY" in m["rest"] or "USING PRIMARY KEY" in m["rest"]
        nodes.append(
            Node(
                node=detail,
                table=m["table"],
                index=index[1] if index else ("PRIMARY KEY" if primary else None),
                full_scan=m["op"] == "SCAN" and not index,
            )
        )
    return Nodes(nodes=nodes)
