"""The streamable HTTP app: `/mcp` (Host/Origin checks, a static bearer token or OAuth) and an open `/healthz`.

Around the SDK's app: `ProtocolEdge` (short JSON-RPC errors for batches, malformed bodies and unknown protocol
versions) and `SessionGuard` (session limits one client cannot exhaust). Behind a reverse proxy,
`AWSINV_TRUSTED_PROXIES` lets the proxy's forwarded host and scheme through to the Host/Origin checks
(`awsinv_mcp/server/forwarded.py`) and `AWSINV_PUBLIC_URL` names the public origin.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from collections.abc import Sequence
from urllib.parse import urlsplit

from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from awsinv_mcp import __version__
from awsinv_mcp.config import Settings
from awsinv_mcp.server.forwarded import ForwardedHeaders
from awsinv_mcp.server.http_edge import ProtocolEdge
from awsinv_mcp.server.sessions import SessionGuard

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """A loopback name or address (`localhost`, `127.0.0.0/8`, `::1`, also bracketed `[::1]`)."""
    host = host.strip().lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
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


def security_settings(host: str, port: int, public_url: str | None = None) -> TransportSecuritySettings:
    """Host/Origin allow-lists: loopback names on loopback binds; the bind host itself otherwise; plus
    the host and origin of `public_url` (the address a reverse proxy serves)."""
    hosts = ["127.0.0.1", "localhost", "[::1]"] if is_loopback(host) else [host]
    allowed_hosts = [*hosts, *(f"{h}:*" for h in hosts)]
    allowed_origins = [f"http://{h}:*" for h in hosts] + [f"https://{h}:*" for h in hosts]
    allowed_origins += [f"http://{h}" for h in hosts]
    if public_url:
        allowed_hosts.append(urlsplit(public_url).netloc)
        allowed_origins.append(public_url)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=is_loopback(host), allowed_hosts=allowed_hosts, allowed_origins=allowed_origins
    )


def build_http_app(
    mcp: MCPServer,
    *,
    host: str,
    port: int,
    token: str | None,
    path: str = "/mcp",
    trusted_proxies: Sequence[str] = (),
    public_url: str | None = None,
    settings: Settings | None = None,
) -> ASGIApp:
    """The ASGI app served by `awsinv-mcp serve --transport http` (`token`: the static bearer token, when
    `mcp` has no OAuth of its own; session limits from `settings`)."""
    limits = settings or Settings()

    @mcp.custom_route("/healthz", methods=["GET"])
    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    security = security_settings(host, port, public_url)
    app = mcp.streamable_http_app(
        streamable_http_path=path,
        host=host,
        transport_security=security,
        # backstops only: SessionGuard ends sessions first (the cap leaves room for sessions being ended)
        max_sessions=limits.max_sessions + 16,
        session_idle_timeout=2 * limits.session_idle_timeout,
        # no session ids: every request stands alone, so a plain round-robin balancer may send each to any replica
        stateless_http=limits.http_stateless,
    )
    guarded = SessionGuard(app, max_sessions=limits.max_sessions, idle_timeout=limits.session_idle_timeout, path=path)
    edged: ASGIApp = ProtocolEdge(guarded, path=path, security=security)
    edged = BearerTokenMiddleware(edged, token) if token else edged
    return ForwardedHeaders(edged, trusted_proxies) if trusted_proxies else edged


def http_app_from_settings(settings: Settings, *, host: str, port: int, path: str = "/mcp") -> ASGIApp:
    """The whole `/mcp` app for `settings`: OAuth when `AWSINV_AUTH_ISSUER` is set (the static token is then
    accepted by the same verifier), else the static token when set."""
    from awsinv_mcp.server.app import build_server
    from awsinv_mcp.server.auth import oauth_from_settings, resource_url

    oauth = oauth_from_settings(settings, resource_url(settings, host, port, path))
    token = settings.auth_token.get_secret_value() if settings.auth_token else None
    return build_http_app(
        build_server(settings, lazy=True, **(oauth.server_kwargs() if oauth else {})),
        host=host,
        port=port,
        token=None if oauth else token,
        path=path,
        trusted_proxies=settings.trusted_proxies,
        public_url=settings.public_url,
        settings=settings,
    )
