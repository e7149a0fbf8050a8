"""`scripts/screenshots.py` shoots every view of the demo estate; run by the suite it writes only into a
temporary directory, never the tracked `docs/screenshots/`."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_web_browser import _require_browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
TRACKED = ROOT / "docs" / "screenshots"


def _digests() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(TRACKED.glob("*.png"))}


def test_screenshots_of_every_view_into_a_temporary_directory(tmp_path: Path) -> None:
    _require_browser()
    before = _digests()
    out = tmp_path / "shots"
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    shots = {p.stem: p for p in out.glob("*.png")}
    assert {"overview", "findings", "savings", "versions", "snapshots", "changes", "resources", "chat"} <= set(shots)
    for name, path in shots.items():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 20_000, name
    assert _digests() == before  # the tracked screenshots are untouched
