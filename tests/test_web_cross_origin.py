"""Cross-origin reads of the web API are refused; plain clients keep working (issue 18, item 9).

A page on another origin, another port of 127.0.0.1 included (same-site, so a SameSite cookie still goes
along), made `GET /api/v1/inventory/costs?start=...` reach the app: each one a Cost Explorer request. The API
now refuses what a browser marks as not same-origin (`Sec-Fetch-Site`, `Origin`); the page's own calls, typed
addresses, links to the page and clients without those headers (curl, scripts) still work.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from awsinv_mcp.clients.web.app import create_app
from awsinv_mcp.config import Settings
from tests.test_web_browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _require_browser
from tests.web_stub import ServedApp, stub_server

BASE = "http://127.0.0.1"
API = "/api/v1/inventory/costs?start=2026-01-01"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(source="synthetic"), mcp_target=stub_server(10)), base_url=BASE) as c:
        yield c


@pytest.mark.parametrize("site", ["same-site", "cross-site"])
def test_api_reads_marked_by_the_browser_as_foreign_are_refused(client: TestClient, site: str) -> None:
    r = client.get(API, headers={"sec-fetch-site": site, "sec-fetch-mode": "no-cors"})
    assert r.status_code == 403 and "cross-origin" in r.json()["error"]


@pytest.mark.parametrize("origin", ["http://127.0.0.1:9999", "http://evil.example", "null"])
def test_api_reads_with_a_foreign_origin_are_refused(client: TestClient, origin: str) -> None:
    assert client.get(API, headers={"origin": origin}).status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl, scripts
        {"sec-fetch-site": "same-origin", "origin": BASE},  # the page's own fetch
        {"sec-fetch-site": "none"},  # a typed address or a bookmark
    ],
)
def test_same_origin_and_plain_clients_are_served(client: TestClient, headers: dict[str, str]) -> None:
    r = client.get(API, headers=headers)
    assert r.status_code == 200 and r.json()["currency"] == "USD"


def test_the_page_itself_can_be_reached_from_another_site(client: TestClient) -> None:
    r = client.get("/", headers={"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate"})
    assert r.status_code == 200 and "<html" in r.text.lower()


class Recorder:
    """Outermost ASGI wrapper: the status of every API request that reached the web app."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[tuple[str, int, str | None]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        site = dict(scope["headers"]).get(b"sec-fetch-site", b"").decode() or None

        async def watch(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.seen.append((scope["path"], message["status"], site))
            await send(message)

        await self.app(scope, receive, watch)


def attacker_page(target: str) -> Starlette:
    html = f"""<!doctype html><html><body><a id="go" href="{target}/#overview">the real page</a><script>
      window.done = 0;
      for (const path of ["{API}", "/api/v1/inventory/summary", "/api/v1/schema"]) {{
        fetch("{target}" + path, {{ mode: "no-cors", credentials: "include" }}).finally(() => {{ window.done += 1; }});
      }}
      const img = new Image(); img.onerror = img.onload = () => {{ window.done += 1; }};
      img.src = "{target}{API}&via=img";
    </script></body></html>"""

    async def index(request: Request) -> HTMLResponse:
        return HTMLResponse(html)

    async def healthz(request: Request) -> HTMLResponse:
        return HTMLResponse("ok")

    return Starlette(routes=[Route("/", index), Route("/healthz", healthz)])


@pytest.mark.browser
def test_a_page_on_another_port_cannot_make_the_api_work() -> None:
    sync_playwright = _require_browser()
    recorder = Recorder(create_app(Settings(source="synthetic"), mcp_target=stub_server(10)))
    with ServedApp(recorder) as web, sync_playwright() as pw, ServedApp(attacker_page(web.url)) as evil:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(evil.url + "/")
        page.wait_for_function("() => window.done === 4")
        foreign = list(recorder.seen)
        assert len(foreign) == 4, foreign
        assert {status for _, status, _ in foreign} == {403}
        assert {site for _, _, site in foreign} == {"same-site"}  # another port of 127.0.0.1
        page.click("#go")  # following a link to the page still works, and so do its own calls
        page.get_by_test_id("db-instances-total").wait_for()
        own = recorder.seen[4:]
        assert own and all(status == 200 and site == "same-origin" for _, status, site in own), own
        browser.close()
