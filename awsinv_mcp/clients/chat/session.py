"""Opening the chat's MCP session: spawn `awsinv-mcp serve` over stdio, or connect to an HTTP server."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from mcp import Client, StdioServerParameters
from pydantic import SecretStr

from awsinv_mcp.clients.chat.loop import ChatError
from awsinv_mcp.config import Settings


def settings_env(settings: Settings) -> dict[str, str]:
    """`AWSINV_*` variables for the settings that were set explicitly (CLI flags), so the child sees them."""
    env: dict[str, str] = {}
    for name in sorted(settings.model_fields_set):
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        env[f"AWSINV_{name.upper()}"] = json.dumps(value) if isinstance(value, list | dict) else str(value)
    return env


def stdio_parameters(settings: Settings) -> StdioServerParameters:
    """`python -m awsinv_mcp serve` with the whole environment (AWS_*, AWSINV_*, ...) passed on."""
    env = {**os.environ, **settings_env(settings)}
    env.setdefault("PYTHONWARNINGS", "ignore")
    return StdioServerParameters(command=sys.executable, args=["-m", "awsinv_mcp", "serve"], env=env)


def resolve_token(token: str | None, settings: Settings) -> str | None:
    """The bearer token for a remote server: `--token`, else AWSINV_REMOTE_TOKEN."""
    if token:
        return token
    return settings.remote_token.get_secret_value() if settings.remote_token else None


@asynccontextmanager
async def open_session(
    settings: Settings, *, url: str | None = None, token: str | None = None
) -> AsyncIterator[Client]:
    """An open `mcp.Client`: to `url` (streamable HTTP, bearer token) when given, else a spawned server.

    Raises `ChatError` with the reason when the HTTP server cannot be reached or refuses the token.
    """
    if not url:
        async with Client(stdio_parameters(settings)) as client:
            yield client
        return
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    bearer = resolve_token(token, settings)
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    timeout = httpx2.Timeout(60.0, read=300.0)
    async with httpx2.AsyncClient(headers=headers, timeout=timeout) as http, AsyncExitStack() as stack:
        try:
            client = await stack.enter_async_context(Client(streamable_http_client(url, http_client=http)))
        except Exception as exc:
            raise ChatError(await _connect_failure(http, url, bearer is not None, exc)) from None
        yield client


async def _connect_failure(http: Any, url: str, sent_token: bool, exc: BaseException) -> str:
    """Why connecting to `url` failed, in one sentence (probes the endpoint for its HTTP status)."""
    try:
        status = (await http.post(url, json={}, headers={"Accept": "application/json, text/event-stream"})).status_code
    except Exception as probe:
        return f"cannot reach the MCP server at {url}: {probe}"
    if status in (401, 403):
        fix = (
            "the token was refused: check --token / AWSINV_REMOTE_TOKEN"
            if sent_token
            else ("it requires a bearer token: pass --token or set AWSINV_REMOTE_TOKEN")
        )
        return f"the MCP server at {url} answered HTTP {status}: {fix}"
    if status == 404:
        return f"no MCP endpoint at {url} (HTTP 404): the path is usually /mcp"
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"cannot open an MCP session at {url} (HTTP {status}): {exc}"
