"""The terminal chat: streamed answers on stdout, tool calls and progress on stderr, a few slash commands.

Commands: `/prompts` lists the server's prompts; `/prompt NAME [arg=value ...]` (or `/prompts NAME ...`)
runs one; `/reset` starts a new conversation; `/exit` (or Ctrl-D) leaves. Plain text only: no colours,
no cursor tricks, so it reads the same in any terminal or log.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from typing import Any, TextIO

import anyio

from awsinv_mcp.clients.chat.loop import AgentResult, ChatError, run_agent
from awsinv_mcp.redact import redact

HELP = "Ask a question. /prompts lists prompts, /prompt NAME [arg=value ...] runs one, /reset, /exit."
MAX_ARGS_SHOWN = 160


def format_arguments(arguments: dict[str, Any]) -> str:
    """`name=value, ...` with JSON values, secrets redacted, shortened for one line."""
    shown = redact(arguments)
    text = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in shown.items())
    return text if len(text) <= MAX_ARGS_SHOWN else text[: MAX_ARGS_SHOWN - 3] + "..."


def format_event(event: dict[str, Any]) -> str | None:
    """One stderr line for a tool call or retry event; None for the others."""
    kind = event.get("type")
    if kind == "tool_end":
        line = f"  [tool] {event['name']}({format_arguments(event['arguments'])})  {event['duration_ms']:.0f} ms"
        if event.get("is_error"):
            first = (event.get("error") or "error").splitlines()[0]
            line += f"  ERROR: {first[:200]}"
        return line
    if kind == "retry":
        return f"  [api] busy (HTTP {event['status']}); retry {event['attempt']} in {event['wait_s']:.1f} s"
    return None


class Printer:
    """`on_event` handler: tool calls to `err`, streamed text to `out` when `stream_text`."""

    def __init__(self, *, out: TextIO, err: TextIO, stream_text: bool, extra: Callable | None = None) -> None:
        self.out, self.err, self.stream_text, self.extra = out, err, stream_text, extra
        self.text_open = False

    def __call__(self, event: dict[str, Any]) -> None:
        if self.extra is not None:
            self.extra(event)
        if event.get("type") == "text" and self.stream_text:
            self.out.write(event["text"])
            self.out.flush()
            self.text_open = True
            return
        line = format_event(event)
        if line:
            if self.text_open:  # tool calls follow text the model wrote before them
                self.out.write("\n")
                self.out.flush()
                self.text_open = False
            print(line, file=self.err, flush=True)

    def end_answer(self) -> None:
        if self.text_open:
            self.out.write("\n")
            self.out.flush()
            self.text_open = False


def parse_prompt_command(line: str) -> tuple[str | None, dict[str, str]]:
    """`/prompt NAME a=1 b="x y"` -> ("NAME", {"a": "1", "b": "x y"}); `/prompts` -> (None, {})."""
    words = shlex.split(line)[1:]
    if not words:
        return None, {}
    arguments = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    return words[0], arguments


async def list_prompts_text(session: Any) -> str:
    prompts = (await session.list_prompts()).prompts
    lines = []
    for p in prompts:
        args = " ".join(f"{a.name}=..." if a.required else f"[{a.name}=...]" for a in p.arguments or [])
        lines.append(f"  {p.name} {args}".rstrip())
        if p.description:
            lines.append(f"      {p.description}")
    return "\n".join(["Prompts (run with /prompt NAME arg=value ...):", *lines])


async def prompt_text(session: Any, name: str, arguments: dict[str, str]) -> str:
    """The rendered prompt's text, used as the next question; unknown names and missing arguments are
    reported here (the server would only answer "Internal server error")."""
    prompts = {p.name: p for p in (await session.list_prompts()).prompts}
    if name not in prompts:
        raise ValueError(f"no such prompt; known: {', '.join(sorted(prompts))}")
    missing = [a.name for a in prompts[name].arguments or [] if a.required and a.name not in arguments]
    if missing:
        raise ValueError(f"missing argument(s) {', '.join(f'{m}=...' for m in missing)}")
    result = await session.get_prompt(name, arguments)
    return "\n\n".join(m.content.text for m in result.messages if getattr(m.content, "type", "") == "text")


async def run_repl(
    session: Any,
    *,
    model: str,
    anthropic_client: Any,
    max_iterations: int,
    extra_event: Callable | None = None,
    stdin_readline: Callable[[], str] | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Read questions until /exit or end of input; returns the exit code."""
    readline = stdin_readline or (lambda: input("> ") if sys.stdin.isatty() else sys.stdin.readline())
    tools = len((await session.list_tools()).tools)
    print(f"awsinv-mcp chat - model {model}, {tools} tools. {HELP}", file=err, flush=True)
    history: list[dict] = []
    printer = Printer(out=out, err=err, stream_text=True, extra=extra_event)
    while True:
        try:
            line = await anyio.to_thread.run_sync(readline)
        except EOFError:
            line = ""
        if line == "":  # end of input
            return 0
        line = line.strip()
        if not line:
            continue
        if line in ("/exit", "/quit"):
            return 0
        if line == "/reset":
            history = []
            print("  (new conversation)", file=err, flush=True)
            continue
        if line.startswith("/prompt"):
            name = None
            try:
                name, arguments = parse_prompt_command(line)
                if name is None:
                    print(await list_prompts_text(session), file=err, flush=True)
                    continue
                question = await prompt_text(session, name, arguments)
            except Exception as exc:  # unknown prompt, missing argument, unbalanced quote
                print(f"  cannot run prompt {name or line!r}: {exc}", file=err, flush=True)
                continue
            print(f"  (running prompt {name})", file=err, flush=True)
        elif line.startswith("/"):
            print(f"  unknown command {line.split()[0]}. {HELP}", file=err, flush=True)
            continue
        else:
            question = line
        try:
            result: AgentResult = await run_agent(
                session,
                question,
                history=history,
                model=model,
                anthropic_client=anthropic_client,
                max_iterations=max_iterations,
                on_event=printer,
            )
        except ChatError as exc:
            printer.end_answer()
            print(f"  {exc}", file=err, flush=True)
            continue
        printer.end_answer()
        if result.stop_reason in ("max_iterations", "token_budget"):
            print(f"  {result.answer}", file=err, flush=True)
        history = result.messages
