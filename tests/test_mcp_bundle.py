"""The MCP Bundle: packed and validated by the official mcpb CLI, unpacked, and started the way a host does.

scripts/build_bundle.py stages, validates and packs it (npx @anthropic-ai/mcpb). The test unzips the `.mcpb`,
substitutes `${__dirname}` and `${user_config.*}` in the manifest's `mcp_config` as Claude Desktop does,
spawns that command (`uv run --directory <bundle> server/main.py`) and drives it over stdio with the official
client. Needs npx, the npm registry, uv (a dev dependency) and PyPI for uv; skipped loudly without npx
outside CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from awsinv_mcp import __version__
from tests.conftest import require_service

pytestmark = pytest.mark.npm
ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cr3t-bundle-password"


def uv_binary() -> str | None:
    return shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")


@pytest.fixture(scope="module")
def packed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    if shutil.which("npx") is None or uv_binary() is None:
        require_service("npx (Node.js) and uv", "npx or uv not on PATH")
    out = tmp_path_factory.mktemp("bundle")
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_bundle.py"), "--out", str(out)],
        capture_output=True, text=True, timeout=900, cwd=ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    yield out / f"awsinv-mcp-{__version__}.mcpb", proc.stdout


def substitute(value: str, variables: dict[str, str]) -> str:
    """A host's variable substitution: `${__dirname}`, `${user_config.KEY}` (unset keys become "")."""
    return re.sub(r"\$\{([^}]+)\}", lambda m: variables.get(m.group(1), ""), value)


def test_validate_and_pack_output(packed: tuple[Path, str]) -> None:
    bundle, output = packed
    assert "Manifest schema validation passes!" in output
    assert bundle.is_file() and 50_000 < bundle.stat().st_size < 5_000_000
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
    assert {"manifest.json", "pyproject.toml", "uv.lock", "server/main.py", "icon.png"} <= names
    assert "awsinv_mcp/cli.py" in names and "resources/engine_lifecycle.json" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(".venv")]


@pytest.mark.anyio
async def test_unpacked_bundle_starts_as_the_host_starts_it(packed: tuple[Path, str], tmp_path: Path) -> None:
    bundle, _ = packed
    folder = tmp_path / "installed"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["server"]["type"] == "uv" and manifest["version"] == __version__
    database = tmp_path / "shop.db"
    with sqlite3.connect(database) as db:
        db.executescript(
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL); INSERT INTO orders VALUES (1, 9.5);"
        )
    user_config = {  # what a user typed in the host's settings form; aws_profile and config_file left empty
        "source": "synthetic",
        "regions": "us-east-1,eu-west-1",
        "databases": json.dumps(
            {"shop": f"sqlite:///{database}", "orders": f"postgresql://reader:{SECRET}@127.0.0.1:9/o"}
        ),
    }
    variables = {"__dirname": str(folder), **{f"user_config.{k}": v for k, v in user_config.items()}}
    config = manifest["server"]["mcp_config"]
    command = shutil.which(config["command"]) or uv_binary()
    args = [substitute(a, variables) for a in config["args"]]
    env = {k: substitute(v, variables) for k, v in config["env"].items()}
    env.update({k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "SSL_CERT_FILE", "UV_CACHE_DIR")})
    env.update({"UV_PYTHON_DOWNLOADS": "never", "AWS_CONFIG_FILE": os.devnull, "AWS_EC2_METADATA_DISABLED": "true"})
    env.setdefault("SSL_CERT_FILE", "/etc/ssl/certs/ca-certificates.crt")
    # the host's first start installs the environment; do it first, with a deadline, so the session's own
    # start-up is not timed against a download
    sync = subprocess.run([command, "sync", "--directory", str(folder), "--no-dev", "--quiet"], env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert sync.returncode == 0, sync.stderr[-3000:]
    async with Client(StdioServerParameters(command=command, args=args, env=env), cache=None) as client:
        tools = [t.name for t in (await client.list_tools()).tools]
        assert sorted(tools) == sorted(t["name"] for t in manifest["tools"])
        summary = await client.call_tool("get_inventory_summary", {})
        assert not summary.is_error and summary.structured_content["source"] == "synthetic"
        databases = await client.call_tool("list_databases", {})
        listed = json.dumps(databases.structured_content)
        assert '"shop"' in listed and '"orders"' in listed and SECRET not in str(databases)
        rows = await client.call_tool("run_query", {"database": "shop", "sql": "SELECT total FROM orders"})
        assert not rows.is_error and rows.structured_content["rows"] == [[9.5]]
