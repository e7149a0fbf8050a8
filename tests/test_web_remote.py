"""`--url` mode: the web app as an MCP client of a running awsinv-mcp HTTP server with a bearer token."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from awsinv_mcp.clients.web.app import create_app
from awsinv_mcp.config import Settings
from awsinv_mcp.server.http import build_http_app
from tests.web_stub import ServedApp, stub_server

TOKEN = "remote-token-123"


@pytest.fixture(scope="module")
def remote() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = build_http_app(stub_server(30), host="127.0.0.1", port=port, token=TOKEN)
    with ServedApp(app, port=port) as served:
        yield f"{served.url}/mcp"


def test_remote_server_with_token(remote: str) -> None:
    app = create_app(Settings(source="synthetic"), url=remote, token=TOKEN)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        summary = client.get("/api/v1/inventory/summary")
        assert summary.status_code == 200 and summary.json()["db_instances"] == 30
        page = client.get("/api/v1/inventory/databases", params={"engine": "mysql", "limit": 2}).json()
        assert page["total"] == 6 and len(page["items"]) == 2
        missing = client.get("/api/v1/inventory/databases/nope")
        assert missing.status_code == 404 and "unknown DB instance" in missing.json()["error"]


def test_remote_token_from_settings(remote: str) -> None:
    app = create_app(Settings(source="synthetic", remote_token=TOKEN), url=remote)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/api/v1/inventory/summary").json()["db_instances"] == 30


def test_wrong_token_fails_at_start(remote: str) -> None:
    app = create_app(Settings(source="synthetic"), url=remote, token="wrong")
    with pytest.raises(ConnectionError) as info, TestClient(app, base_url="http://127.0.0.1"):
        pass
    assert f"could not open an MCP session with {remote}" in str(info.value)
    assert "wrong" not in str(info.value)
