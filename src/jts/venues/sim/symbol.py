"""One symbol's market at the simulated exchange: its books, trading state and order handling.

The exchange (`exchange.py`) owns the clock and the day's schedule and tells each symbol when
a phase starts or an auction must uncross (`enter_phase`, `end_auction`); the symbol decides
everything about its own orders:

- continuous trading matches each incoming order against the book (`OrderBook.match`) inside
  the volatility band; an execution that would leave the band stops matching and switches the
  symbol to a 2-minute VI call auction (plus a random end up to 30 s);
- call auctions (open, close, VI, after a halt, after-hours rounds, 단기과열) collect orders
  and uncross at their end with `auction.clearing_price` / `auction.allocate`;
- closing-price sessions keep their own book, matched at the reference close in time order.

Order types and conditions allowed in each phase, ticks, limits and the session band come from
`rules.check_new`; market orders rest at their side's daily limit (see `orders.py`).
"""

from __future__ import annotations

from collections.abc import Callable

from jts.core.enums import OrderStatus, OrderType, TimeInForce
from jts.core.events import OrderUpdate, SymbolState, SymbolStatus
from jts.krx import single_price_band
from jts.krx.sessions import Phase
from jts.venues.sim.auction import allocate, clearing_price
from jts.venues.sim.book import OrderBook
from jts.venues.sim.controls import ViBand
from jts.venues.sim.orders import Execution, RejectCode, WorkingOrder
from jts.venues.sim.reports import Reports
from jts.venues.sim.rules import SymbolRules, check_new

__all__ = ["SymbolMarket"]

VI_AUCTION_NS = 120 * 1_000_000_000

_CALL_STATES = (SymbolState.CALL, SymbolState.VI, SymbolState.OVERHEATED)
_CONTINUOUS_ONLY = (OrderType.BEST_LIMIT, OrderType.BEST_PRIORITY)

RandomEnd = Callable[[int, int], int]
"""(scheduled end ns, key) -> the end with a deterministic 0-30 s random extension."""


class SymbolMarket:
    """The book, state and order handling of one symbol on one day."""

    def __init__(self, rules: SymbolRules, reports: Reports, random_end: RandomEnd) -> None:
        self.rules = rules
        self.symbol = rules.instrument.symbol
        self.reports = reports
        self.random_end = random_end
        self.book = OrderBook(self.symbol)
        self.close_book = OrderBook(self.symbol)
        self.vi = ViBand(rules)
        self.phase = Phase.CLOSED
        self.state = SymbolState.CLOSED
        self.last_price = 0
        self.open_price = 0
        self.close_price = 0
        self.volume = 0
        self.value = 0
        self.closing_reference = 0  # price of an open closing-price session, 0 when none
        self.auction_until = 0  # scheduled end (with random extension) of a VI/resume auction
        self.auction_extended = False
        self.auction_scheduled = False  # the exchange has a timer for auction_until
        self.size_rounds = False  # the next uncross may allocate by size rounds at a limit
        self.halted = False
        self.overheated = False  # 단기과열: call auctions only during continuous hours
        self.vi_count = 0
        self.dirty = False
        self.matches: list[Execution] = []

    # -- orders -------------------------------------------------------------------------------

    def submit(self, order: WorkingOrder, now: int) -> OrderUpdate:
        """Check, accept and work a new order; returns the acknowledgement or the reject."""
        if order.order_type is OrderType.CLOSING_PRICE:
            return self._submit_closing_price(order, now)
        code = self._check(order, order.price if order.order_type.needs_price else None)
        if code is None:
            code = self._price_by_exchange(order)
        if code is not None:
            return self.reports.update(order, OrderStatus.REJECTED, now, code, _why(code))
        ack = self.reports.update(order, OrderStatus.ACCEPTED, now)
        if self.state is SymbolState.CONTINUOUS:
            self._work(order, now)
        else:
            self.book.add(order)
            self.dirty = True
        return ack

    def cancel(self, order: WorkingOrder, qty: int | None, now: int) -> OrderUpdate:
        """Cancel all (`qty` None) or `qty` shares of a working order; a partial keeps priority."""
        book = self._book_of(order)
        if qty is not None and not 0 < qty < order.leaves:
            if qty <= 0:
                return self.reports.update(
                    order, order_status(order), now, RejectCode.BAD_QUANTITY, "cancel qty <= 0"
                )
            qty = None  # cancelling at least the remainder is a full cancel
        if qty is None:
            book.remove(order)
            order.leaves = 0
            self.dirty = True
            return self.reports.update(order, OrderStatus.CANCELLED, now)
        book.reduce(order, order.leaves - qty)
        order.qty -= qty
        self.dirty = True
        return self.reports.update(order, order_status(order), now)

    def modify(
        self, order: WorkingOrder, price: int | None, qty: int | None, now: int
    ) -> OrderUpdate:
        """Change the price (loses time priority, may trade now) and/or reduce leaves to `qty`."""
        if price is not None and (order.market or order.order_type is OrderType.CLOSING_PRICE):
            return self._refuse(order, now, RejectCode.NOT_MODIFIABLE, "no price to change")
        if qty is not None and not 0 < qty <= order.leaves:
            return self._refuse(order, now, RejectCode.NOT_MODIFIABLE, "qty: reduce only (> 0)")
        if price is not None and price != order.price:
            code = self._check(order, price, qty or order.leaves)
            if code is not None:
                return self._refuse(order, now, code, _why(code))
        if qty is not None and qty < order.leaves:
            self._book_of(order).reduce(order, qty)
            order.qty = order.filled + qty
        if price is not None and price != order.price:
            self._reprice(order, price, now)
        self.dirty = True
        return self.reports.update(order, order_status(order), now)

    def expire_all(self, now: int, *, regular: bool = True, closing: bool = True) -> int:
        """End of a session: every working order of the chosen books expires."""
        expired = 0
        books = [b for b, keep in ((self.book, regular), (self.close_book, closing)) if keep]
        for book in books:
            for order in book.clear():
                order.leaves = 0
                self.reports.update(order, OrderStatus.EXPIRED, now, "", "session ended")
                expired += 1
        self.dirty = True
        return expired

    # -- schedule -----------------------------------------------------------------------------

    def enter_phase(self, phase: Phase, now: int) -> None:
        """The day's session phase changed (the exchange has uncrossed any auction before)."""
        self.phase = phase
        if phase is Phase.CLOSING_AUCTION:
            self._convert_conditionals()
            if self.state is SymbolState.VI and not self.halted:
                self.auction_until = 0  # a running VI auction merges into the closing auction
        if self.halted or self.auction_until > now:
            return  # a halt or a symbol-level auction decides the state until it ends
        if phase is Phase.OPENING_AUCTION:
            self.size_rounds = True
        state = _STATE_OF_PHASE.get(phase, SymbolState.CLOSED)
        if state is SymbolState.CONTINUOUS and self.overheated:
            state = SymbolState.OVERHEATED
        self.set_state(state, now, phase.value)

    def end_auction(self, now: int, reference: int) -> bool:
        """Uncross the collected orders at the auction's end; False when a VI extends it."""
        matches = self._uncross(now, reference)
        if matches is None:
            return False
        self.auction_extended = False
        self.size_rounds = False
        self.auction_until = 0
        return True

    def vi_auction_over(self, now: int) -> None:
        """A VI (or resumption) auction reached its end: uncross and trade continuously again."""
        if not self.end_auction(now, self.last_price or self.rules.base_price):
            return
        state = _STATE_OF_PHASE.get(self.phase, SymbolState.CLOSED)
        if state is SymbolState.CONTINUOUS and self.overheated:
            state = SymbolState.OVERHEATED
        self.set_state(state, now, "resume")

    def halt(self, now: int, reason: str) -> None:
        """A trading halt: orders rest, nothing matches, new orders are refused."""
        self.halted = True
        self.auction_until = 0
        self.set_state(SymbolState.HALTED, now, reason)

    def resume(self, now: int, auction_ns: int, key: int) -> int:
        """End a halt with a call auction of `auction_ns`; returns when it uncrosses."""
        self.halted = False
        self.size_rounds = True
        self.auction_until = self.random_end(now + auction_ns, key)
        self.set_state(SymbolState.VI, now, "resume", self.auction_until)
        return self.auction_until

    # -- internals ----------------------------------------------------------------------------

    def _check(self, order: WorkingOrder, price: int | None, qty: int = 0) -> RejectCode | None:
        if self.state is SymbolState.HALTED:
            return RejectCode.HALTED
        phase = self.phase
        if self.state in (SymbolState.VI, SymbolState.OVERHEATED) and phase is Phase.CONTINUOUS:
            phase = Phase.OPENING_AUCTION  # a symbol-level call auction takes call-auction orders
        band = None
        if phase is Phase.AFTER_HOURS:
            if self.rules.instrument.nxt_eligible:
                return RejectCode.WRONG_SESSION
            if self.close_price:
                band = single_price_band(
                    self.close_price,
                    self.rules.lower,
                    self.rules.upper,
                    etf=self.rules.etf_ticks,
                    market=self.rules.instrument.market,
                    on=self.rules.day,
                )
        return check_new(
            self.rules,
            phase,
            order.order_type,
            order.tif,
            order.side,
            qty or order.qty,
            price,
            band=band,
        )

    def _price_by_exchange(self, order: WorkingOrder) -> RejectCode | None:
        """Market orders rest at their limit; 최유리 / 최우선 are priced now from the book."""
        kind = order.order_type
        if kind is OrderType.MARKET:
            order.price = self.rules.upper if order.is_buy else self.rules.lower
        elif kind is OrderType.BEST_LIMIT:
            order.price = self.book.best_ask() if order.is_buy else self.book.best_bid()
        elif kind is OrderType.BEST_PRIORITY:
            order.price = self.book.best_bid() if order.is_buy else self.book.best_ask()
        elif kind is OrderType.CONDITIONAL_LIMIT and self.phase is Phase.CLOSING_AUCTION:
            return RejectCode.WRONG_SESSION
        if order.price <= 0:
            return RejectCode.NO_QUOTE
        return None

    def _work(self, order: WorkingOrder, now: int) -> None:
        """Continuous trading: match now, then rest, cancel (IOC/FOK) or start a VI."""
        lo, hi = self.vi.band(self.phase, self.last_price)
        if order.tif is TimeInForce.FOK and self.book.fillable(order, lo, hi) < order.leaves:
            order.leaves = 0
            self.reports.update(order, OrderStatus.CANCELLED, now, RejectCode.FOK_UNFILLABLE)
            return
        matches = self.matches
        matches.clear()
        stopped = self.book.match(order, lo, hi, matches)
        if matches:
            self._printed(matches, now, auction=False)
        if order.leaves and order.tif is not TimeInForce.DAY:
            order.leaves = 0
            self.reports.update(order, OrderStatus.CANCELLED, now, "", "IOC remainder")
        elif order.leaves:
            self.book.add(order)
        self.dirty = True
        if stopped:
            blocked = self.book.best_ask() if order.is_buy else self.book.best_bid()
            self._start_vi(now, blocked)

    def _reprice(self, order: WorkingOrder, price: int, now: int) -> None:
        book = self._book_of(order)
        if self.state is not SymbolState.CONTINUOUS or book is self.close_book:
            book.reprice(order, price)
            return
        book.remove(order)
        order.price = price
        self._work(order, now)

    def _start_vi(self, now: int, blocked_price: int) -> None:
        kind = self.vi.trigger(blocked_price, self.phase, self.last_price) or "dynamic_vi"
        self.vi_count += 1
        self.auction_until = self.random_end(now + VI_AUCTION_NS, self.vi_count)
        self.reports.publish(
            SymbolStatus(
                symbol=self.symbol,
                ts_ns=now,
                state=SymbolState.VI,
                reason=kind,
                until_ns=self.auction_until,
                reference=self.last_price,
                trigger=blocked_price,
            )
        )
        self.state = SymbolState.VI

    def _uncross(self, now: int, reference: int) -> list[Execution] | None:
        """Run the call auction; None when a VI extends it instead (at most once per auction)."""
        bids, asks = self.book.bids(), self.book.asks()
        found = clearing_price(bids, asks, reference, tick_of=self.rules.tick)
        if found is None:
            return []
        lo, hi = self.vi.band(self.phase, self.last_price)
        if not lo <= found.price <= hi and not self.auction_extended:
            self.auction_extended = True
            self.vi_count += 1
            self.auction_until = self.random_end(now + VI_AUCTION_NS, self.vi_count)
            kind = self.vi.trigger(found.price, self.phase, self.last_price) or "static_vi"
            self.reports.publish(
                SymbolStatus(
                    symbol=self.symbol,
                    ts_ns=now,
                    state=SymbolState.VI,
                    reason=kind,
                    until_ns=self.auction_until,
                    reference=self.last_price or self.rules.base_price,
                    trigger=found.price,
                )
            )
            self.state = SymbolState.VI
            return None
        at_limit = found.price in (self.rules.lower, self.rules.upper)
        matches = allocate(
            bids,
            asks,
            found,
            size_rounds=self.size_rounds and at_limit,
            lot=self.rules.instrument.lot_size,
        )
        for order in {id(o): o for m in matches for o in (m.buy, m.sell)}.values():
            if order.leaves == 0:
                self.book.remove(order)
        self._printed(matches, now, auction=True)
        self.vi.auction_printed(found.price)
        if not self.open_price:
            self.open_price = found.price
        self.dirty = True
        return matches

    def _printed(self, matches: list[Execution], now: int, *, auction: bool) -> None:
        volume = self.reports.executions(matches, now, auction=auction, cum_volume=self.volume)
        self.volume += volume
        for match in matches:
            self.value += match.qty * match.price
        self.last_price = matches[-1].price
        if not self.open_price:
            self.open_price = self.last_price

    def _submit_closing_price(self, order: WorkingOrder, now: int) -> OrderUpdate:
        code = None
        lot = self.rules.instrument.lot_size
        if not self.closing_reference:
            code = RejectCode.WRONG_SESSION
        elif order.qty <= 0 or order.qty % lot:
            code = RejectCode.BAD_QUANTITY
        elif self.state is SymbolState.HALTED:
            code = RejectCode.HALTED
        if code is not None:
            return self.reports.update(order, OrderStatus.REJECTED, now, code, _why(code))
        order.price = self.closing_reference
        ack = self.reports.update(order, OrderStatus.ACCEPTED, now)
        matches = self.matches
        matches.clear()
        self.close_book.match(order, order.price, order.price, matches)
        if matches:
            self._printed(matches, now, auction=False)
            self.last_price = self.close_price or self.last_price
        if order.leaves:
            self.close_book.add(order)
        return ack

    def _convert_conditionals(self) -> None:
        """At 15:20 the remainder of conditional limit orders becomes market orders."""
        for order in [*self.book.bids(), *self.book.asks()]:
            if order.order_type is OrderType.CONDITIONAL_LIMIT:
                order.market = True
                self.book.reprice(order, self.rules.upper if order.is_buy else self.rules.lower)

    def _book_of(self, order: WorkingOrder) -> OrderBook:
        return self.close_book if order.order_type is OrderType.CLOSING_PRICE else self.book

    def _refuse(self, order: WorkingOrder, now: int, code: RejectCode, text: str) -> OrderUpdate:
        """A refused modify/cancel: the order is unchanged; the update carries the code."""
        return self.reports.update(order, order_status(order), now, code, text)

    def set_state(self, state: SymbolState, now: int, reason: str, until: int = 0) -> None:
        if state is self.state:
            return
        self.state = state
        self.dirty = True
        self.reports.publish(
            SymbolStatus(symbol=self.symbol, ts_ns=now, state=state, reason=reason, until_ns=until)
        )

    @property
    def collecting(self) -> bool:
        """Orders are being collected for a call auction (expected prices are published)."""
        return self.state in _CALL_STATES


_STATE_OF_PHASE = {
    Phase.OPENING_AUCTION: SymbolState.CALL,
    Phase.CONTINUOUS: SymbolState.CONTINUOUS,
    Phase.CLOSING_AUCTION: SymbolState.CALL,
    Phase.AFTER_HOURS: SymbolState.CALL,
}


def order_status(order: WorkingOrder) -> OrderStatus:
    """The status a working order's counts imply."""
    if order.leaves == 0:
        return OrderStatus.FILLED if order.filled else OrderStatus.CANCELLED
    return OrderStatus.PARTIALLY_FILLED if order.filled else OrderStatus.ACCEPTED


def _why(code: RejectCode) -> str:
    return _MESSAGES.get(code, code.value.replace("_", " "))


_MESSAGES = {
    RejectCode.OFF_TICK: "price is not on the tick grid for its price band",
    RejectCode.OUTSIDE_LIMITS: "price is outside today's price limits",
    RejectCode.WRONG_SESSION: "order type or condition not accepted in this session",
    RejectCode.MARKET_CLOSED: "no session accepts orders now",
    RejectCode.HALTED: "trading in this symbol is halted",
    RejectCode.NO_QUOTE: "no price on the book to peg the order to",
    RejectCode.BAD_QUANTITY: "quantity must be a positive multiple of the lot",
}
