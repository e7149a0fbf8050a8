"""The agent loop against the real server through a real MCP session, with a scripted fake Messages API."""

from __future__ import annotations

import json

import anyio
import pytest
from anthropic import AsyncAnthropic
from mcp import Client

from awsinv_mcp.clients.chat.loop import (
    ApiRefused,
    MissingApiKey,
    anthropic_client_from_env,
    run_agent,
)
from awsinv_mcp.config import Settings
from tests.chat_tools import chat_server
from tests.fake_anthropic import FakeMessagesAPI, Reply, error, stream_error, text, tool_use, tool_uses

pytestmark = pytest.mark.anyio

MODEL = "claude-test"


@pytest.fixture
def server(tmp_path):
    return chat_server(Settings(source="synthetic", audit_log=str(tmp_path / "server-audit.jsonl")))


async def ask(api: FakeMessagesAPI, server, question: str, **kwargs):
    """Run the loop; an error is re-raised outside the MCP session (whose task group would wrap it)."""
    events: list[dict] = []
    failure: Exception | None = None
    async with AsyncAnthropic(base_url=api.base_url, api_key="test", max_retries=0) as claude, Client(server) as s:
        try:
            result = await run_agent(
                s, question, model=MODEL, anthropic_client=claude, on_event=events.append, **kwargs
            )
        except Exception as exc:
            failure = exc
    if failure is not None:
        raise failure
    return result, events


async def test_tool_use_then_final_answer_streams_and_caches(server):
    with FakeMessagesAPI([tool_use("echo", {"text": "hello"}), text("The echo said hello, twice over.")]) as api:
        result, events = await ask(api, server, "Say hello")
    assert result.answer == "The echo said hello, twice over."
    assert [(c.name, c.arguments, c.is_error) for c in result.tool_calls] == [("echo", {"text": "hello"}, False)]
    assert result.usage.requests == 2 and result.stop_reason == "end_turn"
    first, second = api.requests
    assert first["stream"] is True and first["model"] == MODEL
    assert first["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert first["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert all("cache_control" not in t for t in first["tools"][:-1])
    assert {"echo", "fail", "get_inventory_summary"} <= {t["name"] for t in first["tools"]}
    tool_result = second["messages"][-1]["content"][0]
    assert tool_result["type"] == "tool_result" and "is_error" not in tool_result
    assert json.loads(tool_result["content"]) == {"text": "hello", "source": "synthetic"}
    deltas = [e["text"] for e in events if e["type"] == "text"]
    assert len(deltas) > 1 and "".join(deltas) == result.answer
    kinds = [e["type"] for e in events]
    assert kinds.index("tool_start") < kinds.index("tool_end") < kinds.index("text")
    assert result.messages[-1]["role"] == "assistant" and len(result.messages) == 4


async def test_parallel_tool_uses_run_concurrently(server):
    script = [tool_uses(("rendezvous", {"party": "a"}), ("rendezvous", {"party": "b"})), text("Both met.")]
    with FakeMessagesAPI(script) as api:
        with anyio.fail_after(20):
            result, _ = await ask(api, server, "Meet")
    assert [c.is_error for c in result.tool_calls] == [False, False]
    results = api.requests[1]["messages"][-1]["content"]
    assert [r["tool_use_id"] for r in results] == [b["id"] for b in api.requests[1]["messages"][-2]["content"]]
    assert [json.loads(r["content"])["text"] for r in results] == ["a met", "b met"]


async def test_tool_error_becomes_is_error(server):
    with FakeMessagesAPI([tool_use("fail", {"reason": "no"}), text("It failed.")]) as api:
        result, events = await ask(api, server, "Try")
    assert result.tool_calls[0].is_error is True
    tool_result = api.requests[1]["messages"][-1]["content"][0]
    assert tool_result["is_error"] is True and tool_result["content"] == "cannot do that: no"
    assert [e["is_error"] for e in events if e["type"] == "tool_end"] == [True]


async def test_unknown_tool_is_reported_to_the_model(server):
    with FakeMessagesAPI([tool_use("no_such_tool", {}), text("Sorry.")]) as api:
        result, _ = await ask(api, server, "Try")
    assert result.tool_calls[0].is_error
    assert "no_such_tool" in api.requests[1]["messages"][-1]["content"][0]["content"]


async def test_rate_limit_is_retried_honouring_retry_after(server):
    with FakeMessagesAPI([error(429, retry_after=0.05), error(529), text("Fine now.")]) as api:
        result, events = await ask(api, server, "Hi")
    assert result.answer == "Fine now." and len(api.requests) == 3
    retries = [e for e in events if e["type"] == "retry"]
    assert [(e["status"], e["attempt"]) for e in retries] == [(429, 1), (529, 2)]
    assert retries[0]["wait_s"] == 0.05


async def test_overloaded_mid_stream_is_retried(server):
    with FakeMessagesAPI([stream_error("overloaded_error"), text("Recovered.")]) as api:
        result, events = await ask(api, server, "Hi")
    assert result.answer == "Recovered."
    assert [e["status"] for e in events if e["type"] == "retry"] == [529]


async def test_refusal_by_the_api_is_a_clear_error(server):
    with (
        FakeMessagesAPI([error(401, "invalid x-api-key")]) as api,
        pytest.raises(ApiRefused, match="ANTHROPIC_API_KEY") as info,
    ):
        await ask(api, server, "Hi")
    assert "401" in str(info.value) and "invalid x-api-key" in str(info.value)


async def test_model_refusal_stop_reason(server):
    with FakeMessagesAPI([Reply(content=[], stop_reason="refusal")]) as api:
        result, _ = await ask(api, server, "Something unsafe")
    assert result.stop_reason == "refusal" and "declined" in result.answer


async def test_iterations_are_bounded(server):
    with FakeMessagesAPI([], default=tool_use("echo", {"text": "again"})) as api:
        result, _ = await ask(api, server, "Loop", max_iterations=3)
    assert result.stop_reason == "max_iterations" and len(api.requests) == 3
    assert len(result.tool_calls) == 3 and "--max-iterations" in result.answer


async def test_token_budget_stops_the_loop(server):
    big = tool_use("echo", {"text": "x"})
    big.usage = {"input_tokens": 9_000, "output_tokens": 1_500}
    with FakeMessagesAPI([], default=big) as api:
        result, _ = await ask(api, server, "Loop", token_budget=20_000)
    assert result.stop_reason == "token_budget" and len(api.requests) == 2
    assert result.usage.total_tokens == 21_000


async def test_history_continues_the_conversation(server):
    with FakeMessagesAPI([text("First."), text("Second.")]) as api:
        first, _ = await ask(api, server, "One")
        second, _ = await ask(api, server, "Two", history=first.messages)
    assert second.answer == "Second."
    sent = api.requests[1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[0]["content"] == "One" and sent[2]["content"] == "Two"


async def test_client_from_env_requires_a_key(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    with pytest.raises(MissingApiKey, match="ANTHROPIC_API_KEY"):
        anthropic_client_from_env()


async def test_client_from_env_honours_base_url(monkeypatch, server):
    with FakeMessagesAPI([text("Via the environment.")]) as api:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key-123456")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
        async with Client(server) as session:
            result = await run_agent(session, "Hi", model=MODEL)
    assert result.answer == "Via the environment."
    assert "sk-ant-test-key-123456" in (api.headers[0].get("authorization", "") + api.headers[0].get("x-api-key", ""))
