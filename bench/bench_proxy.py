"""Behind nginx: first-token latency of a streamed chat turn and an MCP tool call, through the proxy vs direct.

Starts the stack of tests/proxy_stack.py (`serve --transport http`, `web --url`, Debian's nginx with
deploy/nginx.conf, all on loopback) and the fake Messages API (tests/fake_anthropic.py, answering every turn
at once with text in 12-character deltas), then interleaves, per round, one request direct and one through
the proxy:
- chat: `POST /api/v1/chat/stream` to the first `text` event (first token) and to the `done` event;
- mcp: one `tools/call get_inventory_summary` over an open session (official client), request to answer.
Medians of N rounds after a warm-up; the ratio is proxy / direct (the baseline, measured in the same run).

    .venv/bin/python bench/bench_proxy.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import anyio
import httpx2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.fake_anthropic import FakeMessagesAPI, text
from tests.proxy_stack import TOKEN, proxy_stack

AUTH = {"authorization": f"Bearer {TOKEN}"}
ANSWER = "Across the demo estate, 60 DB instances run in three accounts and five regions. " * 3


def chat_once(base: str, http: httpx2.Client) -> tuple[float, float]:
    """Milliseconds to the first text delta and to the end of the turn."""
    start = time.perf_counter()
    first = None
    with http.stream("POST", f"{base}/api/v1/chat/stream", json={"query": "How many databases?"}) as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                kind = json.loads(line[6:])["type"]
                if kind == "text" and first is None:
                    first = time.perf_counter() - start
    assert first is not None, "no text event"
    return first * 1000, (time.perf_counter() - start) * 1000


async def tool_calls(url: str, rounds: int) -> list[float]:
    async with (
        httpx2.AsyncClient(headers=AUTH, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        await client.call_tool("get_inventory_summary", {})  # warm-up (builds the estate)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            await client.call_tool("get_inventory_summary", {})
            times.append((time.perf_counter() - start) * 1000)
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    api = FakeMessagesAPI([], default=text(ANSWER))
    api.start()
    try:
        with proxy_stack(api.base_url) as stack, httpx2.Client(headers=AUTH, timeout=60) as http:
            chat: dict[str, list[tuple[float, float]]] = {"direct": [], "proxy": []}
            for base in (stack.web, stack.proxy):
                chat_once(base, http)  # warm-up
            for _ in range(args.rounds):
                chat["direct"].append(chat_once(stack.web, http))
                chat["proxy"].append(chat_once(stack.proxy, http))
            mcp = {
                "direct": anyio.run(tool_calls, stack.mcp, args.rounds),
                "proxy": anyio.run(tool_calls, f"{stack.proxy}/mcp", args.rounds),
            }
    finally:
        api.stop()

    def med(values: list[float]) -> float:
        return statistics.median(values)

    print(f"rounds: {args.rounds} (medians, ms; ratio = proxy / direct)")
    print("| measure | direct | through nginx | ratio |")
    print("|---|---|---|---|")
    for label, index in (("chat: first token", 0), ("chat: whole turn", 1)):
        d, p = med([r[index] for r in chat["direct"]]), med([r[index] for r in chat["proxy"]])
        print(f"| {label} | {d:.1f} | {p:.1f} | {p / d:.2f}x |")
    d, p = med(mcp["direct"]), med(mcp["proxy"])
    print(f"| mcp: tools/call get_inventory_summary | {d:.1f} | {p:.1f} | {p / d:.2f}x |")


if __name__ == "__main__":
    main()
