"""Prompts and chat benchmark: what each prompt costs a model in tool answers, and the chat's start-up time.

Run: .venv/bin/python bench/bench_prompts.py [--rounds 5]

1. For each of the six prompts, rendered with its defaults on the default synthetic estate (seed 42,
   150 DB instances), the tools a model following it would call, in order, with the arguments the
   prompt names (others at their defaults), and the total bytes of those answers (the text content
   the model reads: a proxy for the tokens the answers cost, about 4 bytes a token). The baseline is
   the prompt text itself. Tools not registered yet are listed as missing.
2. `awsinv-mcp chat --once` start-up to its first Messages API request (the fake API of the tests),
   which includes spawning the server over stdio and listing its tools, against `python -c pass`,
   `python -c "import anthropic"` and the server's own stdio cold start measured in the same run
   (medians). The chat imports anthropic in a thread while the server starts, so the first request
   should come after about the longer of the two, not their sum.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server
from tests.fake_anthropic import FakeMessagesAPI, text

DESIGN_TOOLS = {
    "get_inventory_summary", "list_db_instances", "get_db_instance", "list_db_clusters", "list_db_snapshots",
    "list_ec2_instances", "list_s3_buckets", "refresh_inventory", "analyze_engines", "check_version_compliance",
    "assess_security", "find_cost_savings", "analyze_performance", "get_findings", "get_cost_summary",
    "get_cost_trend", "get_cost_forecast", "list_databases", "list_schemas", "list_tables", "describe_table",
    "run_query", "explain_query", "database_health",
}  # fmt: skip
PROMPT_ARGS = {"team_database_overview": {"team": None}, "inspect_database": {"database": "orders"}}
CALL = re.compile(r"\b([a-z]+(?:_[a-z]+)+)\b((?: with (?:\w+=(?:\"[^\"]*\"|[\w.]+)(?:, )?)+)?)")
ARG = re.compile(r"(\w+)=(\"[^\"]*\"|[\w.]+)")


def planned_calls(prompt_text: str) -> list[tuple[str, dict[str, Any]]]:
    """(tool, arguments) in the order the prompt first names each tool, with the arguments it states."""
    calls: list[tuple[str, dict[str, Any]]] = []
    steps = prompt_text.split("Present:")[0]  # tools named later are conditional fallbacks
    for name, args_text in CALL.findall(steps):
        if name not in DESIGN_TOOLS or any(name == seen for seen, _ in calls) or name == "run_query":
            continue
        arguments = {k: json.loads(v) if v.startswith('"') or v.isdigit() else v for k, v in ARG.findall(args_text)}
        calls.append((name, arguments))
    return calls


def sample_database(directory: str) -> str:
    """A small SQLite database for inspect_database: customers, orders, order_items."""
    path = os.path.join(directory, "orders.db")
    with sqlite3.connect(path) as db:
        db.executescript(
            """
            CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                                 placed_at TEXT, total REAL);
            CREATE INDEX orders_customer ON orders(customer_id);
            CREATE TABLE order_items (order_id INTEGER REFERENCES orders(id), sku TEXT, qty INTEGER,
                                      PRIMARY KEY (order_id, sku));
            """
        )
        db.executemany("INSERT INTO customers VALUES (?, ?, ?)", [(i, f"c{i}", f"c{i}@x") for i in range(50)])
        db.executemany(
            "INSERT INTO orders VALUES (?, ?, ?, ?)", [(i, i % 50, "2026-01-01", i * 1.5) for i in range(500)]
        )
    return path


def fill_required(tool: Any, arguments: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
    """Required arguments the prompt leaves to the model, taken from earlier answers (identifier, table...)."""
    filled = dict(arguments)
    for name in tool.input_schema.get("required", []):
        if name not in filled and name in context:
            filled[name] = context[name]
    return {k: v for k, v in filled.items() if k in tool.input_schema.get("properties", {})}


def learn(context: dict[str, Any], data: Any) -> None:
    """Remember the first identifier / table / schema an answer shows, for the calls that need one."""
    if isinstance(data, list):
        for item in data:
            learn(context, item)
        return
    if not isinstance(data, dict):
        return
    for key, target in (("identifier", "identifier"), ("resource_id", "identifier"), ("table", "table")):
        if isinstance(data.get(key), str) and target not in context:
            context[target] = data[key]
    if data.get("kind") == "table" and "name" in data:
        context.setdefault("table", data["name"])
    for value in data.values():
        if isinstance(value, dict | list):
            learn(context, value)


async def prompt_figures() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(source="synthetic", databases=json.dumps({"orders": f"sqlite:///{sample_database(tmp)}"}))
        rows = []
        async with Client(build_server(settings)) as client:
            tools = {t.name: t for t in (await client.list_tools()).tools}
            summary = (await client.call_tool("get_inventory_summary", {})).structured_content or {}
            teams = summary.get("by_team") or summary.get("teams") or {}
            team = next(iter(teams), "payments") if isinstance(teams, dict) else "payments"
            for prompt in (await client.list_prompts()).prompts:
                arguments = {k: (v or team) for k, v in PROMPT_ARGS.get(prompt.name, {}).items()}
                rendered = await client.get_prompt(prompt.name, arguments)
                prompt_text = rendered.messages[0].content.text
                context: dict[str, Any] = {"database": "orders"}
                calls, missing, errors, total = [], [], [], 0
                for name, args in planned_calls(prompt_text):
                    if name not in tools:
                        missing.append(name)
                        continue
                    started = time.perf_counter()
                    try:
                        result = await client.call_tool(name, fill_required(tools[name], args, context))
                    except Exception as exc:  # e.g. an answer that fails its own output schema
                        errors.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:80]}")
                        continue
                    ms = (time.perf_counter() - started) * 1000
                    size = sum(len(c.text.encode()) for c in result.content if c.type == "text")
                    total += size
                    calls.append((name, size, ms))
                    if result.is_error:
                        errors.append(f"{name}: {result.content[0].text[:80]}")
                    else:
                        learn(context, result.structured_content)
                rows.append(
                    {
                        "prompt": prompt.name,
                        "arguments": arguments,
                        "prompt_bytes": len(prompt_text.encode()),
                        "calls": calls,
                        "missing": missing,
                        "errors": errors,
                        "total_bytes": total,
                    }
                )
    return rows


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)
    return time.perf_counter() - started


def serve_cold_start(env: dict[str, str]) -> float:
    """Spawn `awsinv-mcp serve` over stdio until its tools/list answers (what the chat waits for)."""
    from mcp import StdioServerParameters

    async def once() -> float:
        started = time.perf_counter()
        params = StdioServerParameters(command=sys.executable, args=["-m", "awsinv_mcp", "serve"], env=env)
        async with Client(params) as client:
            await client.list_tools()
            return time.perf_counter() - started

    return asyncio.run(once())


def chat_startup(rounds: int) -> dict[str, float]:
    """Medians: chat --once spawn -> first Messages API request; python -c pass; import anthropic."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWSINV_")}
    env.update({"ANTHROPIC_API_KEY": "sk-ant-bench", "AWSINV_SOURCE": "synthetic", "PYTHONWARNINGS": "ignore"})
    first_request, whole = [], []
    bare = [timed([sys.executable, "-c", "pass"], env) for _ in range(rounds)]
    anthropic_import = [timed([sys.executable, "-c", "import anthropic"], env) for _ in range(rounds)]
    serve = [serve_cold_start(env) for _ in range(rounds)]
    for _ in range(rounds):
        with FakeMessagesAPI([text("ok")]) as api:
            started = time.perf_counter()
            proc = subprocess.Popen(
                [sys.executable, "-m", "awsinv_mcp", "chat", "--once", "hi"],
                env={**env, "ANTHROPIC_BASE_URL": api.base_url},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = started + 60
            while not api.requests:  # poll for the first request, with a deadline
                if time.perf_counter() > deadline or proc.poll() not in (None, 0):
                    proc.kill()
                    raise RuntimeError("chat --once made no request")
                time.sleep(0.002)
            first_request.append(time.perf_counter() - started)
            proc.wait(timeout=60)
            whole.append(time.perf_counter() - started)
    return {
        "python_pass_s": statistics.median(bare),
        "import_anthropic_s": statistics.median(anthropic_import),
        "serve_stdio_to_tools_list_s": statistics.median(serve),
        "chat_first_request_s": statistics.median(first_request),
        "chat_once_total_s": statistics.median(whole),
    }


def label(arguments: dict[str, Any]) -> str:
    return " (" + ", ".join(f"{k}={v}" for k, v in arguments.items()) + ")" if arguments else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = asyncio.run(prompt_figures())
    print("| prompt | tools a model following it calls (bytes of each answer) | total bytes | x prompt | missing |")
    print("| --- | --- | ---: | ---: | --- |")
    for row in rows:
        calls = ", ".join(f"{name} ({size:,})" for name, size, _ in row["calls"]) or "-"
        ratio = row["total_bytes"] / row["prompt_bytes"]
        missing = ", ".join(row["missing"]) or "-"
        name = row["prompt"] + label(row["arguments"])
        print(f"| {name} | {calls} | {row['total_bytes']:,} | {ratio:.1f} | {missing} |")
    for row in rows:
        for err in row["errors"]:
            print(f"  error in {row['prompt']}: {err}")
    if args.rounds == 0:
        return
    figures = chat_startup(args.rounds)
    print()
    print(f"| start-up (median of {args.rounds}) | seconds | x python -c pass |")
    print("| --- | ---: | ---: |")
    for key, value in figures.items():
        print(f"| {key} | {value:.3f} | {value / figures['python_pass_s']:.1f} |")


if __name__ == "__main__":
    main()
