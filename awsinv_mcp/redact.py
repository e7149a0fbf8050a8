"""Secret redaction shared by every log writer (server and client audit logs).

`redact(value)` returns a copy of any JSON-like value with secrets replaced by `***`:
- values under secret-looking keys (password, secret, token, api_key, authorization, credentials, ...);
- passwords in URLs (`postgresql://app:s3cret@db/x` -> `postgresql://app:***@db/x`);
- `key=value` secrets inside strings (`password=...`, `sslpassword=...` in a DSN);
- AWS access key ids, Anthropic keys and bearer tokens anywhere in a string;
- any literal in `extra` (known secret values, e.g. the server's own token).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

MASK = "***"

_SECRET_KEY = re.compile(
    r"(pass(word|wd|phrase)?|secret|token|api[_-]?key|authorization|credential|private[_-]?key|"
    r"access[_-]?key|session[_-]?key|cookie|dsn|connection[_-]?string)",
    re.IGNORECASE,
)
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^/\s:@]*:)(?P<secret>[^@\s/]+)(?=@)", re.IGNORECASE)
_KV_SECRET = re.compile(
    r"(?P<head>\b[\w.\-]*(?:password|passwd|pwd|secret|token|api[_-]?key)[\w.\-]*[\"']?\s*[=:]\s*)(?P<secret>'[^']*'|\"[^\"]*\"|[^\s&;,]+)",
    re.IGNORECASE,
)
_PATTERNS = (
    re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b"),  # AWS access key / role / user ids
    re.compile(r"\bsk-ant-[A-Za-z0-9_\-]{8,}"),  # Anthropic API keys
    re.compile(r"(?<=Bearer )[A-Za-z0-9._~+/=\-]{6,}", re.IGNORECASE),
)


def redact_text(text: str, extra: Iterable[str] = ()) -> str:
    """`text` with URL passwords, `key=value` secrets, known key formats and `extra` literals masked."""
    for literal in extra:
        if literal and len(literal) >= 4:
            text = text.replace(literal, MASK)
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, text)
    text = _KV_SECRET.sub(lambda m: m.group("head") + MASK, text)
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def is_secret_key(key: str) -> bool:
    """True for mapping keys whose values are secrets (`password`, `aws_secret_access_key`, `X-Api-Key`...)."""
    return bool(_SECRET_KEY.search(key))


def redact(value: Any, extra: Iterable[str] = ()) -> Any:
    """A copy of a JSON-like `value` with every secret masked (see module docstring)."""
    extra = tuple(extra)
    if isinstance(value, str):
        return redact_text(value, extra)
    if isinstance(value, dict):
        return {
            k: (MASK if isinstance(k, str) and is_secret_key(k) and isinstance(v, str) and v else redact(v, extra))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v, extra) for v in value]
    return value
