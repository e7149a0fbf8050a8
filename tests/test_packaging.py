"""The README's test command is the one CI runs; the example config is valid; settings parse flags and env."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from awsinv_mcp.cli import build_parser, settings_from_args

ROOT = Path(__file__).resolve().parent.parent


def test_readme_test_command_matches_marker_and_ci() -> None:
    readme = (ROOT / "README.md").read_text()
    marker = re.search(r"<!-- test-command: (.*) -->\n```bash\n(.*)\n```", readme)
    assert marker, "README must hold the test command right after its marker"
    assert marker.group(1) == marker.group(2)
    assert "README.md" in (ROOT / ".ci" / "run").read_text()


def test_claude_desktop_example_is_valid_json() -> None:
    config = json.loads((ROOT / "claude_desktop_config.example.json").read_text())
    for server in config["mcpServers"].values():
        assert "serve" in server["args"]


def test_flags_override_environment(monkeypatch) -> None:
    monkeypatch.setenv("AWSINV_SCALE", "999")
    monkeypatch.setenv("AWSINV_REGIONS", "us-east-1,eu-west-1")
    args = build_parser("serve").parse_args(["serve", "--scale", "77", "--source", "synthetic"])
    settings = settings_from_args(args)
    assert settings.scale == 77 and settings.source == "synthetic"
    assert settings.regions == ["us-east-1", "eu-west-1"]


def test_invalid_setting_is_one_clean_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "awsinv_mcp", "serve", "--scale", "0"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "scale" in proc.stderr


def test_serve_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from awsinv_mcp.server.app import build_server; from awsinv_mcp.config import Settings;"
        "build_server(Settings(source='synthetic'));"
        "print(','.join(m for m in ('boto3','sqlalchemy','sqlglot','faker','anthropic') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
