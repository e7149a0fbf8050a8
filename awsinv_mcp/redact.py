"""Secret redaction shared by every log writer (server and client audit logs, the chat page).

`redact(value)` returns a copy of any JSON-like value with secrets replaced by `***`:
- values under secret-looking keys (password, secret, token, api_key, authorization, credentials, ...);
- passwords in URLs (`postgresql://app:s3cret@db/x` -> `postgresql://app:***@db/x`);
- `key=value` secrets inside strings (`password=...`, `sslpassword=...` in a DSN);
- AWS access key ids, Anthropic keys and bearer tokens anywhere in a string;
- any literal in `extra` (known secret values, e.g. the server's own token).

Every string is bounded before it is scanned and cut after (`limit` characters kept, then a marker
saying how long it was), and every pattern runs in time linear in its input: no pattern can backtrack
over the same characters twice (runs are matched possessively and start only at a run's first
character). A hostile 100,000-character argument costs about a millisecond, not minutes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "***"
MAX_TEXT_CHARS = 4_096
"""Characters of one string kept by default (a log line is for reading, not for replaying a request)."""
CONTEXT_CHARS = 16_384
"""Characters read past the cut, so that a secret near it is still recognised by what follows it (`@host`)."""

_SECRET_KEY = re.compile(
    r"(pass(word|wd|phrase)?|secret|token|api[_-]?key|authorization|credential|private[_-]?key|"
    r"access[_-]?key|session[_-]?key|cookie|dsn|connection[_-]?string)",
    re.IGNORECASE,
)
# scheme://user:SECRET@host: the scheme starts where a run of scheme characters starts (the lookbehind), the
# user part cannot contain ':' (so it cannot backtrack), and the secret runs to the last '@' before a '/'
# or a space (an unencoded '@' in a password does not leave its tail behind).
_URL_PASSWORD = re.compile(
    r"(?<![a-z0-9+.\-])(?P<head>[a-z][a-z0-9+.\-]{0,31}://[^/\s:@]*+:)(?P<secret>[^\s/]*)(?=@)",
    re.IGNORECASE,
)
# name=value / name: value / "name": "value" where the name contains a secret word. The name is one whole
# run of name characters (possessive, starting at the run's first character); the lookahead checks it holds
# a secret word without consuming anything. An unclosed quote masks to the end of the text.
_KV_SECRET = re.compile(
    r"(?<![\w.\-])(?=[\w.\-]*?(?:password|passwd|pwd|secret|token|api[_-]?key))"
    r"(?P<head>[\w.\-]++[\"']?\s*+[=:]\s*+)(?P<secret>'[^']*+'?|\"[^\"]*+\"?|[^\s&;,]++)",
    re.IGNORECASE,
)
_PATTERNS = (
    re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b"),  # AWS access key / role / user ids
    re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{8,}+"),  # Anthropic API keys
    re.compile(r"(?<=Bearer )[A-Za-z0-9._~+/=\-]{6,}+", re.IGNORECASE),
)


def _mask(text: str, extra: tuple[str, ...]) -> str:
    for literal in extra:
        if literal and len(literal) >= 4:
            text = text.replace(literal, MASK)
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, text)
    text = _KV_SECRET.sub(lambda m: m.group("head") + MASK, text)
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def truncation_marker(length: int) -> str:
    """What replaces the tail of a string cut for a log: it says how long the original was."""
    return f"…[truncated: {length:,} characters]"


def redact_text(text: str, extra: Iterable[str] = (), *, limit: int | None = MAX_TEXT_CHARS) -> str:
    """`text` with URL passwords, `key=value` secrets, known key formats and `extra` literals masked.

    With `limit`, at most `limit` characters are kept (then `truncation_marker`); only `limit +
    CONTEXT_CHARS` characters are ever scanned (cut back to a space, so the scan splits no secret that a
    space would end).
    """
    extra = tuple(extra)
    if limit is None or len(text) <= limit:
        return _mask(text, extra)
    window = text[: limit + CONTEXT_CHARS]
    if len(text) > len(window):
        space = max(window.rfind(c, limit) for c in " \t\r\n")
        window = window[:space] if space > 0 else window
    return _mask(window, extra)[:limit] + truncation_marker(len(text))


def is_secret_key(key: str) -> bool:
    """True for mapping keys whose values are secrets (`password`, `aws_secret_access_key`, `X-Api-Key`...)."""
    return bool(_SECRET_KEY.search(key))


def redact(value: Any, extra: Iterable[str] = (), *, limit: int | None = MAX_TEXT_CHARS) -> Any:
    """A copy of a JSON-like `value` with every secret masked and every string bounded (see module docstring)."""
    extra = tuple(extra)
    if isinstance(value, str):
        return redact_text(value, extra, limit=limit)
    if isinstance(value, dict):
        return {
            k: (
                MASK
                if isinstance(k, str) and is_secret_key(k) and isinstance(v, str) and v
                else redact(v, extra, limit=limit)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v, extra, limit=limit) for v in value]
    return value
