"""Review findings on the web page: the demo card picks a reachable database; the detail panel stays visible."""

from __future__ import annotations

from typing import Any

import pytest

from awsinv_mcp.clients.web.prompts import example_arguments
from tests.test_web_browser import ServedApp, fake_api, gate, page, served  # noqa: F401  (module fixtures reused)


class _Bridge:
    async def call(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        if name == "list_databases":
            rows = [("a_down", False), ("b_up", True), ("c_up", True)]
            return {"items": [{"name": n, "reachable": r} for n, r in rows]}
        return {"by_team": {"payments": 3, "identity": 5}}


@pytest.mark.anyio
async def test_demo_arguments_prefer_a_reachable_database() -> None:
    values = await example_arguments(_Bridge())  # type: ignore[arg-type]
    assert values["database"] == "b_up" and values["team"] == "identity"


def test_detail_panel_head_stays_below_the_top_bar(served: ServedApp, page: Any) -> None:  # noqa: F811
    page.goto(served.url + "/#resources")
    rows = page.locator("#table tbody tr[data-id]")
    rows.first.wait_for()
    rows.last.click()
    page.get_by_test_id("detail-title").wait_for()
    page.mouse.wheel(0, 5000)
    page.wait_for_function("() => window.scrollY > 0")
    topbar = page.locator(".topbar").bounding_box()
    panel = page.get_by_test_id("detail-panel").bounding_box()
    assert panel["y"] >= topbar["y"] + topbar["height"], (panel, topbar)  # its head is not under the top bar
    assert not page.errors, page.errors  # type: ignore[attr-defined]
