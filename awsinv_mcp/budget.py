"""What an answer may cost a model: at most 25,000 tokens (about 4 bytes each) for any argument combination.

`fit` cuts an oversized answer at a row boundary of its largest list, sets `truncated: true` and adds a
notice saying how much was left out and how to narrow the call; `server/tooling.respond` applies it to every
answer. `tools_list_bytes` measures what a `tools/list` result costs (tests and bench/bench_budget.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

TOKEN_BYTES = 4
MAX_ANSWER_TOKENS = 25_000
MAX_ANSWER_BYTES = MAX_ANSWER_TOKENS * TOKEN_BYTES
_NOTICE_ROOM = 400  # bytes kept free for `truncated` and the notice


def dumps(value: Any) -> str:
    """The compact JSON a model reads (the same as `respond` writes)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def size(value: Any) -> int:
    return len(dumps(value).encode())


def _largest_list(node: Any, depth: int = 0) -> tuple[list[Any] | None, int]:
    """The biggest list (by its JSON bytes) in `node`, looking a few levels down, and its size."""
    best: tuple[list[Any] | None, int] = (None, 0)
    values: Iterable[Any] = node.values() if isinstance(node, dict) else ()
    for value in values:
        if isinstance(value, list) and value:
            found = (value, size(value))
        elif isinstance(value, dict) and depth < 3:
            found = _largest_list(value, depth + 1)
        else:
            continue
        if found[1] > best[1]:
            best = found
    return best


def fit(data: dict[str, Any], limit: int = MAX_ANSWER_BYTES) -> dict[str, Any] | None:
    """`data` itself when it fits in `limit` bytes; else a copy cut at row boundaries (largest list first) with
    `truncated: true` and the notice (`_mark`); None when no cut makes it fit (the caller answers an error)."""
    total = size(data)
    if total <= limit:
        return data
    data = json.loads(dumps(data))  # a private copy to cut
    cuts: list[str] = []
    keeps: list[int] = []
    for _ in range(8):
        rows, rows_bytes = _largest_list(data)
        if rows is None:
            return None
        excess = total - (limit - _NOTICE_ROOM)
        keep, kept_bytes = 0, 2
        budget = rows_bytes - excess
        for row in rows:
            row_bytes = size(row) + 1
            if kept_bytes + row_bytes > budget:
                break
            kept_bytes += row_bytes
            keep += 1
        cuts.append(f"{keep} of {len(rows)}")
        keeps.append(keep)
        del rows[keep:]
        total = size(data)
        if total <= limit - _NOTICE_ROOM:
            break
    else:
        return None
    if "next_cursor" in data:
        # the page's cursor points past the rows cut off: a caller following it would skip them
        data["next_cursor"] = None
        how = f"call again with limit={max(keeps[0], 1)} (or narrower filters, detail=false) and page with cursor"
    else:
        how = "narrow the call (filters, a smaller limit or max_rows, detail=false)"
    return _mark(data, f"Answer cut to {', '.join(cuts)} rows to stay under {MAX_ANSWER_TOKENS:,} tokens; {how}.")


def _mark(data: dict[str, Any], notice: str) -> dict[str, Any]:
    """Say so in the fields the answer's model has (its output schema forbids others): `truncated`, a warning
    of scope `answer`, `truncated_by: answer_cap` (query results); a plain dict gets `truncated` and `notice`."""
    known = False
    if "truncated" in data:
        data["truncated"] = True
        known = True
    if isinstance(data.get("warnings"), list):
        data["warnings"].append({"scope": "answer", "message": notice})
    elif "truncated_by" in data:
        data["truncated_by"] = "answer_cap"
    elif not known:
        data["truncated"] = True
        data["notice"] = notice
    return data


def tools_list_bytes(tools: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    """(model-facing bytes: names, descriptions and input schemas; whole `tools/list` result bytes), compact JSON,
    of tools as listed on the wire (`Tool.model_dump(by_alias=True, exclude_none=True, mode="json")`)."""
    listed = list(tools)
    facing = [{k: t[k] for k in ("name", "description", "inputSchema") if k in t} for t in listed]
    return size(facing), size({"tools": listed})
