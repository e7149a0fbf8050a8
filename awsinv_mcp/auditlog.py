"""The JSON-lines audit writer shared by the server middleware and the chat client.

One line per tool call: `time` (UTC ISO), `side` (server | chat), `tool`, `arguments` (secrets
redacted, each string cut to `redact.MAX_TEXT_CHARS`), `duration_ms`, `error` (redacted tool error text
cut to `MAX_ERROR_CHARS`, or null), plus any extra fields. `record` blocks (redaction, file I/O): async
callers run it in a worker thread (see `awsinv_mcp.server.audit`).
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from awsinv_mcp.config import Settings
from awsinv_mcp.redact import redact, redact_text

log = logging.getLogger("awsinv_mcp.audit")

MAX_ERROR_CHARS = 500


class AuditLog:
    """Appends JSON lines to a file (thread-safe); a failing write is logged once, never raised."""

    def __init__(self, path: str | Path, *, secrets: tuple[str, ...] = ()) -> None:
        self.path = Path(path).expanduser()
        self.secrets = secrets
        self._lock = threading.Lock()
        self._failed = False

    def record(
        self, *, side: str, tool: str, arguments: Any, duration_ms: float, error: str | None, **extra: Any
    ) -> dict[str, Any]:
        """Write one line and return it (already redacted)."""
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "side": side,
            "tool": tool,
            "arguments": redact(arguments, self.secrets),
            "duration_ms": round(duration_ms, 1),
            "error": redact_text(error, self.secrets, limit=MAX_ERROR_CHARS) if error else None,
            **redact(extra, self.secrets),
        }
        line = json.dumps(entry, separators=(",", ":"), ensure_ascii=False, default=str) + "\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(line)
            except OSError as exc:
                if not self._failed:
                    log.warning("cannot write the audit log %s: %s", self.path, exc)
                    self._failed = True
        return entry


def known_secrets(settings: Settings) -> tuple[str, ...]:
    """Literal secret values from the settings, masked wherever they appear."""
    values = (settings.auth_token, settings.remote_token, settings.external_id)
    return tuple(v.get_secret_value() for v in values if v is not None and v.get_secret_value())


def audit_log_for(settings: Settings) -> AuditLog | None:
    """The audit log configured by `AWSINV_AUDIT_LOG`, or None."""
    return AuditLog(settings.audit_log, secrets=known_secrets(settings)) if settings.audit_log else None
