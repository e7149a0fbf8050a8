"""`awsinv-mcp collect` stores one snapshot per run in the history store, `store upgrade` creates it, and both
say in one line what to set when no store is given."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from awsinv_mcp.inventory.history.reader import FINDING
from awsinv_mcp.inventory.history.sql import HistoryStore


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWSINV_")} | env
    return subprocess.run(
        [sys.executable, "-m", "awsinv_mcp", *args], capture_output=True, text=True, timeout=120, env=environ
    )


def test_collect_twice_stores_two_snapshots(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    upgraded = _run("store", "upgrade", "--store", url)
    assert upgraded.returncode == 0 and "schema version 1" in upgraded.stderr
    for _ in range(2):
        done = _run("collect", "--source", "synthetic", "--scale", "30", "--store", url)
        assert done.returncode == 0, done.stderr
        assert "stored snapshot synthetic-" in done.stderr and done.stdout == ""
    store = HistoryStore(url)
    try:
        snaps = store.snapshots()
        assert len(snaps) == 2 and all(s.source == "synthetic" for s in snaps)
        members = store.members(snaps[1].id)
        assert sum(1 for kind, _ in members if kind != FINDING) == snaps[1].records > 30
        findings = [key for kind, key in members if kind == FINDING]  # the collection's findings are kept too
        assert len(findings) == sum(snaps[1].status["findings"].values()) > 0
    finally:
        store.close()


def test_without_a_store_collect_says_what_to_set() -> None:
    done = _run("collect", "--source", "synthetic", "--scale", "30")
    assert done.returncode != 0
    assert "AWSINV_STORE" in done.stderr and "Traceback" not in done.stderr
