"""The Claude chat client: the agent loop (`run_agent`, reused by the web page), the REPL and `--once`."""

from awsinv_mcp.clients.chat.loop import (
    DEFAULT_MODEL,
    AgentResult,
    ApiRefused,
    ChatError,
    MissingApiKey,
    ToolCall,
    Usage,
    anthropic_client_from_env,
    run_agent,
)

__all__ = [
    "DEFAULT_MODEL",
    "AgentResult",
    "ApiRefused",
    "ChatError",
    "MissingApiKey",
    "ToolCall",
    "Usage",
    "anthropic_client_from_env",
    "run_agent",
]
