"""`awsinv-mcp collect --every` keeps collecting into the store, and a collector killed (SIGKILL) in the middle of
writing a snapshot to the real PostgreSQL leaves no visible partial snapshot and no held lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from awsinv_mcp.inventory.history import schema
from awsinv_mcp.inventory.history.sql import HistoryStore
from tests.db_fixtures import scratch_pg_database
from tests.http_server import server_env

DB = f"awsinv_hist_kill_{os.getpid()}"


def _collector(url: str, *args: str, scale: int = 30) -> subprocess.Popen[str]:
    env = server_env(AWSINV_STORE=url, AWSINV_SCALE=str(scale), AWSINV_SOURCE="synthetic")
    return subprocess.Popen(
        [sys.executable, "-m", "awsinv_mcp", "collect", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _snapshots(url: str) -> list[str]:
    store = HistoryStore(url, create=False)
    try:
        return [s.id for s in store.snapshots()]
    finally:
        store.close()


def test_collect_every_keeps_collecting(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    proc = _collector(url, "--every", "2s")
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            if Path(tmp_path / "h.db").exists() and len(_snapshots(url)) >= 2:
                break
            time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert len(_snapshots(url)) >= 2
    finally:
        proc.terminate()
        proc.wait(30)
    bad = subprocess.run(
        [sys.executable, "-m", "awsinv_mcp", "collect", "--store", url, "--every", "soon"],
        env=server_env(),
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "15m" in bad.stderr and "Traceback" not in bad.stderr


@pytest.fixture
def pg_url() -> Iterator[str]:
    with scratch_pg_database(DB) as url:
        yield url


def _writing(admin: object) -> bool:
    """A transaction of the store's database has started writing the snapshot's rows and is still open."""
    row = admin.execute(  # type: ignore[attr-defined]
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_xid IS NOT NULL "
        "AND query ILIKE 'INSERT INTO awsinv_%%'",
        (DB,),
    ).fetchone()
    return bool(row[0])


def test_a_collector_killed_mid_write_leaves_nothing_half_written(pg_url: str) -> None:
    from tests.db_fixtures import pg_connect

    first = _collector(pg_url, scale=30)
    assert first.wait(120) == 0, first.stderr.read() if first.stderr else ""
    kept = _snapshots(pg_url)
    store = HistoryStore(pg_url, create=False)
    try:
        with store.engine.connect() as conn:
            spans_before = conn.execute(select(func.count()).select_from(schema.spans)).scalar_one()
    finally:
        store.close()

    victim = _collector(pg_url, scale=20_000)
    with pg_connect() as admin:
        deadline = time.monotonic() + 240
        caught = False
        while time.monotonic() < deadline and victim.poll() is None and not caught:
            caught = _writing(admin)
            if not caught:
                time.sleep(0.01)
        if caught:  # at once: the snapshot's rows are being inserted, its transaction still open
            os.kill(victim.pid, signal.SIGKILL)
        assert caught, victim.stderr.read() if victim.poll() is not None and victim.stderr else "never caught writing"
        victim.wait(30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _writing(admin):  # the server aborts the dead client's transaction
            time.sleep(0.05)

    assert _snapshots(pg_url) == kept
    store = HistoryStore(pg_url, create=False)
    try:
        with store.engine.connect() as conn:
            spans = conn.execute(select(func.count()).select_from(schema.spans)).scalar_one()
            open_after = conn.execute(select(func.max(schema.spans.c.first_seq)).select_from(schema.spans)).scalar_one()
        assert spans == spans_before and open_after == 1
    finally:
        store.close()
    after = _collector(pg_url, scale=30)  # the lock died with the killed collector: the next one collects
    assert after.wait(120) == 0, after.stderr.read() if after.stderr else ""
    assert len(_snapshots(pg_url)) == len(kept) + 1
