"""Session limits for streamable HTTP that one client cannot exhaust (ASGI middleware around the SDK's app).

The SDK's session manager has a cap (`max_sessions`) and an idle timeout (`session_idle_timeout`), both
set by `awsinv_mcp.server.http`; at the cap it refuses every new client with 503 until a session ends
(30 minutes by default). `SessionGuard` adds what it lacks, watching requests from outside:
- a session opened by `initialize` but never used again (no `notifications/initialized`, no request)
  ends after `INIT_TIMEOUT_S`;
- an idle session (no request in flight, no open GET stream) ends after `idle_timeout`;
- at the cap, an idle session makes room for the new one: never-used sessions first, then the least
  recently used session of the client holding the most (a client is its address plus its credential),
  so a flood of sessions evicts its own;
- only when every session is busy does a new one get 503, with `Retry-After` and what to do.
Sessions end the way a client ends them: a DELETE with their id, sent through the same app.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from mcp_types import INTERNAL_ERROR
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("awsinv_mcp.sessions")

INIT_TIMEOUT_S = 10.0
"""Seconds a session may stay unused after `initialize` (a real client follows up at once)."""
REAP_INTERVAL_S = 1.0
RETRY_AFTER_S = 5
SESSION_HEADER = b"mcp-session-id"
VERSION_HEADER = b"mcp-protocol-version"
STATELESS_VERSIONS = tuple(v.encode() for v in MODERN_PROTOCOL_VERSIONS)
"""Versions served without sessions (per-request envelope): the guard leaves their requests alone."""


@dataclass(slots=True, kw_only=True)
class _Session:
    client: str
    opened: float
    last_active: float
    host: bytes
    authorization: bytes | None
    used: bool = False
    in_flight: int = 0
    ending: bool = False


class SessionGuard:
    """See the module docstring. `clock` is injectable for tests; it defaults to `time.monotonic`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_sessions: int,
        idle_timeout: float,
        init_timeout: float = INIT_TIMEOUT_S,
        path: str = "/mcp",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        self.init_timeout = init_timeout
        self.paths = {path.rstrip("/") or "/", path.rstrip("/") + "/"}
        self.path = path
        self.clock = clock
        self.sessions: dict[str, _Session] = {}
        self.opening = 0
        self._admission = anyio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._reap_forever)
                await self.app(scope, receive, send)
                tg.cancel_scope.cancel()
            return
        if (
            scope["type"] != "http"
            or scope["path"] not in self.paths
            or _header(scope, VERSION_HEADER) in (STATELESS_VERSIONS)
        ):
            await self.app(scope, receive, send)
            return
        session_id = _header(scope, SESSION_HEADER)
        if session_id is None:
            await self._open(scope, receive, send)
        else:
            await self._use(session_id.decode("latin-1"), scope, receive, send)

    # -- requests -------------------------------------------------------------------------------------

    async def _use(self, session_id: str, scope: Scope, receive: Receive, send: Send) -> None:
        session = self.sessions.get(session_id)
        if session is None or session.ending:
            await self.app(scope, receive, send)
            return
        session.used = True
        session.in_flight += 1
        status: list[int] = []
        try:
            await self.app(scope, receive, _watch(send, status))
        finally:
            session.in_flight -= 1
            session.last_active = self.clock()
            gone = status and (status[0] == 404 or (scope["method"] == "DELETE" and status[0] < 300))
            if gone:
                self.sessions.pop(session_id, None)

    async def _open(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with self._admission:
            await self._reap()
            if len(self.sessions) + self.opening >= self.max_sessions and not await self._make_room(scope):
                await _refuse(send, self.max_sessions)
                return
            self.opening += 1

        opened: list[_Session] = []

        async def register(message: Message) -> None:
            # registered when the answer starts, before the client can hold the id and use it; busy until
            # this answer is complete
            if message["type"] == "http.response.start" and message["status"] < 400:
                session_id = next((v for k, v in message.get("headers", []) if k.lower() == SESSION_HEADER), None)
                if session_id is not None:
                    now = self.clock()
                    session = _Session(
                        client=_client_key(scope),
                        opened=now,
                        last_active=now,
                        host=_header(scope, b"host") or b"",
                        authorization=_header(scope, b"authorization"),
                        in_flight=1,
                    )
                    self.sessions[session_id.decode("latin-1")] = session
                    opened.append(session)
            await send(message)

        try:
            await self.app(scope, receive, register)
        finally:
            self.opening -= 1
            for session in opened:
                session.in_flight -= 1
                session.opened = session.last_active = self.clock()

    # -- eviction -------------------------------------------------------------------------------------

    async def _make_room(self, scope: Scope) -> bool:
        """End one idle session for a new one; False when every session is busy."""
        idle = [(sid, s) for sid, s in self.sessions.items() if not s.in_flight and not s.ending]
        if not idle:
            return False
        unused = [item for item in idle if not item[1].used]
        if unused:
            victim = min(unused, key=lambda item: item[1].opened)[0]
        else:
            held: dict[str, int] = {}
            for s in self.sessions.values():
                held[s.client] = held.get(s.client, 0) + 1
            victim = min(idle, key=lambda item: (-held[item[1].client], item[1].last_active))[0]
        await self._end(victim, "to make room for a new session")
        return True

    async def _reap(self) -> None:
        now = self.clock()
        expired = [
            sid
            for sid, s in self.sessions.items()
            if not s.in_flight
            and not s.ending
            and ((not s.used and now - s.opened >= self.init_timeout) or (now - s.last_active >= self.idle_timeout))
        ]
        for sid in expired:
            session = self.sessions.get(sid)
            reason = "never used after initialize" if session and not session.used else "idle"
            await self._end(sid, reason)

    async def _reap_forever(self) -> None:
        while True:
            await anyio.sleep(min(REAP_INTERVAL_S, self.init_timeout / 4))
            async with self._admission:
                await self._reap()

    async def _end(self, session_id: str, reason: str) -> None:
        """End a session as its client would: DELETE /mcp with its id, through the same app."""
        session = self.sessions.get(session_id)
        if session is None:
            return
        session.ending = True
        headers = [(b"host", session.host), (SESSION_HEADER, session_id.encode("latin-1"))]
        if session.authorization is not None:
            headers.append((b"authorization", session.authorization))
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "DELETE",
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "client": None,
            "server": None,
            "state": {},
        }
        status: list[int] = []
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await anyio.sleep(math.inf)
            return {"type": "http.disconnect"}  # pragma: no cover

        async def discard(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        with anyio.move_on_after(10):
            await self.app(scope, receive, discard)
        self.sessions.pop(session_id, None)
        if status and status[0] in (200, 202, 204, 404):
            log.debug("ended HTTP session %s… (%s)", session_id[:8], reason)
        else:
            log.warning("could not end HTTP session %s… (%s): HTTP %s", session_id[:8], reason, status or "none")


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope["headers"] if k == name), None)


def _client_key(scope: Scope) -> str:
    """Who holds a session: the peer address and a digest of its credential (never the credential)."""
    host = (scope.get("client") or ("?", 0))[0]
    credential = _header(scope, b"authorization") or b""
    return f"{host}|{hashlib.sha256(credential).hexdigest()[:12] if credential else '-'}"


def _watch(send: Send, status: list[int]) -> Send:
    async def watched(message: Message) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        await send(message)

    return watched


async def _refuse(send: Send, limit: int) -> None:
    message = (
        f"Too many open sessions: this server holds at most {limit} and every one is in use; retry in "
        f"{RETRY_AFTER_S} s, and end sessions you no longer need (DELETE with their Mcp-Session-Id)"
    )
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": INTERNAL_ERROR, "message": message}}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(RETRY_AFTER_S).encode()),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body})
