"""Texts of answers (issue 13 item 10): no template placeholder reaches an answer, titles agree with the evidence,
and counts agree with the ids listed. Swept over every finding of the demo estate."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from mcp import Client

from awsinv_mcp.analysis.all_rules import RULES
from awsinv_mcp.analysis.analysis import Analysis
from awsinv_mcp.config import Settings
from awsinv_mcp.inventory.estate import Estate
from awsinv_mcp.inventory.synthetic.estate import generate
from awsinv_mcp.models.findings import Finding
from awsinv_mcp.models.table import rows_of, with_items
from awsinv_mcp.server.app import build_server

UNFILLED = re.compile(r"\{\w*\}|\bevidence[ ._]\w+")  # '{target}', 'evidence target_class', 'evidence.successor'
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")


def demo_findings() -> list[Finding]:
    settings = Settings(source="synthetic", seed=42, scale=150)
    snap = generate(seed=42, scale=150, now=datetime(2026, 12, 4, 12, tzinfo=UTC), settings=settings)
    return list(Analysis(Estate(snap), today=lambda: date(2026, 12, 4)).report().findings)


def test_no_placeholder_in_any_finding_text() -> None:
    findings = demo_findings()
    assert len({f.meta.id for f in findings}) > 40  # the sweep covers most of the catalogue
    problems = []
    for f in findings:
        r = RULES[f.meta.id]
        texts = {"title": r.title, "remediation": r.remediation, "rationale": r.rationale}
        texts.update({f"evidence.{k}": v for k, v in f.evidence.items() if isinstance(v, str)})
        for where, text in texts.items():
            problems += [(f.meta.id, where, m) for m in UNFILLED.findall(text)]
            # an evidence key named in the rule's own words reads as a field to fill in ('before end_of_support')
            if not where.startswith("evidence"):
                problems += [(f.meta.id, where, w) for w in SNAKE.findall(text) if w in f.evidence]
    assert not problems, sorted(set(problems))


def test_titles_agree_with_the_evidence() -> None:
    findings = demo_findings()
    expired = [f for f in findings if f.evidence.get("state") == "expired"]
    expiring = [f for f in findings if f.evidence.get("state") == "expiring"]
    assert expired, "the demo estate has expired CA certificates"
    assert all("expired" in f.meta.title for f in expired)
    assert all("expires" in f.meta.title for f in expiring)
    assert all(f.severity == "critical" for f in expired)


async def every_page(c: Client, args: dict) -> dict:
    """get_findings with every page's items gathered into the first answer."""
    first = with_items((await c.call_tool("get_findings", {**args, "limit": 100})).structured_content)
    answer = first
    while answer.get("next_cursor"):
        answer = await c.call_tool("get_findings", {**args, "limit": 100, "cursor": answer["next_cursor"]})
        answer = with_items(answer.structured_content)
        first["items"] += answer["items"]
    assert len(first["items"]) == first["total"]
    return first


@pytest.mark.anyio
async def test_counts_agree_with_the_ids_listed() -> None:
    """For every rule: the summary's `resources` is the number of distinct resources the rows name, and
    `resource_groups` the rows of view=resources (Aurora members counted in their cluster)."""
    checked = 0
    async with Client(build_server(Settings(source="synthetic", seed=42, scale=150))) as c:
        for rid in sorted(RULES):
            rows = await every_page(c, {"rule": rid})
            if not rows["total"]:
                continue
            grouped = await every_page(c, {"rule": rid, "view": "resources"})
            assert not [w for w in rows["warnings"] if w["scope"] == "analysis/cloudwatch"]  # every demo DB measured
            named = {(i["resource_type"], i["account"], i["region"], i["resource_id"]) for i in rows_of(rows)}
            assert rows["summary"]["resources"] == len(named), rid
            assert grouped["summary"]["resource_groups"] == grouped["total"] == len(rows_of(grouped)), rid
            members = sum(len(i["members"] or ()) for i in rows_of(grouped))
            assert len(rows_of(grouped)) <= len(named) <= len(rows_of(grouped)) + members, rid
            checked += 1
    assert checked > 40
