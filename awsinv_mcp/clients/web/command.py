"""`awsinv-mcp web`: serve the page with uvicorn (the CLI calls `configure` and `run`)."""

from __future__ import annotations

import argparse
import sys
import threading
import time
import webbrowser
from typing import Any
from urllib.parse import urlsplit

from awsinv_mcp.config import Settings
from awsinv_mcp.server.http import is_loopback

STARTUP_DEADLINE_S = 60.0


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `web` subcommand's flags."""
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    parser.add_argument(
        "--url", default=None, help="use a running awsinv-mcp HTTP server (e.g. http://127.0.0.1:5001/mcp)"
    )
    parser.add_argument("--token", default=None, help="bearer token for --url (default: env AWSINV_REMOTE_TOKEN)")
    parser.add_argument("--open", action="store_true", help="open the page in a browser once it is up")


def allowed_hosts(host: str, public_url: str | None = None) -> list[str]:
    """Host header names the app accepts when bound to `host` (plus the host of `AWSINV_PUBLIC_URL`)."""
    public = [urlsplit(public_url).hostname or ""] if public_url else []
    if is_loopback(host):
        return ["127.0.0.1", "localhost", "::1", *public]
    if host in ("0.0.0.0", "::"):
        return ["*"]
    return [host, "127.0.0.1", "localhost", "::1", *public]


def _announce(server: Any, host: str, token: str | None, open_browser: bool) -> None:
    """Wait for uvicorn to listen, then print the address (and open a browser)."""
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while not server.started:
        if server.should_exit or time.monotonic() > deadline:
            return
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    print(f"awsinv-mcp web: {url}", flush=True)
    if token:
        print("  the page needs AWSINV_AUTH_TOKEN: open it once as <url>?token=<token>", flush=True)
    if open_browser:
        webbrowser.open(url + (f"?token={token}" if token else ""))


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the page until interrupted; non-zero when it cannot start."""
    import uvicorn

    from awsinv_mcp.clients.web.app import create_app
    from awsinv_mcp.server.auth import oauth_from_settings, resource_url
    from awsinv_mcp.server.serving import uvicorn_config

    token = settings.auth_token.get_secret_value() if settings.auth_token else None
    if not is_loopback(args.host) and not (token or settings.auth_issuer):
        print(
            f"awsinv-mcp web: refusing to listen on {args.host} without authentication; set AWSINV_AUTH_TOKEN "
            "or AWSINV_AUTH_ISSUER, or keep the default --host 127.0.0.1",
            file=sys.stderr,
        )
        return 2
    try:
        oauth = oauth_from_settings(settings, resource_url(settings, args.host, args.port))
    except ValueError as exc:
        print(f"awsinv-mcp web: {exc}", file=sys.stderr)
        return 2
    app = create_app(
        settings,
        url=args.url,
        token=args.token,
        allowed_hosts=allowed_hosts(args.host, settings.public_url),
        oauth=oauth,
        trusted_proxies=settings.trusted_proxies,
    )
    config = uvicorn_config(
        app,
        host=args.host,
        port=args.port,
        log_level=settings.log_level,
        header_timeout=settings.http_header_timeout,
        proxy_headers=False,  # X-Forwarded-* count only from AWSINV_TRUSTED_PROXIES (ForwardedHeaders)
    )
    server = uvicorn.Server(config)
    threading.Thread(target=_announce, args=(server, args.host, token, args.open), daemon=True).start()
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits when it cannot bind or start
        return int(exc.code or 1)
    except KeyboardInterrupt:
        pass
    return 0 if server.started else 1
