"""`awsinv-mcp chat`: the REPL, or `--once "question"` for scripts (answer on stdout, the rest on stderr).

Exit codes: 0 answered; 1 the API refused or the server failed; 2 no ANTHROPIC_API_KEY (or bad usage);
3 stopped by --max-iterations or the token budget before a final answer.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
import threading
from typing import Any

import anyio

from awsinv_mcp.config import Settings

EXIT_REFUSED, EXIT_NO_KEY, EXIT_USAGE, EXIT_INCOMPLETE = 1, 2, 2, 3


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the chat's flags to its subcommand parser."""
    parser.add_argument("--once", metavar="QUESTION", help="answer one question and exit (answer on stdout)")
    parser.add_argument("--json", action="store_true", help="with --once: print the answer and tool calls as JSON")
    parser.add_argument("--url", help="connect to a running awsinv-mcp HTTP server (e.g. http://127.0.0.1:5001/mcp)")
    parser.add_argument("--token", help="bearer token for --url (default: AWSINV_REMOTE_TOKEN)")
    parser.add_argument("--model", help="Anthropic model (default: AWSINV_MODEL or the built-in default)")
    parser.add_argument("--max-iterations", type=int, default=10, help="model turns per question (default 10)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the chat; returns the exit code."""
    from awsinv_mcp.clients.chat.loop import MissingApiKey, require_api_key

    try:
        require_api_key()
    except MissingApiKey as exc:
        print(f"awsinv-mcp chat: {exc}", file=sys.stderr)
        return EXIT_NO_KEY
    if args.json and not args.once:
        print("awsinv-mcp chat: --json needs --once QUESTION", file=sys.stderr)
        return EXIT_USAGE
    return anyio.run(_main, args, settings)


async def _main(args: argparse.Namespace, settings: Settings) -> int:
    from awsinv_mcp.clients.chat.audit import chat_audit
    from awsinv_mcp.clients.chat.loop import ChatError, anthropic_client_from_env
    from awsinv_mcp.clients.chat.repl import Printer, run_repl
    from awsinv_mcp.clients.chat.session import open_session

    # anthropic imports slowly (about 1 s): import it in a thread while the server process starts
    importer = threading.Thread(target=_import_quietly, args=("anthropic",), daemon=True)
    importer.start()
    model = args.model or settings.model
    audit = chat_audit(settings, model=model)
    code = EXIT_REFUSED
    failure: str | None = None
    try:
        async with open_session(settings, url=args.url, token=args.token) as session:
            await anyio.to_thread.run_sync(importer.join)
            try:  # errors are handled inside the session: its task group would wrap them
                async with anthropic_client_from_env() as client:
                    if args.once:
                        printer = Printer(out=sys.stdout, err=sys.stderr, stream_text=False, extra=audit)
                        code = await _once(session, args, model, client, printer)
                    else:
                        code = await run_repl(
                            session, model=model, anthropic_client=client, max_iterations=args.max_iterations,
                            extra_event=audit,
                        )  # fmt: skip
            except ChatError as exc:
                failure = str(exc)
    except ChatError as exc:  # the HTTP server refused or could not be reached
        failure = str(exc)
    except Exception as exc:  # the server could not start or the connection failed
        failure = f"cannot reach the awsinv-mcp server: {_first_error(exc)}"
    if failure:
        print(f"awsinv-mcp chat: {failure}", file=sys.stderr)
        return EXIT_REFUSED
    return code


def _import_quietly(name: str) -> None:
    with contextlib.suppress(ImportError):  # anthropic_client_from_env reports it clearly
        importlib.import_module(name)


async def _once(session: Any, args: argparse.Namespace, model: str, client: Any, printer: Any) -> int:
    from awsinv_mcp.clients.chat.loop import run_agent

    result = await run_agent(
        session, args.once, model=model, anthropic_client=client, max_iterations=args.max_iterations, on_event=printer
    )
    if args.json:
        print(json.dumps({**result.to_json(), "model": model}, ensure_ascii=False, indent=2))
    else:
        print(result.answer)
    incomplete = result.stop_reason in ("max_iterations", "token_budget")
    return EXIT_INCOMPLETE if incomplete else 0


def _first_error(exc: BaseException) -> str:
    """The innermost meaningful message of an exception (groups from task groups are unwrapped)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return str(exc) or type(exc).__name__
