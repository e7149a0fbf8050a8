"""Connection-URL redaction (awsinv_mcp/dbinspect/connections.py): former regex vs linear scanner.

Prints seconds per input size for both, and the ratio; the baseline is the former regex, measured in the same run.
Run: .venv/bin/python bench/bench_db_url_redaction.py
"""

from __future__ import annotations

import re
import time

from awsinv_mcp.dbinspect.connections import redact

_OLD = re.compile(r"(?P<scheme>[A-Za-z][\w+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@\s]*)@")


def _timed(fn, text: str) -> float:
    start = time.perf_counter()
    fn(text)
    return time.perf_counter() - start


def main() -> None:
    for unit in ("a", "a://u:"):
        for n in (5_000, 10_000, 20_000):
            text = (unit * (n // len(unit) + 1))[:n]
            old = _timed(lambda t: _OLD.sub("x", t), text)
            new = _timed(redact, text)
            ratio = old / max(new, 1e-6)
            print(f"{unit!r:10} {n:>7} chars  regex {old:8.3f} s  linear {new:8.5f} s  ratio {ratio:8.0f}x")
        text = (unit * (100_000 // len(unit) + 1))[:100_000]
        print(f"{unit!r:10} {100_000:>7} chars  linear {_timed(redact, text):8.5f} s (regex not run: ~2 min)")


if __name__ == "__main__":
    main()
