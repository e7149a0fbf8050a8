"""Real clients no one here wrote: the official MCP conformance suite and the MCP Inspector CLI.

Runs scripts/conformance.sh: generic server scenarios (0.1.13), the full 0.1.16 server list with the committed
expected-failures baseline (scripts/conformance-expected-failures.yml), Inspector over stdio and HTTP.
Needs npx and the npm registry; skipped loudly without npx outside CI.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.npm
def test_conformance_suite_and_inspector_pass() -> None:
    if shutil.which("npx") is None:
        require_service("npx (Node.js)", "npx not on PATH")
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "conformance.sh"), sys.executable],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )  # fmt: skip
    passed = [line for line in proc.stdout.splitlines() if line.startswith("PASS ")]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert len(passed) == 14 and "conformance: all passed" in proc.stdout
