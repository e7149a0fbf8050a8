"""Placeholder: filled in by its issue."""

from mcp.server.mcpserver import MCPServer

from awsinv_mcp.server.services import Services


def register(mcp: MCPServer, services: Services) -> None:
    """Register this module's tools."""
