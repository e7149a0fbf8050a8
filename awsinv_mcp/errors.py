"""The one exception hierarchy for failures the caller should hear about (the model, a user, the web page).

Lower layers raise these; the server maps them once, at the MCP boundary, to a tool error (isError) whose
text is the message and whose structured content carries `{"error": {"code": ..., "message": ...}}`;
the web bridge maps the same `code` to an HTTP status. Messages say what to do next and never contain
secrets. Anything else that escapes a tool is a bug: logged with its traceback, answered generically.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal

ErrorCode = Literal["invalid_argument", "not_found", "refused", "upstream", "unavailable", "cancelled", "internal"]


class UserError(Exception):
    """A failure the caller can fix (bad argument, value out of range, ambiguous name)."""

    code: ClassVar[ErrorCode] = "invalid_argument"

    def __init__(self, message: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class NotFoundError(UserError):
    """A named thing (DB instance, database, table, snapshot, rule) does not exist."""

    code = "not_found"


class RefusedError(UserError):
    """A request the server will not run by policy (a write statement, a sensitive table)."""

    code = "refused"


class UpstreamError(UserError):
    """AWS or a database answered with an error the caller should know about."""

    code = "upstream"


class UnavailableError(UserError):
    """A dependency cannot serve now (unreachable, busy, throttled); `retry_after_s` says when to try again."""

    code = "unavailable"


class Cancelled(UserError):
    """Work stopped because its caller gave up (a cancelled request); nothing it would have replaced changed."""

    code = "cancelled"


_TAGS = re.compile(r"<[^>]{0,500}>")
_TITLE = re.compile(r"<(title|h1)[^>]{0,200}>([^<]{1,300})<", re.I)


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:100].lower()
    return head.startswith(("<!doctype html", "<html")) or "b'<!doctype html" in head


def upstream_text(text: str, limit: int = 300) -> str:
    """An upstream error message fit to show: an HTML error page becomes its title, anything else its first line,
    cut at `limit` characters."""
    if looks_like_html(text):
        found = _TITLE.search(text[:20_000])
        title = " ".join(found.group(2).split()) if found else ""
        return f"the endpoint answered with an HTML error page{': ' + title if title else ''}"[:limit]
    lines = [ln.strip() for ln in _TAGS.sub(" ", text[:20_000]).splitlines() if ln.strip()]
    return (lines[0] if lines else "")[:limit]
