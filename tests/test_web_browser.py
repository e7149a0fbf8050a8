"""The page in a real browser: Debian's chromium driven by Playwright against the app served by uvicorn.

Never downloads a browser: chromium comes from apt (`/usr/bin/chromium`). Skipped loudly without it
outside CI; a failure in CI.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from awsinv_mcp.config import Settings
from tests.test_web_stub import ServedApp

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot.png"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TIMEOUT_MS = 20_000


def _require_browser() -> Any:
    reason = None
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        reason = "Debian chromium is not installed (apt-get install -y chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install -e '.[dev]')"
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}")
        pytest.skip(f"BROWSER TESTS SKIPPED: {reason}")
    return sync_playwright


@pytest.fixture(scope="module")
def fake_api() -> Iterator[Any]:
    from tests.fake_anthropic import FakeMessagesAPI, text, tool_use

    answer = (
        "## Summary\n\nYou have **{n}** DB instances.\n\n| engine | count |\n|---|---|\n| postgres | 1 |\n\n"
        "<img src=x onerror=alert(1)> and [docs](javascript:alert(1))"
    )

    def final(body: dict[str, Any]) -> Any:
        results = [
            b
            for m in body["messages"]
            if m["role"] == "user" and isinstance(m["content"], list)
            for b in m["content"]
            if b.get("type") == "tool_result"
        ]
        content = results[-1]["content"]
        data = json.loads(content if isinstance(content, str) else content[0]["text"])
        return text(answer.replace("{n}", str(data["db_instances"])))

    with FakeMessagesAPI([tool_use("get_inventory_summary", {}), final]) as api:
        yield api


@pytest.fixture(scope="module")
def served(fake_api: Any) -> Iterator[ServedApp]:
    from awsinv_mcp.clients.web.app import create_app

    mp = pytest.MonkeyPatch()
    mp.setenv("ANTHROPIC_API_KEY", "test-key")
    mp.setenv("ANTHROPIC_BASE_URL", fake_api.base_url)
    try:
        with ServedApp(create_app(Settings(source="synthetic", seed=42, scale=150))) as app:
            yield app
    finally:
        mp.undo()


def _is_js_error(msg: Any) -> bool:
    """Console errors from the page's code (a failed API call is logged too; the page handles those)."""
    return msg.type == "error" and not msg.text.startswith("Failed to load resource")


@pytest.fixture(scope="module")
def page(served: ServedApp) -> Iterator[Any]:
    sync_playwright = _require_browser()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.on("console", lambda msg: errors.append(msg.text) if _is_js_error(msg) else None)
        pg.set_default_timeout(TIMEOUT_MS)
        pg.errors = errors  # type: ignore[attr-defined]
        yield pg
        context.close()
        browser.close()


def _aggregate(answer: dict[str, Any], key: str) -> Any:
    """An aggregate at the top level of an answer or in its `summary` (where the page looks too)."""
    return answer[key] if key in answer else (answer.get("summary") or {}).get(key)


def _card_failed(pg: Any, card: str) -> bool:
    """The card shows the API's error (used where the API itself failed: the page must say so)."""
    pg.locator(f"#card-{card} .card-body :not(.skeleton)").first.wait_for()
    return "card-failed" in (pg.get_by_test_id(f"card-{card}").get_attribute("class") or "")


def _value(pg: Any, testid: str) -> str:
    node = pg.get_by_test_id(testid)
    node.wait_for()
    return node.get_attribute("data-value")


def test_overview_numbers_match_the_api(served: ServedApp, page: Any) -> None:
    page.goto(served.url + "/")
    summary = served.get("/api/v1/inventory/summary")
    assert _value(page, "db-instances-total") == str(summary["db_instances"])
    top_engine = max(summary["by_engine"], key=summary["by_engine"].get)
    assert page.get_by_test_id(f"engine-count-{top_engine}").inner_text() == f"{summary['by_engine'][top_engine]:,}"
    assert page.get_by_test_id(f"chart-engine-{top_engine}").text_content() == f"{summary['by_engine'][top_engine]:,}"
    assert page.get_by_test_id("demo-banner").is_visible()
    assert "synthetic" in page.get_by_test_id("source-value").inner_text().lower()
    findings = served.get("/api/v1/inventory/findings?limit=1")
    if findings is None:
        assert _card_failed(page, "findings")
    else:
        assert _value(page, "findings-total") == str(findings["total"])
        by_severity = findings.get("by_severity") or findings.get("summary", {}).get("by_severity", {})
        for severity, count in by_severity.items():
            assert _value(page, f"severity-{severity}") == str(count)
    costs = served.get("/api/v1/inventory/costs?group_by=TAG:Team&granularity=MONTHLY")
    if costs is None:
        assert _card_failed(page, "monthly-cost")
    else:
        last = sum(item["amounts"][-1] for item in costs["items"])
        assert float(_value(page, "monthly-cost-value")) == pytest.approx(last, abs=0.01)
        page.locator("#chart-costs svg rect").first.wait_for()
        assert page.locator("#chart-costs svg rect").count() >= len(costs["periods"])
    versions = served.get("/api/v1/inventory/versions?limit=1")
    if versions is None:
        assert _card_failed(page, "versions")
    elif _aggregate(versions, "by_status") is not None:
        for status, count in _aggregate(versions, "by_status").items():
            assert _value(page, f"support-{status}") == str(count)
    savings = served.get("/api/v1/inventory/savings?limit=1")
    if savings is None:
        assert _card_failed(page, "savings")
    else:
        total = next(
            _aggregate(savings, k)
            for k in ("total_monthly_savings_usd", "monthly_savings_usd")
            if _aggregate(savings, k) is not None
        )
        assert float(_value(page, "savings-value")) == pytest.approx(total, abs=0.01)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_resources_filter_page_and_detail(
    served: ServedApp, page: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page.get_by_role("tab", name="Resources").click()
    table = page.get_by_test_id("resource-table")
    table.locator("tbody tr[data-id]").first.wait_for()
    assert table.locator("tbody tr[data-id]").count() == 25
    expected = served.get("/api/v1/inventory/databases?engine=postgres&limit=1")["total"]
    page.get_by_test_id("filter-engine").select_option("postgres")
    page.wait_for_function(
        "n => document.querySelector('#pager-info').dataset.total === String(n)", arg=expected, timeout=TIMEOUT_MS
    )
    engines = table.locator("tbody td[data-col=engine]").all_inner_texts()
    assert engines and set(engines) == {"postgres"}
    first_id = table.locator("tbody tr[data-id]").first.get_attribute("data-id")
    table.locator("tbody tr[data-id]").first.click()
    panel = page.get_by_test_id("detail-panel")
    assert panel.get_by_test_id("detail-title").inner_text() == first_id
    panel.get_by_test_id("detail-findings").wait_for()
    findings = served.get(f"/api/v1/inventory/findings?resource={first_id}&limit=50")
    assert f"Findings ({findings['total']})" in panel.get_by_test_id("detail-findings").inner_text()
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / "web-resources.png"))
    page.get_by_test_id("subtab-buckets").click()
    page.wait_for_function("() => document.querySelector('#table td[data-col=name]') !== null")
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_chat_demo_card_and_safe_markdown_answer(
    served: ServedApp, page: Any, fake_api: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page.get_by_role("tab", name="AI Chat").click()
    cards = page.get_by_test_id("prompt-cards").locator("button.demo-card")
    cards.first.wait_for()
    prompts = served.get("/api/v1/prompts")["items"]
    assert cards.count() == len(prompts) > 0
    cards.first.click()
    assert page.get_by_test_id("chat-input").input_value() == prompts[0]["text"]
    page.get_by_test_id("chat-input").fill("How many databases do we have?")
    page.get_by_test_id("chat-input").press("Control+Enter")
    answer = page.get_by_test_id("answer")
    answer.wait_for()
    summary = served.get("/api/v1/inventory/summary")
    assert answer.locator("strong").first.inner_text() == str(summary["db_instances"])
    assert answer.locator("table td").first.inner_text() == "postgres"
    assert answer.locator("img").count() == 0 and answer.locator("a").count() == 0
    assert "<img src=x" in answer.inner_text()  # shown as text, never parsed as HTML
    call = page.get_by_test_id("tool-call").first
    assert "get_inventory_summary" in call.inner_text() and " ms" in call.inner_text()
    assert call.get_attribute("open") is None  # collapsed
    assert fake_api.requests[0]["messages"][-1]["content"] == "How many databases do we have?"
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / "web-chat.png"))
    assert not page.errors, page.errors  # type: ignore[attr-defined]
