"""The resources, as plain functions (each one call into a lower layer, like the tools); `server/catalog.py`
lists and registers them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from mcp.server.mcpserver.exceptions import ResourceError

from awsinv_mcp import pricing
from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.summary import summarize
from awsinv_mcp.models.answers import DBInstanceAnswer, meta
from awsinv_mcp.server.context import app

SUMMARY_URI = "inventory://summary"
FINDINGS_URI = "inventory://findings"
CHANGES_URI = "inventory://changes"
PER_SNAPSHOT = (SUMMARY_URI, FINDINGS_URI, CHANGES_URI)
"""Resources whose content changes with every new snapshot: subscribers hear of each (tools/inventory.py)."""


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def inventory_summary() -> str:
    """Counts and breakdowns of the whole estate (same as get_inventory_summary)."""
    return summarize(app().analysis().estate).model_dump_json()


def db_instance(identifier: str) -> str:
    """One DB instance in full (identifier or URL-encoded ARN)."""
    from awsinv_mcp.server.tools.inventory import db_detail

    estate = app().analysis().estate
    try:
        db = Q.find_db_instance(estate.snapshot, unquote(identifier))
    except UserError as exc:
        raise ResourceError(str(exc)) from None
    return DBInstanceAnswer(instance=db_detail(estate, db), **meta(estate.snapshot)).model_dump_json()


def findings() -> str:
    """Totals of all findings by severity, category, rule (rows: get_findings)."""
    from awsinv_mcp.analysis import report as R
    from awsinv_mcp.server.tools.analysis import findings_answer

    answer = findings_answer(R.FindingQuery(), view="findings", detail=False, limit=5, cursor=None, as_of=None)
    return answer.model_dump_json()


def changes() -> str:
    """What changed since the previous snapshot: resources added/removed/modified, findings opened/resolved
    (first 50 rows; more: get_changes)."""
    from awsinv_mcp.server.tools.history import changes_since_previous

    try:
        return changes_since_previous().model_dump_json()
    except UserError as exc:
        raise ResourceError(str(exc)) from None


def engine_lifecycle() -> str:
    """Engine support calendar used by check_version_compliance: end of standard and Extended Support per engine
    major, upgrade targets, AWS sources."""
    from awsinv_mcp.analysis import versions as V

    analysis = app().inventory.peek()  # never collect just to show the calendar
    cal = V.calendar_for(analysis.snapshot) if analysis is not None else V.Calendar.default()
    return _json({
        "read_on": cal.read_on, "dates": "last day of each period", "engines": cal.to_dict(),
        "extended_support_years": {"1": "year1_2", "2": "year1_2", "3": "year3"},
        "extended_support_rates": pricing.extended_support_rates(),
    })  # fmt: skip


def database_schema(database: str) -> str:
    """Tables, columns and keys of the database's default schema (compact JSON)."""
    try:
        return app().databases.schema_document(database)
    except UserError as exc:
        raise ResourceError(str(exc)) from None
