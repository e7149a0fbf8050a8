"""uvicorn for `serve --transport http` and `web`: one configuration, with a deadline for request headers.

uvicorn times out idle keep-alive connections (5 s) but never a connection whose request headers do not
arrive: a client can open thousands and hold them with a byte a minute. `HeaderDeadlineH11Protocol` is
uvicorn's h11 protocol plus a timer, armed when a connection opens and when the first bytes of a request
arrive, disarmed once h11 has the complete request head; when it fires the connection gets
`408 Request Timeout` and is closed. Bodies and responses are unaffected (long SSE streams stay open).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderDeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol; a request head must be complete within `header_timeout` seconds."""

    header_timeout: float = 10.0  # `http_protocol()` makes the subclass with the configured value
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._awaiting_head():
            if self._header_timer is None:
                self._arm_header_timer()
        else:
            self._disarm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def _awaiting_head(self) -> bool:
        return self.conn.their_state is h11.IDLE and not self.transport.is_closing()

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timeout_expired)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout_expired(self) -> None:
        self._header_timer = None
        if not self._awaiting_head():
            return
        if self.conn.our_state is h11.IDLE:  # nothing of a response sent on this connection's current cycle
            body = f"request headers not received within {self.header_timeout:g} s\n".encode()
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
                b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
        self.transport.close()


def http_protocol(header_timeout: float) -> type[HeaderDeadlineH11Protocol]:
    """The protocol class for `uvicorn.Config(http=...)` with this header deadline."""
    return type("HeaderDeadlineH11Protocol", (HeaderDeadlineH11Protocol,), {"header_timeout": header_timeout})


def uvicorn_config(
    app: Any, *, host: str, port: int, log_level: str, header_timeout: float, **options: Any
) -> uvicorn.Config:
    """The uvicorn configuration both commands serve with (`header_timeout`: `Settings.http_header_timeout`;
    `options` are passed on to uvicorn)."""
    defaults: dict[str, Any] = {"access_log": False, "server_header": False, "lifespan": "on"}
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level.lower(),
        http=http_protocol(header_timeout),
        **{**defaults, **options},
    )
