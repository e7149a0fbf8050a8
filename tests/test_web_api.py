"""REST routes of the web app (Starlette TestClient) on the real server over a crafted estate.

Each route answers exactly what its tool answers to an assistant (`/api/v1/inventory/<name>` == the tool's
structured result, a table's rows as `items` objects: `models/table.py` `with_items`), so the page and the
assistant never disagree.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client
from starlette.testclient import TestClient

from awsinv_mcp.clients.web.app import INVENTORY_ROUTES, create_app
from awsinv_mcp.clients.web.prompts import example_arguments
from awsinv_mcp.clients.web.security import COOKIE, CSP
from awsinv_mcp.config import Settings
from awsinv_mcp.models.inventory import Snapshot
from awsinv_mcp.models.table import rows_of, with_items
from awsinv_mcp.server.app import build_server
from awsinv_mcp.server.catalog import TOOLS
from tests.estates import two_account_estate

BASE = "http://127.0.0.1"
SETTINGS = Settings(source="synthetic")


def crafted(_settings: Settings, _progress: Any, _cancel: threading.Event | None = None) -> Snapshot:
    return two_account_estate()


def real_server(**kw: Any) -> Any:
    return build_server(SETTINGS, collector=crafted, **kw)


def tool_answer(name: str, args: dict[str, Any] | None = None, *, raw: bool = False) -> dict[str, Any]:
    """What an assistant gets from `name` on a server of its own over the same estate (unless `raw`, a table's
    rows as `items` objects, as the page gets them)."""

    async def run() -> dict[str, Any]:
        async with Client(real_server()) as c:
            result = await c.call_tool(name, args or {})
            assert not result.is_error, result.content
            return result.structured_content if raw else with_items(result.structured_content)

    return anyio.run(run)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(SETTINGS, mcp_target=real_server()), base_url=BASE) as c:
        yield c


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.parametrize("route", sorted(INVENTORY_ROUTES))
def test_each_route_answers_what_its_tool_answers(client: TestClient, route: str) -> None:
    r = client.get(f"/api/v1/inventory/{route}")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    answer = tool_answer(INVENTORY_ROUTES[route], raw=True)
    assert body == with_items(answer)
    assert body.get("items", []) == rows_of(answer) and "rows" not in body
    assert body["source"] == "synthetic"


def test_summary_counts_the_crafted_estate(client: TestClient) -> None:
    body = client.get("/api/v1/inventory/summary").json()
    assert body["db_instances"] == 6 and body["by_engine"]["aurora-postgresql"] == 2


@pytest.mark.parametrize(
    "params",
    [{"engine": "postgres", "limit": 1}, {"sort": "-allocated_gb", "limit": 2}, {"q": "orders"},
     {"account": "acme-dev"}, {"region": "eu-west-1", "environment": "production"}],
)  # fmt: skip
def test_database_filters_sort_and_paging_pass_through(client: TestClient, params: dict[str, Any]) -> None:
    body = client.get("/api/v1/inventory/databases", params=params).json()
    assert body == tool_answer("list_db_instances", params)
    assert body["total"] > 0


def test_next_page_follows_the_cursor(client: TestClient) -> None:
    first = client.get("/api/v1/inventory/databases", params={"limit": 4}).json()
    assert first["total"] == 6 and first["next_cursor"]
    second = client.get("/api/v1/inventory/databases", params={"limit": 4, "cursor": first["next_cursor"]}).json()
    assert second["total"] == 6 and not second.get("next_cursor")


def test_findings_filtered_by_resource(client: TestClient) -> None:
    body = client.get("/api/v1/inventory/findings", params={"resource": "ledger"}).json()
    assert body == tool_answer("get_findings", {"resource": "ledger"}) and body["total"] > 0


def test_database_detail_and_unknown_identifier(client: TestClient) -> None:
    ok = client.get("/api/v1/inventory/databases/ledger")
    assert ok.status_code == 200 and ok.json() == tool_answer("get_db_instance", {"identifier": "ledger"})
    missing = client.get("/api/v1/inventory/databases/nope")
    assert missing.status_code == 404 and "no DB instance 'nope'" in missing.json()["error"]


def test_tool_errors_become_4xx_json(client: TestClient) -> None:
    bad_engine = client.get("/api/v1/inventory/databases", params={"engine": "db2"})
    assert bad_engine.status_code == 400 and "unknown engine" in bad_engine.json()["error"]
    bad_cursor = client.get("/api/v1/inventory/databases", params={"cursor": "garbage"})
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.json()["error"]
    bad_type = client.get("/api/v1/inventory/databases", params={"limit": "many"})
    assert bad_type.status_code == 400 and "integer" in bad_type.json()["error"]
    unknown_param = client.get("/api/v1/inventory/databases", params={"colour": "red"})
    assert unknown_param.status_code == 400 and "colour" in unknown_param.json()["error"]


def test_missing_tool_and_unknown_route() -> None:
    without = [t for t in TOOLS if t.name != "list_db_snapshots"]
    with TestClient(create_app(SETTINGS, mcp_target=real_server(tools=without)), base_url=BASE) as client:
        r = client.get("/api/v1/inventory/snapshots")
        assert r.status_code == 404 and "list_db_snapshots" in r.json()["error"]
        assert client.get("/api/v1/inventory/everything").status_code == 404
        assert client.get("/api/v1/inventory/databases").status_code == 200


def test_prompt_cards_fill_arguments_from_the_estate(client: TestClient) -> None:
    cards = {c["name"]: c for c in client.get("/api/v1/prompts").json()["items"]}
    assert {"database_security_audit", "team_database_overview"} <= set(cards)
    team = cards["team_database_overview"]["arguments"]["team"]
    assert team in tool_answer("get_inventory_summary")["by_team"]
    assert f"team {team}" in cards["team_database_overview"]["text"]
    assert cards["database_security_audit"]["title"]


class _Bridge:
    async def has_tool(self, name: str) -> bool:
        return True

    async def call(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        if name == "list_databases":
            rows = [("a_down", False), ("b_up", True), ("c_up", True)]
            return {"items": [{"name": n, "reachable": r} for n, r in rows]}
        return {"by_team": {"payments": 3, "identity": 5}}


@pytest.mark.anyio
async def test_demo_arguments_prefer_a_reachable_database() -> None:
    values = await example_arguments(_Bridge())  # type: ignore[arg-type]
    assert values["database"] == "b_up" and values["team"] == "identity"


def test_page_static_files_and_security_headers(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert page.headers["content-security-policy"] == CSP
    assert "default-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "<script" in page.text and "<script>" not in page.text  # only external scripts
    for asset, ctype in (("app.js", "javascript"), ("app.css", "text/css")):
        r = client.get(f"/static/{asset}")
        assert r.status_code == 200 and ctype in r.headers["content-type"]
        assert r.headers["x-content-type-options"] == "nosniff"


def test_foreign_host_and_cross_origin_post_refused(client: TestClient) -> None:
    assert client.get("/api/v1/inventory/summary", headers={"host": "evil.example.com"}).status_code == 421
    r = client.post("/infrastructure-ai", json={"query": "hi"}, headers={"origin": "http://evil.example.com"})
    assert r.status_code == 403


def test_chat_rejects_bad_requests(client: TestClient) -> None:
    assert client.post("/infrastructure-ai", content=b"query=hi").status_code == 415
    assert client.post("/infrastructure-ai", json={"query": "  "}).status_code == 400
    assert client.post("/infrastructure-ai", json={"query": "x", "history": "nope"}).status_code == 400


TOKEN = "s3cret-token-value"


@pytest.fixture(scope="module")
def authed() -> Iterator[TestClient]:
    settings = Settings(source="synthetic", auth_token=TOKEN)
    app = create_app(settings, mcp_target=real_server())
    with TestClient(app, base_url=BASE, follow_redirects=False) as c:
        yield c


class TestAuth:
    TOKEN = TOKEN

    def test_healthz_stays_open(self, authed: TestClient) -> None:
        assert authed.get("/healthz").status_code == 200

    def test_api_and_page_need_the_token(self, authed: TestClient) -> None:
        authed.cookies.clear()
        r = authed.get("/api/v1/inventory/summary")
        assert r.status_code == 401 and "token" in r.json()["error"]
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert authed.get("/").status_code == 401
        assert authed.get("/static/app.js").status_code == 401
        wrong = authed.get("/api/v1/inventory/summary", headers={"authorization": "Bearer wrong"})
        assert wrong.status_code == 401

    def test_bearer_header(self, authed: TestClient) -> None:
        authed.cookies.clear()
        r = authed.get("/api/v1/inventory/summary", headers={"authorization": f"Bearer {self.TOKEN}"})
        assert r.status_code == 200 and r.json()["db_instances"] == 6

    def test_query_token_sets_cookie_and_redirects(self, authed: TestClient) -> None:
        authed.cookies.clear()
        r = authed.get("/", params={"token": self.TOKEN, "tab": "chat"})
        assert r.status_code == 303 and r.headers["location"] == "/?tab=chat"
        cookie = r.headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert self.TOKEN not in cookie
        # the browser now sends the cookie
        assert authed.get("/api/v1/inventory/summary").status_code == 200
        assert authed.get("/").status_code == 200
        authed.cookies.clear()
        authed.cookies.set(COOKIE, "forged")
        assert authed.get("/api/v1/inventory/summary").status_code == 401


def test_static_assets_ship_in_the_package_and_load_nothing_external() -> None:
    import re
    from importlib.resources import files

    static = files("awsinv_mcp.clients.web") / "static"
    html = (static / "index.html").read_text()
    referenced = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
    assert sorted(referenced) == ["app.css", "app.js", "data.js"]
    for name in referenced:
        assert (static / name).is_file()
    js = (static / "app.js").read_text() + (static / "data.js").read_text()
    css = (static / "app.css").read_text()
    assert "innerHTML" not in js.replace("nothing is ever assigned to innerHTML", "")
    assert not re.search(r"<script>|<style|\sstyle=|\son\w+=", html)  # nothing inline: the CSP forbids it
    for text in (html, js, css):
        urls = set(re.findall(r"https?://[^\s\"'`)]+", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, urls  # no CDN, works offline
