"""The streamable HTTP app: `/mcp` (Host/Origin checks, optional bearer token) and an open `/healthz`."""

from __future__ import annotations

import hmac
import ipaddress
import json

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from awsinv_mcp import __version__

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BearerTokenMiddleware:
    """Requires `Authorization: Bearer <token>` on every path except the open ones (constant-time compare)."""

    def __init__(self, app: ASGIApp, token: str, open_paths: tuple[str, ...] = ("/healthz",)) -> None:
        self.app = app
        self._token = token.encode()
        self._open = open_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._open:
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"authorization", b"")
        scheme, _, supplied = header.partition(b" ")
        if scheme.lower() == b"bearer" and hmac.compare_digest(supplied.strip(), self._token):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": "missing or wrong bearer token (set Authorization: Bearer <AWSINV_AUTH_TOKEN>)"})
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="awsinv-mcp"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body.encode()})


def security_settings(host: str, port: int) -> TransportSecuritySettings:
    """Host/Origin allow-lists: loopback names on loopback binds; the bind host itself otherwise."""
    hosts = ["127.0.0.1", "localhost", "[::1]"] if is_loopback(host) else [host]
    allowed_hosts = [*hosts, *(f"{h}:*" for h in hosts)]
    allowed_origins = [f"http://{h}:*" for h in hosts] + [f"https://{h}:*" for h in hosts]
    allowed_origins += [f"http://{h}" for h in hosts]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=is_loopback(host), allowed_hosts=allowed_hosts, allowed_origins=allowed_origins
    )


def build_http_app(mcp: MCPServer, *, host: str, port: int, token: str | None, path: str = "/mcp") -> ASGIApp:
    """The ASGI app served by `awsinv-mcp serve --transport http`."""

    @mcp.custom_route("/healthz", methods=["GET"])
    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    app = mcp.streamable_http_app(
        streamable_http_path=path, host=host, transport_security=security_settings(host, port)
    )
    return BearerTokenMiddleware(app, token) if token else app
