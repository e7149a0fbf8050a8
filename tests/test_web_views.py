"""The page's views (Findings, Savings, Versions, Snapshots, Reserved, Changes) in Debian's chromium against
the web app over the demo estate: URL filters, drill-downs, the back button, details, CSV export of every
matching row, tabs hidden for tools the server lacks, and no horizontal clipping at 1280 px (issue 15)."""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from mcp.types import CallToolResult

from awsinv_mcp.config import Settings
from tests.test_web_browser import TIMEOUT_MS, chromium_page
from tests.web_stub import ServedApp

pytestmark = pytest.mark.browser

DEMO = Settings(source="synthetic", seed=42, scale=150)


def call(served: ServedApp, tool: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the page's callTool gets: `POST /api/v1/tools/{tool}`."""
    request = urllib.request.Request(
        f"{served.url}/api/v1/tools/{tool}",
        data=json.dumps(args or {}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read())


def every(served: ServedApp, tool: str, args: dict[str, Any]) -> list[dict[str, Any]]:
    rows, cursor = [], None
    while True:
        page = call(served, tool, {**args, "limit": 100, **({"cursor": cursor} if cursor else {})})
        rows += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return rows


def projected_bill(rows: list[dict[str, Any]], as_of: str) -> float:
    """The next 12 months of Extended Support at today's charges (the page's Versions view computes the same)."""
    month = 30.4375
    start = date.fromisoformat(as_of)
    total = 0.0
    for r in rows:
        if r["status"] not in ("extended_support", "ending_soon") or not r["extended_support_monthly_usd"]:
            continue
        since = max(start, date.fromisoformat(r["end_of_standard_support"])) if r["status"] == "ending_soon" else start
        until = min(
            start + timedelta(days=12 * month), date.fromisoformat(r["end_of_extended_support"] or "9999-01-01")
        )
        total += r["extended_support_monthly_usd"] * max(0, (until - since).days) / month
    return total


@pytest.fixture(scope="module")
def served() -> Iterator[ServedApp]:
    from awsinv_mcp.clients.web.app import create_app

    with ServedApp(create_app(DEMO)) as app:
        yield app


@pytest.fixture(scope="module")
def page(served: ServedApp) -> Iterator[Any]:
    with chromium_page(width=1280, height=900) as pg:
        yield pg


def wait_total(pg: Any, view: str, total: int) -> None:
    pg.wait_for_function(
        "([v, n]) => { const i = document.querySelector(`[data-testid=${v}-pager]`); "
        "return i && i.offsetParent && i.dataset.total === String(n); }",
        arg=[view, total],
        timeout=TIMEOUT_MS,
    )


def column(pg: Any, view: str, col: str) -> list[str]:
    return pg.locator(f"[data-testid={view}-table] tbody [data-col={col}]").all_inner_texts()


def test_findings_filters_live_in_the_url_with_drill_down_back_and_detail(served: ServedApp, page: Any) -> None:
    page.goto(f"{served.url}/#findings?severity=high&team=untagged")
    expected = call(served, "get_findings", {"severity": "high", "team": "untagged", "limit": 1})
    assert expected["total"] > 0
    wait_total(page, "findings", expected["total"])
    assert set(column(page, "findings", "severity")) == {"high"}
    assert set(column(page, "findings", "team")) == {"untagged"}  # a first-class filter value
    assert page.get_by_test_id("findings-filter-team").input_value() == "untagged"
    # drill down from a summary chip: the URL takes the filter
    category = next(iter(expected["summary"]["by_category"]))
    page.get_by_test_id(f"findings-cat-{category}").click()
    narrowed = call(served, "get_findings", {"severity": "high", "team": "untagged", "category": category, "limit": 1})
    wait_total(page, "findings", narrowed["total"])
    assert f"category={category}" in page.evaluate("location.hash")
    page.go_back()
    wait_total(page, "findings", expected["total"])
    assert "category" not in page.evaluate("location.hash")
    # one finding: its evidence and remediation
    first = call(served, "get_findings", {"severity": "high", "team": "untagged", "limit": 1, "detail": True})
    page.get_by_test_id("findings-open").first.click()
    detail = page.get_by_test_id("findings-detail")
    assert detail.get_by_test_id("finding-remediation").inner_text() == first["items"][0]["remediation"]

    def bare(text: object) -> str:  # letters and digits only: labels are spelt for people ("Multi-AZ", "Class")
        return "".join(ch for ch in str(text).lower() if ch.isalnum())

    shown = bare(detail.inner_text())
    for key, value in first["items"][0]["evidence"].items():  # each evidence field: its label, or its value
        assert bare(key) in shown or bare(value) in shown, key
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_findings_grouped_by_resource_and_by_rule(served: ServedApp, page: Any) -> None:
    page.goto(f"{served.url}/#findings?category=security")
    by_resource = call(served, "get_findings", {"category": "security", "view": "resources", "limit": 1})
    page.get_by_test_id("findings-filter-group").select_option("resource")
    wait_total(page, "findings", by_resource["total"])
    assert "group=resource" in page.evaluate("location.hash")
    rules = {f["rule"] for f in every(served, "get_findings", {"category": "security"})}
    page.get_by_test_id("findings-filter-group").select_option("rule")
    wait_total(page, "findings", len(rules))
    assert set(column(page, "findings", "rule")) == rules
    page.locator("[data-testid=findings-table] tbody a.drill").first.click()  # a rule -> its findings
    page.wait_for_function("() => location.hash.includes('rule=')")
    assert "group" not in page.evaluate("location.hash")


def test_csv_export_holds_every_matching_row_not_the_visible_page(served: ServedApp, page: Any, tmp_path: Any) -> None:
    page.goto(f"{served.url}/#findings")
    total = call(served, "get_findings", {"limit": 1})["total"]
    assert total > 500  # more than one API page of the export (limit 500), and far more than the visible 25
    wait_total(page, "findings", total)
    with page.expect_download() as download:
        page.get_by_test_id("findings-export").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert len(rows) == total
    assert len({(r["rule"], r["resource_type"], r["account"], r["region"], r["resource_id"]) for r in rows}) == total
    page.goto(f"{served.url}/#snapshots?older_than_days=30")
    old = call(served, "list_db_snapshots", {"older_than_days": 30, "limit": 1})["total"]
    wait_total(page, "snapshots", old)
    with page.expect_download() as download:
        page.get_by_test_id("snapshots-export").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert len(rows) == old > 25 and all(int(r["age_days"]) > 30 for r in rows)


def test_savings_by_rule_and_team_with_how_and_bound(served: ServedApp, page: Any) -> None:
    page.goto(f"{served.url}/#savings")
    answer = call(served, "find_cost_savings", {"limit": 1})
    wait_total(page, "savings", answer["total"])
    assert float(page.get_by_test_id("savings-total").get_attribute("data-value")) == pytest.approx(
        answer["total_monthly_savings_usd"]
    )
    assert all(column(page, "savings", "how")) and set(column(page, "savings", "bound")) <= {
        "estimate",
        "lower bound",
        "upper bound",
    }
    page.get_by_test_id("savings-by-team").locator("a[data-key=untagged]").click()
    untagged = call(served, "find_cost_savings", {"team": "untagged", "limit": 1})
    wait_total(page, "savings", untagged["total"])
    assert set(column(page, "savings", "team")) == {"untagged"}
    rule = max(answer["by_rule"], key=lambda r: answer["by_rule"][r]["count"])
    page.get_by_test_id("savings-by-rule").locator(f"a[data-key='{rule}']").click()
    wait_total(page, "savings", call(served, "find_cost_savings", {"team": "untagged", "rule": rule})["total"])
    assert set(column(page, "savings", "rule")) == {rule}


def test_versions_status_matrix_calendar_and_extended_support_bill(served: ServedApp, page: Any) -> None:
    page.goto(f"{served.url}/#versions")
    answer = call(served, "check_version_compliance", {"limit": 1})
    wait_total(page, "versions", answer["total"])
    now = float(page.get_by_test_id("versions-bill-now").get_attribute("data-value"))
    assert now == pytest.approx(answer["extended_support_monthly_usd"]) and now > 0
    projected = page.get_by_test_id("versions-bill-projected")
    page.wait_for_function("() => document.querySelector('[data-testid=versions-bill-projected]').dataset.value")
    rows = every(served, "check_version_compliance", {})
    assert float(projected.get_attribute("data-value")) == pytest.approx(
        projected_bill(rows, answer["as_of"]), rel=2e-3
    )
    calendar = page.get_by_test_id("versions-calendar").locator("tbody tr")
    calendar.first.wait_for()
    assert calendar.count() == len({(r["engine"], r["major"]) for r in rows})
    with page.expect_download() as download:
        page.get_by_test_id("versions-calendar-export").click()
    majors = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert sum(int(m["resources"]) for m in majors) == len(rows) and len(majors) == calendar.count()
    engine, counts = next((e, c) for e, c in answer["by_engine"].items() if c.get("extended_support"))
    page.get_by_test_id(f"versions-cell-{engine}-extended_support").click()
    wait_total(page, "versions", counts["extended_support"])
    assert set(column(page, "versions", "engine")) == {engine}


def test_snapshot_cards_count_and_drill_down(served: ServedApp, page: Any) -> None:
    page.goto(f"{served.url}/#snapshots")
    for key, args in (
        ("public", {"public": True}),
        ("shared", {"shared": True}),
        ("unencrypted", {"encrypted": False}),
    ):
        expected = call(served, "list_db_snapshots", {**args, "limit": 1})["total"]
        page.wait_for_function(
            "([k, n]) => document.querySelector(`[data-testid=snapshots-card-${k}]`)?.dataset.value === String(n)",
            arg=[key, expected],
        )
    page.get_by_test_id("snapshots-card-public").click()
    wait_total(page, "snapshots", call(served, "list_db_snapshots", {"public": True, "limit": 1})["total"])
    assert set(column(page, "snapshots", "public")) == {"Yes"}


def test_overview_cards_and_charts_drill_down(served: ServedApp, page: Any) -> None:
    page.goto(f"{served.url}/#overview")
    page.get_by_test_id("severity-critical").click()
    critical = call(served, "get_findings", {"severity": "critical", "limit": 1})["total"]
    wait_total(page, "findings", critical)
    assert page.evaluate("location.hash") == "#findings?severity=critical"
    page.go_back()
    page.locator("#chart-engines svg a").first.click()
    page.wait_for_function("() => location.hash.startsWith('#resources?engine=')")
    engine = page.evaluate("new URLSearchParams(location.hash.split('?')[1]).get('engine')")
    total = call(served, "list_db_instances", {"engine": engine, "limit": 1})["total"]
    page.wait_for_function(
        "n => document.querySelector('#pager-info').dataset.total === String(n)", arg=total, timeout=TIMEOUT_MS
    )
    assert page.get_by_test_id("filter-engine").input_value() == engine


@pytest.mark.parametrize("view", ["findings", "savings", "versions", "snapshots", "resources"])
def test_no_horizontal_clipping_at_1280_px(served: ServedApp, page: Any, view: str) -> None:
    page.goto(f"{served.url}/#{view}")
    page.locator(f"#panel-{view} table tbody tr").first.wait_for()
    page.wait_for_load_state("networkidle")
    widths = page.evaluate(
        f"[...document.querySelectorAll('#panel-{view} .table-wrap')].filter((w) => w.offsetParent)"
        ".map((w) => [w.scrollWidth, w.clientWidth])"
    )
    assert widths and all(scroll <= client for scroll, client in widths), widths
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_tabs_follow_the_tools_the_server_has(served: ServedApp, page: Any) -> None:
    page.goto(f"{served.url}/#overview")
    page.get_by_test_id("db-instances-total").wait_for()
    tools = served.get("/api/v1/tools")["tools"]
    assert "list_reserved_instances" in tools or page.locator("#tab-reserved").is_hidden()
    assert ("get_changes" in tools) == page.locator("#tab-changes").is_visible()


def test_only_the_databases_toolset_calls_no_absent_tool(page: Any) -> None:
    from awsinv_mcp.clients.web.app import create_app

    with ServedApp(create_app(Settings(source="synthetic", toolsets=["databases"]))) as app:
        listed = set(app.get("/api/v1/tools")["tools"])
        called: list[str] = []

        def record(request: Any) -> None:
            if "/api/v1/tools/" in request.url:
                called.append(request.url.split("/api/v1/tools/")[1])

        page.on("request", record)
        try:
            for tab in ("overview", "findings", "resources", "chat"):
                page.goto(f"{app.url}/#{tab}")
                page.wait_for_load_state("networkidle")
        finally:
            page.remove_listener("request", record)
        assert set(called) <= listed, called
        for tab in ("findings", "savings", "versions", "snapshots", "changes", "resources"):
            assert page.locator(f"#tab-{tab}").is_hidden(), tab
        assert page.locator("#tab-chat").is_visible()
        page.get_by_role("tab", name="Overview").click()
        page.get_by_test_id("overview-empty").wait_for(state="visible", timeout=10_000)  # polls; fails if never
        assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_changes_timeline_and_table_from_the_demo_history(served: ServedApp, page: Any) -> None:
    stored = call(served, "list_snapshots", {"limit": 500})
    assert stored["total"] >= 2, "the demo source keeps a history (inventory/synthetic/history.py)"
    page.goto(f"{served.url}/#changes?since=30d")
    answer = call(served, "get_changes", {"since": "30d", "limit": 1})
    wait_total(page, "changes", answer["total"])
    points = page.get_by_test_id("timeline-point")
    points.first.wait_for()
    assert points.count() == min(stored["total"], 500) - 1  # each collection after the first
    opened = sum(answer["findings_summary"].get("opened", {}).values())
    if opened:
        page.get_by_test_id("changes-findings-opened").click()
        wait_total(page, "changes", opened)
        assert set(column(page, "changes", "change")) == {"opened"} and "view=findings" in page.evaluate(
            "location.hash"
        )
    points.last.click()  # the newest collection: what it changed against the one before
    newest, before = stored["items"][0]["snapshot_id"], stored["items"][1]["snapshot_id"]
    expected = call(served, "get_changes", {"since": before, "until": newest, "limit": 1})["total"]
    wait_total(page, "changes", expected)
    assert f"until={newest}" in page.evaluate("location.hash")
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def _tool_calls(page: Any, url: str, ready: str) -> set[str]:
    """The tools a fresh load of `url` calls before it is idle (the page's tool route, by name)."""
    called: set[str] = set()

    def record(request: Any) -> None:
        if "/api/v1/tools/" in request.url:
            called.add(request.url.split("/api/v1/tools/")[1])

    page.on("request", record)
    try:
        page.goto(url)
        page.reload()
        page.locator(ready).first.wait_for()
        page.wait_for_load_state("networkidle")
    finally:
        page.remove_listener("request", record)
    return called


def test_the_first_view_loads_only_what_it_shows(served: ServedApp, page: Any) -> None:
    overview = _tool_calls(page, f"{served.url}/#overview", "[data-testid=db-instances-total]")
    assert overview == {
        "get_inventory_summary",
        "get_cost_summary",
        "find_cost_savings",
        "get_findings",
        "check_version_compliance",
    }
    findings = _tool_calls(page, f"{served.url}/#findings", "[data-testid=findings-table] tbody tr")
    assert findings == {"get_findings", "get_inventory_summary"}  # the table, and the filters' team names


def test_one_view_alone_for_an_app_host(served: ServedApp, page: Any) -> None:
    page.goto(f"{served.url}/?view=findings#findings?severity=critical")
    critical = call(served, "get_findings", {"severity": "critical", "limit": 1})["total"]
    wait_total(page, "findings", critical)
    assert page.locator(".tabs").is_hidden()
    assert [p for p in ("overview", "savings", "resources", "chat") if page.locator(f"#panel-{p}").is_visible()] == []
    page.get_by_test_id("findings-filter-severity").select_option("high")  # its filters still live in the URL
    wait_total(page, "findings", call(served, "get_findings", {"severity": "high", "limit": 1})["total"])


def test_reserved_instances_tab_appears_with_the_tool(page: Any) -> None:
    from awsinv_mcp.clients.web.app import create_app
    from awsinv_mcp.server.tooling import respond
    from tests.web_stub import _page, stub_server

    server = stub_server(10)
    reservations = [
        {"reservation_id": f"ri-{i}", "instance_class": "db.r6g.large", "engine": "postgres", "count": i + 1,
         "team": "payments" if i % 2 else None, "expires": f"2027-0{i + 1}-01", "utilization_pct": 50 + 10 * i}
        for i in range(4)
    ]  # fmt: skip

    @server.tool()
    def list_reserved_instances(team: str | None = None, limit: int = 50, cursor: str | None = None) -> CallToolResult:
        rows = [r for r in reservations if team is None or (r["team"] or "untagged") == team]
        return respond(_page(rows, limit, cursor, "ri", team))

    with ServedApp(create_app(DEMO, mcp_target=server)) as app:
        pg = page
        pg.goto(f"{app.url}/#overview")
        pg.locator("#tab-reserved").wait_for()
        pg.locator("#tab-reserved").click()
        wait_total(pg, "reserved", 4)
        assert column(pg, "reserved", "reservation_id") == ["ri-0", "ri-1", "ri-2", "ri-3"]
        pg.get_by_test_id("reserved-filter-team").select_option("untagged")
        wait_total(pg, "reserved", 2)
        assert not pg.errors, pg.errors  # type: ignore[attr-defined]


def test_resources_export_every_matching_row(served: ServedApp, page: Any) -> None:
    page.goto(f"{served.url}/#resources?team=untagged")
    expected = every(served, "list_db_instances", {"team": "untagged"})
    page.wait_for_function(
        "n => document.querySelector('#pager-info').dataset.total === String(n)", arg=len(expected), timeout=TIMEOUT_MS
    )
    page.goto(f"{served.url}/#resources?environment=production")
    production = every(served, "list_db_instances", {"environment": "production"})
    assert len(production) > 25  # more than the page on screen
    page.wait_for_function(
        "n => document.querySelector('#pager-info').dataset.total === String(n)", arg=len(production)
    )
    with page.expect_download() as download:
        page.get_by_test_id("resources-export").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert sorted((r["account"], r["identifier"]) for r in rows) == sorted(
        (r["account"], r["identifier"]) for r in production
    )
    assert {r["environment"] for r in rows} == {"production"}


def test_a_database_detail_drills_into_its_findings(served: ServedApp, page: Any) -> None:
    instances = {r["identifier"] for r in every(served, "list_db_instances", {})}
    found = call(served, "get_findings", {"resource_type": "db_instance", "limit": 100})["items"]
    identifier = next(f["resource_id"] for f in found if f["resource_id"] in instances)
    page.goto(f"{served.url}/#resources?q={identifier}")
    page.locator(f"#table tbody tr[data-id='{identifier}']").click()
    page.get_by_test_id("detail-findings-link").click()
    wait_total(page, "findings", call(served, "get_findings", {"resource": identifier, "limit": 1})["total"])
    assert set(column(page, "findings", "resource_id")) == {identifier}
