"""`KisStream`: the KIS WebSocket session — trades, 10-level book and order/fill notices.

One session per app key (a second gets `OPSP8996`), at most ~40 registrations in it, plain
`ws://`. The client keeps what it wants subscribed in a `SubscriptionRegistry` and owns the
socket's whole life:

- `start` connects and registers everything (raises `VenueUnavailable` when it cannot);
- a reader answers each control reply to the request waiting for it, echoes `PINGPONG` as the
  identical text, and turns data frames (multi-record, AES for notices) into `Tick`,
  `BookUpdate`/`ExpectedPrice` and `Notice` values on one queue (`events()`);
- when the socket ends, or the feed goes silent while the market is open (`DeadFeedDetector`),
  a supervisor reconnects with jittered exponential backoff, registers everything again and
  puts a `Reconnected` marker on the queue, in order with the data: whoever consumes the queue
  fills the gap from REST there (orders and fills since the drop; missed ticks are gone, the
  quote is refreshed).

Data-frame codec, control messages and AES live in `protocol/`; record → value mapping in
`stream_records`; reconnect and dead-feed rules in `stream_health`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeAlias

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from jts.core.clock import Clock, LiveClock, kst_date
from jts.core.errors import InvalidInput, VenueUnavailable
from jts.core.events import ExpectedPrice
from jts.core.models import BookUpdate, Tick
from jts.venues.kis.protocol.control import (
    ControlReply,
    PingPong,
    parse_control,
    subscribe_message,
)
from jts.venues.kis.protocol.crypto import NoticeDecryptError
from jts.venues.kis.protocol.fields import (
    WS_BOOK,
    WS_NOTICE_PAPER,
    WS_NOTICE_REAL,
    WS_TRADES,
)
from jts.venues.kis.protocol.frames import FrameError, is_data_frame, parse_frame, records_of
from jts.venues.kis.stream_health import Backoff, DeadFeedDetector, krx_feed_expected
from jts.venues.kis.stream_records import Notice, book_of, notice_of, tick_of
from jts.venues.kis.stream_subs import Registration, SubscriptionRegistry

__all__ = [
    "ApprovalSource",
    "KisStream",
    "Reconnected",
    "SessionInUse",
    "StreamEvent",
    "SubscriptionRefused",
    "events_of",
]

_log = logging.getLogger(__name__)

_SESSION_IN_USE = "OPSP8996"
_ALREADY_SUBSCRIBED = "OPSP0002"
_NOT_SUBSCRIBED = "OPSP0003"
_INVALID_APPROVAL = "OPSP0011"
_MAX_OVER = "OPSP0008"
_NOTICE_TRS = frozenset({WS_NOTICE_REAL, WS_NOTICE_PAPER})
_TRADE_TRS = frozenset({WS_TRADES, "H0NXCNT0", "H0UNCNT0"})
"""KRX, NXT and consolidated trades share the 46-field layout (only #21's name differs)."""
_BOOK_TRS = frozenset({WS_BOOK, "H0NXASP0", "H0UNASP0"})
"""NXT/consolidated books are the KRX layout plus six mid-price fields at the end."""

ApprovalSource: TypeAlias = Callable[[bool], Awaitable[str]]
"""Gives the WebSocket approval key (`POST /oauth2/Approval`); called with True to ask for a
fresh one after the server said the key is invalid (`OPSP0011`)."""


class Reconnected(msgspec.Struct, frozen=True, kw_only=True):
    """The session came back after a drop: everything is registered again. Data between
    `down_ns` and `up_ns` (int ns UTC) was missed: fill the gap from REST."""

    down_ns: int
    up_ns: int
    attempts: int
    reason: str = ""


StreamEvent: TypeAlias = Tick | BookUpdate | ExpectedPrice | Notice | Reconnected


class SessionInUse(VenueUnavailable):
    """KIS answered `OPSP8996 ALREADY IN USE appkey`: another session holds the app key (or
    the slot of a session that dropped lingers). Retry later."""


class SubscriptionRefused(InvalidInput):
    """A registration KIS (or our cap) refused; `code` is the OPSP code, verbatim."""

    def __init__(self, registration: Registration, code: str, message: str) -> None:
        super().__init__("subscription", f"{registration[0]} {registration[1]}: [{code}] {message}")
        self.registration = registration
        self.code = code


class _Closed:
    """Ends `events()` iterations once the stream is closed."""


_CLOSED = _Closed()


class KisStream:
    """One KIS WebSocket session with reconnect, resubscribe and dead-feed detection."""

    def __init__(
        self,
        url: str,
        approval: ApprovalSource,
        *,
        custtype: str = "P",
        registry: SubscriptionRegistry | None = None,
        backoff: Backoff | None = None,
        clock: Clock | None = None,
        dead_after_s: float = 60.0,
        feed_expected: Callable[[int], bool] = krx_feed_expected,
        reply_timeout_s: float = 5.0,
        watch_interval_s: float = 1.0,
        keepalive_s: float | None = 20.0,
    ) -> None:
        """`clock` dates book and notice records (KST trading day) and drives the dead-feed
        rule; `feed_expected(ts_ns)` says when data must flow (default: KRX continuous
        trading). `keepalive_s` is the WebSocket-level ping interval (None: off; KIS's own
        PINGPONG is answered regardless)."""
        self.url = url
        self._approval = approval
        self.custtype = custtype
        self.registry = registry if registry is not None else SubscriptionRegistry()
        self.backoff = backoff or Backoff()
        self.clock = clock or LiveClock()
        self.detector = DeadFeedDetector(
            self.clock, dead_after_s=dead_after_s, feed_expected=feed_expected
        )
        self.reply_timeout_s = reply_timeout_s
        self.watch_interval_s = watch_interval_s
        self.keepalive_s = keepalive_s
        self._queue: asyncio.Queue[StreamEvent | _Closed] = asyncio.Queue()
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pending: dict[Registration, asyncio.Future[ControlReply]] = {}
        self._active: set[Registration] = set()
        self._key = ""
        self._closed = True
        self.pings = 0
        self.frames = 0
        self.records = 0
        self.notices_received = 0
        """Notices read so far; each `Notice` carries its number in `seq`."""
        self.reconnects = 0
        self.bad_frames = 0

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def start(self) -> None:
        """Connect and register everything wanted; idempotent. `VenueUnavailable` (or
        `SessionInUse`) when the first session cannot be opened."""
        if not self._closed:
            return
        self._closed = False
        try:
            await self._open()
        except BaseException:
            self._closed = True
            raise
        self._tasks = [
            asyncio.create_task(self._supervise(), name="kis-ws-supervisor"),
            asyncio.create_task(self._watch(), name="kis-ws-watchdog"),
        ]

    async def close(self) -> None:
        """Close the session and end `events()`; idempotent. Registrations stay wanted, so a
        later `start` registers them again."""
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self._drop_session()
        self._queue.put_nowait(_CLOSED)

    async def events(self) -> AsyncIterator[StreamEvent]:
        """Everything the session delivers, in arrival order, until `close`; one consumer."""
        while True:
            event = await self._queue.get()
            if isinstance(event, _Closed):
                return
            yield event

    # -- subscriptions ------------------------------------------------------------------------

    async def subscribe(self, tr_id: str, tr_key: str) -> None:
        """Register (`tr_id`, `tr_key`) now and after every reconnect. `SubscriptionRefused`
        when the cap is reached (nothing sent) or KIS refuses it (`OPSP0008`, invalid TR or
        key); `SessionInUse` when another session holds the app key. While disconnected it is
        only remembered, and registered on reconnect."""
        registration = (tr_id, tr_key)
        if not self.registry.add(registration):
            raise SubscriptionRefused(
                registration, _MAX_OVER, f"cap of {self.registry.max_registrations} reached"
            )
        ws = self._ws
        if ws is None or registration in self._active:
            return
        try:
            await self._register(ws, registration)
        except (ConnectionClosed, TimeoutError):
            return  # the supervisor reconnects and registers it then

    async def unsubscribe(self, tr_id: str, tr_key: str) -> None:
        """Stop (`tr_id`, `tr_key`) and free its slot."""
        registration = (tr_id, tr_key)
        self.registry.discard(registration)
        ws = self._ws
        if ws is None or registration not in self._active:
            return
        self._active.discard(registration)
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            reply = await self._request(ws, registration, register=False)
            if not reply.ok and reply.msg_cd != _NOT_SUBSCRIBED:
                _log.warning(
                    "unsubscribe %s refused: %s %s", registration, reply.msg_cd, reply.msg1
                )

    # -- dead feed ----------------------------------------------------------------------------

    async def check_feed(self) -> bool:
        """Apply the dead-feed rule now (the watchdog calls this every `watch_interval_s`);
        when the feed is dead, drop the socket so that the supervisor reconnects. True if so."""
        ws = self._ws
        if ws is None:
            return False
        watching = any(tr not in _NOTICE_TRS for tr in self.registry.trs())
        if not self.detector.is_dead(watching=watching):
            return False
        _log.warning("KIS WebSocket feed silent while the market is open: reconnecting")
        await ws.close(code=1011, reason="dead feed")
        return True

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.watch_interval_s)
            try:
                await self.check_feed()
            except Exception:  # the watchdog must outlive one bad check
                _log.exception("dead-feed check failed")

    # -- sessions -----------------------------------------------------------------------------

    async def _open(self) -> None:
        """Connect and register everything wanted; the socket becomes current only then."""
        try:
            self._key = await self._approval(False)
            ws = await connect(
                self.url,
                open_timeout=self.reply_timeout_s,
                ping_interval=self.keepalive_s,
                ping_timeout=self.keepalive_s,
                close_timeout=2.0,  # a dead peer must not hold a reconnect for long
                max_queue=None,
            )
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            raise VenueUnavailable(f"KIS WebSocket {self.url}: {exc}") from exc
        self._active = set()
        self.registry.forget_ciphers()
        reader = asyncio.create_task(self._read(ws), name="kis-ws-reader")
        try:
            await self._register_all(ws)
        except BaseException:
            reader.cancel()
            await ws.close()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
            raise
        self._ws, self._reader = ws, reader
        self.detector.restart()

    async def _register_all(self, ws: ClientConnection) -> None:
        """Register each wanted pair until none is missing (a `subscribe` may add one while
        this runs). Pairs KIS refuses are dropped from the registry and logged."""
        while missing := [r for r in self.registry if r not in self._active]:
            for registration in missing:
                try:
                    await self._register(ws, registration)
                except SubscriptionRefused as refused:
                    _log.error("KIS refused %s after reconnect: %s", registration, refused)
                except (ConnectionClosed, TimeoutError) as exc:
                    raise VenueUnavailable(
                        f"KIS WebSocket closed while registering: {exc}"
                    ) from exc

    async def _register(self, ws: ClientConnection, registration: Registration) -> None:
        reply = await self._request(ws, registration, register=True)
        if reply.msg_cd == _INVALID_APPROVAL:
            self._key = await self._approval(True)
            reply = await self._request(ws, registration, register=True)
        if reply.msg_cd == _SESSION_IN_USE:
            raise SessionInUse(f"KIS: [{reply.msg_cd}] {reply.msg1}")
        if reply.ok or reply.msg_cd == _ALREADY_SUBSCRIBED:
            if registration in self.registry:  # not unsubscribed while waiting
                self._active.add(registration)
            return
        self.registry.discard(registration)
        raise SubscriptionRefused(registration, reply.msg_cd, reply.msg1)

    async def _request(
        self, ws: ClientConnection, registration: Registration, *, register: bool
    ) -> ControlReply:
        future: asyncio.Future[ControlReply] = asyncio.get_running_loop().create_future()
        self._pending[registration] = future
        try:
            text = subscribe_message(
                self._key, *registration, register=register, custtype=self.custtype
            )
            await ws.send(text)
            async with asyncio.timeout(self.reply_timeout_s):
                return await future
        finally:
            if self._pending.get(registration) is future:
                del self._pending[registration]

    async def _supervise(self) -> None:
        """Wait for the session to end, then reconnect (with backoff) until closed."""
        while not self._closed:
            if self._reader is not None:
                with contextlib.suppress(Exception):
                    await self._reader
            down_ns = self.clock.now_ns()
            reason = _close_reason(self._ws)
            await self._drop_session()
            attempts = await self._reconnect()
            self.reconnects += 1
            _log.warning("KIS WebSocket reconnected after %d attempt(s) (%s)", attempts, reason)
            up_ns = self.clock.now_ns()
            self._queue.put_nowait(
                Reconnected(down_ns=down_ns, up_ns=up_ns, attempts=attempts, reason=reason)
            )

    async def _reconnect(self) -> int:
        attempts = 0
        while True:
            await asyncio.sleep(self.backoff.next_delay())
            attempts += 1
            try:
                await self._open()
            except Exception as exc:  # approval refused, rate limit, OPSP8996 ...: keep trying
                _log.warning("KIS WebSocket reconnect attempt %d failed: %s", attempts, exc)
                continue
            self.backoff.reset()
            return attempts

    async def _drop_session(self) -> None:
        ws, reader = self._ws, self._reader
        self._ws, self._reader = None, None
        self._active = set()
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionClosed(None, None))
        self._pending.clear()
        if ws is not None:
            await ws.close()
        if reader is not None and not reader.done():
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    # -- reading ------------------------------------------------------------------------------

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in ws:
                text = message.decode() if isinstance(message, bytes) else message
                if is_data_frame(text):
                    self._on_data(text)
                else:
                    await self._on_control(ws, text)

    async def _on_control(self, ws: ClientConnection, text: str) -> None:
        try:
            message = parse_control(text)
        except ValueError:
            self.bad_frames += 1
            _log.warning("unreadable KIS control message %.80r", text)
            return
        if isinstance(message, PingPong):
            self.pings += 1
            await ws.send(message.raw)  # the identical text back, as KIS clients do
            return
        if message.key and message.iv:
            self.registry.set_cipher(message.tr_id, message.key, message.iv)
        if message.msg_cd == _SESSION_IN_USE:  # names no TR: it answers every waiting request
            for waiting in self._pending.values():
                if not waiting.done():
                    waiting.set_result(message)
            return
        future = self._pending.get((message.tr_id, message.tr_key))
        if future is not None and not future.done():
            future.set_result(message)

    def _on_data(self, text: str) -> None:
        try:
            frame = parse_frame(text)
            records = records_of(frame, cipher=self.registry.cipher(frame.tr_id))
            events = events_of(frame.tr_id, records, kst_date(self.clock.now_ns()))
        except (FrameError, NoticeDecryptError, ValueError, IndexError) as exc:
            self.bad_frames += 1
            _log.warning("bad KIS data frame: %s", exc)
            return
        self.detector.saw_data()
        self.frames += 1
        self.records += len(records)
        for event in events:
            if isinstance(event, Notice):
                self.notices_received += 1
                event = msgspec.structs.replace(event, seq=self.notices_received)
            self._queue.put_nowait(event)


def events_of(
    tr_id: str, records: list[tuple[str, ...]], day: dt.date
) -> list[Tick | BookUpdate | ExpectedPrice | Notice]:
    """The values of one frame's records (all or nothing: a bad field spoils the frame)."""
    if tr_id in _TRADE_TRS:
        return [tick for tick in (tick_of(r, day) for r in records) if tick is not None]
    if tr_id in _BOOK_TRS:
        return [book_of(r, day) for r in records]
    if tr_id in _NOTICE_TRS:
        return [notice_of(r, day) for r in records]
    return []


def _close_reason(ws: ClientConnection | None) -> str:
    if ws is None:
        return "closed"
    if ws.close_code is None:
        return "connection lost"
    return f"close {ws.close_code} {ws.close_reason}".strip()
