"""REST routes of the web app (Starlette TestClient), through a real MCP client session to a stub server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from awsinv_mcp.clients.web.app import create_app
from awsinv_mcp.clients.web.security import COOKIE, CSP
from awsinv_mcp.config import Settings
from tests.web_stub import stub_server

BASE = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    app = create_app(Settings(source="synthetic"), mcp_target=stub_server(60))
    with TestClient(app, base_url=BASE) as c:
        yield c


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_summary_is_the_tools_structured_result(client: TestClient) -> None:
    r = client.get("/api/v1/inventory/summary")
    assert r.status_code == 200
    body = r.json()
    assert body["source"] == "synthetic" and body["db_instances"] == 60
    assert body["by_engine"]["postgres"] == 12
    assert r.headers["cache-control"] == "no-store"


def test_databases_filters_sort_and_paging(client: TestClient) -> None:
    first = client.get("/api/v1/inventory/databases", params={"engine": "postgres", "limit": 5}).json()
    assert first["total"] == 12 and len(first["items"]) == 5 and first["next_cursor"]
    assert {row["engine"] for row in first["items"]} == {"postgres"}
    second = client.get(
        "/api/v1/inventory/databases", params={"engine": "postgres", "limit": 5, "cursor": first["next_cursor"]}
    ).json()
    assert not {r["identifier"] for r in second["items"]} & {r["identifier"] for r in first["items"]}
    ordered = client.get("/api/v1/inventory/databases", params={"sort": "-allocated_gb", "limit": 3}).json()
    assert [r["allocated_gb"] for r in ordered["items"]] == [159, 158, 157]
    found = client.get("/api/v1/inventory/databases", params={"q": "db-0004"}).json()
    assert found["total"] == 10


@pytest.mark.parametrize(
    ("path", "total"),
    [("clusters", 2), ("ec2", 3), ("buckets", 2), ("findings", 9), ("versions", 60), ("savings", 1)],
)
def test_list_routes(client: TestClient, path: str, total: int) -> None:
    body = client.get(f"/api/v1/inventory/{path}").json()
    assert body["total"] == total and "next_cursor" in body and body["source"] == "synthetic"


def test_costs_route_passes_group_by(client: TestClient) -> None:
    body = client.get("/api/v1/inventory/costs", params={"group_by": "TAG:Team"}).json()
    assert [it["group"]["TAG:Team"] for it in body["items"]] == ["payments", "search", "identity"]
    assert len(body["periods"]) == 6


def test_findings_filtered_by_resource(client: TestClient) -> None:
    body = client.get("/api/v1/inventory/findings", params={"resource": "db-00007"}).json()
    assert body["total"] == 1 and body["items"][0]["resource_id"] == "db-00007"


def test_database_detail_and_unknown_identifier(client: TestClient) -> None:
    ok = client.get("/api/v1/inventory/databases/db-00003")
    assert ok.status_code == 200 and ok.json()["instance"]["identifier"] == "db-00003"
    missing = client.get("/api/v1/inventory/databases/nope")
    assert missing.status_code == 404
    assert missing.json() == {"error": "unknown DB instance 'nope'; call list_db_instances for valid identifiers"}


def test_tool_errors_become_4xx_json(client: TestClient) -> None:
    bad_engine = client.get("/api/v1/inventory/databases", params={"engine": "db2"})
    assert bad_engine.status_code == 400 and "unknown engine" in bad_engine.json()["error"]
    bad_cursor = client.get("/api/v1/inventory/databases", params={"cursor": "garbage"})
    assert bad_cursor.status_code == 400 and "cursor" in bad_cursor.json()["error"]
    bad_type = client.get("/api/v1/inventory/databases", params={"limit": "many"})
    assert bad_type.status_code == 400 and "integer" in bad_type.json()["error"]
    unknown_param = client.get("/api/v1/inventory/databases", params={"colour": "red"})
    assert unknown_param.status_code == 400 and "colour" in unknown_param.json()["error"]


def test_missing_tool_and_unknown_route(client: TestClient) -> None:
    r = client.get("/api/v1/inventory/snapshots")  # the stub has no list_db_snapshots
    assert r.status_code == 404 and "list_db_snapshots" in r.json()["error"]
    assert client.get("/api/v1/inventory/everything").status_code == 404


def test_prompt_cards_fill_arguments_from_the_estate(client: TestClient) -> None:
    cards = {c["name"]: c for c in client.get("/api/v1/prompts").json()["items"]}
    assert set(cards) == {"database_security_audit", "team_database_overview"}
    assert cards["team_database_overview"]["arguments"] == {"team": "payments"}
    assert "team payments" in cards["team_database_overview"]["text"]
    assert cards["database_security_audit"]["title"] == "Database security audit"


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
    app = create_app(settings, mcp_target=stub_server(10, with_prompts=False))
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
        assert r.status_code == 200 and r.json()["db_instances"] == 10

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
    assert sorted(referenced) == ["app.css", "app.js"]
    for name in referenced:
        assert (static / name).is_file()
    js, css = (static / "app.js").read_text(), (static / "app.css").read_text()
    assert "innerHTML" not in js.replace("nothing is ever assigned to innerHTML", "")
    assert not re.search(r"<script>|<style|\sstyle=|\son\w+=", html)  # nothing inline: the CSP forbids it
    for text in (html, js, css):
        urls = set(re.findall(r"https?://[^\s\"'`)]+", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, urls  # no CDN, works offline
