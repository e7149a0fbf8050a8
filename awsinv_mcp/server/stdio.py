"""`awsinv-mcp serve` over stdio: the SDK's stdio transport with a JSON-RPC edge in front of the server.

The SDK drops a line it cannot parse (a client waits forever). Here every line is read first (bounded in
size), and what is not one JSON-RPC message is answered at once through the SDK's own writer (see
`awsinv_mcp.server.wire`): -32700 for text that is not JSON, -32600 naming the problem for a malformed
envelope or an oversized line. A batch is processed where the negotiated protocol version has batches
(2025-03-26: its requests go to the server one by one and their answers leave as one array) and refused
otherwise. Blank lines are ignored. Everything else is the SDK's (`mcp.server.stdio.stdio_server`): fd 1
still points at stderr while serving, and fd 0 at the null device (this module reads a private duplicate).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import anyio
import anyio.lowlevel
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp_types import (
    INVALID_REQUEST,
    JSONRPCError,
    JSONRPCMessage,
    JSONRPCNotification,
    JSONRPCRequest,
    JSONRPCResponse,
)

from awsinv_mcp.server import wire
from awsinv_mcp.server.sdk_seams import lowlevel_server, raw_message

log = logging.getLogger("awsinv_mcp.stdio")

MAX_LINE_BYTES = 4 * 1024 * 1024
"""The largest message accepted on stdin (the SDK's HTTP body limit, for the same reason)."""


@dataclass(slots=True)
class _Batch:
    waiting: set[str | int]
    replies: list[JSONRPCMessage] = field(default_factory=list)


class StdioEdge:
    """Reads stdin lines for the SDK, answering those that are not one JSON-RPC message itself.

    `lines()` is the `stdin` given to `stdio_server`; `forward()` carries the server's messages to the
    SDK's writer, collecting the answers that belong to a batch. Both write through one stream (`out`).
    """

    def __init__(self, out: MemoryObjectSendStream[SessionMessage]) -> None:
        self.out = out
        self.negotiated: str | None = None
        self._initialize_id: str | int | None = None
        self._batches: dict[str | int, _Batch] = {}

    async def _reply(self, reply: wire.Refusal | list[JSONRPCMessage]) -> None:
        await self.out.send(SessionMessage(reply.error()) if isinstance(reply, wire.Refusal) else raw_message(reply))

    async def lines(self, source: BinaryIO) -> AsyncIterator[str]:
        """The lines the SDK may parse: each one JSON-RPC message."""
        raw_lines, incoming = anyio.create_memory_object_stream[bytes | None](1)
        token = anyio.lowlevel.current_token()

        def read() -> None:  # a daemon thread: a blocked read never holds up the process's exit (Ctrl-C)
            with contextlib.suppress(Exception):  # the loop is gone: serving has ended
                while True:
                    raw: bytes | None = source.readline(MAX_LINE_BYTES + 1)
                    if raw and len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                        while (rest := source.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                            pass
                        raw = None  # too long: answered, not parsed
                    anyio.from_thread.run(raw_lines.send, raw, token=token)
                    if raw == b"":
                        return

        threading.Thread(target=read, name="awsinv-mcp stdin", daemon=True).start()
        async with incoming:
            async for raw in incoming:
                if raw == b"":
                    return
                if raw is None:
                    limit = f"{MAX_LINE_BYTES // (1024 * 1024)} MiB"
                    await self._reply(
                        wire.Refusal(INVALID_REQUEST, f"Invalid Request: a message is limited to {limit}")
                    )
                    continue
                if not raw.strip():
                    continue
                decoded = wire.decode(raw)
                if isinstance(decoded, list):
                    for line in await self._batch(decoded):
                        yield line
                    continue
                checked = decoded if isinstance(decoded, wire.Refusal) else wire.message(decoded)
                if isinstance(checked, wire.Refusal):
                    await self._reply(checked)
                    continue
                await self._observe(checked)
                yield raw.decode("utf-8")

    async def _observe(self, message: JSONRPCMessage) -> None:
        if isinstance(message, JSONRPCRequest) and message.method == "initialize":
            self._initialize_id = message.id
        elif isinstance(message, JSONRPCNotification) and message.method == "notifications/cancelled":
            await self._forget((message.params or {}).get("requestId"))

    async def _batch(self, items: list[Any]) -> list[str]:
        """Checks a batch; returns the lines of its valid messages (the server answers those)."""
        if self.negotiated not in wire.BATCH_VERSIONS:
            await self._reply(wire.batch_refusal(self.negotiated))
            return []
        if not items:
            await self._reply(wire.Refusal(INVALID_REQUEST, "Invalid Request: an empty batch"))
            return []
        batch = _Batch(waiting=set())
        lines = []
        for item in items:
            checked = wire.message(item)
            if isinstance(checked, JSONRPCRequest):
                if checked.method == "initialize":
                    checked = wire.Refusal(INVALID_REQUEST, "Invalid Request: initialize cannot be batched", checked.id)
                elif checked.id in batch.waiting or checked.id in self._batches:
                    checked = wire.Refusal(INVALID_REQUEST, "Invalid Request: this id is already in use", checked.id)
                else:
                    batch.waiting.add(checked.id)
            if isinstance(checked, wire.Refusal):
                batch.replies.append(checked.error())
                continue
            await self._observe(checked)
            lines.append(json.dumps(item, separators=(",", ":"), ensure_ascii=False))
        for request_id in batch.waiting:
            self._batches[request_id] = batch
        if not batch.waiting and batch.replies:
            await self._reply(batch.replies)
        return lines

    async def _forget(self, request_id: Any) -> None:
        """A cancelled request gets no answer, so its batch stops waiting for one."""
        batch = self._batches.pop(request_id, None) if isinstance(request_id, str | int) else None
        if batch is not None:
            batch.waiting.discard(request_id)
            if not batch.waiting:
                await self._reply(batch.replies)

    async def forward(self, server_out: MemoryObjectReceiveStream[SessionMessage], sdk_in: Any) -> None:
        """The server's messages to the SDK's writer; a batch's answers leave together when all are in."""
        async with server_out, sdk_in:
            async for item in server_out:
                message = item.message
                if isinstance(message, JSONRPCResponse | JSONRPCError) and message.id is not None:
                    if message.id == self._initialize_id and isinstance(message, JSONRPCResponse):
                        self.negotiated = str(message.result.get("protocolVersion") or "") or None
                    batch = self._batches.pop(message.id, None)
                    if batch is not None:
                        batch.waiting.discard(message.id)
                        batch.replies.append(message)
                        if not batch.waiting:
                            await sdk_in.send(raw_message(batch.replies))
                        continue
                await sdk_in.send(item)


@contextlib.contextmanager
def private_stdin() -> Iterator[BinaryIO]:
    """fd 0 as a private binary stream, with fd 0 itself pointing at the null device while serving.

    Children (an AWS `credential_process`, say) and stray reads then see EOF instead of taking protocol
    bytes. The duplicate is never closed: a worker thread may still block on it after serving ends.
    """
    try:
        private = os.dup(0)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
    except OSError:
        yield sys.stdin.buffer
        return
    try:
        yield os.fdopen(private, "rb", closefd=False)
    finally:
        with contextlib.suppress(OSError):
            os.dup2(private, 0)


async def serve_stdio(mcp: MCPServer) -> None:
    """Serve `mcp` on stdin/stdout until stdin closes (what `MCPServer.run("stdio")` does, plus the edge)."""
    server = lowlevel_server(mcp)
    out, server_out = anyio.create_memory_object_stream[SessionMessage](16)
    edge = StdioEdge(out)
    with private_stdin() as stdin:
        async with (
            stdio_server(stdin=edge.lines(stdin)) as (read, write),  # type: ignore[arg-type]
            anyio.create_task_group() as tg,
        ):
            tg.start_soon(edge.forward, server_out, write)
            async with out:
                await server.run(read, out, server.create_initialization_options())
