"""`POST /infrastructure-ai` and the chat status route: the shared agent loop against the fake Messages API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from awsinv_mcp.clients.web.app import create_app
from awsinv_mcp.config import Settings
from tests.fake_anthropic import FakeMessagesAPI, error, text, tool_use
from tests.test_web_stub import stub_server


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create_app(Settings(source="synthetic"), mcp_target=stub_server(20))
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c


def test_no_api_key_gives_the_fix(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    r = client.post("/infrastructure-ai", json={"query": "How many databases?"})
    assert r.status_code == 503
    assert "API key" in r.json()["error"] and "ANTHROPIC_API_KEY" in r.json()["fix"]
    status = client.get("/api/v1/chat/status").json()
    assert status["ready"] is False and "ANTHROPIC_API_KEY" in status["fix"]


def test_answer_with_tool_calls_and_history(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    script = [tool_use("list_db_instances", {"engine": "postgres", "limit": 2}), text("You have **4** PostgreSQL DBs.")]
    with FakeMessagesAPI(script) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        assert client.get("/api/v1/chat/status").json() == {"ready": True}
        history = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello."}]
        r = client.post("/infrastructure-ai", json={"query": "How many postgres?", "history": history})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["answer"] == "You have **4** PostgreSQL DBs."
        [call] = body["tool_calls"]
        assert call["name"] == "list_db_instances" and call["arguments"] == {"engine": "postgres", "limit": 2}
        assert call["is_error"] is False and call["duration_ms"] >= 0
        sent = api.requests[0]["messages"]
        assert [m["role"] for m in sent] == ["user", "assistant", "user"]
        assert sent[-1]["content"] == "How many postgres?"
        # the tool really ran through the MCP session: its result went back to the model
        result = next(b for b in api.requests[1]["messages"][-1]["content"] if b["type"] == "tool_result")
        assert '"total":4' in str(result["content"])


def test_model_api_refusal_becomes_502(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeMessagesAPI([error(401, "invalid x-api-key")]) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "bad-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        r = client.post("/infrastructure-ai", json={"query": "hello"})
        assert r.status_code == 502 and r.json()["error"]
        assert "bad-key" not in r.text
