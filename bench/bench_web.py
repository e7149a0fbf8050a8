"""Web page: time to first render, default estate (150 DB instances) against a 10k-instance estate.

Serves `create_app` with uvicorn on 127.0.0.1 and drives Debian's chromium with Playwright
(`/usr/bin/chromium`, never a downloaded browser). For each estate it measures, median of N reloads
after one cold load (the cold load includes building the synthetic estate and the analysis caches):
- overview: navigation start to the first summary card filled (the page's first meaningful render),
- overview complete: until every card has its number or its error,
- resources: tab click to the first DB-instances page in the table,
- findings (first table): navigation start to the first row of the Findings view opened by its URL
  (`/#findings`: the view's first page of 25 findings and its summary, one `get_findings` call),
and the bytes the page fetched, to show the tables page (25 rows) instead of loading everything.
Baseline in the same run: the static page alone (HTML, CSS, JS; no API call answered).

    .venv/bin/python bench/bench_web.py [--rounds 5] [--scales 150,10000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from awsinv_mcp.clients.web.app import create_app
from awsinv_mcp.config import Settings
from tests.test_web_browser import CHROMIUM, CHROMIUM_ARGS
from tests.web_stub import ServedApp

CARDS_DONE = """() => [...document.querySelectorAll('#cards .card-body')].every(b => !b.querySelector('.skeleton'))"""


def measure_overview(page: Any, url: str) -> tuple[float, float, int]:
    sizes: list[int] = []

    def on_response(r: Any) -> None:
        if "/api/" in r.url:
            sizes.append(len(r.body()))

    page.on("response", on_response)
    t0 = time.perf_counter()
    page.goto(url + "/#overview", wait_until="commit")
    page.get_by_test_id("db-instances-total").wait_for()
    first = time.perf_counter() - t0
    page.wait_for_function(CARDS_DONE, timeout=120_000)
    done = time.perf_counter() - t0
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", on_response)
    return first * 1000, done * 1000, sum(sizes)


def measure_resources(page: Any, url: str) -> tuple[float, int, int]:
    page.goto(url + "/#overview", wait_until="domcontentloaded")
    page.get_by_test_id("db-instances-total").wait_for()
    sizes: list[int] = []

    def on_response(r: Any) -> None:
        if "/api/v1/tools/list_db_instances" in r.url:
            sizes.append(len(r.body()))

    page.on("response", on_response)
    t0 = time.perf_counter()
    page.get_by_role("tab", name="Resources").click()
    page.locator("#table tbody tr[data-id]").first.wait_for(timeout=120_000)
    elapsed = time.perf_counter() - t0
    rows = page.locator("#table tbody tr[data-id]").count()
    page.wait_for_load_state("networkidle")
    return elapsed * 1000, rows, sum(sizes)


def measure_findings(page: Any, url: str) -> tuple[float, int, int]:
    """Navigation start to the Findings view's first row (a fresh page opened at `/#findings`)."""
    sizes: list[int] = []

    def on_response(r: Any) -> None:
        if "/api/v1/tools/" in r.url:
            sizes.append(len(r.body()))

    page.on("response", on_response)
    t0 = time.perf_counter()
    page.goto(url + "/#findings", wait_until="commit")
    page.locator("[data-testid=findings-table] tbody tr").first.wait_for(timeout=120_000)
    elapsed = time.perf_counter() - t0
    rows = page.locator("[data-testid=findings-table] tbody tr").count()
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", on_response)
    return elapsed * 1000, rows, sum(sizes)


def measure_static(page: Any, url: str) -> float:
    t0 = time.perf_counter()
    page.goto(url + "/static/app.css", wait_until="load")
    page.goto(url + "/static/data.js", wait_until="load")
    page.goto(url + "/static/app.js", wait_until="load")
    return (time.perf_counter() - t0) * 1000


def run(scale: int, rounds: int, pw: Any) -> dict[str, Any]:
    app = create_app(Settings(source="synthetic", seed=42, scale=scale))
    with ServedApp(app) as served:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1440, "height": 1000})
            page = context.new_page()
            cold_first, cold_done, _ = measure_overview(page, served.url)
            firsts, dones, res, static, finds = [], [], [], [], []
            api_bytes = rows = page_bytes = finding_rows = finding_bytes = 0
            for _ in range(rounds):
                page = context.new_page()
                first, done, api_bytes = measure_overview(page, served.url)
                firsts.append(first)
                dones.append(done)
                page.close()
                page = context.new_page()
                elapsed, rows, page_bytes = measure_resources(page, served.url)
                res.append(elapsed)
                static.append(measure_static(page, served.url))
                page.close()
                page = context.new_page()
                elapsed, finding_rows, finding_bytes = measure_findings(page, served.url)
                finds.append(elapsed)
                page.close()
            total = served.get("/api/v1/inventory/summary")["db_instances"]
        finally:
            browser.close()
    return {
        "scale": total,
        "cold_first_ms": cold_first,
        "cold_done_ms": cold_done,
        "first_ms": statistics.median(firsts),
        "done_ms": statistics.median(dones),
        "resources_ms": statistics.median(res),
        "findings_ms": statistics.median(finds),
        "finding_rows": finding_rows,
        "finding_bytes": finding_bytes,
        "static_ms": statistics.median(static),
        "api_bytes": api_bytes,
        "rows": rows,
        "page_bytes": page_bytes,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--scales", default="150,10000")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        for scale in (int(s) for s in args.scales.split(",")):
            results.append(run(scale, args.rounds, pw))
    print(f"web page, median of {args.rounds} warm loads after one cold load (ms)")
    header = (
        "| DB instances | cold: first card / all cards | warm: first card | warm: all cards | "
        "Resources tab: first page | Findings view: first table | static assets (baseline) | overview API bytes | "
        "table page rows / bytes | findings view rows / bytes |"
    )
    print(header)
    print("|" + "---|" * 10)
    for r in results:
        print(
            f"| {r['scale']:,} | {r['cold_first_ms']:.0f} / {r['cold_done_ms']:.0f} | {r['first_ms']:.0f} | "
            f"{r['done_ms']:.0f} | {r['resources_ms']:.0f} | {r['findings_ms']:.0f} | {r['static_ms']:.0f} | "
            f"{r['api_bytes']:,} | {r['rows']} / {r['page_bytes']:,} | {r['finding_rows']} / {r['finding_bytes']:,} |"
        )
    if len(results) > 1:
        a, b = results[0], results[-1]
        print(
            f"ratio {b['scale']:,} vs {a['scale']:,}: first card {b['first_ms'] / a['first_ms']:.2f}x, "
            f"all cards {b['done_ms'] / a['done_ms']:.2f}x, "
            f"Resources first page {b['resources_ms'] / a['resources_ms']:.2f}x, "
            f"Findings first table {b['findings_ms'] / a['findings_ms']:.2f}x, "
            f"table page bytes {b['page_bytes'] / max(a['page_bytes'], 1):.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
