"""`KisVenue`: the `Venue` contract over the KIS Open API — REST for orders and the account,
the WebSocket (`KisStream`) for trades, books and order/fill notices.

The parts, each in its own module: `KisRest` (budget, token, retries) under `KisOrders`
(submit/modify/cancel, never a blind resend) and `KisAccount` (orders of the day, balance);
`KisStream` (reconnect, resubscribe, PINGPONG, AES, dead feed); `OrderTracker` (which order
number is which client order; every fill once); `GapFiller` (what the notices missed).

Fills arrive as notices while the socket is up and as REST totals after it was down; both
book into one `OrderTracker`, keyed by order number and cumulative quantity, so each share
is booked once (see `venue_gap` for the one race and how it is closed). A notice can arrive
before the REST answer to the submit that caused it: while a request is in flight, notices
of unknown order numbers wait and are applied once the answer names their number.

The notice feed is always subscribed when an HTS id is configured (fills must be known even
if nobody asked for the ORDERS feed); `subscribe(..., {ORDERS})` only decides whether order
updates and fills also go to `events()`. Without an HTS id, fills come from REST totals,
read by `fills_since` and after each reconnect. KIS has no symbol/market status feed here:
`STATUS` subscriptions yield nothing.
Prices int KRW, quantities shares, timestamps int ns UTC.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

import httpx
import msgspec

from jts.core.clock import Clock, LiveClock, kst_date
from jts.core.enums import Market, OrderStatus, Side
from jts.core.errors import JtsError, VenueUnavailable
from jts.core.events import ExpectedPrice, OrderUpdate
from jts.core.models import (
    Account,
    BookUpdate,
    Fill,
    Instrument,
    Order,
    OrderRequest,
    Position,
    Tick,
)
from jts.krx import trade_costs
from jts.venues.base import FeedKind, VenueCaps, VenueEvent
from jts.venues.kis.config import AppKey, KisConfig
from jts.venues.kis.connection import KisConnection
from jts.venues.kis.protocol.codes import ORDER_DIVISIONS
from jts.venues.kis.protocol.fields import notice_tr_id
from jts.venues.kis.stream import KisStream, Reconnected
from jts.venues.kis.stream_health import Backoff, krx_feed_expected
from jts.venues.kis.stream_records import Notice, NoticeKind
from jts.venues.kis.subscriptions import Tier
from jts.venues.kis.throttle import BucketBackend
from jts.venues.kis.tracking import OrderTracker, TrackedOrder, status_after
from jts.venues.kis.venue_gap import GapFiller, GapResult, refresh_book
from jts.venues.kis.watch import KisWatch

__all__ = ["KisVenue", "kis_caps"]

_log = logging.getLogger(__name__)

_GAP_ATTEMPTS = 3
_GAP_RETRY_S = 1.0


def kis_caps(config: KisConfig) -> VenueCaps:
    """What KIS allows, from the configuration: the REST budget bounds the order rate."""
    return VenueCaps(
        name="kis",
        orders_per_second=config.requests_per_second,
        supports_modify=True,
        supports_ioc_fok=True,
        order_types=frozenset(d.order_type for d in ORDER_DIVISIONS.values()),
        sessions="KRX via KIS; NXT/SOR on real accounts only; no status feed",
        paper=config.paper,
    )


class KisVenue:
    """One KIS account: REST orders and queries, WebSocket feeds and notices."""

    name = "kis"

    def __init__(
        self,
        config: KisConfig,
        *,
        clock: Clock | None = None,
        instruments: Mapping[str, Instrument] | None = None,
        http: httpx.AsyncClient | None = None,
        throttle_backend: BucketBackend | None = None,
        backoff: Backoff | None = None,
        dead_after_s: float = 60.0,
        feed_expected: Callable[[int], bool] = krx_feed_expected,
        watch_interval_s: float = 1.0,
        rest_attempts: int = 4,
        rest_backoff_s: float = 0.25,
        inquiry_delay_s: float = 1.0,
        token_min_interval_s: float = 60.0,
    ) -> None:
        """`clock` is the market's clock (KST trading day of notices, order inquiries); tokens
        and the request budget always run on the wall clock, since KIS's one-token-a-minute
        rule and token lifetime are real time (a rehearsal simulator's market may run on
        another day: an expired token is then renewed when the server says so). `instruments`
        give each symbol's market for the sell tax (unknown symbols count as KOSPI).
        `rest_attempts`,
        `rest_backoff_s` and `inquiry_delay_s` tune `KisRest` retries and `KisOrders`' inquiry
        into an uncertain submit; `token_min_interval_s` is KIS's one-token-a-minute rule (tests
        against a simulator configured otherwise may lower it)."""
        self.config = config
        self.caps = kis_caps(config)
        self.clock: Clock = clock or LiveClock()
        self._instruments = instruments or {}
        self._owns_http = http is None
        # tokens and the request budget run on the machine's clock: KIS's rules are real time
        self.connection = KisConnection.open(
            config, market_clock=self.clock, http=http, budget=throttle_backend,
            token_min_interval_s=token_min_interval_s, rest_attempts=rest_attempts,
            rest_backoff_s=rest_backoff_s, inquiry_delay_s=inquiry_delay_s,
        )  # fmt: skip
        self._http = self.connection.http
        self.tokens = self.connection.tokens
        self.throttle = self.connection.throttle
        self.rest = self.connection.rest
        self.account_api = self.connection.account
        self.orders = self.connection.orders
        self.tracker = OrderTracker(config.account, self._costs)
        self.gap = GapFiller(
            self.account_api, self.tracker, self.clock, client_id_of=self.orders.client_id_of
        )

        def session(key: AppKey) -> KisStream:
            async def approval(renew: bool) -> str:
                return await self.tokens.approval_key(key, renew=renew)

            return KisStream(
                config.ws_url,
                approval,
                custtype=config.custtype,
                backoff=backoff,
                clock=self.clock,
                dead_after_s=dead_after_s,
                feed_expected=feed_expected,
                watch_interval_s=watch_interval_s,
            )

        self.streams = {key.key_id: session(key) for key in config.app_keys}
        """One WebSocket session per app key (KIS allows one each)."""
        self.stream = self.streams[config.primary_key.key_id]
        """The primary key's session: it also carries the order/fill notices."""
        self.watch = KisWatch(
            config, self.rest, self.streams, self._publish, market_clock=self.clock,
            notices=self.notices,
        )  # fmt: skip
        self._market_pumps: list[asyncio.Task[None]] = []
        self._events: asyncio.Queue[VenueEvent] = asyncio.Queue()
        self._kinds: set[FeedKind] = set()
        self._book_symbols: set[str] = set()
        self._pump: asyncio.Task[None] | None = None
        self._covered_upto = 0
        self._inflight = 0
        self._parked: dict[str, list[Notice]] = {}
        self._gap_pending = False
        self.gap_fills = 0

    @property
    def notices(self) -> bool:
        """Whether order/fill notices are subscribed (needs the HTS id)."""
        return bool(self.config.hts_id)

    def _costs(self, side: Side, qty: int, price: int, symbol: str) -> tuple[int, int]:
        instrument = self._instruments.get(symbol)
        market = instrument.market if instrument is not None else Market.KOSPI
        kind = instrument.kind if instrument is not None else "stock"
        if qty <= 0 or price <= 0:
            return 0, 0
        costs = trade_costs(side, qty, price, kst_date(self.clock.now_ns()), market, kind=kind)
        return costs.commission, costs.tax

    # -- connection and feeds -----------------------------------------------------------------

    async def connect(self) -> None:
        """Open the WebSocket (notices first), book the day's fills from REST, start the pump.
        `VenueUnavailable` (`SessionInUse` for OPSP8996) when KIS cannot be reached."""
        if self._pump is not None:
            return
        if self.notices:
            await self.stream.subscribe(notice_tr_id(self.config.mode), self.config.hts_id)
        await self.stream.start()
        try:
            result = await self.gap.run(lambda: self.stream.notices_received)
        except BaseException:
            await self.stream.close()
            raise
        self._covered_upto = result.covered_upto
        self._pump = asyncio.create_task(self._pump_events(), name="kis-venue-pump")
        for key_id, stream in self.streams.items():
            if stream is not self.stream:  # market data only: trades and books
                await stream.start()
                pump = asyncio.create_task(self._pump_market(stream), name=f"kis-pump-{key_id}")
                self._market_pumps.append(pump)
        self.watch.start()

    async def close(self) -> None:
        """Close the socket and the HTTP client; working orders stay at KIS. Idempotent."""
        pump, self._pump = self._pump, None
        pumps, self._market_pumps = self._market_pumps, []
        await self.watch.stop()
        for stream in self.streams.values():
            await stream.close()
        for task in [*pumps, *([pump] if pump is not None else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.rest.aclose()
        if self._owns_http:
            await self.connection.aclose()
        elif self.connection.redis is not None:
            await self.connection.redis.aclose()

    async def subscribe(self, symbols: Sequence[str], kinds: set[FeedKind]) -> None:
        """Watch trades and/or the book (with the auction's expected price) of `symbols`: the
        subscription scheduler (`KisWatch`) streams the most urgent within the session's
        registrations (trades H0STCNT0; books H0STASP0 for the held tier) and polls the rest.
        A symbol traded by a strategy ranks as `Tier.STRATEGY`; one whose book is asked for,
        like a held one, as `Tier.HELD`."""
        self._kinds |= kinds
        if kinds & {FeedKind.BOOK, FeedKind.EXPECTED}:
            self._book_symbols.update(symbols)
            await self.watch.watch(symbols, Tier.HELD)
        if FeedKind.TRADES in kinds:
            await self.watch.watch(symbols, Tier.STRATEGY)

    async def show(self, symbols: Sequence[str]) -> None:
        """The symbols a dashboard shows now rank above the rest of the universe
        (`Tier.DASHBOARD`); those no longer shown drop back."""
        await self.watch.show(symbols)

    def budget_usage(self) -> list[dict[str, Any]]:
        """Each app key's REST budget as this process uses it (monitoring)."""
        return [msgspec.to_builtins(usage) for usage in self.throttle.usage()]

    def subscription_status(self) -> dict[str, Any] | None:
        """Per symbol: stream or poll, the staleness bound and the quote's age (monitoring)."""
        status = self.watch.status()
        return dict(status) if status is not None else None

    async def events(self) -> AsyncIterator[VenueEvent]:
        while True:
            yield await self._events.get()

    def _publish(self, event: VenueEvent) -> None:
        kind = _FEED_OF.get(type(event), FeedKind.ORDERS)
        if kind in self._kinds:
            self._events.put_nowait(event)

    async def _pump_events(self) -> None:
        async for event in self.stream.events():
            try:
                if isinstance(event, Notice):
                    self._on_notice(event)
                elif isinstance(event, Reconnected):
                    await self._after_reconnect(event)
                else:
                    if isinstance(event, Tick):
                        self.watch.on_streamed(event)
                    self._publish(event)
            except Exception:  # one bad message must not stop the feed
                _log.exception("KIS event %r could not be handled", type(event).__name__)

    async def _pump_market(self, stream: KisStream) -> None:
        """Trades and books of a further key's session (its reconnects resubscribe by
        themselves; fills come only on the primary session)."""
        async for event in stream.events():
            if isinstance(event, Notice | Reconnected):
                continue
            if isinstance(event, Tick):
                self.watch.on_streamed(event)
            self._publish(event)

    # -- gap fill -----------------------------------------------------------------------------

    async def _after_reconnect(self, event: Reconnected) -> None:
        """Book the fills the notices missed while down; refresh the watched books."""
        for attempt in range(_GAP_ATTEMPTS):
            try:
                result = await self.gap.run(lambda: self.stream.notices_received)
                break
            except VenueUnavailable as exc:
                _log.warning("KIS gap fill attempt %d failed: %s", attempt + 1, exc)
                await asyncio.sleep(_GAP_RETRY_S * 2**attempt)
        else:
            _log.error(
                "KIS gap fill after reconnect (%s) failed; fills_since retries", event.reason
            )
            self._gap_pending = True
            return
        self._covered_upto = max(self._covered_upto, result.covered_upto)
        self._publish_gap(result)
        for symbol in sorted(self._book_symbols):
            with contextlib.suppress(VenueUnavailable):
                book = await refresh_book(self.rest, symbol, self.clock)
                if book is not None and FeedKind.BOOK in self._kinds:
                    self._events.put_nowait(book)

    def _publish_gap(self, result: GapResult) -> None:
        self.gap_fills += len(result.fills)
        for fill in result.fills:
            self._publish(fill)
        for update in result.closed:
            self._publish(update)

    # -- notices ------------------------------------------------------------------------------

    def _on_notice(self, notice: Notice) -> None:
        if notice.kind is NoticeKind.FILL and notice.seq <= self._covered_upto:
            return  # a REST total already booked this execution
        order = self._resolve(notice)
        if order is None:
            self._parked.setdefault(notice.order_no, []).append(notice)
            return
        self._apply(order, notice)

    def _resolve(self, notice: Notice) -> TrackedOrder | None:
        """The order a notice is about; None while a request whose answer may name it is in
        flight (the notice then waits); otherwise an order we never sent is adopted."""
        tracker = self.tracker
        order = tracker.get(notice.order_no)
        if order is None and notice.orig_order_no.strip("0"):
            order = tracker.link(notice.order_no, notice.orig_order_no)
        if order is None:
            cid = self.orders.client_id_of(notice.order_no)
            if cid is not None and tracker.by_client_id(cid) is not None:
                tracker.alias(notice.order_no, cid)
                order = tracker.get(notice.order_no)
        if order is None and self._inflight == 0:
            order = tracker.adopt(
                notice.order_no,
                symbol=notice.symbol,
                side=notice.side,
                qty=notice.order_qty,
                price=notice.order_price,
                ts_ns=notice.ts_ns,
            )
        return order

    def _apply(self, order: TrackedOrder, notice: Notice) -> None:
        if notice.kind is NoticeKind.FILL:
            fill = self.tracker.fill(
                notice.order_no, notice.fill_qty, notice.fill_price, notice.ts_ns
            )
            if fill is not None:
                self._publish(fill)
            return
        status = status_after(order, notice)
        if notice.kind is NoticeKind.REJECTED:
            order.status = OrderStatus.REJECTED
        elif notice.kind is NoticeKind.CANCELLED and not notice.orig_order_no.strip("0"):
            self.tracker.cancelled(order, None, notice.ts_ns)  # IOC/FOK remainder
            status = order.status
        update = self.tracker.update(order, status, notice.ts_ns)
        if notice.kind is NoticeKind.MODIFIED and notice.order_price:
            update = _with(update, venue_order_id=notice.order_no, price=notice.order_price)
        self._publish(update)

    def _release_parked(self) -> None:
        """Once no request is in flight, parked notices belong to orders we did not send."""
        if self._inflight:
            return
        parked, self._parked = self._parked, {}
        for notices in parked.values():
            for notice in notices:
                self._on_notice(notice)

    def _replay(self, odno: str) -> None:
        for notice in self._parked.pop(odno, []):
            self._on_notice(notice)

    # -- orders -------------------------------------------------------------------------------

    async def submit(self, order: OrderRequest) -> OrderUpdate:
        self._inflight += 1
        try:
            update = await self.orders.submit(order)
        finally:
            self._inflight -= 1
        if update.status is not OrderStatus.REJECTED and update.venue_order_id:
            tracked = self.tracker.track(order, update.venue_order_id, update.ts_ns)
            tracked.price = update.price or tracked.price
            self._replay(update.venue_order_id)
            with contextlib.suppress(JtsError):  # an open order ranks first for streams
                await self.watch.watch([order.symbol], Tier.HELD)
        if update.status is OrderStatus.REJECTED or not self.notices:
            self._publish(update)
        self._release_parked()
        return update

    async def modify(
        self, venue_order_id: str, *, price: int | None = None, qty: int | None = None
    ) -> OrderUpdate:
        self._inflight += 1
        try:
            update = await self.orders.modify(venue_order_id, price=price, qty=qty)
        finally:
            self._inflight -= 1
        order = self.tracker.get(venue_order_id)
        if order is not None and update.status is not OrderStatus.REJECTED:
            if qty is not None:
                order.qty = order.filled + min(qty, order.leaves)
            if update.venue_order_id and update.venue_order_id != venue_order_id:
                self.tracker.replaced(
                    order, update.venue_order_id, price=price, qty=None, ts_ns=update.ts_ns
                )
                self._replay(update.venue_order_id)
        if update.status is OrderStatus.REJECTED or not self.notices:
            self._publish(update)
        self._release_parked()
        return update

    async def cancel(self, venue_order_id: str, *, qty: int | None = None) -> OrderUpdate:
        self._inflight += 1
        try:
            update = await self.orders.cancel(venue_order_id, qty=qty)
        finally:
            self._inflight -= 1
        order = self.tracker.get(venue_order_id)
        if order is not None and update.status is not OrderStatus.REJECTED:
            self.tracker.cancelled(order, qty, update.ts_ns)
        if update.status is OrderStatus.REJECTED or not self.notices:
            self._publish(update)
        self._release_parked()
        return update

    # -- queries ------------------------------------------------------------------------------

    async def open_orders(self) -> list[Order]:
        return await self.account_api.open_orders()

    async def positions(self) -> list[Position]:
        return await self.account_api.positions()

    async def account(self) -> Account:
        return await self.account_api.account()

    async def fills_since(self, ts_ns: int) -> list[Fill]:
        """Fills booked from notices and REST totals. REST is read first when notices cannot
        be relied on: none configured, the socket down, or a gap fill still owed."""
        if not self.notices or not self.stream.connected or self._gap_pending:
            result = await self.gap.run(lambda: self.stream.notices_received)
            self._covered_upto = max(self._covered_upto, result.covered_upto)
            self._gap_pending = False
            self._publish_gap(result)
        fills = [fill for fill in self.tracker.fills if fill.ts_ns >= ts_ns]
        return sorted(fills, key=lambda fill: fill.ts_ns)


_FEED_OF: dict[type, FeedKind] = {
    Tick: FeedKind.TRADES,
    BookUpdate: FeedKind.BOOK,
    ExpectedPrice: FeedKind.EXPECTED,
}


def _with(update: OrderUpdate, *, venue_order_id: str, price: int) -> OrderUpdate:
    return msgspec.structs.replace(update, venue_order_id=venue_order_id, price=price)
