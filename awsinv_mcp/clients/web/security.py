"""ASGI middleware: security headers, Host/Origin/Sec-Fetch-Site checks and the optional access token.

With a token configured, every path but `/healthz` needs it: an `Authorization: Bearer` header, or
`?token=` once, which sets an HttpOnly SameSite=Strict cookie (holding a digest, not the token) and,
for the page, redirects to the same URL without the token. With OAuth (`AWSINV_AUTH_ISSUER`) a bearer
JWT is checked by the server's verifier (`awsinv_mcp/server/auth.py`): 401 when invalid, 403 when it
lacks a required scope.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode, urlsplit

from mcp.server.auth.provider import TokenVerifier
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "awsinv_session"
OPEN_PATHS = frozenset({"/healthz"})
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def session_value(token: str) -> str:
    """What the cookie holds: a digest of the token (the browser never stores the token itself)."""
    return hmac.new(token.encode(), b"awsinv-web-session", hashlib.sha256).hexdigest()


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_api(path: str) -> bool:
    return path.startswith("/api/") or path == "/infrastructure-ai"


def _cross_origin(headers: dict[str, str], host: str, method: str, path: str) -> bool:
    """A request a browser marks as made by another site or origin (another port of 127.0.0.1 included).

    Writes need a matching `Origin` when one is sent. API reads and writes (the page's tool calls are POSTs)
    also refuse `Sec-Fetch-Site` other than `same-origin` or `none` (typed address, bookmark), since a call
    can cost money (a Cost Explorer call).
    Clients that send neither header (curl, scripts, the MCP tools) are not browsers and pass.
    """
    origin = headers.get("origin")
    foreign_origin = origin is not None and urlsplit(origin).netloc.lower() != host.lower()
    site = headers.get("sec-fetch-site")
    if method not in ("GET", "HEAD"):  # tool calls are POSTs too: the browser's own marking counts as well
        return foreign_origin or (_is_api(path) and site is not None and site not in ("same-origin", "none"))
    return _is_api(path) and (foreign_origin or (site is not None and site not in ("same-origin", "none")))


class SecurityMiddleware:
    """Adds security headers; rejects foreign Host/Origin; enforces the token when one is set."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        allowed_hosts: Iterable[str] = LOOPBACK_HOSTS,
        verifier: TokenVerifier | None = None,
        required_scopes: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.token = token
        self.cookie = session_value(token) if token else None
        self.allowed_hosts = {h.lower().strip("[]") for h in allowed_hosts}
        self.verifier = verifier
        self.required_scopes = list(required_scopes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        path: str = scope["path"]
        host = headers.get("host", "")
        if "*" not in self.allowed_hosts and _host_name(host) not in self.allowed_hosts:
            await self._reject(scope, send, 421, "unexpected Host header; open the page by the address it printed")
            return
        if _cross_origin(headers, host, scope["method"], path):
            await self._reject(scope, send, 403, "cross-origin request refused: the API answers only this page")
            return
        set_cookie: str | None = None
        if (self.token or self.verifier) and path not in OPEN_PATHS:
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            supplied = dict(query).get("token")
            if self.token and supplied is not None and hmac.compare_digest(supplied.encode(), self.token.encode()):
                set_cookie = self._cookie_header(scope)
                if not _is_api(path) and scope["method"] == "GET":
                    rest = urlencode([(k, v) for k, v in query if k != "token"])
                    await self._redirect(send, path + (f"?{rest}" if rest else ""), set_cookie)
                    return
            elif (status := await self._denied(headers)) is not None:
                await self._reject(scope, send, status, self._denial(status))
                return
        await self.app(scope, receive, self._wrap_send(send, path, set_cookie))

    async def _denied(self, headers: dict[str, str]) -> int | None:
        """None when the request may pass; else 401 (no valid credential) or 403 (a scope is missing)."""
        scheme, _, value = headers.get("authorization", "").partition(" ")
        bearer = value.strip() if scheme.lower() == "bearer" else None
        if self.token and bearer is not None and hmac.compare_digest(bearer.encode(), self.token.encode()):
            return None
        if self.token and self._cookie_ok(headers):
            return None
        if self.verifier is None or not bearer:
            return 401
        access = await self.verifier.verify_token(bearer)
        if access is None:
            return 401
        return 403 if set(self.required_scopes) - set(access.scopes) else None

    def _denial(self, status: int) -> str:
        if status == 403:
            return f"the access token lacks a required scope ({' '.join(self.required_scopes)})"
        if self.token:
            return "this page needs the access token: open it with ?token=<token>"
        return "send Authorization: Bearer <an access token of the configured issuer>"

    def _cookie_ok(self, headers: dict[str, str]) -> bool:
        assert self.cookie is not None
        jar = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:
            return False
        morsel = jar.get(COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.cookie.encode())

    def _cookie_header(self, scope: Scope) -> str:
        secure = "; Secure" if scope.get("scheme") == "https" else ""
        return f"{COOKIE}={self.cookie}; Path=/; HttpOnly; SameSite=Strict{secure}"

    def _wrap_send(self, send: Send, path: str, set_cookie: str | None) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + SECURITY_HEADERS
                if _is_api(path):
                    headers.append((b"cache-control", b"no-store"))
                if set_cookie:
                    headers.append((b"set-cookie", set_cookie.encode()))
                message = {**message, "headers": headers}
            await send(message)

        return wrapped

    async def _redirect(self, send: Send, location: str, set_cookie: str) -> None:
        headers = [(b"location", location.encode()), (b"set-cookie", set_cookie.encode()), *SECURITY_HEADERS]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    async def _reject(self, scope: Scope, send: Send, status: int, message: str) -> None:
        if _is_api(scope["path"]):
            body, ctype = json.dumps({"error": message}).encode(), b"application/json"
        else:
            body, ctype = f"{status}: {message}\n".encode(), b"text/plain; charset=utf-8"
        headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]
        if status == 401:
            headers.append((b"www-authenticate", b'Bearer realm="awsinv-mcp"'))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
