"""Opaque cursors and paging of in-memory sequences (shared by every list tool)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from awsinv_mcp.errors import UserError

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def fingerprint(*parts: Any) -> str:
    """A short stable hash of the query a cursor belongs to (filters, sort, snapshot time)."""
    raw = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.blake2b(raw.encode(), digest_size=6).hexdigest()


def encode_cursor(offset: int, query: str) -> str:
    raw = json.dumps({"o": offset, "q": query}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, query: str) -> int:
    """Offset encoded in `cursor`; 0 when None. Raises UserError for a foreign or damaged cursor."""
    if not cursor:
        return 0
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        offset, owner = int(data["o"]), data["q"]
    except (ValueError, KeyError, TypeError):
        raise UserError(
            "invalid cursor: pass back the next_cursor value of the previous answer unchanged, or omit it"
        ) from None
    if owner != query or offset < 0:
        raise UserError(
            "this cursor belongs to a different query or an older inventory snapshot: "
            "repeat the call without a cursor to start again"
        )
    return offset


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list plus what the answer needs to say about the rest."""

    items: list[Any]
    total: int
    next_cursor: str | None

    @property
    def truncated(self) -> bool:
        return self.next_cursor is not None


def check_limit(limit: int, most: int = MAX_LIMIT) -> int:
    if not 1 <= limit <= most:
        raise UserError(f"limit must be between 1 and {most} (got {limit}); use cursor to read further pages")
    return limit


def paginate(
    items: Sequence[T],
    *,
    limit: int,
    cursor: str | None,
    query: str,
    most: int = MAX_LIMIT,
    max_bytes: int | None = None,
    size: Callable[[T], int] | None = None,
) -> Page:
    """Slice `items` (already filtered and sorted) at the cursor's offset: at most `limit` items and, with
    `max_bytes`, only as many as `size` says fit in it (always at least one)."""
    check_limit(limit, most)
    offset = decode_cursor(cursor, query)
    if offset > len(items):
        raise UserError("cursor is past the end of the list: repeat the call without a cursor")
    chunk = list(items[offset : offset + limit])
    if max_bytes is not None and size is not None:
        used = 0
        for keep, item in enumerate(chunk):
            used += size(item)
            if used > max_bytes and keep:
                del chunk[keep:]
                break
    end = offset + len(chunk)
    return Page(chunk, len(items), encode_cursor(end, query) if end < len(items) else None)
