"""Tool schemas are portable to strict validators (issue 17 item 12): no type arrays such as ["string", "null"]
(Ajv strict mode refuses them), and `required` names only declared properties."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server

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
