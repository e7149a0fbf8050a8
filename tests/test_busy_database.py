"""A slow database cannot starve the others (issue 18 item 7).

More slow `run_query` calls than a database has connections: the extra ones are told within seconds that the
database is busy (code `unavailable`, when to retry), never that it is unreachable or refused the login, and a
query on another database answers meanwhile.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from tests import db_fixtures as F
from tests.conftest import require_service

pytestmark = pytest.mark.anyio

SLOW = "SELECT count(*) FROM generate_series(1, 2000000000) g"  # runs until the statement timeout
TIMEOUT_S = 6


async def test_extra_calls_on_a_busy_database_are_told_to_retry(tmp_path: Path) -> None:
    try:
        F.pg_connect().close()
    except Exception as exc:
        require_service("PostgreSQL on 127.0.0.1:5432", type(exc).__name__)
    lite = tmp_path / "other.db"
    F.seed_sqlite(lite)
    databases = {"pg": "postgresql://postgres@127.0.0.1:5432/test", "lite": f"sqlite:///{lite}"}
    server = build_server(Settings(source="synthetic", databases=json.dumps(databases), query_timeout=TIMEOUT_S))
    answers: list[Any] = []
    other: dict[str, float] = {}
    async with Client(server) as client:

        async def slow() -> None:
            answers.append(await client.call_tool("run_query", {"database": "pg", "sql": SLOW}))

        async def meanwhile() -> None:
            await anyio.sleep(1.0)  # not readiness: let the slow calls take every pg connection first
            started = time.monotonic()
            r = await client.call_tool("run_query", {"database": "lite", "sql": "SELECT count(*) FROM orders"})
            other["elapsed"], other["error"] = time.monotonic() - started, r.is_error

        with anyio.fail_after(60):
            async with anyio.create_task_group() as tg:
                for _ in range(8):
                    tg.start_soon(slow)
                tg.start_soon(meanwhile)
    busy = [a for a in answers if a.is_error and "busy" in a.content[0].text]
    assert len(busy) == 3  # 8 calls, 5 connections (pool 2 + overflow 3)
    for a in busy:
        assert a.structured_content["error"]["code"] == "unavailable" and "retry in about" in a.content[0].text
    assert not any("unreachable" in a.content[0].text or "refused the login" in a.content[0].text for a in answers)
    assert other["error"] is False and other["elapsed"] < 3.0
