"""The cost tools agree on the current month and answer with their default dates (issue 13 item 6), through the
official MCP client on the demo estate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from mcp import Client

from awsinv_mcp.config import Settings
from awsinv_mcp.server.app import build_server

pytestmark = pytest.mark.anyio


async def test_trend_and_forecast_report_the_current_month_one_way() -> None:
    async with Client(build_server(Settings(source="synthetic", seed=42, scale=150))) as c:
        trend = (await c.call_tool("get_cost_trend", {})).structured_content
        forecast = (await c.call_tool("get_cost_forecast", {})).structured_content
        later = await c.call_tool("get_cost_forecast", {"start": (date.today() + timedelta(days=40)).isoformat()})
    current = trend["forecast"]["current_month"]
    assert forecast["current_month"] == current
    assert current["period"] == date.today().replace(day=1).isoformat()
    assert current["mean"] == pytest.approx(current["actual_to_date"] + current["forecast_rest"], abs=0.02)
    assert current["actual_to_date"] > 0 or date.today().day == 1
    # the forecast series starts with the rest of this month, never with the month's whole total
    assert forecast["periods"][0] == date.today().isoformat() and forecast["mean"][0] == current["forecast_rest"]
    assert later.structured_content["current_month"] is None  # a forecast starting later has no 'so far'


async def test_daily_summary_with_its_default_dates() -> None:
    async with Client(build_server(Settings(source="synthetic", seed=42, scale=150))) as c:
        daily = await c.call_tool("get_cost_summary", {"granularity": "DAILY"})
        monthly = (await c.call_tool("get_cost_summary", {})).structured_content
    assert not daily.is_error, daily.content[0].text
    answer = daily.structured_content
    today = date.today()
    assert answer["granularity"] == "DAILY" and len(answer["periods"]) == 30
    assert answer["periods"][0] == (today - timedelta(days=30)).isoformat()
    assert answer["periods"][-1] == (today - timedelta(days=1)).isoformat()
    assert answer["total_amount"] > 0
    assert len(monthly["periods"]) == 6  # MONTHLY keeps its 6 full months
