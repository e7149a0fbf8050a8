"""The page in a real browser: Debian's chromium driven by Playwright against the app served by uvicorn.

Never downloads a browser: chromium comes from apt (`/usr/bin/chromium`). Skipped loudly without it
outside CI; a failure in CI.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from awsinv_mcp.config import Settings
from tests.web_stub import ServedApp

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


class StreamGate:
    """Holds the fake API's streamed answer after its first text delta until `release()` (or a timeout),
    so a test can see the page render streamed text before the final answer exists."""

    def __init__(self) -> None:
        self.armed = threading.Event()
        self.released = threading.Event()
        self.paused = threading.Event()

    def arm(self) -> None:
        self.released.clear()
        self.paused.clear()
        self.armed.set()

    def release(self) -> None:
        self.armed.clear()
        self.released.set()

    def wrap(self, events: Callable[..., Iterator[str]]) -> Callable[..., Iterator[str]]:
        def gated(*args: Any, **kwargs: Any) -> Iterator[str]:
            for event in events(*args, **kwargs):  # a sync generator: the fake serves it from a worker thread
                yield event
                if '"text_delta"' in event and self.armed.is_set():
                    self.paused.set()
                    self.released.wait(timeout=TIMEOUT_MS / 1000)
                    self.armed.clear()

        return gated


@pytest.fixture(scope="module")
def gate() -> Iterator[StreamGate]:
    import tests.fake_anthropic as fake

    gate = StreamGate()
    mp = pytest.MonkeyPatch()
    mp.setattr(fake, "sse_events", gate.wrap(fake.sse_events))
    yield gate
    gate.release()
    mp.undo()


@pytest.fixture(scope="module")
def fake_api(gate: StreamGate) -> Iterator[Any]:
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


@contextlib.contextmanager
def chromium_page(width: int = 1440, height: int = 1000) -> Iterator[Any]:
    """A page in Debian's chromium; `page.errors` collects the page's own JavaScript errors."""
    sync_playwright = _require_browser()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        pg.on("console", lambda msg: errors.append(msg.text) if _is_js_error(msg) else None)
        pg.set_default_timeout(TIMEOUT_MS)
        pg.errors = errors  # type: ignore[attr-defined]
        yield pg
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def page(served: ServedApp) -> Iterator[Any]:
    with chromium_page() as pg:
        yield pg


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


def screenshot_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the Overview screenshot goes: `docs/screenshot.png` only when asked for
    (`scripts/update_screenshot.sh` sets UPDATE_SCREENSHOT=1); the test suite leaves the tracked file alone."""
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        return SCREENSHOT
    return tmp_path_factory.getbasetemp() / "screenshot.png"


def test_overview_numbers_match_the_api(served: ServedApp, page: Any, tmp_path_factory: pytest.TempPathFactory) -> None:
    tracked = hashlib.sha256(SCREENSHOT.read_bytes()).hexdigest() if SCREENSHOT.exists() else None
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
    shot = screenshot_path(tmp_path_factory)
    shot.parent.mkdir(exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if shot != SCREENSHOT:  # a test run never rewrites the tracked screenshot (a clean checkout stays clean)
        assert (hashlib.sha256(SCREENSHOT.read_bytes()).hexdigest() if SCREENSHOT.exists() else None) == tracked
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


def test_chat_demo_card_streamed_safe_markdown_answer(
    served: ServedApp, page: Any, fake_api: Any, gate: StreamGate, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page.get_by_role("tab", name="AI Chat").click()
    cards = page.get_by_test_id("prompt-cards").locator("button.demo-card")
    cards.first.wait_for()
    prompts = served.get("/api/v1/prompts")["items"]
    assert cards.count() == len(prompts) > 0
    cards.first.click()
    assert page.get_by_test_id("chat-input").input_value() == prompts[0]["question"]  # a question, not the script
    page.get_by_test_id("chat-input").fill("How many databases do we have?")
    gate.arm()
    page.get_by_test_id("chat-input").press("Control+Enter")
    # the tool call shows while it runs or once it ended, then the first streamed words, before any answer
    page.get_by_test_id("tool-call").first.wait_for()
    live = page.get_by_test_id("answer-stream")
    live.locator("h4").first.wait_for()
    assert gate.paused.is_set() and live.inner_text().strip() == "Summary"
    assert page.get_by_test_id("answer").count() == 0
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / "web-chat-streaming.png"))
    gate.release()
    answer = page.get_by_test_id("answer")
    answer.wait_for()
    assert page.get_by_test_id("answer-stream").count() == 0  # replaced by the final answer
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


SECRET_ARGS = {"engine": "postgresql://app:s3cretPw@db.internal:5432/orders", "token": "tok-live-9f8e7d6c5b4a"}


def _ask(page: Any, question: str) -> Any:
    """Send `question`; the newest assistant message once it shows its final answer."""
    before = page.get_by_test_id("answer").count()
    page.get_by_test_id("chat-input").fill(question)
    page.get_by_test_id("chat-send").click()
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=answer]').length > n", arg=before, timeout=TIMEOUT_MS
    )
    return page.locator(".msg-assistant").last


def test_chat_tool_arguments_redacted_on_page(page: Any, fake_api: Any) -> None:
    from tests.fake_anthropic import text, tool_use

    fake_api.script += [tool_use("list_db_instances", SECRET_ARGS), text("The engine filter was **invalid**.")]
    message = _ask(page, "List the orders databases")
    call = message.get_by_test_id("tool-call")
    call.locator("summary").click()  # expand: the arguments and the error are shown, redacted
    assert "***" in call.inner_text() and "error" in call.inner_text()
    html = page.content()
    assert "s3cretPw" not in html and "tok-live-9f8e7d6c5b4a" not in html
    assert fake_api.requests[-1]["messages"][-2]["content"][0]["input"] == SECRET_ARGS  # the model saw them
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_chat_falls_back_to_plain_post_when_streaming_fails(page: Any, fake_api: Any) -> None:
    from tests.fake_anthropic import text, tool_use

    fake_api.script += [tool_use("get_inventory_summary", {}), text("Fallback answer with **{n}** rows.")]
    page.route("**/api/v1/chat/stream", lambda route: route.abort())
    try:
        with page.expect_request(lambda r: r.url.endswith("/infrastructure-ai") and r.method == "POST"):
            message = _ask(page, "Count them again")
    finally:
        page.unroute("**/api/v1/chat/stream")
    assert message.get_by_test_id("answer").locator("strong").inner_text() == "{n}"
    assert "get_inventory_summary" in message.get_by_test_id("tool-call").inner_text()
    assert page.get_by_test_id("chat-notice").is_hidden()


def test_chat_without_api_key_shows_the_fix(served: ServedApp, page: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    page.goto(served.url + "/?nokey#chat")
    notice = page.get_by_test_id("chat-notice")
    notice.locator(".fix").wait_for()
    assert "no Anthropic API key" in notice.inner_text()
    assert "ANTHROPIC_API_KEY=" in notice.locator(".fix").inner_text()
    page.get_by_test_id("chat-input").fill("How many databases?")
    page.get_by_test_id("chat-send").click()
    page.wait_for_function("() => !document.querySelector('[data-testid=chat-send]').disabled")
    assert "ANTHROPIC_API_KEY=" in notice.locator(".fix").inner_text() and notice.is_visible()
    assert page.locator(".msg-assistant").count() == 0  # no half answer left behind
    assert page.get_by_text("no Anthropic API key").count() == 1  # said once, not again per attempt
    assert page.get_by_test_id("chat-input").input_value() == "How many databases?"  # kept for a retry
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_detail_panel_head_stays_below_the_top_bar(served: ServedApp, page: Any) -> None:
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


def test_demo_question_runs_its_prompt_shown_on_demand(served: ServedApp, page: Any, fake_api: Any) -> None:
    from tests.fake_anthropic import text

    fake_api.script += [text("Here is the audit.")]
    page.goto(served.url + "/#chat")
    prompts = {p["name"]: p for p in served.get("/api/v1/prompts")["items"]}
    audit = prompts["database_security_audit"]
    assert audit["question"] == "Which databases are public or unencrypted, and what do we fix first?"
    card = page.get_by_test_id("demo-database_security_audit")
    assert audit["question"] in card.inner_text() and audit["text"] not in card.inner_text()
    shown = page.get_by_test_id("prompt-text-database_security_audit")
    assert not shown.locator("pre").is_visible()
    shown.locator("summary").click()  # the full prompt, on demand
    assert shown.locator("pre").inner_text() == audit["text"]
    card.click()
    assert page.get_by_test_id("chat-input").input_value() == audit["question"]
    before = len(fake_api.requests)
    page.get_by_test_id("chat-send").click()
    page.locator(".msg-assistant [data-testid=answer]").last.wait_for()
    sent = fake_api.requests[before]["messages"][-1]["content"]
    assert sent == audit["text"]  # sending the question ran the matching prompt
    message = page.locator(".msg-user").last
    assert audit["question"] in message.locator(".msg-text").inner_text()
    assert message.get_by_test_id("sent-prompt").locator("pre").is_hidden()
    assert not page.errors, page.errors  # type: ignore[attr-defined]
