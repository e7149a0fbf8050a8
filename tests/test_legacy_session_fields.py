"""2026-07-28-only fields never reach a 2025-era session (issue 17 item 6): not from the start-up list cache of a
second start, not from a refusal the argument middleware answers itself. Raw JSON-RPC over streamable HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx2

from tests.http_server import INIT, MCP_HEADERS, start_http, stop

MODERN_ONLY = ("ttlMs", "cacheScope", "resultType")


def _answers(base: str) -> dict[str, str]:
    with httpx2.Client(timeout=30) as http:
        init = http.post(f"{base}/mcp", json=INIT, headers=MCP_HEADERS)
        headers = {**MCP_HEADERS, "mcp-protocol-version": "2025-11-25"}
        if init.headers.get("mcp-session-id"):
            headers["mcp-session-id"] = init.headers["mcp-session-id"]
        http.post(f"{base}/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
        calls = {
            "tools/list": {},
            "resources/list": {},
            "resources/templates/list": {},
            "tools/call": {"name": "list_db_instances", "arguments": {"colour": "red"}},
        }
        out = {}
        for n, (method, params) in enumerate(calls.items(), 2):
            body = {"jsonrpc": "2.0", "id": n, "method": method, "params": params}
            out[method] = http.post(f"{base}/mcp", json=body, headers=headers).text
        return out


def test_no_modern_fields_in_a_2025_session_on_first_and_second_start(tmp_path: Path) -> None:
    for start in ("first", "second"):  # the second start answers the lists from the first one's cache
        proc, base = start_http(AWSINV_CACHE_DIR=str(tmp_path))
        try:
            answers = _answers(base)
        finally:
            stop(proc)
        assert "'colour'" in answers["tools/call"] and '"isError":true' in answers["tools/call"]
        for method, text in answers.items():
            leaked = [field for field in MODERN_ONLY if f'"{field}"' in text]
            assert not leaked, f"{start} start, {method}: {leaked}"
    assert any(tmp_path.iterdir()), "the first start wrote no list cache: the second start tested nothing"
