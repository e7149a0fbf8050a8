"""Screenshots of each view of the web page on the demo estate: `docs/screenshots/<view>.png`.

Serves the web app (synthetic estate, seed 42) with uvicorn on 127.0.0.1 and shoots each view at 1280 px in
Debian's chromium through Playwright (`/usr/bin/chromium`, never a downloaded browser). The test suite runs it
with `--out` into a temporary directory; only a run without `--out` rewrites the tracked files.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--scale 150] [--width 1280]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# view (the page's URL hash) -> what shows once the view has rendered its data
VIEWS: dict[str, str] = {
    "overview": "#chart-costs svg rect",
    "findings": "[data-testid=findings-table] tbody tr",
    "savings": "[data-testid=savings-table] tbody tr",
    "versions": "[data-testid=versions-calendar] tbody tr",
    "snapshots": "[data-testid=snapshots-card-public][data-value]",
    "reserved": "[data-testid=reserved-table] tbody tr",
    "changes": "[data-testid=changes-table] tbody tr, #panel-changes .error-box",
    "resources": "#table tbody tr[data-id]",
    "chat": "#prompt-cards .demo-card",
}
HASH = {"changes": "changes?since=30d"}
MAX_HEIGHT = 1400  # px of each view from its top: the tracked files stay small


def shoot(out: Path, *, scale: int = 150, width: int = 1280) -> list[Path]:
    """Write one PNG per view the server offers into `out`; the paths written."""
    from playwright.sync_api import sync_playwright

    from awsinv_mcp.clients.web.app import create_app
    from awsinv_mcp.config import Settings
    from tests.test_web_browser import CHROMIUM, CHROMIUM_ARGS
    from tests.web_stub import ServedApp

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with ServedApp(create_app(Settings(source="synthetic", seed=42, scale=scale))) as served:
        offered = set(served.get("/api/v1/tools")["tools"])
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                page = browser.new_page(viewport={"width": width, "height": 900}, device_scale_factor=1)
                for view, ready in VIEWS.items():
                    if view == "reserved" and "list_reserved_instances" not in offered:
                        continue
                    if view == "changes" and "get_changes" not in offered:
                        continue
                    page.goto(f"{served.url}/#{HASH.get(view, view)}")
                    page.reload()  # a fresh document per view
                    page.locator(ready).first.wait_for(timeout=60_000)
                    page.wait_for_load_state("networkidle")
                    path = out / f"{view}.png"
                    height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
                    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": width,
                                                                         "height": height})  # fmt: skip
                    written.append(path)
            finally:
                browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--scale", type=int, default=150)
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    for path in shoot(Path(args.out), scale=args.scale, width=args.width):
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
