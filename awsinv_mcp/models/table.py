"""Compact list rows (issue 16 item 3): a page of rows as `columns` once and `rows` as arrays, the one shape of
every list tool's answer, and its one inverse.

`table` turns row records into that shape: a column whose value is the same in every row of the page is stated
once in `same` (an account, a region, a flag nobody set), the trailing nulls of a row are left out, and columns
named in `drop` (what another tool already says, e.g. the ARN) are not listed. `rows_of` gives the row objects
back, every column present, exactly as they were (`tests/test_table_rows.py` round-trips them); clients (the web
bridge, tests) read rows only through it. Measured against one object per row without nulls: about 40% of the
bytes (`bench/bench_budget.py`, bench/README.md).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

TABLE_KEYS = ("columns", "rows", "same")


class TableFields(BaseModel):
    """The fields a tabular list answer adds (mixed into `ListAnswer` subclasses; `rows_of` reads them)."""

    columns: list[str] = Field(description="names of the values of each row, in order")
    same: dict[str, Any] = Field(default_factory=dict, description="columns with one value in every row")
    rows: list[list[Any]] = Field(description="one array per row in column order; trailing nulls left out")


def _record(row: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    return row.model_dump(mode="json") if isinstance(row, BaseModel) else dict(row)


def _equal(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # True == 1 in Python, not in JSON


def table(rows: Iterable[BaseModel | Mapping[str, Any]], *, drop: Collection[str] = ()) -> dict[str, Any]:
    """`{"columns", "rows", "same"}` of `rows` (pydantic rows or mappings, all with the same fields), without
    the fields named in `drop`. Spread it into a list answer: `Page(**table(rows), total=...)`."""
    records = [_record(r) for r in rows]
    if not records:
        return {"columns": [], "same": {}, "rows": []}
    names = [c for c in dict.fromkeys(k for r in records for k in r) if c not in drop]  # rows may leave some out
    same: dict[str, Any] = {}
    if len(records) > 1:
        for c in names:
            first = records[0].get(c)
            if all(_equal(r.get(c), first) for r in records):
                same[c] = first
    columns = [c for c in names if c not in same]
    return {"columns": columns, "same": same, "rows": [row_values(r, columns) for r in records]}


def row_values(record: Mapping[str, Any], columns: Sequence[str]) -> list[Any]:
    """One row of a table: `record`'s values in `columns` order (a missing key is null), trailing nulls left out."""
    values = [record.get(c) for c in columns]
    while values and values[-1] is None:
        values.pop()
    return values


def rows_of(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The row objects of a list answer: a table's `rows` with its `columns` and `same` put back (every column
    present, left-out trailing nulls as None); an answer that lists `items` as objects gives those."""
    if "columns" not in answer:
        return [dict(item) for item in answer.get("items") or []]
    columns: Sequence[str] = answer["columns"]
    same: Mapping[str, Any] = answer.get("same") or {}
    width = len(columns)
    return [
        {**dict(zip(columns, [*row, *([None] * (width - len(row)))], strict=True)), **same}
        for row in answer.get("rows") or []
    ]


def with_items(answer: Mapping[str, Any]) -> dict[str, Any]:
    """`answer` with its table as `items` (row objects, `rows_of`) in place of `columns`, `rows` and `same`: the
    shape the web page reads. An answer that is not a table is returned as it is."""
    if "columns" not in answer:
        return dict(answer)
    rest = {k: v for k, v in answer.items() if k not in TABLE_KEYS}
    return {**rest, "items": rows_of(answer)}
