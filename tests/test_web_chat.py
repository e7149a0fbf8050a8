"""`POST /infrastructure-ai` and the chat status route: the shared agent loop against the fake Messages API."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from awsinv_mcp.clients.web.app import create_app
from awsinv_mcp.config import Settings
from tests.fake_anthropic import FakeMessagesAPI, error, text, tool_use
from tests.web_stub import stub_server


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


SECRET_ARGS = {
    "engine": "postgresql://app:s3cretPw@db.internal:5432/orders",
    "token": "tok-live-9f8e7d6c5b4a",
    "q": "Bearer abcdef0123456789",
}
SECRETS = ("s3cretPw", "tok-live-9f8e7d6c5b4a", "abcdef0123456789")


def _events(body: str) -> list[dict]:
    """The JSON payloads of an SSE body, checking each `event:` line names its payload's type."""
    out = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        event = json.loads(lines["data"])
        assert lines["event"] == event["type"]
        out.append(event)
    return out


def test_tool_arguments_are_redacted(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    script = [tool_use("list_db_instances", SECRET_ARGS), text("Done.")]
    with FakeMessagesAPI(script) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        r = client.post("/infrastructure-ai", json={"query": "list them"})
    assert r.status_code == 200, r.text
    [call] = r.json()["tool_calls"]
    assert call["arguments"]["engine"] == "postgresql://app:***@db.internal:5432/orders"
    assert call["arguments"]["token"] == "***"
    assert not any(s in r.text for s in SECRETS)
    # the model itself got the real arguments' tool result (redaction is for the page only)
    assert api.requests[0]["messages"][-1]["content"] == "list them"


def test_stream_sends_events_then_the_answer(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    final = "PostgreSQL: **4** instances, all in production and staging."
    script = [tool_use("list_db_instances", SECRET_ARGS, preface="Let me look."), text(final)]
    with FakeMessagesAPI(script) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        r = client.post("/api/v1/chat/stream", json={"query": "How many postgres?"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    assert r.headers["cache-control"] == "no-store" and "content-security-policy" in r.headers
    assert not any(s in r.text for s in SECRETS)
    events = _events(r.text)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "turn" and kinds[-1] == "done"
    assert kinds.index("tool_start") < kinds.index("tool_end") < kinds.index("done")
    deltas = [e["text"] for e in events if e["type"] == "text"]
    assert len(deltas) > 2 and "".join(deltas) == "Let me look." + final  # streamed in pieces
    end = next(e for e in events if e["type"] == "tool_end")
    assert end["name"] == "list_db_instances" and end["duration_ms"] >= 0
    assert end["is_error"] is True and "unknown engine" in end["error"]  # the tool refused the URL as an engine
    assert end["arguments"]["token"] == "***"
    done = events[-1]
    assert done["answer"] == final and [c["name"] for c in done["tool_calls"]] == ["list_db_instances"]


def test_stream_by_accept_header_and_errors(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    headers = {"Accept": "text/event-stream"}
    r = client.post("/infrastructure-ai", json={"query": "hi"}, headers=headers)
    assert r.status_code == 503 and "ANTHROPIC_API_KEY" in r.json()["fix"]  # JSON, before any stream
    assert client.post("/api/v1/chat/stream", json={"query": " "}).status_code == 400
    with FakeMessagesAPI([error(401, "invalid x-api-key")]) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "bad-key")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        r = client.post("/infrastructure-ai", json={"query": "hi"}, headers=headers)
    assert r.status_code == 200 and "bad-key" not in r.text
    [turn, failure] = _events(r.text)
    assert turn["type"] == "turn" and failure["type"] == "error" and "HTTP 401" in failure["error"]
