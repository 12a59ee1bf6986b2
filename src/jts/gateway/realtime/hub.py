"""The server side of the realtime push: fan-out from producers to WebSocket clients.

Producers (market data, the order manager, the job runner) call `publish` from the event loop's
thread; it never awaits and costs one encoding plus a dict insert per subscriber of that
channel (subscriptions are indexed by channel, not scanned per client). Each client's writer
sends what accumulated as one frame per `batch_ms` (`connection.py`). What a family of channels
promises (conflated state or reliable events) is in `channels.py`.

A client that subscribes gets the current state at once: the newest values of a conflated
channel, or for a reliable channel the answer of the snapshot provider registered for it. A
reconnecting client names the last `seq` it saw and gets exactly what it missed, or, if that
fell out of the channel's history, a snapshot and a `reset`. Snapshot providers are plain
functions, not coroutines, on purpose: subscribing, reading the current seq and taking the
snapshot then happen with no publish in between, so the snapshot and the messages after it
fit together exactly.

Not thread-safe: other threads hand values over with `loop.call_soon_threadsafe(hub.publish,
...)`. The hub is FastAPI-free; `ws.py` connects it to `/ws`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import msgspec
import structlog

from jts.core.errors import ConfigError, InvalidInput, ServiceError
from jts.core.lifecycle import Service, ServiceState
from jts.gateway.auth.principal import Principal
from jts.gateway.realtime.channels import Authorizer, Delivery, Family, default_authorize, family_of
from jts.gateway.realtime.connection import Connection, Counters, Sink
from jts.gateway.realtime.history import History
from jts.gateway.realtime.last_values import LastValues
from jts.gateway.realtime.protocol import (
    CloseCode,
    Error,
    ErrorCode,
    Heartbeat,
    Ready,
    Snapshot,
    Subscribed,
    Unsubscribed,
    encode_frame,
    encode_message,
)

__all__ = ["HubConfig", "RealtimeHub", "SnapshotProvider"]

_log = structlog.get_logger(__name__)

SnapshotProvider = Callable[[Principal], Any]
"""principal -> the current state of a channel for it (e.g. its open orders), JSON-encodable."""


class HubConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the realtime push behaves.

    `batch_ms`: at most one batch frame per client per this many ms (0: whenever the writer
    runs). `heartbeat_s`: a heartbeat frame to every client this often. `idle_timeout_s`:
    close (4002) a client that sent nothing for this long, 0 never (clients answer each
    heartbeat with a ping). `send_timeout_s`: close (4008) a client that has not taken one
    frame for this long. `max_pending_reliable`: close (4008) a client with more reliable
    messages waiting than this; at most `history_size`, the messages kept per reliable channel
    for resume, so a client closed for being slow can always resume. `max_channels`: channels
    per client. `auth_timeout_s`: time to authenticate after connecting, else 4001.
    `close_timeout_s`: time given to the last frames and the close frame of a connection the
    server closes.
    """

    batch_ms: float = 10.0
    heartbeat_s: float = 15.0
    idle_timeout_s: float = 30.0
    send_timeout_s: float = 10.0
    max_pending_reliable: int = 10_000
    history_size: int = 10_000
    max_channels: int = 10_000
    auth_timeout_s: float = 5.0
    close_timeout_s: float = 1.0

    def __post_init__(self) -> None:
        positive = ("heartbeat_s", "send_timeout_s", "max_pending_reliable", "max_channels",
                    "auth_timeout_s", "close_timeout_s")  # fmt: skip
        for name in positive:
            if getattr(self, name) <= 0:
                raise ConfigError(f"realtime.{name}", "must be positive")
        for name in ("batch_ms", "idle_timeout_s"):
            if getattr(self, name) < 0:
                raise ConfigError(f"realtime.{name}", "must not be negative")
        if 0 < self.idle_timeout_s <= self.heartbeat_s:
            raise ConfigError("realtime.idle_timeout_s", "must exceed heartbeat_s (or be 0)")
        if self.history_size < self.max_pending_reliable:
            raise ConfigError("realtime.history_size", "must be at least max_pending_reliable")


class RealtimeHub(Service):
    """Channels, their subscribers and recent state; `publish` for producers, the rest for `/ws`."""

    def __init__(
        self,
        config: HubConfig | None = None,
        *,
        authorize: Authorizer = default_authorize,
        name: str = "realtime",
    ) -> None:
        super().__init__(name)
        self.config = config or HubConfig()
        self.epoch = uuid.uuid4().hex[:16]
        """Names this run of the hub: seq numbers from another epoch cannot be resumed."""
        self._authorize = authorize
        self._counters = Counters()
        self._families: dict[str, Family] = {}  # channel names publishers used, validated once
        self._subs: dict[str, set[Connection]] = {}
        self._conns: set[Connection] = set()
        self._last = LastValues()
        self._histories: dict[str, History] = {}
        self._providers: dict[str, SnapshotProvider] = {}
        self._closing: set[asyncio.Task[None]] = set()
        self._watcher: asyncio.Task[None] | None = None

    # --- producers ----------------------------------------------------------------------------

    def publish(
        self, channel: str, data: Any, *, key: str | None = None, user_id: int | None = None
    ) -> None:
        """Deliver `data` to the subscribers of `channel` (only `user_id`'s connections when
        set). `key` tells apart values of one conflated channel that must not replace each
        other (positions by symbol, bars by their start). Never awaits."""
        family = self._families.get(channel) or self._learn(channel)
        self._counters.published += 1
        if family.delivery is Delivery.RELIABLE:
            self._publish_reliable(channel, data, key, user_id)
            return
        message = encode_message(channel, data, key, None)
        self._last.put(channel, key, user_id, message, family.snapshot_keys)
        subscribers = self._subs.get(channel)
        if subscribers:
            slot = (channel, key)
            for conn in subscribers:
                if user_id is None or conn.user_id == user_id:
                    conn.put(slot, message)

    def subscribed(self, prefix: str = "") -> list[str]:
        """Channels starting with `prefix` that have a subscriber now (what pages show)."""
        return [channel for channel in self._subs if channel.startswith(prefix)]

    def register_snapshot(self, channel: str, provider: SnapshotProvider) -> None:
        """Answer subscriptions to the fixed-name `channel` ("orders") with `provider`'s view
        of the current state (replacing the newest published values on a conflated one)."""
        family = family_of(channel)
        if family is None or family.params:
            raise InvalidInput("channel", f"{channel!r} is not a fixed channel name")
        self._providers[channel] = provider

    def _learn(self, channel: str) -> Family:
        family = family_of(channel)
        if family is None:
            raise InvalidInput("channel", f"{channel!r} is not a realtime channel")
        self._families[channel] = family
        return family

    def _publish_reliable(self, channel: str, data: Any, key: str | None, user: int | None) -> None:
        history = self._history(channel)
        seq = history.last_seq + 1
        message = encode_message(channel, data, key, seq)
        history.append(seq, user, message)
        subscribers = self._subs.get(channel)
        if not subscribers:
            return
        slot, limit = (channel, seq), self.config.max_pending_reliable
        slow = [
            conn
            for conn in subscribers
            if (user is None or conn.user_id == user) and conn.put_reliable(slot, message) > limit
        ]
        for conn in slow:
            self._counters.slow_disconnects += 1
            self._drop(conn, CloseCode.SLOW_CONSUMER,
                       f"slow consumer: more than {limit} reliable messages pending")  # fmt: skip

    def _history(self, channel: str) -> History:
        history = self._histories.get(channel)
        if history is None:
            history = self._histories[channel] = History(self.config.history_size)
        return history

    # --- connections --------------------------------------------------------------------------

    @property
    def accepting(self) -> bool:
        return self.state is ServiceState.RUNNING

    def connect(self, principal: Principal, sink: Sink) -> Connection:
        """Register an authenticated client; its first frame is `ready`."""
        if not self.accepting:
            raise ServiceError(f"{self.name} is not running")
        cfg = self.config
        conn = Connection(principal, sink, self._counters, batch_s=cfg.batch_ms / 1_000,
                          on_lost=self._lost)  # fmt: skip
        self._conns.add(conn)
        conn.start()
        conn.next_heartbeat = conn.last_received + cfg.heartbeat_s
        ready = Ready(user=principal.username, epoch=self.epoch, heartbeat_s=cfg.heartbeat_s,
                      batch_ms=cfg.batch_ms)  # fmt: skip
        conn.control(encode_frame(ready))
        return conn

    def disconnect(self, conn: Connection) -> None:
        """The client went away: forget it (idempotent)."""
        self._forget(conn)

    def subscribe(
        self,
        conn: Connection,
        channels: Iterable[str],
        *,
        resume: dict[str, int] | None = None,
        epoch: str | None = None,
    ) -> None:
        """Subscribe `conn` and queue its acknowledgement, then the snapshot of the channels
        new to it; `resume` (reliable channel -> last seq seen in `epoch`) replays instead."""
        if conn.closed:  # a frame read after the hub closed the connection
            return
        added, already = self._admit(conn, channels)
        resume = resume or {}
        wrong = [c for c in resume if c not in added or _delivery(c) is not Delivery.RELIABLE]
        if wrong:
            conn.control(_error(ErrorCode.BAD_RESUME, "resume names reliable channels being "
                                "subscribed in the same request", wrong))  # fmt: skip
        stale = epoch is not None and epoch != self.epoch
        snapshot: list[msgspec.Raw] = []
        reset: list[str] = []
        resumed: dict[str, int] = {}
        seqs: dict[str, int] = {}
        for channel in added:
            conn.channels.add(channel)
            self._subs.setdefault(channel, set()).add(conn)
            since = None if channel in wrong else resume.get(channel)
            messages, replayed = self._catch_up(conn, channel, since, stale)
            snapshot += messages
            if replayed is not None:
                resumed[channel] = replayed
            elif _delivery(channel) is Delivery.RELIABLE:
                seqs[channel] = self._history(channel).last_seq
                if since is not None:
                    reset.append(channel)
        conn.control(encode_frame(Subscribed(added + already, resumed, seqs)))
        if snapshot or reset:
            conn.control(encode_frame(Snapshot(ts=time.time_ns(), messages=snapshot, reset=reset)))

    def unsubscribe(self, conn: Connection, channels: Iterable[str]) -> None:
        """Leave channels; unsent messages of them are dropped, unknown names ignored."""
        if conn.closed:
            return
        removed = [c for c in dict.fromkeys(channels) if c in conn.channels]
        for channel in removed:
            conn.channels.discard(channel)
            self._unindex(conn, channel)
        conn.purge(set(removed))
        conn.control(encode_frame(Unsubscribed(removed)))

    def _admit(self, conn: Connection, channels: Iterable[str]) -> tuple[list[str], list[str]]:
        """Split requested names into (new to `conn`, already subscribed); error frames for
        the rest (unknown, forbidden, over the channel limit)."""
        added: list[str] = []
        already: list[str] = []
        rejected: dict[ErrorCode, list[str]] = {}
        room = self.config.max_channels - len(conn.channels)
        for channel in dict.fromkeys(channels):
            if channel in conn.channels:
                already.append(channel)
            elif family_of(channel) is None:
                rejected.setdefault(ErrorCode.UNKNOWN_CHANNEL, []).append(channel)
            elif not self._authorize(conn.principal, channel):
                rejected.setdefault(ErrorCode.FORBIDDEN, []).append(channel)
            elif len(added) >= room:
                rejected.setdefault(ErrorCode.TOO_MANY_CHANNELS, []).append(channel)
            else:
                added.append(channel)
        for code, names in rejected.items():
            conn.control(_error(code, _REJECTIONS[code].format(self.config.max_channels), names))
        return added, already

    def _catch_up(
        self, conn: Connection, channel: str, since: int | None, stale: bool
    ) -> tuple[list[msgspec.Raw], int | None]:
        """(snapshot messages for a channel new to `conn`, how many messages were replayed
        instead: None when no resume took place)."""
        if _delivery(channel) is Delivery.CONFLATED:
            provided = self._provided(conn, channel, None)
            return (self._last.of(channel, conn.user_id) if provided is None else provided), None
        history = self._history(channel)
        if since is not None and not stale:
            missed = history.since(since, conn.user_id)
            if missed is not None:
                conn.replay(channel, missed)
                return [], len(missed)
        return self._provided(conn, channel, history.last_seq) or [], None

    def _provided(
        self, conn: Connection, channel: str, seq: int | None
    ) -> list[msgspec.Raw] | None:
        """The registered provider's snapshot as one message; None without a provider."""
        provider = self._providers.get(channel)
        if provider is None:
            return None
        try:
            data = provider(conn.principal)
            return [encode_message(channel, data, None, seq)]
        except Exception as exc:
            _log.error("realtime.snapshot_failed", channel=channel, exc_info=exc)
            conn.control(_error(ErrorCode.SNAPSHOT_FAILED, f"{type(exc).__name__}", [channel]))
            return []

    def _forget(self, conn: Connection) -> bool:
        if not conn.shut():
            return False
        self._conns.discard(conn)
        for channel in conn.channels:
            self._unindex(conn, channel)
        return True

    def _unindex(self, conn: Connection, channel: str) -> None:
        subscribers = self._subs.get(channel)
        if subscribers is not None:
            subscribers.discard(conn)
            if not subscribers:
                del self._subs[channel]

    def _drop(self, conn: Connection, code: CloseCode, reason: str, *, flush: bool = False) -> None:
        """Close `conn` from the server side with `code` and `reason` (the close frame is sent
        in the background; the hub forgets the connection at once)."""
        if not self._forget(conn):
            return
        _log.info("realtime.close", user=conn.principal.username, code=int(code), reason=reason)
        task = asyncio.create_task(
            conn.close(code, reason, timeout_s=self.config.close_timeout_s, flush=flush)
        )
        conn.closing = task
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _lost(self, conn: Connection, exc: BaseException) -> None:
        self._counters.send_errors += 1
        self._forget(conn)

    # --- heartbeats and timeouts --------------------------------------------------------------

    async def _watch(self) -> None:
        cfg = self.config
        period = min(0.5, cfg.heartbeat_s / 4, cfg.send_timeout_s / 4)
        if cfg.idle_timeout_s:
            period = min(period, cfg.idle_timeout_s / 4)
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(period)
            now = loop.time()
            heartbeat = encode_frame(Heartbeat(time.time_ns()))
            for conn in list(self._conns):
                self._check(conn, now, heartbeat)

    def _check(self, conn: Connection, now: float, heartbeat: bytes) -> None:
        cfg = self.config
        if conn.sending_since and now - conn.sending_since > cfg.send_timeout_s:
            self._counters.slow_disconnects += 1
            self._drop(conn, CloseCode.SLOW_CONSUMER,
                       f"slow consumer: a frame waited over {cfg.send_timeout_s:g} s")  # fmt: skip
        elif cfg.idle_timeout_s and now - conn.last_received > cfg.idle_timeout_s:
            self._counters.idle_disconnects += 1
            self._drop(conn, CloseCode.IDLE,
                       f"idle: nothing received for {cfg.idle_timeout_s:g} s")  # fmt: skip
        elif now >= conn.next_heartbeat:
            conn.next_heartbeat = now + cfg.heartbeat_s
            conn.control(heartbeat)

    # --- life and health ----------------------------------------------------------------------

    async def _on_start(self) -> None:
        self._watcher = asyncio.create_task(self._watch(), name="realtime-watch")

    async def _on_stop(self) -> None:
        """Close every client with 1001 (going away) after sending what is pending to it."""
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.wait([self._watcher])
        for conn in list(self._conns):
            self._drop(conn, CloseCode.GOING_AWAY, "server stopping", flush=True)
        if self._closing:
            await asyncio.wait(list(self._closing))

    def stats(self) -> dict[str, int]:
        """Counts for the health answer and the monitoring page."""
        c = self._counters
        return {
            "clients": len(self._conns),
            "subscriptions": sum(len(subs) for subs in self._subs.values()),
            "published": c.published,
            "messages_sent": c.messages,
            "frames_sent": c.frames,
            "bytes_sent": c.bytes,
            "conflated": c.conflated,
            "slow_disconnects": c.slow_disconnects,
            "idle_disconnects": c.idle_disconnects,
            "send_errors": c.send_errors,
        }

    def _is_healthy(self) -> bool:
        """Heartbeats and timeouts depend on the watcher task."""
        return self._watcher is not None and not self._watcher.done()

    def _health_details(self) -> dict[str, Any]:
        return {**self.stats(), "epoch": self.epoch}


_REJECTIONS = {
    ErrorCode.UNKNOWN_CHANNEL: "no such channel (quotes:<symbol>, bars:<symbol>:<tf>, orders, "
    "fills, positions, pnl, alerts, jobs, system)",
    ErrorCode.FORBIDDEN: "not allowed for this principal",
    ErrorCode.TOO_MANY_CHANNELS: "at most {} channels per connection",
}


def _delivery(channel: str) -> Delivery | None:
    family = family_of(channel)
    return None if family is None else family.delivery


def _error(code: ErrorCode, message: str, channels: list[str]) -> bytes:
    return encode_frame(Error(code, message, channels))
