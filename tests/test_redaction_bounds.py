"""Redaction is linear and bounded, and the audit log never stalls the server (issue 18, item 2).

Hostile strings that took minutes (quadratic backtracking) are redacted within a generous functional
deadline; long strings are cut with a marker after a wider window was scanned, so a secret next to the cut
stays masked; with `AWSINV_AUDIT_LOG` set, a real HTTP server keeps answering `/healthz` while it audits a
50 KB argument, and refuses a 100,001-character `sql` promptly.
"""

from __future__ import annotations

import json
import random
import time

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from awsinv_mcp.redact import CONTEXT_CHARS, MASK, MAX_TEXT_CHARS, redact, redact_text, truncation_marker
from tests.http_server import running_server

DEADLINE_S = 5.0  # functional bound: these inputs took 2 to 90 s before (see bench/README.md)


def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


@pytest.mark.parametrize("unit", ["x", "a.", "token", "tokentoken=", "postgres://u:", "a://b:c", "'", "Bearer "])
def test_hostile_strings_are_redacted_within_a_deadline(unit: str) -> None:
    text = _repeat(unit, 200_000)
    started = time.perf_counter()
    redact_text(text, limit=None)  # unbounded: the patterns alone must be linear
    redact_text(text)
    assert time.perf_counter() - started < DEADLINE_S


def test_random_mixtures_of_pattern_fragments_stay_fast() -> None:
    rng = random.Random(7)
    alphabet = [*"ab:/@.=' -\"\t", "token", "password", "://", "Bearer ", "AKIA", "sk-ant-", "pwd"]
    text = "".join(rng.choice(alphabet) for _ in range(60_000))
    started = time.perf_counter()
    redact_text(text, limit=None)
    assert time.perf_counter() - started < DEADLINE_S


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgresql://app:p@ss@db/x", "postgresql://app:***@db/x"),  # an unencoded '@' leaves nothing behind
        ("x:password=hunter2 y", "x:password=*** y"),  # the secret word after a non-secret name
        ("--db-password 'a b c", "--db-password 'a b c"),  # no separator: not a key=value pair
        ("password='a b c", "password=***"),  # an unclosed quote masks to the end
        ('{"api_key": "abc def"}', '{"api_key": ***}'),
        ("token:abc,next=1", "token:***,next=1"),
    ],
)
def test_redaction_edge_cases(raw: str, expected: str) -> None:
    assert redact_text(raw) == expected


def test_long_strings_are_cut_with_a_marker_after_a_wider_scan() -> None:
    text = "x" * (MAX_TEXT_CHARS - 20) + " postgresql://app:" + "s" * 40 + "@db/x " + "y" * 50_000
    out = redact_text(text)
    assert out.endswith(truncation_marker(len(text)))
    assert len(out) == MAX_TEXT_CHARS + len(truncation_marker(len(text)))
    assert "sss" not in out  # the '@' that marks the password lies past the cut, inside the scanned window
    assert "postgresql://app:*" in out
    assert redact({"q": text})["q"] == out
    assert redact_text(text, limit=None).count(MASK) == 1
    assert CONTEXT_CHARS > 40


def test_error_text_is_redacted_before_it_is_cut(tmp_path) -> None:
    from awsinv_mcp.auditlog import MAX_ERROR_CHARS, AuditLog

    log = AuditLog(tmp_path / "a.jsonl")
    error = "e" * (MAX_ERROR_CHARS - 10) + " mysql://root:hunter2hunter2@h/db"
    line = log.record(side="server", tool="t", arguments={}, duration_ms=1.0, error=error)
    assert "hunter" not in json.dumps(line) and line["error"].startswith("e" * 10)


@pytest.mark.anyio
async def test_server_stays_responsive_while_auditing_a_huge_argument(tmp_path) -> None:
    audit = tmp_path / "audit.jsonl"
    databases = json.dumps({"test": "sqlite:///:memory:"})
    with running_server(AWSINV_AUDIT_LOG=str(audit), AWSINV_DATABASES=databases) as base:
        latencies: list[float] = []
        async with (
            httpx2.AsyncClient(timeout=60.0) as http,
            httpx2.AsyncClient(timeout=120.0) as mcp_http,
            Client(streamable_http_client(f"{base}/mcp", http_client=mcp_http)) as client,
        ):
            await client.call_tool("get_inventory_summary", {})  # warm: tools registered, estate built
            done = anyio.Event()

            async def call() -> None:
                try:
                    await client.call_tool("list_db_instances", {"q": "x" * 50_000})
                finally:
                    done.set()

            async with anyio.create_task_group() as tg:
                tg.start_soon(call)
                while not done.is_set():
                    started = time.perf_counter()
                    assert (await http.get(f"{base}/healthz")).status_code == 200
                    latencies.append(time.perf_counter() - started)
                    await anyio.sleep(0.02)
            started = time.perf_counter()
            refused = await client.call_tool("run_query", {"database": "test", "sql": "select 1 --" + "x" * 99_990})
            refusal_s = time.perf_counter() - started
    assert refused.is_error and "100,000" in refused.content[0].text.replace("100000", "100,000")
    assert refusal_s < 30.0  # was 71 s
    assert latencies and max(latencies) < DEADLINE_S  # was 20 s: the event loop was busy redacting
    lines = [json.loads(line) for line in audit.read_text().splitlines()]
    big = next(line for line in lines if line["tool"] == "list_db_instances" and "q" in line["arguments"])
    assert big["arguments"]["q"].endswith(truncation_marker(50_000))
    sql = next(line for line in lines if line["tool"] == "run_query")
    assert len(sql["arguments"]["sql"]) < MAX_TEXT_CHARS + 100
