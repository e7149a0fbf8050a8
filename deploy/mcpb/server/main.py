"""Entry point of the MCP Bundle (deploy/mcpb/manifest.json `server.entry_point`): `awsinv-mcp serve` over stdio.

The host runs `uv run --directory <bundle> server/main.py`: uv installs the dependencies of the bundle's
pyproject.toml (pinned by its uv.lock: `--frozen`) into the bundle's own environment, and this file imports the
package shipped beside it. The user's settings arrive as environment variables; a setting left empty in
the host's form arrives as "" (or, in some hosts, as the unsubstituted `${user_config.NAME}`) and is
dropped so its default applies (an empty AWS_PROFILE would otherwise name a profile "").
"""

import os
import sys
from pathlib import Path

BUNDLE = Path(__file__).resolve().parent.parent

for name, value in list(os.environ.items()):
    if name.startswith(("AWSINV_", "AWS_")) and (not value.strip() or value.startswith("${user_config.")):
        del os.environ[name]
sys.path.insert(0, str(BUNDLE))

from awsinv_mcp.cli import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(["serve", *sys.argv[1:]]))
