"""Cost benchmark: answer sizes of the cost tools, model latency, and Cost Explorer requests saved by the cache.

Run: .venv/bin/python bench/bench_cost.py [--sizes 150,10000]
- Sizes are the compact JSON text the model reads, through the official MCP client, on the synthetic
  estate (seed 42). Baseline in the same run: the same data as Cost Explorer's own nested answer
  (ResultsByTime -> Groups -> Keys/Metrics), which is what a naive tool would pass on.
- Cache: 10 identical get_cost_summary calls in aws mode (botocore Stubber) and the requests they cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from datetime import UTC, datetime

from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.dates import month_start
from awsinv_mcp.inventory.store import InventoryStore
from awsinv_mcp.inventory.synthetic import generate
from awsinv_mcp.server.app import build_server

NOW = datetime.now(UTC)


def ce_style_bytes(answer: dict) -> int:
    """Bytes of the same numbers in Cost Explorer's nested GetCostAndUsage shape (compact JSON)."""
    results = []
    for i, start in enumerate(answer["periods"]):
        end = month_start(datetime.fromisoformat(start).date(), 1).isoformat()
        groups = [
            {
                "Keys": [f"{k[4:]}${v}" if k.startswith("TAG:") else v for k, v in item["group"].items()],
                "Metrics": {"UnblendedCost": {"Amount": str(item["amounts"][i]), "Unit": "USD"}},
            }
            for item in answer["items"]
        ]
        results.append({"TimePeriod": {"Start": start, "End": end}, "Total": {}, "Groups": groups, "Estimated": False})
    body = {"GroupDefinitions": [{"Type": "TAG", "Key": "Team"}], "ResultsByTime": results}
    return len(json.dumps(body, separators=(",", ":")).encode())


async def sizes(scale: int) -> dict[str, float]:
    settings = Settings(source="synthetic", scale=scale)
    snap = generate(seed=42, scale=scale, now=NOW, settings=settings)
    server = build_server(settings, collector=lambda *_: snap)
    this_month = month_start(NOW.date())
    year = {"start": month_start(this_month, -12).isoformat(), "end": this_month.isoformat()}
    out: dict[str, float] = {}
    async with Client(server) as c:
        for label, name, args in (
            ("team_12m", "get_cost_summary", {**year, "group_by": "Team"}),
            ("team_12m_again", "get_cost_summary", {**year, "group_by": "Team"}),
            ("service_12m", "get_cost_summary", {**year, "group_by": "SERVICE"}),
            ("usage_type_12m", "get_cost_summary", {**year, "group_by": "USAGE_TYPE"}),
            ("default", "get_cost_summary", {}),
            ("trend_team", "get_cost_trend", {"group_by": "Team"}),
            ("forecast", "get_cost_forecast", {}),
        ):
            t0 = time.perf_counter()
            r = await c.call_tool(name, args)
            out[f"{label}_ms"] = (time.perf_counter() - t0) * 1000
            assert not r.is_error, r.content[0].text
            out[f"{label}_bytes"] = len(r.content[0].text.encode())
            if label == "team_12m":
                out["team_12m_ce_style_bytes"] = ce_style_bytes(r.structured_content)
                out["teams"] = len(r.structured_content["items"])
    return out


def cache_requests(calls: int = 10) -> tuple[int, int]:
    """(calls, Cost Explorer requests) for identical get_cost_summary calls in aws mode."""
    import boto3
    from botocore.stub import Stubber

    from awsinv_mcp.cost.explorer import CostExplorer
    from awsinv_mcp.cost.service import CostService

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    settings = Settings(source="aws")
    client = boto3.client("ce", region_name="us-east-1")
    svc = CostService(settings, InventoryStore(settings), explorer=CostExplorer(settings, client))
    stub = Stubber(client)
    stub.add_response("get_cost_and_usage", {"ResultsByTime": []})
    with stub:
        for _ in range(calls):
            svc.summary(group_by="SERVICE")
    return calls, svc.explorer.requests_made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="150,10000")
    args = parser.parse_args()
    print("| estate (DB instances) | answer | bytes | ms |")
    print("| --- | --- | --- | --- |")
    for scale in (int(s) for s in args.sizes.split(",")):
        fig = asyncio.run(sizes(scale))
        for label in ("team_12m", "team_12m_again", "service_12m", "usage_type_12m", "default", "trend_team",
                      "forecast"):  # fmt: skip
            print(f"| {scale} | {label} | {fig[label + '_bytes']:.0f} | {fig[label + '_ms']:.1f} |")
        ratio = fig["team_12m_ce_style_bytes"] / fig["team_12m_bytes"]
        print(
            f"| {scale} | team_12m as Cost Explorer's nested JSON ({fig['teams']:.0f} groups) | "
            f"{fig['team_12m_ce_style_bytes']:.0f} | ratio {ratio:.1f}x larger |"
        )
    calls, requests = cache_requests()
    print(f"\nCost Explorer cache: {calls} identical get_cost_summary calls -> {requests} request(s)")


if __name__ == "__main__":
    main()
