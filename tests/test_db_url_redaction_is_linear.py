"""Connection-error redaction of `scheme://user:password@` is linear (issue 18; dbinspect/connections.py).

The former regex took 4.6 s on 20,000 letters (quadratic backtracking); 100,000-character hostile
inputs must now be redacted within a generous functional deadline, with the same matches as before.
"""

from __future__ import annotations

import random
import re
import time

import pytest

from awsinv_mcp.dbinspect.connections import redact

DEADLINE_S = 5.0
_OLD = re.compile(r"(?P<scheme>[A-Za-z][\w+.-]*://)(?P<user>[^:/@\s]*):(?P<pw>[^@\s]*)@")


def _old_redact(text: str) -> str:
    return _OLD.sub(lambda m: f"{m['scheme']}{m['user']}:***@", text)


@pytest.mark.parametrize("unit", ["a", "a://u:", "a://", "ab.c+d-", "x://u:p x"])
def test_hostile_100k_inputs_are_redacted_within_a_deadline(unit: str) -> None:
    text = (unit * (100_000 // len(unit) + 1))[:100_000]
    start = time.perf_counter()
    out = redact(text)
    assert time.perf_counter() - start < DEADLINE_S
    assert len(out) <= len(text)


def test_passwords_in_urls_are_masked() -> None:
    text = "connect postgresql://app:s3cr3t@db:5432/x failed; mysql+pymysql://root:pw@h/d"
    out = redact(text)
    assert "s3cr3t" not in out and ":pw@" not in out
    assert "postgresql://app:***@db:5432/x" in out and "mysql+pymysql://root:***@h/d" in out


def test_same_matches_as_the_former_regex_on_random_fragments() -> None:
    rng = random.Random(18)
    alphabet = "a1:/@ .-_x"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        assert redact(text) == _old_redact(text), text
