"""The simulator's WebSocket side (KIS.md §6): sessions, registrations, frames, notices.

Rules reproduced: one live session per appkey (a second one's subscribes get OPSP8996 with
rt_cd "9" and tr_id "(null)"; optionally the slot lingers after an abrupt disconnect); at
most `ws_cap` registrations per session across all TRs (OPSP0008); every control reply of
§6.3; successful subscribes carry a fresh key/iv; H0STCNT0 frames hold up to `trade_batch`
prints of a symbol; notices are AES-encrypted with their subscription's key; a notice
subscription with someone else's HTS id drops the socket without a close frame; PINGPONG
every `ping_interval_s` wall seconds, which a strict session must echo.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from jts.core.events import ExpectedPrice
from jts.core.models import BookUpdate, Tick
from jts.venues.kis.protocol import (
    OPSP,
    PINGPONG,
    WS_BOOK,
    WS_TRADES,
    ControlError,
    Env,
    NoticeCipher,
    SubscribeRequest,
    control_reply,
    format_frame,
    new_key_iv,
    notice_tr_id,
    parse_subscribe,
    pingpong_message,
)
from jts.venues.kis.server.auth import AuthBook
from jts.venues.kis.server.clock import NS
from jts.venues.kis.server.market import KisMarket
from jts.venues.kis.server.quotes import book_record, trade_record
from jts.venues.kis.server.tape import SymbolTape

__all__ = ["WsHub", "WsSession"]

Key = tuple[str, str]  # (tr_id, tr_key)


class WsSession:
    """One client connection: its registrations and its outgoing queue."""

    def __init__(self, connection: ServerConnection) -> None:
        self.connection = connection
        self.appkey: str | None = None
        self.registrations: dict[Key, Callable[[list[str]], None] | None] = {}
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.data_frames = 0
        self.unanswered = 0

    def send(self, text: str) -> None:
        self.queue.put_nowait(text)

    def abort(self) -> None:
        """Cut the TCP connection without a close frame."""
        self.connection.transport.abort()


class WsHub:
    """All sessions of one environment and the market data they registered."""

    def __init__(self, env: Env, market: KisMarket, auth: AuthBook) -> None:
        self.env = env
        self.market = market
        self.auth = auth
        self.config = market.config
        self.notice_tr = notice_tr_id(env)
        self.owners: dict[str, WsSession] = {}  # appkey -> its live session
        self.lingering: dict[str, int] = {}  # appkey -> until (ns, simulator clock)
        self.subscribers: dict[Key, set[WsSession]] = {}
        self._trades: dict[str, list[list[str]]] = {}
        self._books: dict[str, list[str]] = {}
        self._rng = random.Random(f"kis-ws-{self.config.seed}-{env.value}")
        market.tape.listeners.append(self._on_tape)
        market.after_sync.append(self.flush)

    # -- connections ----------------------------------------------------------------------------

    async def serve(self, connection: ServerConnection) -> None:
        """Handle one connection until it closes (any path is accepted)."""
        session = WsSession(connection)
        sender = asyncio.create_task(self._send_loop(session))
        pinger = asyncio.create_task(self._ping_loop(session))
        try:
            async for message in connection:
                if isinstance(message, str):
                    self._on_text(session, message)
        except ConnectionClosed:
            pass
        finally:
            sender.cancel()
            pinger.cancel()
            self._forget(session, abrupt=connection.close_code in (None, 1006))

    async def _send_loop(self, session: WsSession) -> None:
        every = self.config.drop_ws_every
        with contextlib.suppress(ConnectionClosed):
            while True:
                text = await session.queue.get()
                await session.connection.send(text)
                if text[:1] in ("0", "1"):
                    session.data_frames += 1
                    if every and session.data_frames % every == 0:
                        session.abort()
                        return

    async def _ping_loop(self, session: WsSession) -> None:
        interval, strict = self.config.ping_interval_s, self.config.ping_strict
        if interval <= 0:
            return
        while True:
            await asyncio.sleep(interval)
            if strict and session.unanswered >= strict:
                await session.connection.close()
                return
            session.unanswered += 1
            stamp = self.market.clock.kst().strftime("%Y%m%d%H%M%S")
            session.send(pingpong_message(stamp))

    def _forget(self, session: WsSession, *, abrupt: bool) -> None:
        for key in list(session.registrations):
            self._unregister(session, key)
        appkey = session.appkey
        if appkey is not None and self.owners.get(appkey) is session:
            del self.owners[appkey]
            if abrupt and self.config.session_linger_s > 0:
                linger = int(self.config.session_linger_s * NS)
                self.lingering[appkey] = self.market.clock.now_ns() + linger

    # -- control messages -------------------------------------------------------------------

    def _on_text(self, session: WsSession, text: str) -> None:
        if PINGPONG in text[:80]:
            session.unanswered = 0  # the echo of our keep-alive
            return
        try:
            request = parse_subscribe(text)
        except ControlError as exc:
            session.send(control_reply(exc.code, tr_id=""))
            return
        reply = self._subscribe(session, request)
        if reply is not None:
            session.send(reply)

    def _subscribe(self, session: WsSession, request: SubscribeRequest) -> str | None:
        tr_id, tr_key = request.tr_id, request.tr_key
        owner = self.auth.approval_owner(request.approval_key)
        if owner is None:
            msg1 = OPSP["OPSP0011"].msg1 + request.approval_key
            return control_reply("OPSP0011", tr_id=tr_id, tr_key=tr_key, msg1=msg1)
        if not self._claim(session, owner):
            return control_reply("OPSP8996", tr_id="(null)")
        notice = tr_id == self.notice_tr
        if tr_id not in (WS_TRADES, WS_BOOK, self.notice_tr):
            return control_reply("OPSP8991", tr_id=tr_id, tr_key=tr_key)
        if notice and tr_key != self.auth.accounts[owner].hts_id:
            if self.config.drop_wrong_hts_id:
                session.abort()
                return None
            return control_reply("OPSP8992", tr_id=tr_id, tr_key=tr_key)
        if not notice and self.market.tape.get(tr_key) is None:
            return control_reply("OPSP8992", tr_id=tr_id, tr_key=tr_key)
        key = (tr_id, tr_key)
        if not request.register:
            if key not in session.registrations:
                return control_reply("OPSP0003", tr_id=tr_id, tr_key=tr_key, encrypt=notice)
            self._unregister(session, key)
            return control_reply("OPSP0001", tr_id=tr_id, tr_key=tr_key, encrypt=notice)
        if key in session.registrations:
            return control_reply("OPSP0002", tr_id=tr_id, tr_key=tr_key, encrypt=notice)
        if len(session.registrations) >= self.config.ws_cap:
            return control_reply("OPSP0008", tr_id=tr_id, tr_key=tr_key, encrypt=notice)
        key_iv = new_key_iv(self._rng)
        self._register(session, key, owner, NoticeCipher(*key_iv) if notice else None)
        return control_reply("OPSP0000", tr_id=tr_id, tr_key=tr_key, encrypt=notice, key_iv=key_iv)

    def _claim(self, session: WsSession, appkey: str) -> bool:
        """Bind the session to `appkey` unless another live (or lingering) session has it."""
        if session.appkey == appkey:
            return True
        holder = self.owners.get(appkey)
        if holder is not None and holder is not session:
            return False
        if self.lingering.get(appkey, 0) > self.market.clock.now_ns():
            return False
        if session.appkey is not None:
            return False  # one session speaks for one appkey
        session.appkey = appkey
        self.owners[appkey] = session
        return True

    def _register(
        self, session: WsSession, key: Key, appkey: str, cipher: NoticeCipher | None
    ) -> None:
        sink = None
        if cipher is not None:
            tr_id = key[0]

            def sink(record: list[str]) -> None:
                session.send(format_frame(tr_id, [record], cipher=cipher))

            self.market.brokers[appkey].sinks.append(sink)
        session.registrations[key] = sink
        self.subscribers.setdefault(key, set()).add(session)

    def _unregister(self, session: WsSession, key: Key) -> None:
        sink = session.registrations.pop(key, None)
        if sink is not None and session.appkey is not None:
            sinks = self.market.brokers[session.appkey].sinks
            if sink in sinks:
                sinks.remove(sink)
        listeners = self.subscribers.get(key)
        if listeners is not None:
            listeners.discard(session)
            if not listeners:
                del self.subscribers[key]

    # -- market data --------------------------------------------------------------------------

    def _on_tape(self, tape: SymbolTape, event: object) -> None:
        if isinstance(event, Tick):
            if (WS_TRADES, tape.code) in self.subscribers:
                day = self.market.day.strftime("%Y%m%d")
                self._trades.setdefault(tape.code, []).append(trade_record(tape, event, day))
        elif isinstance(event, BookUpdate | ExpectedPrice) and (WS_BOOK, tape.code) in (
            self.subscribers
        ):
            self._books[tape.code] = book_record(tape, event.ts_ns)

    def flush(self) -> None:
        """Send what the market produced since the last flush: trades in frames of up to
        `trade_batch` records, the latest book of each symbol."""
        batch = max(1, self.config.trade_batch)
        trades, self._trades = self._trades, {}
        for code, records in trades.items():
            for start in range(0, len(records), batch):
                self._publish((WS_TRADES, code), records[start : start + batch])
        books, self._books = self._books, {}
        for code, record in books.items():
            self._publish((WS_BOOK, code), [record])

    def _publish(self, key: Key, records: list[list[str]]) -> None:
        sessions = self.subscribers.get(key)
        if not sessions:
            return
        text = format_frame(key[0], records)
        for session in sessions:
            session.send(text)
