"""`awsinv-mcp` command line: serve (stdio | http), chat, web, rules-doc.

Every setting can come from the environment (`AWSINV_*`) or a flag; a flag wins.
Nothing but protocol goes to stdout in stdio mode: logs always go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any

from awsinv_mcp import __version__

SETTING_FLAGS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("--source", "source", {"choices": ["auto", "aws", "synthetic"], "help": "inventory source (AWSINV_SOURCE)"}),
    ("--regions", "regions", {"help": "comma list of regions (AWSINV_REGIONS)"}),
    ("--seed", "seed", {"type": int, "help": "synthetic estate seed (AWSINV_SEED, default 42)"}),
    ("--scale", "scale", {"type": int, "help": "synthetic estate size in DB instances (AWSINV_SCALE, default 150)"}),
    ("--cache-ttl", "cache_ttl", {"type": int, "help": "seconds a snapshot stays fresh (AWSINV_CACHE_TTL)"}),
    ("--store", "store", {"help": "history store: sqlite:///path or postgresql://... (AWSINV_STORE)"}),
    ("--log-level", "log_level", {"choices": ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
                                  "help": "log level on stderr (AWSINV_LOG_LEVEL)"}),
    ("--max-concurrency", "max_concurrency", {"type": int, "help": "AWS calls in flight (default 64)"}),
    ("--collect-deadline", "collect_deadline", {"type": float,
                                                "help": "seconds a collection may take (default 120)"}),
    ("--profiles", "profiles", {"help": "comma list of AWS profiles to collect (AWSINV_PROFILES)"}),
    ("--role-arns", "role_arns", {"help": "comma list of role ARNs to assume (AWSINV_ROLE_ARNS)"}),
    ("--org-role", "org_role", {"help": "role name assumed in every Organizations member account"}),
    ("--config", "config_file", {"help": "TOML file with [databases.NAME] tables (AWSINV_CONFIG_FILE)"}),
    ("--databases", "databases", {"help": "JSON object of named database URLs (AWSINV_DATABASES)"}),
    ("--toolsets", "toolsets", {"help": "comma list of tool groups to offer: inventory, analysis, cost, "
                                "databases, history (AWSINV_TOOLSETS, default all)"}),
    ("--audit-log", "audit_log", {"help": "JSON-lines audit file of tool calls (AWSINV_AUDIT_LOG)"}),
)  # fmt: skip


SERVE_ONLY_SETTINGS = ("http_stateless",)
"""Settings with a flag on `serve` alone (`--stateless`)."""

# third-party modules of optional extras -> how to install them
OPTIONAL_MODULES = {"anthropic": "the chat extra: pip install 'awsinv-mcp[chat]'"}


def _add_setting_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("settings (each also an AWSINV_* environment variable)")
    for flag, dest, kwargs in SETTING_FLAGS:
        group.add_argument(flag, dest=dest, default=None, **kwargs)


def settings_from_args(args: argparse.Namespace) -> Any:
    """Settings from the environment, overridden by the flags that were given."""
    from awsinv_mcp.config import Settings

    dests = [dest for _, dest, _ in SETTING_FLAGS] + list(SERVE_ONLY_SETTINGS)
    overrides = {dest: getattr(args, dest) for dest in dests if getattr(args, dest, None) is not None}
    return Settings(**overrides)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        stream=sys.stderr, level=getattr(logging, level), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("botocore", "boto3", "urllib3", "httpx", "httpx2", "mcp", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, getattr(logging, level)))


def _serve(args: argparse.Namespace, settings: Any) -> int:
    from awsinv_mcp.server.app import build_server

    if args.transport == "stdio":
        import anyio

        from awsinv_mcp.server.stdio import serve_stdio

        anyio.run(serve_stdio, build_server(settings, lazy=True))
        return 0
    from awsinv_mcp.server.http import http_app_from_settings, is_loopback

    token = settings.auth_token.get_secret_value() if settings.auth_token else None
    if not is_loopback(args.host) and not (token or settings.auth_issuer):
        print(
            f"awsinv-mcp: refusing to serve on non-loopback host {args.host} without authentication; "
            "set AWSINV_AUTH_TOKEN or AWSINV_AUTH_ISSUER (or bind 127.0.0.1)",
            file=sys.stderr,
        )
        return 2
    import uvicorn

    from awsinv_mcp.server.serving import uvicorn_config

    try:
        app = http_app_from_settings(settings, host=args.host, port=args.port)
    except ValueError as exc:  # AuthConfigError: one line naming the setting
        print(f"awsinv-mcp: {exc}", file=sys.stderr)
        return 2
    url = f"http://{args.host}:{args.port}/mcp"
    print(f"awsinv-mcp {__version__} serving MCP over streamable HTTP at {url}", file=sys.stderr)
    print(f"  source: {settings.source}; health: http://{args.host}:{args.port}/healthz", file=sys.stderr)
    print(
        f"  connect: npx @modelcontextprotocol/inspector@0.15.0 --cli {url} --transport http --method tools/list",
        file=sys.stderr,
    )
    if settings.auth_issuer:
        print(f"  OAuth: bearer JWTs of {settings.auth_issuer} (metadata under /.well-known/)", file=sys.stderr)
    elif token:
        print("  clients must send 'Authorization: Bearer $AWSINV_AUTH_TOKEN'", file=sys.stderr)
    config = uvicorn_config(
        app,
        host=args.host,
        port=args.port,
        log_level=settings.log_level,
        header_timeout=settings.http_header_timeout,
        proxy_headers=False,  # X-Forwarded-* count only from AWSINV_TRUSTED_PROXIES (server/forwarded.py)
    )
    uvicorn.Server(config).run()
    return 0


def _rules_doc(args: argparse.Namespace, settings: Any) -> int:
    from awsinv_mcp.analysis.docs import render_rules_markdown

    text = render_rules_markdown()
    if args.output == "-":
        sys.stdout.write(text)
    else:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _history_store(settings: Any) -> Any:
    from awsinv_mcp.inventory.history.sql import HistoryStore

    if not settings.store:
        raise SystemExit("awsinv-mcp: set AWSINV_STORE or --store (sqlite:///path/history.db or postgresql://...)")
    return HistoryStore(settings.store)


def _collect(args: argparse.Namespace, settings: Any) -> int:
    """Collect into the history store once, or every `--every` (for cron or a long-running job). Collections are
    single-flight across every process of the store: a collector that waited for another answers with its
    snapshot. Exit 1 when a collection could not be stored, 2 for a bad setting."""
    import threading
    import time

    from awsinv_mcp.errors import UserError
    from awsinv_mcp.inventory.history.timespec import duration
    from awsinv_mcp.server.context import AppContext

    try:
        every = duration(args.every).total_seconds() if args.every else None
        if every is not None and every < 1:
            raise UserError("--every must be at least 1s (e.g. 15m, 1h)")
        _history_store(settings).close()
    except UserError as exc:
        print(f"awsinv-mcp: {exc}", file=sys.stderr)
        return 2
    ctx = AppContext(settings)
    stop = threading.Event()
    try:
        while True:
            started = time.monotonic()
            code = _collect_once(ctx)
            if every is None:
                return code
            if stop.wait(max(0.0, every - (time.monotonic() - started))):
                return 0
    finally:
        ctx.close()


def _collect_once(ctx: Any) -> int:
    from awsinv_mcp.inventory.kinds import KINDS

    bar = _progress_bar() if sys.stderr.isatty() else None
    try:
        snap = ctx.inventory.refresh(bar).snapshot
    except Exception as exc:  # one line, no traceback (the log has the details)
        print(f"awsinv-mcp: nothing collected: {type(exc).__name__}: {str(exc)[:200]}", file=sys.stderr)
        return 1
    if bar is not None:
        print(file=sys.stderr)
    if any(w.scope == "history store" for w in snap.warnings):
        print(f"awsinv-mcp: collection not stored: {snap.warnings[-1].message}", file=sys.stderr)
        return 1
    records = sum(len(k.records(snap)) for k in KINDS)
    print(f"stored snapshot {snap.id}: {records} records, {len(snap.warnings)} warnings", file=sys.stderr)
    return 0


def _progress_bar() -> Any:
    def progress(done: int, total: int, message: str) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {message[:60]:<60}", end="", file=sys.stderr)

    return progress


def _store_upgrade(args: argparse.Namespace, settings: Any) -> int:
    from awsinv_mcp.errors import UserError
    from awsinv_mcp.inventory.history.schema import SCHEMA_VERSION

    try:
        _history_store(settings).close()
    except UserError as exc:
        print(f"awsinv-mcp: {exc}", file=sys.stderr)
        return 2
    print(f"history store at schema version {SCHEMA_VERSION}", file=sys.stderr)
    return 0


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The parser; only the chosen client subcommand's module is imported (start-up stays fast)."""
    parser = argparse.ArgumentParser(prog="awsinv-mcp", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"awsinv-mcp {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the MCP server (stdio by default)")
    serve.add_argument("--transport", choices=["stdio", "http"], default="stdio")
    serve.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=5001, help="HTTP port (default 5001)")
    serve.add_argument("--stateless", dest="http_stateless", action="store_true", default=None,
                       help="HTTP without sessions, for a round-robin balancer (AWSINV_HTTP_STATELESS)")  # fmt: skip
    _add_setting_flags(serve)
    serve.set_defaults(handler=_serve)

    for name, module, text in (
        ("chat", "awsinv_mcp.clients.chat.command", "chat with Claude over this server's tools"),
        ("web", "awsinv_mcp.clients.web.command", "serve the web page (Overview, Resources, AI Chat)"),
    ):
        cmd = sub.add_parser(name, help=text)
        _add_setting_flags(cmd)
        if chosen != name:
            continue
        try:
            mod = import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name not in OPTIONAL_MODULES:  # a real bug in our modules: let it show
                raise
            cmd.set_defaults(missing=f"'{name}' needs {OPTIONAL_MODULES[exc.name]}")
            continue
        mod.configure(cmd)
        cmd.set_defaults(handler=mod.run)

    collect = sub.add_parser("collect", help="collect once into the history store (AWSINV_STORE), e.g. from cron")
    collect.add_argument("--every", help="keep collecting at this interval, e.g. 15m or 1h")
    _add_setting_flags(collect)
    collect.set_defaults(handler=_collect)
    store = sub.add_parser("store", help="manage the history store")
    store.add_argument("action", choices=["upgrade"], help="upgrade: create or update the store's tables")
    _add_setting_flags(store)
    store.set_defaults(handler=_store_upgrade)

    rules = sub.add_parser("rules-doc", help="write the rules catalogue as Markdown (docs/rules.md)")
    rules.add_argument("--output", default="docs/rules.md", help="file to write, or - for stdout")
    rules.set_defaults(handler=_rules_doc)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(chosen).parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        reason = getattr(args, "missing", None) or "it is not available in this installation"
        print(f"awsinv-mcp: {reason}", file=sys.stderr)
        return 2
    try:
        settings = settings_from_args(args)
    except Exception as exc:  # pydantic ValidationError: one readable line, no traceback
        errors = getattr(exc, "errors", None)
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors()) if errors else str(exc)
        print(f"awsinv-mcp: invalid setting: {detail}".splitlines()[0], file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    try:
        return int(handler(args, settings) or 0)
    except KeyboardInterrupt:
        return 130
