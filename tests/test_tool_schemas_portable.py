"""Tool schemas are portable to strict validators (issue 17 item 12): no type arrays such as ["string", "null"]
(Ajv strict mode refuses them), and `required` names only declared properties."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from tests.conftest import require_service

AJV_VERSION = "8.20.0"
AJV_FORMATS_VERSION = "3.0.1"

pytestmark = pytest.mark.anyio


def _problems(schema: Any, path: str) -> list[str]:
    found: list[str] = []
    if isinstance(schema, dict):
        if isinstance(schema.get("type"), list):
            found.append(f"{path}: type array {schema['type']}")
        properties = schema.get("properties")
        if isinstance(properties, dict):
            missing = set(schema.get("required", ())) - set(properties)
            if missing:
                found.append(f"{path}: required names undeclared {sorted(missing)}")
        for key, value in schema.items():
            found += _problems(value, f"{path}.{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += _problems(value, f"{path}[{i}]")
    return found


async def test_every_tool_schema_is_portable() -> None:
    async with Client(build_server(Settings(source="synthetic"))) as client:
        tools = (await client.list_tools()).tools
    assert len(tools) >= 20
    problems = [p for t in tools for p in _problems(t.input_schema, f"{t.name}.input")]
    problems += [p for t in tools for p in _problems(t.output_schema or {}, f"{t.name}.output")]
    assert not problems, problems[:10]


AJV_STRICT = """
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;  // as the TypeScript SDK's AjvJsonSchemaValidator does
const tools = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const problems = [];
for (const tool of tools) {
  for (const [part, schema] of [["input", tool.inputSchema], ["output", tool.outputSchema]]) {
    if (!schema) continue;
    const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
    try { ajv.compile(schema); } catch (e) { problems.push(`${tool.name}.${part}: ${e.message}`); }
  }
}
console.log(JSON.stringify({ compiled: tools.length, problems }));
"""


@pytest.mark.npm
async def test_every_tool_schema_compiles_under_ajv_strict_mode(tmp_path: Path) -> None:
    """The validator TypeScript clients use (Ajv 8 with ajv-formats, JSON Schema 2020-12, strict mode) compiles
    every input and output schema."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        require_service("npm and node", "not on PATH")
    prefix = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "awsinv-mcp" / "ajv"
    if not (prefix / "node_modules" / "ajv-formats").exists():
        packages = [f"ajv@{AJV_VERSION}", f"ajv-formats@{AJV_FORMATS_VERSION}"]
        npm = ["npm", "install", "--no-save", "--silent", "--prefix", str(prefix), *packages]
        subprocess.run(npm, check=True, capture_output=True, timeout=300)
    async with Client(build_server(Settings(source="synthetic"))) as client:
        tools = (await client.list_tools()).tools
    listing = tmp_path / "tools.json"
    listing.write_text(json.dumps([t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]))
    script = tmp_path / "ajv_strict.js"
    script.write_text(AJV_STRICT)
    env = {**os.environ, "NODE_PATH": str(prefix / "node_modules")}
    done = subprocess.run(["node", str(script), str(listing)], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["compiled"] == len(tools) >= 20 and report["problems"] == [], report["problems"][:10]
