"""Behind a reverse proxy: honour `X-Forwarded-Host`, `-Proto` and `-For` from trusted proxy addresses only.

`ForwardedHeaders` wraps an ASGI app. For a request whose peer address is in `AWSINV_TRUSTED_PROXIES`,
it replaces the `Host` header, the scheme and the client address by the forwarded ones before the
app's Host/Origin (DNS-rebinding) checks run, so a page opened through the proxy passes them as
same-origin. From any other peer the forwarded headers are ignored: a client cannot claim a host.
Where a proxy appends to a header (a chain of proxies), the value the nearest proxy set (the last) is
used; the client address is the rightmost `X-Forwarded-For` entry that is not itself a trusted proxy.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

_HOST = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-_]+)(:\d{1,5})?$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(trusted: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(item, strict=False) for item in trusted]


def _in(address: str, nets: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in nets)


def _last(value: str) -> str:
    return value.split(",")[-1].strip()


class ForwardedHeaders:
    """ASGI middleware applying a trusted proxy's `X-Forwarded-*` headers to the request scope."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str]) -> None:
        self.app = app
        self.trusted = networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client and _in(client[0], self.trusted):
            scope = self.forwarded(scope)
        await self.app(scope, receive, send)

    def forwarded(self, scope: Scope) -> Scope:
        headers: list[tuple[bytes, bytes]] = list(scope.get("headers") or [])
        values = {k.decode("latin-1"): v.decode("latin-1") for k, v in headers if k.startswith(b"x-forwarded-")}
        scope = dict(scope)
        host = _last(values.get("x-forwarded-host", ""))
        if host and _HOST.match(host):
            headers = [(k, v) for k, v in headers if k != b"host"] + [(b"host", host.encode("latin-1"))]
            scope["headers"] = headers
        proto = _last(values.get("x-forwarded-proto", "")).lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto if scope["type"] == "http" else proto.replace("http", "ws")
        hops = [h.strip() for h in values.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if not _in(hop, self.trusted):
                scope["client"] = (hop.strip("[]"), 0)
                break
        return scope
