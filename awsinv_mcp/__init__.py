"""awsinv-mcp: an MCP server that turns an AWS database estate into analysed, compact answers."""

__version__ = "0.1.0"
