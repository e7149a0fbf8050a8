"""Review findings on the chat REPL: bad /prompt commands get a clear local message and never end the REPL."""

from __future__ import annotations

import io

import pytest
from mcp import Client

from awsinv_mcp.clients.chat.repl import run_repl
from awsinv_mcp.config import Settings
from tests.fake_anthropic import FakeMessagesAPI, text
from tests.test_chat_loop import chat_server

pytestmark = pytest.mark.anyio


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
