"""`POST /api/v1/tools/{name}`: the page's one data route (static/data.js `callTool`), over the real server.

Answers equal what the tool answers an assistant; only the page's read-only tools are reachable; the
body cap and the same-origin checks of the other API routes apply.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from awsinv_mcp.clients.web.app import PAGE_TOOLS, create_app
from awsinv_mcp.clients.web.body_limit import MAX_BODY_BYTES
from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from awsinv_mcp.server.catalog import TOOLS
from tests.test_web_api import BASE, SETTINGS, real_server, tool_answer


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(SETTINGS, mcp_target=real_server()), base_url=BASE) as c:
        yield c


@pytest.mark.parametrize(
    ("name", "args"),
    [("get_inventory_summary", {}), ("list_db_instances", {"engine": "postgres", "limit": 1}),
     ("get_findings", {"severity": "high", "detail": True, "limit": 3}), ("find_cost_savings", {"limit": 2}),
     ("check_version_compliance", {"limit": 2}), ("list_db_snapshots", {"limit": 2})],
)  # fmt: skip
def test_a_call_answers_what_the_tool_answers(client: TestClient, name: str, args: dict) -> None:
    r = client.post(f"/api/v1/tools/{name}", json=args)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json() == tool_answer(name, args)


def test_paging_follows_the_cursor(client: TestClient) -> None:
    first = client.post("/api/v1/tools/list_db_instances", json={"limit": 4}).json()
    second = client.post("/api/v1/tools/list_db_instances", json={"limit": 4, "cursor": first["next_cursor"]}).json()
    ids = [(r["account"], r["region"], r["identifier"]) for r in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == first["total"] == 6


def test_only_the_pages_read_only_tools(client: TestClient) -> None:
    for name in ("run_query", "refresh_inventory", "explain_query", "nope"):
        r = client.post(f"/api/v1/tools/{name}", json={})
        assert r.status_code == 404 and "no such tool" in r.json()["error"], name
    assert "run_query" not in PAGE_TOOLS and "refresh_inventory" not in PAGE_TOOLS
    listed = client.get("/api/v1/tools").json()["tools"]
    assert set(listed) <= PAGE_TOOLS and {"get_findings", "list_db_snapshots"} <= set(listed)
    assert listed["get_findings"]["parameters"]["severity"]["type"] == "string"
    assert client.get("/api/v1/tools/get_findings").status_code == 405  # a read is a POST with arguments


def test_bad_requests_are_clear_json_errors(client: TestClient) -> None:
    bad = client.post("/api/v1/tools/list_db_instances", json={"engine": "db2"})
    assert bad.status_code == 400 and "unknown engine" in bad.json()["error"]
    wrong_type = client.post("/api/v1/tools/list_db_instances", json={"limit": "many"})
    assert wrong_type.status_code == 400 and wrong_type.json()["error"]
    assert client.post("/api/v1/tools/list_db_instances", content=b"limit=1").status_code == 415
    not_json = client.post(
        "/api/v1/tools/list_db_instances", content=b"{", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400 and "JSON" in not_json.json()["error"]
    assert client.post("/api/v1/tools/list_db_instances", json=[1]).status_code == 400


def test_same_origin_and_body_limit_apply(client: TestClient) -> None:
    url = "/api/v1/tools/get_inventory_summary"
    assert client.post(url, json={}, headers={"origin": "http://evil.example.com"}).status_code == 403
    assert client.post(url, json={}, headers={"sec-fetch-site": "cross-site"}).status_code == 403
    assert client.post(url, json={}, headers={"sec-fetch-site": "same-origin", "origin": BASE}).status_code == 200
    huge = b'{"q": "' + b"x" * (MAX_BODY_BYTES + 10) + b'"}'
    assert client.post(url, content=huge, headers={"content-type": "application/json"}).status_code == 413


def test_a_tool_the_server_lacks_is_a_404_and_unlisted() -> None:
    without = [t for t in TOOLS if t.name != "list_db_snapshots"]
    with TestClient(create_app(SETTINGS, mcp_target=real_server(tools=without)), base_url=BASE) as client:
        r = client.post("/api/v1/tools/list_db_snapshots", json={})
        assert r.status_code == 404 and "list_db_snapshots" in r.json()["error"]
        assert "list_db_snapshots" not in client.get("/api/v1/tools").json()["tools"]


def test_snapshots_filter_by_shared_on_the_demo_estate() -> None:
    demo = create_app(Settings(source="synthetic", seed=42, scale=150), mcp_target=build_server(
        Settings(source="synthetic", seed=42, scale=150)))  # fmt: skip
    with TestClient(demo, base_url=BASE) as client:
        url = "/api/v1/tools/list_db_snapshots"
        every = client.post(url, json={"limit": 500}).json()["items"]
        shared = client.post(url, json={"shared": True, "limit": 500}).json()
        assert shared["total"] == sum(1 for s in every if s["shared_with"]) > 0
        assert all(s["shared_with"] for s in shared["items"])
        assert client.post(url, json={"shared": False, "limit": 1}).json()["total"] == len(every) - shared["total"]
