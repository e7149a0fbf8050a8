"""Prompt and resource mistakes are protocol errors in the negotiated version's terms (issue 17 items 4 and 5):
-32602 with a sentence saying what to fix, -32002 for a missing resource before protocol 2026-07-28 (SEP-2164),
and no traceback in the log (it is the caller's mistake, not a bug)."""

from __future__ import annotations

import logging

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from awsinv_mcp.server.protocol import LEGACY_RESOURCE_NOT_FOUND, resource_not_found_code

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("name", "arguments", "says"),
    [
        ("nope", {}, "unknown prompt 'nope'"),
        ("team_database_overview", {}, "team"),
        ("version_compliance_report", {"months_ahead": "lots"}, "months_ahead"),
    ],
)
async def test_prompt_mistakes_are_invalid_params(
    name: str, arguments: dict[str, str], says: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    async with Client(build_server(Settings(source="synthetic", scale=20))) as client:
        with pytest.raises(MCPError) as info:
            await client.get_prompt(name, arguments)
    assert info.value.error.code == INVALID_PARAMS and says in info.value.error.message
    assert not [r for r in caplog.records if r.exc_info], "a caller's mistake logged a traceback"


@pytest.mark.parametrize("uri", ["inventory://db-instances/does-not-exist", "db://nope/schema"])
async def test_a_missing_resource_is_not_found_not_internal(uri: str) -> None:
    async with Client(build_server(Settings(source="synthetic", scale=20))) as client:
        with pytest.raises(MCPError) as info:
            await client.read_resource(uri)
    assert info.value.error.code in (INVALID_PARAMS, LEGACY_RESOURCE_NOT_FOUND)
    assert info.value.error.data == {"uri": uri} or info.value.error.code == INVALID_PARAMS


def test_the_not_found_code_follows_the_protocol_version() -> None:
    assert resource_not_found_code("2026-07-28") == INVALID_PARAMS
    assert resource_not_found_code("2025-11-25") == LEGACY_RESOURCE_NOT_FOUND
    assert resource_not_found_code("2025-06-18") == LEGACY_RESOURCE_NOT_FOUND


async def test_completion_knows_closed_sets_and_refuses_unknown_prompts() -> None:
    from mcp.types import PromptReference

    def ref(name: str) -> PromptReference:
        return PromptReference(type="ref/prompt", name=name)

    async with Client(build_server(Settings(source="synthetic", scale=20))) as client:
        severity = await client.complete(ref("database_security_audit"), {"name": "min_severity", "value": ""})
        high = await client.complete(ref("database_security_audit"), {"name": "min_severity", "value": "h"})
        engines = await client.complete(ref("version_compliance_report"), {"name": "engine", "value": "post"})
        with pytest.raises(MCPError) as info:
            await client.complete(ref("nope"), {"name": "team", "value": ""})
    assert severity.completion.values == ["critical", "high", "medium", "low", "info"]
    assert high.completion.values == ["high"]
    assert engines.completion.values and all("post" in e for e in engines.completion.values)
    assert info.value.error.code == INVALID_PARAMS and "unknown prompt 'nope'" in info.value.error.message
