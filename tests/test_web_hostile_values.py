"""Hostile tag values in the page (issue 18, item 12), in Debian's chromium.

A 5,000-character team tag made the Resources page 41,481 px wide and `prod\\u202eedoc.exe\\u202c` displayed as
`prodexe.code`. Values are now cut with the whole on demand, isolated, and bidi controls shown as codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from awsinv_mcp.config import Settings
from tests.test_web_browser import chromium_page
from tests.web_stub import ServedApp, stub_server

pytestmark = pytest.mark.browser

LONG_TEAM = "T" * 5_000
REVERSED = "prod\u202eedoc.exe\u202c"
LONG_TAG = "owner-" + "o" * 4_994
HOSTILE = {
    0: {"team": LONG_TEAM, "environment": REVERSED, "tags": {"Name": REVERSED, "Owner": LONG_TAG, "Team": LONG_TEAM}}
}
WIDTH = 1440


@pytest.fixture(scope="module")
def served() -> Iterator[ServedApp]:
    from awsinv_mcp.clients.web.app import create_app

    app = create_app(Settings(source="synthetic"), mcp_target=stub_server(30, overrides=HOSTILE))
    with ServedApp(app) as served:
        yield served


@pytest.fixture(scope="module")
def page(served: ServedApp) -> Iterator[Any]:
    with chromium_page(WIDTH, 900) as pg:
        yield pg


PAGE_WIDTH = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
# Left edges of the first and the last character of the text node holding `needle` (visual order check)
CHAR_EDGES = """([root, needle]) => {
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    const edge = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
      return r.getBoundingClientRect().left; };
    return [edge(at), edge(at + needle.length - 1)];
  }
  return null;
}"""


def _assert_not_reversed(page: Any, root: str) -> None:
    text = page.locator(root).text_content()
    assert "\u202e" not in text and "\u202c" not in text
    assert "U+202E" in text and "U+202C" in text
    first, last = page.evaluate(CHAR_EDGES, [root, "edoc.exe"])
    assert first < last, "edoc.exe must read left to right"
    isolation = page.evaluate("root => getComputedStyle(document.querySelector(root + ' bdi.val')).unicodeBidi", root)
    assert isolation == "isolate"


def test_resources_table_stays_narrow_and_shows_values_safely(served: ServedApp, page: Any) -> None:
    page.goto(served.url + "/#resources")
    row = page.locator("#table tbody tr[data-id='db-00000']")
    row.wait_for()
    assert page.evaluate(PAGE_WIDTH) <= WIDTH
    team = row.locator("td[data-col=team]")
    shown = team.locator("bdi.val").text_content()
    assert len(shown) < 100 and shown.endswith("…")
    _assert_not_reversed(page, "#table tbody tr[data-id='db-00000'] td[data-col=environment]")
    team.get_by_test_id("val-more").click()
    assert team.locator("bdi.val").text_content() == LONG_TEAM
    assert page.evaluate(PAGE_WIDTH) <= WIDTH  # the whole value wraps inside its cell
    assert page.get_by_test_id("detail-panel").is_hidden()  # expanding a value is not a row click
    team.get_by_test_id("val-more").click()
    assert len(team.locator("bdi.val").text_content()) < 100
    select = page.get_by_test_id("filter-team")
    assert (select.bounding_box() or {"width": 0})["width"] < 400
    longest = max(len(t) for t in select.locator("option").all_text_contents())
    assert longest <= 60
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_detail_tags_are_cut_and_isolated(served: ServedApp, page: Any) -> None:
    page.goto(served.url + "/#resources")
    page.locator("#table tbody tr[data-id='db-00000']").click()
    panel = page.get_by_test_id("detail-panel")
    panel.get_by_test_id("tag").first.wait_for()
    tags = panel.get_by_test_id("tag").all_text_contents()
    assert len(tags) == 3 and all(len(t) < 200 for t in tags)
    _assert_not_reversed(page, "[data-testid=detail-panel] .tags")
    owner = panel.get_by_test_id("tag").filter(has_text="Owner")
    owner.get_by_test_id("val-more").click()
    assert LONG_TAG in owner.text_content()
    assert page.evaluate(PAGE_WIDTH) <= WIDTH
    box = panel.bounding_box()
    assert box is not None and box["x"] + box["width"] <= WIDTH
    assert not page.errors, page.errors  # type: ignore[attr-defined]
