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
from jts.venues.sim.reports import Reports, order_status, reject_message
from jts.venues.sim.rules import SymbolRules, check_new, limit_conditions, limit_refusal

__all__ = ["SymbolMarket", "order_status"]

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
        self.auctions = 0  # symbol-level auctions started today: keys their random ends
        self._end_key = int.from_bytes(self.symbol.encode(), "big") << 16
        self.expiry_day = False  # 1% closing-auction VI rate today (derivatives expiry)
        self.size_rounds = False  # the next uncross may allocate by size rounds at a limit
        self.halted = False
        self.overheated = False  # 단기과열: call auctions only during continuous hours
        self.vi_count = 0
        self.dirty = False
        self.matches: list[Execution] = []

    # -- orders -------------------------------------------------------------------------------

    def submit(self, order: WorkingOrder, now: int) -> OrderUpdate:
        """Check, accept and work a new order; returns the acknowledgement or the reject."""
        code = self.refusal(order)
        if code is not None:
            return self.reports.update(order, OrderStatus.REJECTED, now, code, reject_message(code))
        return self.accept(order, now)

    def refusal(self, order: WorkingOrder) -> RejectCode | None:
        """Why a new order cannot enter now, or None; prices market and best orders.

        The order's own price (0 = none given) is checked as given, so a market or best
        order that names a price gets PRICE_NOT_ALLOWED and a limit without one
        PRICE_REQUIRED. The exchange numbers an order only once this has passed.
        """
        kind = order.order_type
        if kind is OrderType.LIMIT:
            allowed = limit_conditions(self.phase, self.state)
            if allowed is not None:
                return limit_refusal(self.rules, order.tif, order.qty, order.price, allowed)
        elif kind is OrderType.CLOSING_PRICE:
            return self._closing_price_refusal(order)
        code = self._check(order, order.price or None)
        return code if code is not None else self._price_by_exchange(order)

    def accept(self, order: WorkingOrder, now: int) -> OrderUpdate:
        """Acknowledge an order `refusal` passed, then match, rest or collect it."""
        ack = self.reports.update(order, OrderStatus.ACCEPTED, now)
        if order.order_type is OrderType.CLOSING_PRICE:
            self._work_closing_price(order, now)
        elif self.state is SymbolState.CONTINUOUS:
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
        """Change the price (loses time priority, may trade now) and/or reduce leaves to `qty`.

        A 최유리/최우선 order rests as a limit at the price fixed at entry; given a new price
        it is checked, and goes on, as a plain limit order.
        """
        if price is not None and (order.market or order.order_type is OrderType.CLOSING_PRICE):
            return self._refuse(order, now, RejectCode.NOT_MODIFIABLE, "no price to change")
        if qty is not None and not 0 < qty <= order.leaves:
            return self._refuse(order, now, RejectCode.NOT_MODIFIABLE, "qty: reduce only (> 0)")
        kind = OrderType.LIMIT if order.order_type in _CONTINUOUS_ONLY else order.order_type
        if price is not None and price != order.price:
            code = self._check(order, price, qty or order.leaves, kind)
            if code is not None:
                return self._refuse(order, now, code, reject_message(code))
        if qty is not None and qty < order.leaves:
            self._book_of(order).reduce(order, qty)
            order.qty = order.filled + qty
        if price is not None and price != order.price:
            order.order_type = kind
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
            self._convert_conditionals(now)
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

    def resume(self, now: int, auction_ns: int) -> int:
        """End a halt with a call auction of `auction_ns`; returns when it uncrosses.

        Its first price is allocated by size rounds when it lands on a limit (KRX.md §6).
        """
        self.halted = False
        self.size_rounds = True
        self.auction_until = self.auction_end(now + auction_ns)
        self.set_state(SymbolState.VI, now, "resume", self.auction_until)
        return self.auction_until

    def auction_end(self, scheduled_ns: int) -> int:
        """`scheduled_ns` plus this symbol's next random end (0-30 s, seeded, KRX.md §6).

        Keyed by the symbol's code and its count of auctions today, so two symbols' VIs at
        the same instant end at different random times, and a run repeats under its seed.
        """
        self.auctions += 1
        return self.random_end(scheduled_ns, self._end_key + self.auctions)

    # -- internals ----------------------------------------------------------------------------

    def _check(
        self, order: WorkingOrder, price: int | None, qty: int = 0, kind: OrderType | None = None
    ) -> RejectCode | None:
        """`check_new` in this symbol's state: a VI or 단기과열 auction takes call-auction
        orders, after-hours rounds their ±10% band (and no NXT-listed symbol)."""
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
            kind or order.order_type,
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
        """Continuous trading: match now, then rest, cancel (IOC/FOK) or start a VI.

        The whole sweep is checked against the band around the price before this order
        (KRX.md §7: the dynamic reference is the last price before a sweeping order).
        """
        reference = self.last_price
        lo, hi = self.vi.band(self.phase, reference, expiry_day=self.expiry_day)
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
            self._start_vi(now, blocked, reference, "dynamic_vi")

    def _reprice(self, order: WorkingOrder, price: int, now: int) -> None:
        book = self._book_of(order)
        if self.state is not SymbolState.CONTINUOUS or book is self.close_book:
            book.reprice(order, price)
            return
        book.remove(order)
        order.price = price
        self._work(order, now)

    def _start_vi(self, now: int, price: int, reference: int, fallback: str) -> None:
        """Switch to (or extend into) a 2-minute VI call auction plus its random end.

        `price` tripped the VI, measured from `reference` (the last price before a sweep; 0
        = the base price). The VI auction's own uncross is not interrupted again
        (`auction_extended`): a VI extends a running auction once, it does not chain.
        """
        kind = self.vi.trigger(price, self.phase, reference, expiry_day=self.expiry_day)
        kind = kind or fallback
        if kind == "static_vi":
            reference = self.vi.static_reference
        self.vi_count += 1
        self.auction_extended = True
        self.auction_until = self.auction_end(now + VI_AUCTION_NS)
        self.reports.publish(
            SymbolStatus(
                symbol=self.symbol,
                ts_ns=now,
                state=SymbolState.VI,
                reason=kind,
                until_ns=self.auction_until,
                reference=reference or self.rules.base_price,
                trigger=price,
            )
        )
        self.state = SymbolState.VI

    def _uncross(self, now: int, reference: int) -> list[Execution] | None:
        """Run the call auction; None when a VI extends it instead (at most once per auction)."""
        bids, asks = self.book.bids(), self.book.asks()
        found = clearing_price(bids, asks, reference, tick_of=self.rules.tick)
        if found is None:
            return []
        lo, hi = self.vi.band(self.phase, self.last_price, expiry_day=self.expiry_day)
        if not lo <= found.price <= hi and not self.auction_extended:
            self._start_vi(now, found.price, self.last_price, "static_vi")
            return None
        at_limit = found.price in (self.rules.lower, self.rules.upper)
        matches = allocate(
            bids,
            asks,
            found,
            size_rounds=self.size_rounds and at_limit,
            lot=self.rules.instrument.lot_size,
        )
        self._settle(matches)
        self._printed(matches, now, auction=True)
        self.vi.auction_printed(found.price)
        self.dirty = True
        return matches

    def _settle(self, matches: list[Execution]) -> None:
        """Bring the book in line with an auction's allocation.

        `allocate` lowers `leaves` behind the book's back; the book keeps per-level totals,
        so each touched order goes back to its old `leaves` and leaves the book (done) or is
        reduced in place (partly filled: it keeps its time priority) through the book.
        """
        got: dict[int, int] = {}
        touched: dict[int, WorkingOrder] = {}
        for match in matches:
            for order in (match.buy, match.sell):
                got[id(order)] = got.get(id(order), 0) + match.qty
                touched[id(order)] = order
        for key, order in touched.items():
            leaves = order.leaves
            order.leaves = leaves + got[key]
            if leaves == 0:
                self.book.remove(order)
                order.leaves = 0
            else:
                self.book.reduce(order, leaves)

    def _printed(
        self, matches: list[Execution], now: int, *, auction: bool, priced: bool = True
    ) -> None:
        """Publish trades; `priced=False` (closing-price sessions) sets no last or open price:
        those trades repeat a close, they do not discover a price."""
        volume = self.reports.executions(matches, now, auction=auction, cum_volume=self.volume)
        self.volume += volume
        for match in matches:
            self.value += match.qty * match.price
        if not priced:
            return
        self.last_price = matches[-1].price
        if not self.open_price and self.phase in _REGULAR_PHASES:
            self.open_price = self.last_price

    def _closing_price_refusal(self, order: WorkingOrder) -> RejectCode | None:
        lot = self.rules.instrument.lot_size
        if not self.closing_reference:
            return RejectCode.WRONG_SESSION
        if order.qty <= 0 or order.qty % lot:
            return RejectCode.BAD_QUANTITY
        if self.state is SymbolState.HALTED:
            return RejectCode.HALTED
        order.price = self.closing_reference
        return None

    def _work_closing_price(self, order: WorkingOrder, now: int) -> None:
        """Closing-price sessions: fill against the other side in time order, at the one price."""
        matches = self.matches
        matches.clear()
        self.close_book.match(order, order.price, order.price, matches)
        if matches:
            self._printed(matches, now, auction=False, priced=False)
        if order.leaves:
            self.close_book.add(order)

    def _convert_conditionals(self, now: int) -> None:
        """At 15:20 the remainder of conditional limit orders becomes market orders.

        Each converted order is re-queued at its side's limit (time of conversion) and
        reported with an `OrderUpdate` showing price 0, as for any market order.
        """
        for order in [*self.book.bids(), *self.book.asks()]:
            if order.order_type is OrderType.CONDITIONAL_LIMIT and not order.market:
                order.market = True
                self.book.reprice(order, self.rules.upper if order.is_buy else self.rules.lower)
                self.reports.update(
                    order, order_status(order), now, "", "conditional limit now a market order"
                )

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
    # planned 2026 KRX sessions: matching rules unverified, modelled as continuous trading
    Phase.PRE_MARKET: SymbolState.CONTINUOUS,
    Phase.AFTER_MARKET: SymbolState.CONTINUOUS,
    # NXT (venue="NXT"): continuous pre-market, main and after-market, the single-price
    # auction opening the after-market; no VI is modelled there (KRX.md names only the daily
    # limits, CB and sidecar for NXT)
    Phase.NXT_PRE_MARKET: SymbolState.CONTINUOUS,
    Phase.NXT_MAIN: SymbolState.CONTINUOUS,
    Phase.NXT_AFTER_AUCTION: SymbolState.CALL,
    Phase.NXT_AFTER_MARKET: SymbolState.CONTINUOUS,
}
_REGULAR_PHASES = (Phase.OPENING_AUCTION, Phase.CONTINUOUS, Phase.CLOSING_AUCTION)
