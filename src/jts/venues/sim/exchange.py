"""The simulated KRX exchange: every symbol's market on one virtual clock and one schedule.

`SimExchange` is driven from outside: callers submit, modify and cancel orders at the current
simulated time and move the clock with `advance_to`, which runs whatever falls due on the way
(session changes and auction uncrosses from the day's `DaySchedule`, VI auction ends, halts and
circuit-breaker phases, sidecar releases, conflated book publication). Nothing here sleeps or
reads the wall clock, so a day runs as fast as the orders can be matched and the same seed
gives the same day (KRX.md §12 item 21).

Events go to the listeners in order: `OrderUpdate` and `Fill` for orders, `Tick` for trades,
`BookUpdate` (continuous) or `ExpectedPrice` (call auctions), `SymbolStatus` and
`MarketStatus`. Accounts, cash and holdings are the broker's side (`venue.py`, `accounts.py`):
the exchange matches whatever it is given.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import date, time
from decimal import Decimal
from functools import partial

import msgspec

from jts.core.clock import SimulatedClock, kst_ns
from jts.core.enums import Market, OrderStatus, OrderType, Side
from jts.core.events import OrderUpdate
from jts.core.models import Instrument, OrderRequest
from jts.krx.sessions import Phase
from jts.krx.volatility import ViGroup
from jts.venues.sim.circuit import CircuitControl
from jts.venues.sim.exchange_day import DayRunner, main_phase
from jts.venues.sim.exchange_feed import FeedPublisher
from jts.venues.sim.orders import RejectCode, WorkingOrder
from jts.venues.sim.reports import Listener, Reports, order_status, reject_message
from jts.venues.sim.rules import symbol_rules
from jts.venues.sim.schedule import DaySchedule
from jts.venues.sim.symbol import SymbolMarket

__all__ = ["SimConfig", "SimExchange", "main_phase"]

NS = 1_000_000_000


class SimConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the simulated exchange behaves where KRX leaves room or the user wants a knob.

    `book_interval_ms`: book and expected-price updates are conflated to at most one per
    symbol per interval of simulated time (0 = after every change). `halt_auction_s`: length
    of the call auction that reopens a halted symbol (KRX: unverified; 10 minutes as after a
    circuit breaker). `overheated_interval_min`: 단기과열 call-auction spacing.
    """

    venue: str = "KRX"
    seed: int = 0
    book_interval_ms: int = 0
    book_levels: int = 10
    expected_levels: int = 3
    halt_auction_s: int = 600
    overheated_interval_min: int = 30
    planned_sessions: bool | None = None


class SimExchange:
    """The simulated exchange for one trading day.

    `base_prices`: each symbol's 기준가격 in KRW (normally yesterday's close). On a listing's
    first day pass its offer price in `ipo_offer_prices` instead (60-400% band, no VI).
    `vi_groups`: dynamic-VI group per symbol (default OTHER). `expiry_day_symbols`: today is
    a derivatives expiry day and these symbols get the 1% closing-auction dynamic VI rate.
    `index_closes`: yesterday's close of each market's index, the level the circuit breaker
    measures `observe_index` against (default 1,000, the scale of the index the exchange
    derives from its own symbols when nobody feeds one).

    Order ids are "0000000001", "0000000002", ... in acceptance order: a rejected request
    gets none (its `OrderUpdate` has venue_order_id ""), as at KRX, where only accepted
    orders are numbered. A cancel or modify of a number that was issued but no longer works
    is refused with ORDER_CLOSED, anything else with UNKNOWN_ORDER; both answers have status
    REJECTED (the request was refused; the order, if any, is unchanged).
    """

    def __init__(
        self,
        instruments: Sequence[Instrument],
        day: date,
        *,
        base_prices: Mapping[str, int],
        config: SimConfig | None = None,
        clock: SimulatedClock | None = None,
        vi_groups: Mapping[str, ViGroup] | None = None,
        ipo_offer_prices: Mapping[str, int] | None = None,
        expiry_day_symbols: Collection[str] = (),
        index_closes: Mapping[Market, float] | None = None,
    ) -> None:
        self.config = config or SimConfig()
        self.day = day
        self.schedule = DaySchedule.build(
            day,
            venue=self.config.venue,
            seed=self.config.seed,
            planned=self.config.planned_sessions,
        )
        self.clock = clock or SimulatedClock(kst_ns(day, time(0, 0)))
        self.reports = Reports()
        self.markets: dict[str, SymbolMarket] = {}
        if self.config.venue == "NXT":  # NXT trades only the symbols listed there
            instruments = [i for i in instruments if i.nxt_eligible]
        for instrument in instruments:
            rules = symbol_rules(
                instrument,
                day,
                base_prices[instrument.symbol],
                ipo_offer_price=(ipo_offer_prices or {}).get(instrument.symbol),
                vi_group=(vi_groups or {}).get(instrument.symbol, ViGroup.OTHER),
            )
            market = SymbolMarket(rules, self.reports, self.schedule.random_end_ns)
            market.expiry_day = instrument.symbol in expiry_day_symbols
            self.markets[instrument.symbol] = market
        self.feed = FeedPublisher(self)
        self.live: dict[str, WorkingOrder] = {}
        self._client_ids: set[tuple[str, str]] = set()
        self._next_id = 0
        self._timers: list[tuple[int, int, Callable[[int], None]]] = []
        self._timer_seq = 0
        self.segment_index = -1
        self.market_halted: set[str] = set()  # markets a circuit breaker halts now
        self.current_phase = Phase.CLOSED  # kept by the day driver at each segment start
        self.ended: set[str] = set()  # markets a circuit breaker stage 3 closed for the day
        self.day_runner = DayRunner(self)
        self.day_runner.schedule_day()
        self.circuit = CircuitControl(self, index_closes)
        self.advance_to(self.clock.now_ns())

    # -- listeners and time --------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Receive every event the exchange publishes from now on (must not block)."""
        self.reports.listeners.append(listener)

    def now_ns(self) -> int:
        return self.clock.now_ns()

    @property
    def phase(self) -> Phase:
        """The market's session phase now (KRX main line; closing-price sessions aside)."""
        return self.current_phase

    def at(self, ts_ns: int, action: Callable[[int], None]) -> None:
        """Run `action(ts)` when the clock reaches `ts_ns` (timers in time, then FIFO order)."""
        self._timer_seq += 1
        heapq.heappush(self._timers, (ts_ns, self._timer_seq, action))

    def advance_to(self, ts_ns: int) -> None:
        """Move the clock to `ts_ns`, running every timer due on the way, in order."""
        timers = self._timers
        while timers and timers[0][0] <= ts_ns:
            when, _, action = heapq.heappop(timers)
            if when > self.clock.now_ns():
                self.clock.set(when)
            action(self.clock.now_ns())
        if ts_ns > self.clock.now_ns():
            self.clock.set(ts_ns)

    def next_event_ns(self) -> int | None:
        """When the next scheduled change happens, or None."""
        return self._timers[0][0] if self._timers else None

    # -- orders ------------------------------------------------------------------------------

    def submit(self, request: OrderRequest, *, program: bool = False) -> OrderUpdate:
        """Accept or reject a new order now; fills and updates follow as events."""
        now = self.clock.now_ns()
        order = WorkingOrder(
            "",
            request.symbol,
            request.side,
            request.qty,
            request.price or 0,
            order_type=request.order_type,
            tif=request.tif,
            account=request.account,
            client_order_id=request.client_order_id,
            ts_ns=now,
            program=program,
        )
        market = self.markets.get(request.symbol)
        code = self._refusal(order, market)
        if code is not None or market is None:
            return self._rejected(order, now, code or RejectCode.UNKNOWN_SYMBOL)
        if program and self.circuit.holding(market, order, now):
            return self._hold(market, order, now)
        return self._enter(market, order, now)

    def cancel(self, venue_order_id: str, qty: int | None = None) -> OrderUpdate:
        """Cancel a working order (or `qty` shares of it); accepted during a CB halt."""
        now = self.clock.now_ns()
        found = self._working(venue_order_id, now)
        if isinstance(found, OrderUpdate):
            return found
        market = self.markets[found.symbol]
        if market.rules.instrument.market.value in self.ended:
            return self._refused(found, now, RejectCode.MARKET_HALTED, "trading ended for the day")
        if self.circuit.is_held(found):
            return self._cancel_held(found, qty, now)
        update = market.cancel(found, qty, now)
        self.touched(market, now)
        return update

    def modify(
        self, venue_order_id: str, *, price: int | None = None, qty: int | None = None
    ) -> OrderUpdate:
        """Change the price (loses priority) and/or reduce the quantity of a working order."""
        now = self.clock.now_ns()
        found = self._working(venue_order_id, now)
        if isinstance(found, OrderUpdate):
            return found
        market = self.markets[found.symbol]
        if self._halted_market(market):
            return self._refused(found, now, RejectCode.MARKET_HALTED, "market halted")
        if price is None and qty is None:
            return self._refused(found, now, RejectCode.NOT_MODIFIABLE, "nothing to change")
        if self.circuit.is_held(found):
            return self._modify_held(found, price, qty, now)
        update = market.modify(found, price, qty, now)
        self.touched(market, now)
        return update

    def order(self, venue_order_id: str) -> WorkingOrder | None:
        """A working order by its exchange id (None once it is done or when unknown)."""
        order = self.live.get(venue_order_id)
        return order if order is not None and order.leaves > 0 else None

    def open_orders(self, account: str | None = None) -> list[WorkingOrder]:
        self._prune()
        return [o for o in self.live.values() if account is None or o.account == account]

    def market(self, symbol: str) -> SymbolMarket:
        return self.markets[symbol]

    # -- market-wide controls ---------------------------------------------------------------

    def halt(self, symbol: str, reason: str = "halt") -> None:
        """A trading halt (disclosure etc.): the symbol refuses new orders until `resume`."""
        self.markets[symbol].halt(self.clock.now_ns(), reason)

    def resume(self, symbol: str) -> None:
        """End a halt with a call auction (`halt_auction_s`), then continuous trading."""
        market, now = self.markets[symbol], self.clock.now_ns()
        market.resume(now, self.config.halt_auction_s * NS)
        self.touched(market, now)

    def designate_overheated(self, symbol: str) -> None:
        """단기과열: from now the symbol trades only by call auctions every N minutes today."""
        self.circuit.overheat(self.markets[symbol])

    def observe_index(self, market: Market, level: float) -> None:
        """Feed the market index level now (drives the circuit breaker)."""
        self.circuit.observe_index(market, level, self.clock.now_ns())

    def observe_futures(self, market: Market, futures_move: Decimal, index_move: Decimal) -> None:
        """Feed the futures and index moves from base now (drive the sidecar)."""
        self.circuit.observe_futures(market, futures_move, index_move, self.clock.now_ns())

    # -- internals ----------------------------------------------------------------------------

    def _refusal(self, order: WorkingOrder, market: SymbolMarket | None) -> RejectCode | None:
        if market is None:
            return RejectCode.UNKNOWN_SYMBOL
        if self._halted_market(market):
            return RejectCode.MARKET_HALTED
        if not order.client_order_id or not order.account:
            return RejectCode.BAD_REQUEST
        if (order.account, order.client_order_id) in self._client_ids:
            return RejectCode.DUPLICATE_ORDER
        if (
            self.current_phase in _NO_REGULAR_ORDERS
            and order.order_type is not OrderType.CLOSING_PRICE
        ):
            return RejectCode.MARKET_CLOSED
        return None

    def _halted_market(self, market: SymbolMarket) -> bool:
        if not (self.ended or self.market_halted):
            return False
        name = market.rules.instrument.market.value
        return name in self.ended or name in self.market_halted

    def enter_held(self, order: WorkingOrder, now: int) -> OrderUpdate:
        """A held program order enters the market now (sidecar release)."""
        self._client_ids.discard((order.account, order.client_order_id))
        self.live.pop(order.order_id, None)
        market = self.markets[order.symbol]
        code = self._refusal(order, market)
        if code is not None:
            order.leaves = 0
            return self._rejected(order, now, code)
        return self._enter(market, order, now)

    def _enter(self, market: SymbolMarket, order: WorkingOrder, now: int) -> OrderUpdate:
        code = market.refusal(order)
        if code is not None:
            order.leaves = 0
            return self._rejected(order, now, code)
        if not order.order_id:
            self._next_id += 1
            order.order_id = f"{self._next_id:010d}"
            if self._next_id % _PRUNE_EVERY == 0:
                self._prune()
        self._client_ids.add((order.account, order.client_order_id))
        update = market.accept(order, now)
        self.live[order.order_id] = order  # done ones too, for a while: see _prune
        if market.dirty or market.auction_until > now:
            self.touched(market, now)
        return update

    def _hold(self, market: SymbolMarket, order: WorkingOrder, now: int) -> OrderUpdate:
        """Sidecar: check the program order now, keep it back until the hold ends."""
        code = market.refusal(order)
        if code is not None:
            return self._rejected(order, now, code)
        if not order.order_type.needs_price:
            order.price = 0  # market / best orders are priced when they enter
        self._number(order)
        self.circuit.hold(market, order)
        self._client_ids.add((order.account, order.client_order_id))
        self.live[order.order_id] = order
        return self.reports.update(order, OrderStatus.ACCEPTED, now, "", "held by sidecar")

    def _cancel_held(self, order: WorkingOrder, qty: int | None, now: int) -> OrderUpdate:
        """Cancel all or `qty` shares of a program order the sidecar holds."""
        if qty is not None and qty <= 0:
            return self._refused(order, now, RejectCode.BAD_QUANTITY, "cancel qty <= 0")
        if qty is None or qty >= order.leaves:
            self.circuit.release_held(order)
            order.leaves = 0
            return self.reports.update(order, OrderStatus.CANCELLED, now)
        order.leaves -= qty
        order.qty -= qty
        return self.reports.update(order, OrderStatus.ACCEPTED, now, "", "held by sidecar")

    def _modify_held(
        self, order: WorkingOrder, price: int | None, qty: int | None, now: int
    ) -> OrderUpdate:
        """A held program order takes quantity reductions only (it has no queue place yet)."""
        if price is not None:
            return self._refused(order, now, RejectCode.PROGRAM_HELD, "held by the sidecar")
        if qty is None or not 0 < qty <= order.leaves:
            return self._refused(order, now, RejectCode.NOT_MODIFIABLE, "qty: reduce only (> 0)")
        if qty == order.leaves:
            return self.reports.update(order, OrderStatus.ACCEPTED, now, "", "held by sidecar")
        return self._cancel_held(order, order.leaves - qty, now)

    def _number(self, order: WorkingOrder) -> None:
        self._next_id += 1
        order.order_id = f"{self._next_id:010d}"

    def _issued(self, venue_order_id: str) -> bool:
        """Whether `venue_order_id` is one of the numbers this exchange gave out today."""
        return (
            len(venue_order_id) == 10
            and venue_order_id.isdigit()
            and 0 < int(venue_order_id) <= self._next_id
        )

    def _rejected(self, order: WorkingOrder, now: int, code: RejectCode) -> OrderUpdate:
        return self.reports.update(order, OrderStatus.REJECTED, now, code, reject_message(code))

    def touched(self, market: SymbolMarket, now: int) -> None:
        if market.auction_until > now and not market.auction_scheduled:
            market.auction_scheduled = True
            until = market.auction_until
            self.at(until, partial(self.day_runner.auction_due, market, until))
        if market.dirty:
            self.feed.mark(market, now)

    def _working(self, venue_order_id: str, now: int) -> WorkingOrder | OrderUpdate:
        order = self.live.get(venue_order_id)
        if order is not None and order.leaves > 0:
            return order
        if self._issued(venue_order_id):
            code, text = RejectCode.ORDER_CLOSED, f"order {venue_order_id} is no longer working"
        else:
            code, text = RejectCode.UNKNOWN_ORDER, f"no order {venue_order_id!r}"
        ghost = order or WorkingOrder(venue_order_id, "", Side.BUY, 0, 0)
        return self.reports.update(ghost, OrderStatus.REJECTED, now, code, text)

    def _refused(self, order: WorkingOrder, now: int, code: RejectCode, text: str) -> OrderUpdate:
        return self.reports.update(order, order_status(order), now, code, text)

    def _prune(self) -> None:
        """Forget finished orders. Until then a late cancel's reject names the order; after,
        it still answers `order_closed` (the id was issued), only without the order's details.
        Run every `_PRUNE_EVERY` orders so that a long day's memory stays bounded."""
        for order_id in [k for k, o in self.live.items() if o.leaves == 0]:
            del self.live[order_id]

    def markets_of(self, market: Market) -> Iterator[SymbolMarket]:
        return (m for m in self.markets.values() if m.rules.instrument.market is market)


_PRUNE_EVERY = 1 << 16
"""Orders between two sweeps of finished orders out of `SimExchange.live`."""

_NO_REGULAR_ORDERS = frozenset({Phase.CLOSED, Phase.GAP})
"""Main-line phases in which only closing-price orders are taken."""
