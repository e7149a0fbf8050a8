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
        if literal and len(literal) >= 3:
            text = text.replace(literal, MASK)
    text = mask_url_passwords(text)
    text = _KV_SECRET.sub(lambda m: m.group("head") + MASK, text)
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+.-")
_USER_END = frozenset(":/@")


def mask_url_passwords(text: str) -> str:
    """`text` with the password of every `scheme://user:password@host` masked, in time linear in `text`.

    The password runs to the last `@` before whitespace, so an unencoded `@` or `/` in it leaves nothing
    behind (over-masking a path that holds an `@` is the safe side). Each character is scanned a bounded
    number of times: a password scan that finds no `@` proves no later `://` before the same whitespace can
    match either, and the scan resumes past it.
    """
    parts: list[str] = []
    done = 0  # text[:done] is already in parts
    skip_to = 0  # no match can start its "://" before this
    pos = text.find("://")
    while pos != -1:
        if pos >= skip_to and _has_scheme(text, done, pos):
            user_end = pos + 3
            while user_end < len(text) and text[user_end] not in _USER_END and not text[user_end].isspace():
                user_end += 1
            if user_end < len(text) and text[user_end] == ":":
                span_end = user_end + 1
                while span_end < len(text) and not text[span_end].isspace():
                    span_end += 1
                at = text.rfind("@", user_end + 1, span_end)
                skip_to = span_end
                if at != -1:
                    parts += (text[done : user_end + 1], MASK)
                    done = at
        pos = text.find("://", pos + 1)
    parts.append(text[done:])
    return "".join(parts)


def _has_scheme(text: str, start: int, end: int) -> bool:
    """True when text[start:end] ends with a URL scheme (scheme characters, at least one a letter)."""
    i = end - 1
    found_letter = False
    while i >= start and text[i] in _SCHEME_CHARS:
        found_letter = found_letter or text[i].isalpha()
        i -= 1
    return found_letter


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
