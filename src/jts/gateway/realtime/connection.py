"""One client as the hub sees it: its channels, what waits to be sent to it, and its writer.

Everything the hub has for a client goes into one pending dict, in first-insertion order:
conflated messages under (channel, key), so a newer value replaces the unsent older one in
place; reliable messages under (channel, seq), never replaced. The writer task takes the whole
dict at once and sends it as one `batch` frame, at most one per `batch_s` (a message arriving
after a quiet spell goes out at once). Control frames (acknowledgements, snapshots, errors,
heartbeats) queue separately and go out just before the batch of the same turn.

A connection never blocks a publisher: `put` only touches dicts. When the client cannot keep
up, its writer is stuck in `send` while pending grows; the hub notices (too many reliable
messages pending, or a send blocked too long) and closes the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import msgspec

from jts.gateway.auth.principal import Principal
from jts.gateway.realtime.protocol import batch_frame

PendingKey = tuple[str, object]
"""(channel, key) for a conflated message, (channel, seq) for a reliable one."""


class Sink(Protocol):
    """Where a connection's frames go: a WebSocket in production, a list in tests."""

    async def send(self, frame: bytes) -> None:
        """Send one UTF-8 JSON text frame; may wait while the peer is not reading."""
        ...

    async def close(self, code: int, reason: str) -> None: ...


@dataclass(slots=True)
class Counters:
    """Hub-wide counts, shared by the hub and its connections (`RealtimeHub.stats`)."""

    published: int = 0
    conflated: int = 0
    """Messages replaced in some client's pending batch by a newer one before being sent."""
    frames: int = 0
    messages: int = 0
    bytes: int = 0
    slow_disconnects: int = 0
    idle_disconnects: int = 0
    send_errors: int = 0
    """Writers ended by a failed send: mostly clients gone while a frame was on its way."""


class Connection:
    """A client's subscriptions, pending messages and writer (module docstring)."""

    def __init__(
        self,
        principal: Principal,
        sink: Sink,
        counters: Counters,
        *,
        batch_s: float,
        on_lost: Callable[[Connection, BaseException], None],
    ) -> None:
        self.principal = principal
        self.user_id = principal.user_id
        self.channels: set[str] = set()
        self.pending_reliable = 0
        """Reliable messages published (not replayed) since the writer last took the batch."""
        self.last_received = 0.0
        """Loop time of the last frame from the client."""
        self.sending_since = 0.0
        """Loop time the send in progress began; 0 when the writer is not sending."""
        self.next_heartbeat = 0.0
        self.closed = False
        self.closing: asyncio.Task[None] | None = None
        """The server's close of this connection in progress (`RealtimeHub` sets it)."""
        self._sink = sink
        self._counters = counters
        self._batch_s = batch_s
        self._on_lost = on_lost
        self._pending: dict[PendingKey, msgspec.Raw] = {}
        self._control: list[bytes] = []
        self._outbox: list[bytes] = []
        self._ready = asyncio.Event()
        self._done = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None

    # --- filled by the hub (never awaits) -----------------------------------------------------

    def put(self, key: PendingKey, message: msgspec.Raw) -> None:
        """Queue a conflated message, replacing an unsent one with the same (channel, key)."""
        pending = self._pending
        before = len(pending)
        pending[key] = message
        if len(pending) == before:
            self._counters.conflated += 1
        elif not before:
            self._ready.set()

    def put_reliable(self, key: PendingKey, message: msgspec.Raw) -> int:
        """Queue a reliable message; returns how many published ones now wait for this client."""
        if not self._pending:
            self._ready.set()
        self._pending[key] = message
        self.pending_reliable += 1
        return self.pending_reliable

    def replay(self, channel: str, missed: list[tuple[int, msgspec.Raw]]) -> None:
        """Queue (seq, message)s a resuming client missed; they do not count against its limit."""
        if missed and not self._pending:
            self._ready.set()
        for seq, message in missed:
            self._pending[(channel, seq)] = message

    def control(self, frame: bytes) -> None:
        """Queue a frame to go out before the next batch."""
        self._control.append(frame)
        self._ready.set()

    def purge(self, channels: set[str]) -> None:
        """Forget unsent messages of channels the client just left."""
        if any(key[0] in channels for key in self._pending):
            self._pending = {k: m for k, m in self._pending.items() if k[0] not in channels}
            reliable = sum(isinstance(key[1], int) for key in self._pending)  # (channel, seq)
            self.pending_reliable = min(self.pending_reliable, reliable)

    # --- life ---------------------------------------------------------------------------------

    def start(self) -> None:
        self.last_received = asyncio.get_running_loop().time()
        self._writer = asyncio.create_task(self._write(), name="realtime-writer")

    def shut(self) -> bool:
        """Stop writing and mark closed; True the first time (idempotent)."""
        if self.closed:
            return False
        self.closed = True
        if self._writer is not None:
            self._writer.cancel()
        self._done.set()
        return True

    async def close(self, code: int, reason: str, *, timeout_s: float, flush: bool) -> None:
        """Send what is pending (when `flush`) and a close frame, giving up after `timeout_s`
        (a peer that does not read never lets the close frame out)."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(timeout_s):
                if self._writer is not None:
                    await asyncio.wait([self._writer])  # cancelled by `shut`; never raises
                if flush:
                    await self._send_all(self._outbox + self._take())
                await self._sink.close(code, reason)

    async def wait_closed(self) -> None:
        """Until the connection is closed, including the server's close frame if it sends one."""
        await self._done.wait()
        if self.closing is not None:
            await asyncio.wait([self.closing])

    # --- writer -------------------------------------------------------------------------------

    def _take(self) -> list[bytes]:
        frames = self._control
        self._control = []
        if self._pending:
            messages = list(self._pending.values())
            self._pending = {}
            self.pending_reliable = 0
            self._counters.messages += len(messages)
            frames.append(batch_frame(time.time_ns(), messages))
        return frames

    async def _write(self) -> None:
        loop = asyncio.get_running_loop()
        ready, next_at = self._ready, 0.0
        try:
            while True:
                await ready.wait()
                delay = next_at - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                ready.clear()
                next_at = loop.time() + self._batch_s
                self._outbox = self._take()
                await self._send_all(self._outbox)
                self._outbox = []
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the peer went away mid-send, or the sink failed
            self._on_lost(self, exc)

    async def _send_all(self, frames: list[bytes]) -> None:
        loop, counters = asyncio.get_running_loop(), self._counters
        while frames:
            frame = frames[0]
            self.sending_since = loop.time()
            await self._sink.send(frame)
            self.sending_since = 0.0
            frames.pop(0)
            counters.frames += 1
            counters.bytes += len(frame)
