"""Market-wide controls of the simulated exchange: circuit breaker, sidecar, 단기과열 auctions.

The rules (thresholds, persistence, once-a-day, the 40-minute rule) live in
`controls.CircuitBreaker` / `controls.Sidecar` over `jts.krx.volatility`; this module applies
their verdicts to the exchange (KRX.md §8, checklist items 16-17):

- circuit breaker stage 1-2: every symbol of the market halts for 20 minutes (new orders and
  modifications refused, cancels accepted; running VIs end), then a 10-minute call auction sets
  the first prices, allocated by size rounds when they land on a limit; stage 3 ends the day for
  that market: working orders expire and nothing, not even a cancel, is accepted;
- sidecar: program orders on the held side wait 5 minutes, then enter the market in arrival
  order (a cancel before then removes them);
- 단기과열: the symbol trades only by call auctions, one every `overheated_interval_min`
  minutes on the clock from the open (09:30, 10:00, ... each with its random end) until the
  closing auction.

The index a circuit breaker watches is fed with `observe_index`, or, when nobody feeds one,
computed every 10 simulated seconds of the regular session as the equal-weighted mean of last
price / base price of the market's symbols, times yesterday's index close (default 1,000).
The 40-minute and 5-minute rules count from the *scheduled* open and close (09:00 and 15:30 on
an ordinary day), not from the random ends of the auctions.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from jts.core.enums import Market
from jts.core.events import MarketControl, MarketStatus, SymbolState
from jts.krx.sessions import Phase, sessions
from jts.krx.volatility import SIDECAR_RULES
from jts.venues.sim.controls import CircuitBreaker, Sidecar
from jts.venues.sim.orders import WorkingOrder

if TYPE_CHECKING:
    from jts.venues.sim.exchange import SimExchange
    from jts.venues.sim.symbol import SymbolMarket

__all__ = ["CircuitControl"]

NS = 1_000_000_000
INDEX_BASE = 1_000.0
MONITOR_NS = 10 * NS


class CircuitControl:
    """Applies circuit breakers, sidecars and 단기과열 auctions to one exchange."""

    def __init__(
        self, exchange: SimExchange, index_closes: Mapping[Market, float] | None = None
    ) -> None:
        self.exchange = exchange
        open_ns, self._auction_ns, close_ns = _regular_session(exchange)
        closes = {m: (index_closes or {}).get(m, INDEX_BASE) for m in _MARKETS}
        self.breakers = {m: CircuitBreaker(m, Decimal(repr(closes[m])), close_ns) for m in _MARKETS}
        self.index_closes = closes
        self.sidecars = {
            m: Sidecar(SIDECAR_RULES[m], open_ns, close_ns) for m in _MARKETS if m in SIDECAR_RULES
        }
        self.fed: set[Market] = set()
        self.held: dict[Market, list[WorkingOrder]] = {}
        self.cb_halted: dict[Market, list[SymbolMarket]] = {}
        self.fired: list[MarketStatus] = []
        self._open_ns = open_ns
        if open_ns:
            exchange.at(open_ns + MONITOR_NS, self._monitor)
        self._close_ns = close_ns

    # -- circuit breaker ----------------------------------------------------------------------

    def observe_index(self, market: Market, level: float, now: int) -> None:
        self.fed.add(market)
        self._observe(market, level, now)

    def index_level(self, market: Market) -> float:
        """Equal-weighted last/base of the market's symbols times yesterday's index close."""
        ratios = [
            (m.last_price or m.rules.base_price) / m.rules.base_price
            for m in self.exchange.markets_of(market)
        ]
        close = self.index_closes[market]
        return close * sum(ratios) / len(ratios) if ratios else close

    def _monitor(self, now: int) -> None:
        if now >= self._close_ns:
            return
        if self.exchange.phase is Phase.CONTINUOUS:
            for market in _MARKETS:
                if market not in self.fed and any(True for _ in self.exchange.markets_of(market)):
                    self._observe(market, self.index_level(market), now)
        self.exchange.at(now + MONITOR_NS, self._monitor)

    def _observe(self, market: Market, level: float, now: int) -> None:
        stage = self.breakers[market].observe(now, level)
        if stage is None:
            return
        control = _STAGE_CONTROLS[stage.level]
        halt_ns = stage.halt_seconds * NS
        self._status(market, now, control, f"index {level:.2f}", now + halt_ns)
        exchange = self.exchange
        halted = [symbol for symbol in exchange.markets_of(market) if not symbol.halted]
        for symbol in halted:
            symbol.halt(now, control.value)
        self.cb_halted[market] = halted  # a symbol halted on its own stays halted after the CB
        if stage.ends_day:
            exchange.ended.add(market.value)
            for symbol in exchange.markets_of(market):
                symbol.expire_all(now)
            return
        exchange.market_halted.add(market.value)
        auction_ns = stage.auction_seconds * NS
        exchange.at(now + halt_ns, lambda ts: self._cb_resume(market, auction_ns, ts))

    def _cb_resume(self, market: Market, auction_ns: int, now: int) -> None:
        exchange = self.exchange
        exchange.market_halted.discard(market.value)
        self._status(market, now, MarketControl.CB_RESUME, "call auction", now + auction_ns)
        for symbol in self.cb_halted.pop(market, []):
            symbol.resume(now, auction_ns)
            exchange.touched(symbol, now)

    # -- sidecar ------------------------------------------------------------------------------

    def observe_futures(
        self, market: Market, futures_move: Decimal, index_move: Decimal, now: int
    ) -> None:
        sidecar = self.sidecars.get(market)
        if sidecar is None:
            return
        side = sidecar.observe(now, futures_move, index_move)
        if side is None:
            return
        until = now + SIDECAR_RULES[market].hold_seconds * NS
        self._status(market, now, MarketControl.SIDECAR, f"program {side.value} held", until)
        self.exchange.at(until, lambda ts: self._release(market, ts))

    def holding(self, symbol: SymbolMarket, order: WorkingOrder, now: int) -> bool:
        """Whether a sidecar holds program orders on `order`'s side of `symbol`'s market now."""
        sidecar = self.sidecars.get(symbol.rules.instrument.market)
        return sidecar is not None and sidecar.held_side(now) is order.side

    def hold(self, symbol: SymbolMarket, order: WorkingOrder) -> None:
        """Keep the (accepted) program `order` back until the sidecar releases its market."""
        self.held.setdefault(symbol.rules.instrument.market, []).append(order)

    def is_held(self, order: WorkingOrder) -> bool:
        return order.program and any(order in orders for orders in self.held.values())

    def release_held(self, order: WorkingOrder) -> bool:
        """Drop a held order (it is being cancelled); True when it was held."""
        for orders in self.held.values():
            if order in orders:
                orders.remove(order)
                return True
        return False

    def _release(self, market: Market, now: int) -> None:
        self._status(market, now, MarketControl.SIDECAR_RELEASE, "", 0)
        exchange = self.exchange
        for order in self.held.pop(market, []):
            exchange.enter_held(order, now)

    # -- 단기과열 -----------------------------------------------------------------------------

    def overheat(self, symbol: SymbolMarket) -> None:
        if symbol.overheated:
            return
        now = self.exchange.now_ns()
        symbol.overheated = True
        if symbol.state is SymbolState.CONTINUOUS:
            symbol.set_state(SymbolState.OVERHEATED, now, "overheated")
        self._next_overheated_auction(symbol, now)

    def _next_overheated_auction(self, symbol: SymbolMarket, now: int) -> None:
        """The next auction on the interval grid from the open, before the closing auction."""
        if not self._open_ns:
            return
        step = self.exchange.config.overheated_interval_min * 60 * NS
        rounds = max(1, (now - self._open_ns) // step + 1)
        scheduled = self._open_ns + rounds * step
        if scheduled < self._auction_ns:
            due = symbol.auction_end(scheduled)
            self.exchange.at(due, lambda ts: self._overheated_auction(symbol, ts))

    def _overheated_auction(self, symbol: SymbolMarket, now: int) -> None:
        if symbol.state is SymbolState.OVERHEATED:
            symbol.end_auction(now, symbol.last_price or symbol.rules.base_price)
            self.exchange.touched(symbol, now)
        self._next_overheated_auction(symbol, now)

    # -- helpers ------------------------------------------------------------------------------

    def _status(
        self, market: Market, now: int, control: MarketControl, detail: str, until: int
    ) -> None:
        status = MarketStatus(
            market=market.value, ts_ns=now, control=control, detail=detail, until_ns=until
        )
        self.fired.append(status)
        self.exchange.reports.publish(status)


_MARKETS = (Market.KOSPI, Market.KOSDAQ)
_STAGE_CONTROLS = {
    1: MarketControl.CB_STAGE1,
    2: MarketControl.CB_STAGE2,
    3: MarketControl.CB_STAGE3,
}


def _regular_session(exchange: SimExchange) -> tuple[int, int, int]:
    """Scheduled (open, closing-auction start, close) of the day in ns UTC; zeros when closed.

    Scheduled times, without random ends: "not in the last 40 minutes" means from 14:50
    on a 15:30 day whatever instant the closing auction happens to end.
    """
    day, config = exchange.day, exchange.config
    open_ns = auction_ns = close_ns = 0
    for session in sessions(day, config.venue, planned=config.planned_sessions):
        if session.phase is Phase.CONTINUOUS:
            open_ns = session.start_ns(day)
        if session.phase is Phase.CLOSING_AUCTION:
            auction_ns, close_ns = session.start_ns(day), session.end_ns(day)
    return open_ns, auction_ns, close_ns
