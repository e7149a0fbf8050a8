"""`awsinv-mcp chat`: --once, --json, the REPL and the no-key exit, in-process (the server over mcp.Client)."""

from __future__ import annotations

import argparse
import io
import json
from contextlib import asynccontextmanager

import pytest
from mcp import Client

from awsinv_mcp.clients.chat import command, session
from awsinv_mcp.clients.chat.loop import ChatError
from awsinv_mcp.clients.chat.repl import format_event, parse_prompt_command, run_repl
from awsinv_mcp.config import Settings
from tests.chat_tools import chat_server
from tests.fake_anthropic import FakeMessagesAPI, text, tool_use

pytestmark = pytest.mark.anyio


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.configure(parser)
    return parser.parse_args(argv)


@pytest.fixture
def in_process(monkeypatch, tmp_path):
    """Route the command's session to an in-process server; returns its settings."""
    settings = Settings(source="synthetic", audit_log=str(tmp_path / "audit.jsonl"))
    server = chat_server(settings)

    @asynccontextmanager
    async def open_in_process(settings, *, url=None, token=None):
        async with Client(server) as client:
            yield client

    monkeypatch.setattr(session, "open_session", open_in_process)
    return settings


@pytest.fixture
def api(monkeypatch):
    def start(script):
        fake = FakeMessagesAPI(script)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-abcdefgh")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.start())
        started.append(fake)
        return fake

    started: list[FakeMessagesAPI] = []
    yield start
    for fake in started:
        fake.stop()


def test_once_prints_only_the_answer_on_stdout(in_process, api, capsys):
    fake = api([tool_use("echo", {"text": "hi", "token": "secret-value-1"}), text("The answer is 42.")])
    code = command.run(parse("--once", "What is it?", "--model", "claude-x"), in_process)
    out, err = capsys.readouterr()
    assert code == 0 and out == "The answer is 42.\n"
    assert "[tool] echo(" in err and "ms" in err and "secret-value-1" not in err
    assert fake.requests[0]["model"] == "claude-x"
    assert fake.requests[0]["messages"][0]["content"] == "What is it?"


def test_once_json_has_answer_and_tool_calls(in_process, api, capsys):
    api([tool_use("fail", {"reason": "r"}), text("Failed, sorry.")])
    code = command.run(parse("--once", "Try", "--json"), in_process)
    out, _ = capsys.readouterr()
    data = json.loads(out)
    assert code == 0 and data["answer"] == "Failed, sorry." and data["model"] == in_process.model
    assert data["tool_calls"] == [
        {"name": "fail", "arguments": {"reason": "r"}, "duration_ms": data["tool_calls"][0]["duration_ms"],
         "is_error": True}
    ]  # fmt: skip
    assert data["usage"]["requests"] == 2
    with open(in_process.audit_log) as fh:
        audit = [json.loads(line) for line in fh]
    assert {(line["side"], line["tool"]) for line in audit} == {("chat", "fail"), ("server", "fail")}


def test_once_stopped_by_iterations_exits_3(in_process, api, capsys):
    api([tool_use("echo", {"text": "a"}), tool_use("echo", {"text": "b"})])
    code = command.run(parse("--once", "Loop", "--max-iterations", "2"), in_process)
    out, _ = capsys.readouterr()
    assert code == command.EXIT_INCOMPLETE and "Stopped after 2 model turns" in out


def test_api_refusal_exits_1_with_a_message(in_process, api, capsys):
    from tests.fake_anthropic import error

    api([error(403, "model not allowed")])
    code = command.run(parse("--once", "Hi"), in_process)
    out, err = capsys.readouterr()
    assert code == 1 and out == "" and "HTTP 403" in err and "model not allowed" in err


def test_no_key_exits_2_naming_the_variable(monkeypatch, capsys):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    code = command.run(parse("--once", "Hi"), Settings(source="synthetic"))
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "ANTHROPIC_API_KEY" in err


async def test_repl_prompts_reset_and_streamed_answers(tmp_path):
    from anthropic import AsyncAnthropic

    lines = iter(
        [
            "/prompts\n",
            "/prompt version_compliance_report months_ahead=3 engine=postgres\n",
            "And the MySQL ones?\n",
            "/reset\n",
            "/nonsense\n",
            "Fresh question\n",
            "/exit\n",
        ]
    )
    out, err = io.StringIO(), io.StringIO()
    script = [text("Two PostgreSQL databases end soon."), text("None."), text("Fresh answer.")]
    with FakeMessagesAPI(script) as fake:
        async with (
            AsyncAnthropic(base_url=fake.base_url, api_key="k", max_retries=0) as claude,
            Client(chat_server(Settings(source="synthetic"))) as mcp_session,
        ):
            code = await run_repl(
                mcp_session, model="m", anthropic_client=claude, max_iterations=3,
                stdin_readline=lambda: next(lines), out=out, err=err,
            )  # fmt: skip
    assert code == 0
    assert out.getvalue() == "Two PostgreSQL databases end soon.\nNone.\nFresh answer.\n"
    log = err.getvalue()
    assert "team_database_overview team=..." in log and "[environment=...]" in log
    assert "(running prompt version_compliance_report)" in log and "(new conversation)" in log
    assert "unknown command /nonsense" in log
    first, second, third = (r["messages"] for r in fake.requests)
    assert "months_ahead=3" in first[0]["content"] and 'engine="postgres"' in first[0]["content"]
    assert len(second) == 3 and second[2]["content"] == "And the MySQL ones?"
    assert [m["content"] for m in third] == ["Fresh question"]


def test_parse_prompt_command_and_event_lines():
    assert parse_prompt_command('/prompt team_database_overview team="data eng"') == (
        "team_database_overview",
        {"team": "data eng"},
    )
    assert parse_prompt_command("/prompts") == (None, {})
    line = format_event(
        {"type": "tool_end", "name": "run_query", "arguments": {"sql": "select 1", "password": "pw-123"},
         "duration_ms": 12.34, "is_error": True, "error": "refused: not a SELECT\nmore"}
    )  # fmt: skip
    assert line == '  [tool] run_query(sql="select 1", password="***")  12 ms  ERROR: refused: not a SELECT'
    assert format_event({"type": "text", "text": "x"}) is None


def test_stdio_parameters_pass_the_whole_environment(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "prod-readonly")
    monkeypatch.setenv("AWSINV_SEED", "7")
    params = session.stdio_parameters(Settings(source="synthetic", scale=10))
    assert params.args == ["-m", "awsinv_mcp", "serve"]
    assert params.env["AWS_PROFILE"] == "prod-readonly" and params.env["AWSINV_SEED"] == "7"
    assert params.env["AWSINV_SOURCE"] == "synthetic" and params.env["AWSINV_SCALE"] == "10"


@pytest.mark.slow
def test_once_subprocess_spawns_the_server_over_stdio(tmp_path):
    """`python -m awsinv_mcp chat --once --json`: the real CLI, the server spawned over stdio, the fake API."""
    import os
    import subprocess
    import sys

    audit = tmp_path / "audit.jsonl"
    script = [tool_use("get_inventory_summary", {}), text("Summarised.")]
    with FakeMessagesAPI(script) as fake:
        env = {
            **os.environ,
            "ANTHROPIC_API_KEY": "sk-ant-test-subprocess",
            "ANTHROPIC_BASE_URL": fake.base_url,
            "AWSINV_AUDIT_LOG": str(audit),  # reaches the server only if the whole environment is passed on
            "PYTHONWARNINGS": "ignore",
        }
        proc = subprocess.run(
            [sys.executable, "-m", "awsinv_mcp", "chat", "--source", "synthetic", "--once", "Summary?", "--json"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(proc.stdout)
    assert data["answer"] == "Summarised." and [c["name"] for c in data["tool_calls"]] == ["get_inventory_summary"]
    assert "[tool] get_inventory_summary()" in proc.stderr
    result = fake.requests[1]["messages"][-1]["content"][0]
    assert result["type"] == "tool_result" and result["tool_use_id"].startswith("toolu_")
    if not result.get("is_error"):
        assert json.loads(result["content"])["source"] == "synthetic"
    sides = [(line["side"], line["tool"]) for line in map(json.loads, audit.read_text().splitlines())]
    assert sorted(sides) == [("chat", "get_inventory_summary"), ("server", "get_inventory_summary")]


async def test_url_session_sends_the_bearer_token():
    """`--url` + token: the chat's session reaches the streamable HTTP server; a wrong token is refused."""
    from awsinv_mcp.server.app import build_server
    from awsinv_mcp.server.http import build_http_app
    from awsinv_mcp.server.prompts import PROMPTS
    from tests.fake_anthropic import ThreadedServer

    settings = Settings(source="synthetic", remote_token="remote-token-123")
    http = ThreadedServer(build_http_app(build_server(settings), host="127.0.0.1", port=0, token="remote-token-123"),
                          lifespan="on")  # fmt: skip
    url = http.start() + "/mcp"
    try:
        async with session.open_session(settings, url=url) as client:  # token from AWSINV_REMOTE_TOKEN
            prompts = (await client.list_prompts()).prompts
        assert {p.name for p in prompts} == {fn.__name__ for fn, _ in PROMPTS}  # every prompt, through the token
        with pytest.raises(ChatError, match="HTTP 401: the token was refused"):
            async with session.open_session(settings, url=url, token="wrong-token") as client:
                await client.list_prompts()
        with pytest.raises(ChatError, match="requires a bearer token"):
            async with session.open_session(Settings(source="synthetic"), url=url) as client:
                await client.list_prompts()
    finally:
        http.stop()


async def test_bad_prompt_commands_are_explained_and_the_repl_goes_on() -> None:
    from anthropic import AsyncAnthropic

    lines = iter(
        [
            "/prompt nosuch\n",
            "/prompt inspect_database\n",
            '/prompt team_database_overview team="unclosed\n',
            "still here?\n",
            "/exit\n",
        ]
    )
    out, err = io.StringIO(), io.StringIO()
    with FakeMessagesAPI([text("Yes.")]) as fake:
        async with (
            AsyncAnthropic(base_url=fake.base_url, api_key="k", max_retries=0) as claude,
            Client(chat_server(Settings(source="synthetic"))) as mcp_session,
        ):
            code = await run_repl(
                mcp_session, model="m", anthropic_client=claude, max_iterations=2,
                stdin_readline=lambda: next(lines), out=out, err=err,
            )  # fmt: skip
    log = err.getvalue()
    assert code == 0 and out.getvalue() == "Yes.\n"
    assert "cannot run prompt 'nosuch': no such prompt; known:" in log and "inspect_database" in log
    assert "cannot run prompt 'inspect_database': missing argument(s) database=..." in log
    assert "No closing quotation" in log
    assert "Internal server error" not in log and len(fake.requests) == 1
