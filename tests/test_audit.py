"""Audit logs (server middleware and chat client) and the shared secret redaction."""

from __future__ import annotations

import json

import pytest
from anthropic import AsyncAnthropic
from mcp import Client
from pydantic import BaseModel

from awsinv_mcp.clients.chat.audit import chat_audit
from awsinv_mcp.clients.chat.loop import run_agent
from awsinv_mcp.config import Settings
from awsinv_mcp.errors import UserError
from awsinv_mcp.redact import MASK, redact, redact_text
from awsinv_mcp.server.app import build_server
from awsinv_mcp.server.catalog import TOOLS
from awsinv_mcp.server.tooling import ToolDef
from tests.fake_anthropic import FakeMessagesAPI, text, tool_uses

pytestmark = pytest.mark.anyio


class Out(BaseModel):
    ok: bool = True


def connect(url: str, password: str | None = None, sql: str = "select 1") -> Out:
    """Pretend to connect."""
    if url.startswith("fail"):
        raise UserError(f"cannot connect to {url}")
    return Out()


def audited_server(settings: Settings):
    return build_server(settings, tools=(*TOOLS, ToolDef(fn=connect, title="Connect", toolset="databases")))


def read_lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgresql://app:s3cr3t@db.internal:5432/orders", "postgresql://app:***@db.internal:5432/orders"),
        ("mysql+pymysql://root:p%40ss@127.0.0.1/test?x=1", "mysql+pymysql://root:***@127.0.0.1/test?x=1"),
        ("host=db user=app password=hunter2 dbname=x", "host=db user=app password=*** dbname=x"),
        ("key AKIAIOSFODNN7EXAMPLE in text", "key *** in text"),
        ("Authorization: Bearer abcdef123456", "Authorization: Bearer ***"),
        ("sk-ant-api03-abcdefghijklmnop", "***"),
        ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG", "aws_secret_access_key=***"),
        ("select * from orders where id = 5", "select * from orders where id = 5"),
    ],
)
def test_redact_text(raw, expected):
    assert redact_text(raw) == expected


def test_redact_structures_and_known_literals():
    value = {
        "password": "hunter2",
        "nested": [{"api_key": "abc", "limit": 5}],
        "max_tokens": 100,
        "note": "token is tok-12345678",
        "url": "https://u:pw@example.com/x",
    }
    assert redact(value, extra=["tok-12345678"]) == {
        "password": MASK,
        "nested": [{"api_key": MASK, "limit": 5}],
        "max_tokens": 100,
        "note": f"token is {MASK}",
        "url": f"https://u:{MASK}@example.com/x",
    }


async def test_server_writes_one_redacted_line_per_tool_call(tmp_path):
    log = tmp_path / "audit" / "server.jsonl"
    settings = Settings(source="synthetic", audit_log=str(log), auth_token="server-token-123456")
    async with Client(audited_server(settings)) as client:
        ok = await client.call_tool("connect", {"url": "postgresql://app:s3cr3t@db/x", "password": "hunter2"})
        bad = await client.call_tool("connect", {"url": "fail://u:pw@h/server-token-123456"})
        await client.list_tools()
    assert not ok.is_error and bad.is_error
    lines = read_lines(log)
    assert [(line["side"], line["tool"]) for line in lines] == [("server", "connect"), ("server", "connect")]
    first, second = lines
    assert set(first) == {"time", "side", "tool", "arguments", "duration_ms", "error"}
    assert first["arguments"] == {"url": "postgresql://app:***@db/x", "password": "***"}
    assert first["error"] is None and first["duration_ms"] >= 0 and first["time"].endswith("+00:00")
    assert second["error"] == "cannot connect to fail://u:***@h/***"
    raw = log.read_text()
    assert "s3cr3t" not in raw and "hunter2" not in raw and "server-token-123456" not in raw


async def test_no_audit_log_configured_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    async with Client(audited_server(Settings(source="synthetic"))) as client:
        result = await client.call_tool("connect", {"url": "x"})
    assert not result.is_error
    assert list(tmp_path.iterdir()) == []


async def test_chat_audit_records_every_tool_call_redacted(tmp_path):
    log = tmp_path / "chat.jsonl"
    settings = Settings(source="synthetic", audit_log=str(log))
    audit = chat_audit(settings, model="claude-test")
    script = [
        tool_uses(
            ("connect", {"url": "postgresql://app:s3cr3t@db/x"}),
            ("connect", {"url": "fail://x", "password": "hunter2"}),
        ),
        text("Done."),
    ]
    with FakeMessagesAPI(script) as api:
        async with (
            AsyncAnthropic(base_url=api.base_url, api_key="k", max_retries=0) as claude,
            Client(audited_server(settings)) as session,
        ):
            result = await run_agent(session, "connect", model="claude-test", anthropic_client=claude, on_event=audit)
    assert result.answer == "Done."
    lines = read_lines(log)
    chat = [line for line in lines if line["side"] == "chat"]
    server = [line for line in lines if line["side"] == "server"]
    assert len(chat) == 2 and len(server) == 2
    by_error = sorted(chat, key=lambda line: line["error"] is not None)
    assert by_error[0]["arguments"] == {"url": "postgresql://app:***@db/x"} and by_error[0]["error"] is None
    assert by_error[1]["arguments"]["password"] == "***" and by_error[1]["error"] == "cannot connect to fail://x"
    assert all(line["model"] == "claude-test" for line in chat)
    assert "s3cr3t" not in log.read_text() and "hunter2" not in log.read_text()


def test_chat_audit_is_off_without_a_log():
    assert chat_audit(Settings(source="synthetic"), model="m") is None
