"""No answer exceeds 25,000 tokens (awsinv_mcp/budget.py): the widest call of every estate tool on a 100,000-instance
synthetic estate stays under the cap, and an oversized answer is cut at a row boundary and says so."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from awsinv_mcp import budget
from awsinv_mcp.config import Settings
from awsinv_mcp.server import catalog
from awsinv_mcp.server.app import build_server
from awsinv_mcp.server.tooling import argument_names, respond

pytestmark = pytest.mark.anyio


def widest(schema: dict) -> dict:
    """The widest arguments a tool accepts: every bounded integer at its maximum, detail on."""
    args: dict = {}
    for name, prop in schema.get("properties", {}).items():
        if "maximum" in prop:
            args[name] = prop["maximum"]
        elif name == "detail":
            args[name] = True
    return args


def test_fit_cuts_at_a_row_boundary_and_says_how_to_narrow() -> None:
    rows = [{"id": f"db-{i:06d}", "note": "x" * 200} for i in range(2_000)]
    answer = {
        "source": "synthetic",
        "items": rows,
        "total": 9_000,
        "next_cursor": "c2",
        "truncated": False,
        "warnings": [],
    }
    cut = budget.fit(answer, limit=20_000)
    assert cut is not None and cut["truncated"] is True
    notice = cut["warnings"][-1]["message"]
    assert budget.size(cut) <= 20_000
    kept = cut["items"]
    assert 0 < len(kept) < len(rows) and kept == rows[: len(kept)]  # whole rows, in order
    assert f"{len(kept)} of 2000" in notice and f"limit={len(kept)}" in notice
    assert cut["next_cursor"] is None  # following the page's cursor would skip the rows cut off
    assert len(answer["items"]) == 2_000  # the caller's answer is left alone


def test_small_answers_pass_unchanged_and_respond_applies_the_cap() -> None:
    small = {"items": [1, 2, 3]}
    assert budget.fit(small) is small
    big = {"items": ["y" * 1_000 for _ in range(300)], "total": 300}
    result = respond(big)
    text = result.content[0].text
    assert len(text.encode()) <= budget.MAX_ANSWER_BYTES
    assert json.loads(text) == result.structured_content and result.structured_content["truncated"] is True


def test_an_answer_no_cut_can_fit_is_a_clear_error() -> None:
    result = respond({"blob": "z" * (budget.MAX_ANSWER_BYTES + 10)})
    assert result.is_error and "narrow" in result.content[0].text


@pytest.fixture(scope="module")
def big_server():
    return build_server(Settings(source="synthetic", scale=100_000))


async def test_widest_calls_on_a_100k_estate_stay_under_the_cap(big_server) -> None:
    """Every estate tool called with its widest arguments answers at most 100,000 bytes of text."""
    sizes: dict[str, int] = {}
    async with Client(big_server) as c:
        for tool in catalog.tools_of(("inventory", "analysis", "cost")):
            if tool.name == "refresh_inventory":
                continue
            args = widest(tool.arguments().model_json_schema())
            if "identifier" in argument_names(tool.arguments()):
                args["identifier"] = "no-such-instance"
            result = await c.call_tool(tool.name, args)
            text = result.content[0].text
            sizes[tool.name] = len(text.encode())
            assert sizes[tool.name] <= budget.MAX_ANSWER_BYTES, (tool.name, sizes[tool.name])
            assert not result.is_error or tool.name == "get_db_instance", (tool.name, text[:200])
            answer = result.structured_content
            if sizes[tool.name] > budget.MAX_ANSWER_BYTES - 2_000:  # cut by the cap: it says so
                assert answer["truncated"] is True
                assert any(w["scope"] == "answer" and "limit=" in w["message"] for w in answer["warnings"])
                assert answer["next_cursor"] is None
    assert max(sizes.values()) > budget.MAX_ANSWER_BYTES // 2  # the wide calls were really wide
