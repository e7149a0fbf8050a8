"""server.json, the entry for the official MCP registry, against the registry's vendored schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from awsinv_mcp import __version__
from awsinv_mcp.config import Settings

ROOT = Path(__file__).resolve().parent.parent
ENTRY = json.loads((ROOT / "server.json").read_text())
SCHEMA = json.loads((ROOT / "deploy" / "registry" / "server.schema.json").read_text())


def test_server_json_is_valid_against_the_registry_schema() -> None:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(ENTRY), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert ENTRY["$schema"] == SCHEMA["$id"]


def test_the_schema_rejects_what_the_registry_rejects() -> None:
    """The vendored schema is the real one: a version range and a bad name are refused."""
    bad = json.loads(json.dumps(ENTRY))
    bad["packages"][0]["version"] = "latest"
    bad["name"] = "awsinv-mcp"
    assert len(list(jsonschema.Draft7Validator(SCHEMA).iter_errors(bad))) == 2


def test_packages_match_this_release() -> None:
    pypi, mcpb = (next(p for p in ENTRY["packages"] if p["registryType"] == kind) for kind in ("pypi", "mcpb"))
    assert ENTRY["version"] == pypi["version"] == mcpb["version"] == __version__
    assert pypi["identifier"] == "awsinv-mcp" and pypi["packageArguments"] == [{"type": "positional", "value": "serve"}]
    assert mcpb["identifier"].endswith(f"/v{__version__}/awsinv-mcp-{__version__}.mcpb")
    assert re.fullmatch(r"[0-9a-f]{64}", mcpb["fileSha256"]) and set(mcpb["fileSha256"]) != {"0"}
    fields = {f"AWSINV_{name.upper()}" for name in Settings.model_fields}
    for variable in pypi["environmentVariables"]:
        assert variable["name"] in fields | {"AWS_PROFILE"}, variable["name"]
    assert Settings.model_fields["source"].default in next(
        v["choices"] for v in pypi["environmentVariables"] if v["name"] == "AWSINV_SOURCE"
    )


def test_readme_carries_the_pypi_ownership_marker() -> None:
    """The registry checks a PyPI package's description (our README) for `mcp-name: <server name>`."""
    assert f"mcp-name: {ENTRY['name']}" in (ROOT / "README.md").read_text()
