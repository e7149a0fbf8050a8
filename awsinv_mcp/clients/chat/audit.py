"""Client-side audit: every tool call the chat makes, as JSON lines (side "chat") in `AWSINV_AUDIT_LOG`.

The line format and the redaction are shared with the server's audit (`awsinv_mcp.auditlog`). A server the
chat spawns inherits `AWSINV_AUDIT_LOG` and writes its own lines (side "server") to the same file, so one
file shows both what the model asked for and what the server ran.
"""

from __future__ import annotations

from typing import Any

from awsinv_mcp.auditlog import AuditLog, audit_log_for
from awsinv_mcp.config import Settings


class ChatAudit:
    """An `on_event` handler recording each finished tool call (`tool_end` event)."""

    def __init__(self, log: AuditLog, *, model: str) -> None:
        self.log = log
        self.model = model

    def __call__(self, event: dict[str, Any]) -> None:
        if event.get("type") != "tool_end":
            return
        self.log.record(
            side="chat",
            tool=event["name"],
            arguments=event.get("arguments") or {},
            duration_ms=event.get("duration_ms") or 0.0,
            error=event.get("error"),
            model=self.model,
        )


def chat_audit(settings: Settings, *, model: str) -> ChatAudit | None:
    """The chat's audit handler when `AWSINV_AUDIT_LOG` is set, else None."""
    log = audit_log_for(settings)
    return ChatAudit(log, model=model) if log else None
