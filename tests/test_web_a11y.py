"""Accessibility of the page's views: axe-core (from npm) in Debian's chromium finds no serious or critical
violation, and the views work from the keyboard (issue 15, item 5).

axe-core is installed with npm into a cache directory outside the checkout (`AWSINV_AXE_DIR`, default
`~/.cache/awsinv-mcp/axe-core-<version>`); without npm the test is skipped loudly (a failure in CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_web_browser import IN_CI, TIMEOUT_MS, chromium_page
from tests.test_web_views import DEMO
from tests.web_stub import ServedApp

pytestmark = pytest.mark.browser

AXE_VERSION = "4.14.1"
BLOCKING = ("serious", "critical")
# view -> what to wait for before the audit (the rendered content, not the skeleton)
VIEWS = {
    "overview": "[data-testid=db-instances-total]",
    "findings": "[data-testid=findings-table] tbody tr",
    "findings?group=rule": "[data-testid=findings-table] tbody tr",
    "savings": "[data-testid=savings-table] tbody tr",
    "versions": "[data-testid=versions-calendar] tbody tr",
    "snapshots": "[data-testid=snapshots-table] tbody tr",
    "changes?since=30d": "[data-testid=timeline-point], #panel-changes .error-box",
    "resources": "#table tbody tr[data-id]",
    "chat": "#prompt-cards .demo-card",
}


def axe_script() -> str:
    """axe.min.js of AXE_VERSION, installed once with npm into a cache directory (never into the checkout)."""
    folder = Path(os.environ.get("AWSINV_AXE_DIR") or Path.home() / ".cache" / "awsinv-mcp" / f"axe-core-{AXE_VERSION}")
    script = folder / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            if IN_CI:
                pytest.fail("CI=true and npm is not installed (axe-core comes from npm)")
            pytest.skip("ACCESSIBILITY TEST SKIPPED: npm is not installed (axe-core comes from npm)")
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--silent", f"axe-core@{AXE_VERSION}"],
            check=True,
            timeout=300,
        )
    return script.read_text(encoding="utf-8")


def audit(page: Any, source: str) -> list[dict[str, Any]]:
    """axe's violations of the page as shown (axe loaded through the DevTools protocol: the CSP stays on)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source)
    return page.evaluate(
        """async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
            .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
                           targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }))"""
    )


@pytest.fixture(scope="module")
def axe() -> str:
    return axe_script()


@pytest.fixture(scope="module")
def served() -> Iterator[ServedApp]:
    from awsinv_mcp.clients.web.app import create_app

    with ServedApp(create_app(DEMO)) as app:
        yield app


@pytest.fixture(scope="module")
def page(served: ServedApp) -> Iterator[Any]:
    with chromium_page(width=1280, height=900) as pg:
        yield pg


@pytest.mark.parametrize("view", list(VIEWS))
def test_no_serious_or_critical_axe_violation(served: ServedApp, page: Any, axe: str, view: str) -> None:
    page.goto(f"{served.url}/#{view}")
    page.reload()  # a fresh document per view: axe sees only what this view shows
    page.locator(VIEWS[view]).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle")
    violations = audit(page, axe)
    print(f"axe {view}: {len(violations)} violation(s): {[(v['id'], v['impact'], v['nodes']) for v in violations]}")
    assert not [v for v in violations if v["impact"] in BLOCKING], violations


def test_a_finding_detail_open_is_clean_too(served: ServedApp, page: Any, axe: str) -> None:
    page.goto(f"{served.url}/#findings?severity=critical")
    page.reload()
    page.get_by_test_id("findings-open").first.click()
    page.get_by_test_id("finding-remediation").wait_for()
    violations = audit(page, axe)
    assert not [v for v in violations if v["impact"] in BLOCKING], violations


def test_views_work_from_the_keyboard(served: ServedApp, page: Any) -> None:
    page.goto(f"{served.url}/#overview")
    page.reload()
    page.locator("#tab-overview").focus()
    page.keyboard.press("ArrowRight")  # the tab list: arrows move and open
    page.wait_for_function("() => location.hash === '#findings'")
    assert page.evaluate("document.activeElement.id") == "tab-findings"
    page.get_by_test_id("findings-table").locator("tbody tr").first.wait_for()
    focused = ""
    for _ in range(30):  # from the tab bar into the view (its drill-down chips, then its labelled filters)
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.id")
        if focused.startswith("findings-f-"):
            break
    label = page.evaluate("(id) => document.querySelector(`label[for='${id}']`)?.textContent || ''", focused)
    assert focused.startswith("findings-f-") and label, focused
    page.get_by_test_id("findings-filter-severity").focus()
    page.keyboard.press("ArrowDown")  # a native select: the keyboard changes the filter
    page.wait_for_function("() => location.hash.includes('severity=')")
    page.get_by_test_id("findings-open").first.focus()
    page.keyboard.press("Enter")
    detail = page.get_by_test_id("findings-detail")
    detail.get_by_test_id("finding-remediation").wait_for()
    assert page.evaluate("document.activeElement.dataset.testid") == "findings-detail"  # focus moved to it
    detail.get_by_role("button", name="Close details").press("Enter")
    assert detail.is_hidden()
    assert page.evaluate("document.activeElement.dataset.testid") == "findings-open"  # and back to the row
