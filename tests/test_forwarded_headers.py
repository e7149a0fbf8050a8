"""`ForwardedHeaders`: X-Forwarded-Host/-Proto/-For applied from trusted proxy addresses only."""

from __future__ import annotations

from typing import Any

import anyio

from awsinv_mcp.server.forwarded import ForwardedHeaders


def seen(client: str, headers: dict[str, str], trusted: list[str]) -> dict[str, Any]:
    """The scope the wrapped app receives for one request from `client`."""
    captured: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        captured.update(scope)

    scope = {
        "type": "http",
        "scheme": "http",
        "client": (client, 5555),
        "headers": [(b"host", b"127.0.0.1:5001")] + [(k.encode(), v.encode()) for k, v in headers.items()],
    }
    anyio.run(ForwardedHeaders(app, trusted), scope, None, None)
    return {
        "host": dict(captured["headers"])[b"host"].decode(),
        "scheme": captured["scheme"],
        "client": captured["client"][0],
    }


FORWARDED = {
    "x-forwarded-host": "awsinv.example.com",
    "x-forwarded-proto": "https",
    "x-forwarded-for": "203.0.113.9, 10.0.0.7",
}


def test_trusted_proxy_headers_apply() -> None:
    assert seen("10.0.0.2", FORWARDED, ["10.0.0.0/24"]) == {
        "host": "awsinv.example.com",
        "scheme": "https",
        "client": "203.0.113.9",  # the rightmost address that is not itself a trusted proxy
    }


def test_untrusted_peer_headers_are_ignored() -> None:
    assert seen("192.0.2.50", FORWARDED, ["10.0.0.0/24"]) == {
        "host": "127.0.0.1:5001",
        "scheme": "http",
        "client": "192.0.2.50",
    }


def test_malformed_forwarded_values_are_ignored() -> None:
    bad = {"x-forwarded-host": "evil.example/path@x", "x-forwarded-proto": "javascript"}
    assert seen("10.0.0.2", bad, ["10.0.0.2"])["host"] == "127.0.0.1:5001"
    assert seen("10.0.0.2", bad, ["10.0.0.2"])["scheme"] == "http"
