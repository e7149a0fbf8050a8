"""Every Claude Desktop configuration the project ships names its command by an absolute path.

Claude Desktop does not start commands through a login shell, so a bare `uvx` fails with `spawn ENOENT`; the
README warns about it, and its own snippets and the example file must follow the warning.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shipped_configs() -> list[dict]:
    readme = (ROOT / "README.md").read_text()
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", readme, re.S) if "mcpServers" in b]
    return [*blocks, json.loads((ROOT / "claude_desktop_config.example.json").read_text())]


def test_every_command_is_an_absolute_path() -> None:
    configs = shipped_configs()
    servers = [server for config in configs for server in config["mcpServers"].values()]
    assert len(configs) >= 3 and any("uvx" in s["command"] for s in servers)
    for server in servers:
        assert server["command"].startswith("/"), server["command"]
        assert "serve" in server["args"]
