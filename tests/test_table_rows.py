"""Compact list rows (awsinv_mcp/models/table.py, issue 16 item 3): `rows_of` gives back exactly the rows `table`
was made from; every inventory and analysis list answers in table form (no ARN unless detail=true), and the
56-instance fleet and every estate tool's default answer on a 100,000-instance estate fit their byte budgets."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.models import answers as A
from awsinv_mcp.models.table import rows_of, table, with_items
from awsinv_mcp.server import catalog
from awsinv_mcp.server.app import build_server
from tests.conftest import require_service

pytestmark = pytest.mark.anyio

LISTS = [t.name for t in catalog.TOOLS if t.toolset == "inventory" and t.name.startswith("list_")]
TABLES = [*LISTS, *(t.name for t in catalog.TOOLS if t.toolset == "analysis")]  # every estate list answer
DEFAULTS = [t.name for t in catalog.tools_of(("inventory", "analysis", "cost")) if t.name not in
            ("refresh_inventory", "get_db_instance")]  # fmt: skip


def test_rows_of_inverts_table() -> None:
    rows = [
        {"id": "a", "account": "1", "team": None, "tags": ["x"], "n": 1, "flag": True, "tail": None},
        {"id": "b", "account": "1", "team": "web", "tags": [], "n": 0, "flag": True, "tail": None},
        {"id": "c", "account": "1", "team": None, "tags": ["x"], "n": 1, "flag": True, "tail": "z"},
    ]
    t = table(rows, drop=("n",))
    assert t["same"] == {"account": "1", "flag": True} and t["columns"] == ["id", "team", "tags", "tail"]
    assert t["rows"][0] == ["a", None, ["x"]]  # the trailing null is left out
    assert rows_of(t) == [{k: v for k, v in r.items() if k != "n"} for r in rows]
    assert rows_of(table(rows[:1])) == rows[:1] and rows_of(table([])) == []
    # True and 1 are different JSON values: a column holding both is not `same`
    assert "v" not in table([{"v": True}, {"v": 1}])["same"]
    # an answer in the previous shape (items as objects) reads the same way
    assert rows_of({"items": rows}) == rows
    page = {"total": 3, **t}
    assert with_items(page) == {"total": 3, "items": rows_of(t)}


async def test_every_list_answers_a_table_and_the_arn_only_with_detail() -> None:
    async with Client(build_server(Settings(source="synthetic", scale=150))) as c:
        for name in TABLES:
            answer = (await c.call_tool(name, {"limit": 5})).structured_content
            assert set(answer) >= {"columns", "rows", "same", "total"} and "items" not in answer, name
            rows = rows_of(answer)
            assert len(rows) == 5 and all("arn" not in r for r in rows), name
        detailed = rows_of((await c.call_tool("list_db_instances", {"limit": 3, "detail": True})).structured_content)
        one = (await c.call_tool("get_db_instance", {"identifier": detailed[0]["arn"]})).structured_content
    assert one["instance"]["identifier"] == detailed[0]["identifier"]
    # the rows read back are the row records, every field of the row model present
    assert set(detailed[0]) == set(A.DBInstanceRow.model_fields)


async def test_fleet_of_56_and_default_answers_at_100k_fit_their_budgets() -> None:
    async with Client(build_server(Settings(source="synthetic", scale=56))) as c:
        fleet = await c.call_tool("list_db_instances", {"limit": 56})
    assert fleet.structured_content["total"] == 56 and len(rows_of(fleet.structured_content)) == 56
    assert len(fleet.content[0].text.encode()) <= 12 * 1024
    async with Client(build_server(Settings(source="synthetic", scale=100_000))) as c:
        for name in DEFAULTS:
            result = await c.call_tool(name, {})
            assert not result.is_error and len(result.content[0].text.encode()) <= 8 * 1024, name


def test_the_app_views_read_tables_as_the_bridge_does(tmp_path) -> None:
    """static/app.js `withItems` (every view's callTool, in the page and in an MCP App) gives the same row objects
    as `with_items` (web bridge)."""
    node = shutil.which("node")
    if node is None:
        require_service("node (Node.js)", "not on PATH")
    source = (Path(__file__).resolve().parent.parent / "awsinv_mcp/clients/web/static/app.js").read_text()
    function = re.search(r"function withItems[\s\S]*?\n  \}\n", source)
    assert function is not None
    rows = [{"id": "a", "n": 1, "tail": None, "k": "s"}, {"id": "b", "n": None, "tail": [1], "k": "s"}]
    answer = {"total": 2, **table(rows)}
    script = tmp_path / "check.js"
    script.write_text(f"{function.group(0)}\nprocess.stdout.write(JSON.stringify(withItems({json.dumps(answer)})));\n")
    out = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=30, check=True).stdout
    assert json.loads(out) == with_items(answer) == {"total": 2, "items": rows}
