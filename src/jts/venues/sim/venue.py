"""The simulated exchange as a broker account: the `Venue` contract over `SimExchange`.

The exchange matches whatever it is given; a broker first checks the account. `SimVenue`
does what a Korean broker does in front of KRX: it reserves cash (buys, at the limit price or
the daily upper limit for market orders) or shares (sells) before an order goes out, releases
the reservation when an order is cancelled, expires or is reduced, books each fill with its
commission and tax (`jts.krx.trade_costs`) into holdings at once and into cash on the T+2
settlement date, and reports `Fill`s that carry those costs.

One `SimVenue` serves one account; several venues (and the background agents) can share one
exchange. Time is the exchange's: whoever drives it (`ExchangeDriver` in real time, a test, a
compressed day) calls `advance_to`; the venue only reacts to its events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence

from jts.core.enums import OrderStatus, OrderType, Side
from jts.core.events import ExpectedPrice, MarketStatus, OrderUpdate, SymbolStatus
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
from jts.venues.base import FeedKind, VenueCaps, VenueEvent
from jts.venues.sim.accounts import SimAccount
from jts.venues.sim.exchange import SimExchange
from jts.venues.sim.ledger import FillLedger
from jts.venues.sim.orders import RejectCode, WorkingOrder

__all__ = ["SIM_CAPS", "SimVenue"]

SIM_CAPS = VenueCaps(
    name="sim",
    orders_per_second=0.0,
    supports_modify=True,
    supports_ioc_fok=True,
    sessions="KRX sessions from jts.krx, with auctions, VI, CB and after-hours rounds",
    paper=True,
)

_FEED_OF: dict[type, FeedKind] = {
    Tick: FeedKind.TRADES,
    BookUpdate: FeedKind.BOOK,
    ExpectedPrice: FeedKind.EXPECTED,
    SymbolStatus: FeedKind.STATUS,
}
_DONE = (OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED)


class SimVenue:
    """One account trading on a `SimExchange`."""

    name = "sim"
    caps = SIM_CAPS

    def __init__(
        self,
        exchange: SimExchange,
        account: SimAccount,
        instruments: Mapping[str, Instrument],
        *,
        ledger: FillLedger | None = None,
        session: str = "",
    ) -> None:
        """With a `ledger`, every booked fill is made durable there before it is published,
        and the fills already in it are booked into `account` first (a restarted broker).
        `session` prefixes fill ids, which the exchange numbers from 1 each time it starts:
        give each restart its own so that ids stay unique in the ledger."""
        self.exchange = exchange
        self.account_id = account.account_id
        self._account = account
        self._instruments = instruments
        self._fills: list[Fill] = []
        self._queue: asyncio.Queue[VenueEvent] = asyncio.Queue()
        self._symbols: set[str] = set()
        self._kinds: set[FeedKind] = set()
        self._connected = False
        self._reserved: dict[str, int] = {}  # client order id -> shares still reserved
        self._ledger = ledger
        self._session = f"{session}:" if session else ""
        if ledger is not None:
            ledger.truncate_torn_tail()
            for fill in ledger.load():
                account.replay_fill(fill, instruments[fill.symbol], exchange.day)
                self._fills.append(fill)
        exchange.add_listener(self._on_event)  # bookkeeping runs whether or not connected

    # -- connection and feeds -----------------------------------------------------------------

    async def connect(self) -> None:
        self._connected = True

    async def close(self) -> None:
        """Stop the feeds; working orders stay at the exchange and are still booked."""
        self._connected = False

    async def subscribe(self, symbols: Sequence[str], kinds: set[FeedKind]) -> None:
        self._symbols.update(symbols)
        self._kinds.update(kinds)

    async def events(self) -> AsyncIterator[VenueEvent]:
        while True:
            yield await self._queue.get()

    # -- orders -------------------------------------------------------------------------------

    async def submit(self, order: OrderRequest) -> OrderUpdate:
        return self.submit_now(order)

    def submit_now(self, order: OrderRequest) -> OrderUpdate:
        """`submit` without the event loop (the exchange is synchronous)."""
        instrument = self._instruments.get(order.symbol)
        if order.account != self.account_id:
            return self._refuse(order, RejectCode.BAD_REQUEST, f"account {order.account!r}")
        if instrument is None:
            return self._refuse(order, RejectCode.UNKNOWN_SYMBOL, f"symbol {order.symbol!r}")
        market = self.exchange.markets[order.symbol]
        price = order.price or 0
        if order.order_type is not OrderType.LIMIT and order.order_type is not (
            OrderType.CONDITIONAL_LIMIT
        ):
            price = market.rules.upper if order.side is Side.BUY else market.rules.lower
        if order.qty <= 0 or price <= 0:
            return self._refuse(order, RejectCode.BAD_QUANTITY, "qty and price must be positive")
        code = self._account.reserve(order, price, instrument, self.exchange.day)
        if code is not None:
            return self._refuse(order, code, code.value.replace("_", " "))
        self._reserved[order.client_order_id] = order.qty
        return self.exchange.submit(order)  # its events release or book the reservation

    async def modify(
        self, venue_order_id: str, *, price: int | None = None, qty: int | None = None
    ) -> OrderUpdate:
        working = self.exchange.order(venue_order_id)
        if working is not None and working.account != self.account_id:
            working = None
        old_price = working.price if working is not None else 0
        if working is not None and price is not None and not working.market:
            code = self._account.reprice(working.client_order_id, price)
            if code is not None:
                return self.exchange.reports.update(
                    working, _status(working), self.exchange.now_ns(), code, "cash"
                )
        update = self.exchange.modify(venue_order_id, price=price, qty=qty)
        if working is not None and update.reject_code and price is not None:
            self._account.reprice(working.client_order_id, old_price)  # refused: as before
        return update

    async def cancel(self, venue_order_id: str, *, qty: int | None = None) -> OrderUpdate:
        working = self.exchange.order(venue_order_id)
        if working is not None and working.account != self.account_id:
            venue_order_id = ""  # another account's order: unknown to this one
        return self.exchange.cancel(venue_order_id, qty)

    async def open_orders(self) -> list[Order]:
        working = self.exchange.open_orders(self.account_id)
        working.sort(key=lambda o: (o.seq, o.order_id))
        return [_order_of(o) for o in working]

    async def positions(self) -> list[Position]:
        return self._account.positions()

    async def fills_since(self, ts_ns: int) -> list[Fill]:
        return [fill for fill in self._fills if fill.ts_ns >= ts_ns]

    async def account(self) -> Account:
        return self._account.snapshot(self.name)

    # -- events -------------------------------------------------------------------------------

    def _on_event(self, event: object) -> None:
        if isinstance(event, Fill):
            if event.account == self.account_id:
                self._book_fill(event)
        elif isinstance(event, OrderUpdate):
            if event.account == self.account_id:
                self._on_update(event)
        elif not self._connected:
            return
        elif isinstance(event, MarketStatus):
            if FeedKind.STATUS in self._kinds:
                self._queue.put_nowait(event)
        else:
            kind = _FEED_OF.get(type(event))
            symbol = getattr(event, "symbol", "")
            if kind in self._kinds and symbol in self._symbols:
                self._queue.put_nowait(event)  # type: ignore[arg-type]

    def _book_fill(self, fill: Fill) -> None:
        instrument = self._instruments[fill.symbol]
        commission, tax = self._account.apply_fill(
            fill.qty, fill.price, fill.client_order_id, instrument, self.exchange.day
        )
        cid = fill.client_order_id
        left = self._reserved.get(cid, 0) - fill.qty
        if left > 0:
            self._reserved[cid] = left
        else:
            self._reserved.pop(cid, None)
        booked = Fill(
            fill_id=f"{self._session}{fill.fill_id}",
            client_order_id=fill.client_order_id,
            account=fill.account,
            symbol=fill.symbol,
            side=fill.side,
            qty=fill.qty,
            price=fill.price,
            ts_ns=fill.ts_ns,
            venue_order_id=fill.venue_order_id,
            commission=commission,
            tax=tax,
            leaves_qty=fill.leaves_qty,
        )
        if self._ledger is not None:
            self._ledger.append(booked)  # the broker's record comes before anyone hears of it
        self._fills.append(booked)
        if self._connected and FeedKind.ORDERS in self._kinds:
            self._queue.put_nowait(booked)

    def _on_update(self, update: OrderUpdate) -> None:
        """Give back what a reject, cancel, expiry or reduction no longer needs reserved."""
        cid = update.client_order_id
        reserved = self._reserved.get(cid)
        if reserved is not None:
            still = _still_reserved(update, reserved)
            if still < reserved:
                self._account.release(cid, reserved - still)
            if still:
                self._reserved[cid] = still
            else:
                del self._reserved[cid]
        if self._connected and FeedKind.ORDERS in self._kinds:
            self._queue.put_nowait(update)

    def _refuse(self, order: OrderRequest, code: RejectCode, message: str) -> OrderUpdate:
        update = OrderUpdate(
            venue_order_id="",
            client_order_id=order.client_order_id,
            account=order.account,
            symbol=order.symbol,
            side=order.side,
            ts_ns=self.exchange.now_ns(),
            status=OrderStatus.REJECTED,
            price=order.price or 0,
            qty=order.qty,
            leaves_qty=order.qty,
            reject_code=code.value,
            message=message,
        )
        if FeedKind.ORDERS in self._kinds:
            self._queue.put_nowait(update)
        return update


def _still_reserved(update: OrderUpdate, reserved: int) -> int:
    """Shares an order still needs reserved after `update`."""
    if update.status in _DONE:
        return 0  # refused, cancelled (an unfillable FOK carries its reason too) or expired
    if update.reject_code:
        return reserved  # a refused modify or cancel of a live order changes nothing
    return min(reserved, update.leaves_qty)


def _status(order: WorkingOrder) -> OrderStatus:
    return OrderStatus.PARTIALLY_FILLED if order.filled else OrderStatus.ACCEPTED


def _order_of(working: WorkingOrder) -> Order:
    request = OrderRequest(
        client_order_id=working.client_order_id,
        account=working.account,
        symbol=working.symbol,
        side=working.side,
        qty=working.filled + working.leaves,
        order_type=working.order_type,
        price=None if working.market else working.price,
        tif=working.tif,
        ts_ns=working.ts_ns,
    )
    return Order(
        request=request,
        status=_status(working),
        venue_order_id=working.order_id,
        filled_qty=working.filled,
        created_ns=working.ts_ns,
        updated_ns=working.ts_ns,
    )
