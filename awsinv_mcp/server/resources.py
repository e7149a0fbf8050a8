"""Inventory resources: `inventory://summary` and `inventory://db-instances/{identifier}`."""

from __future__ import annotations

import json

from mcp.server.mcpserver import MCPServer

from awsinv_mcp.errors import UserError
from awsinv_mcp.inventory import query as Q
from awsinv_mcp.inventory.summary import summarize
from awsinv_mcp.models.answers import DBInstanceAnswer, meta
from awsinv_mcp.server.inventory_tools import db_detail
from awsinv_mcp.server.services import Services
from awsinv_mcp.server.tooling import dump


def register(mcp: MCPServer, services: Services) -> None:
    """Register the inventory resources."""

    @mcp.resource(
        "inventory://summary",
        name="inventory_summary",
        mime_type="application/json",
        description="Counts and breakdowns of the whole estate (same as get_inventory_summary).",
    )
    def inventory_summary() -> str:
        return json.dumps(dump(summarize(services.inventory.get())), separators=(",", ":"))

    @mcp.resource(
        "inventory://db-instances/{identifier}",
        name="db_instance",
        mime_type="application/json",
        description="One DB instance in full (identifier or URL-encoded ARN).",
    )
    def db_instance(identifier: str) -> str:
        from urllib.parse import unquote

        from mcp.server.mcpserver.exceptions import ResourceError

        snap = services.inventory.get()
        try:
            db = Q.find_db_instance(snap, unquote(identifier))
        except UserError as exc:
            raise ResourceError(str(exc)) from None
        answer = DBInstanceAnswer(instance=db_detail(snap, db), **meta(snap))
        return json.dumps(dump(answer), separators=(",", ":"))
