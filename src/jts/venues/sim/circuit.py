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
- 단기과열: the symbol trades only by call auctions every `overheated_interval_min` minutes.

The index a circuit breaker watches is fed with `observe_index`, or, when nobody feeds one,
computed every 10 simulated seconds of the regular session as the equal-weighted mean of last
price / base price of the market's symbols, scaled to 1,000 at yesterday's close.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from jts.core.enums import Market
from jts.core.events import MarketControl, MarketStatus, SymbolState
from jts.krx.sessions import Phase
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

    def __init__(self, exchange: SimExchange) -> None:
        self.exchange = exchange
        open_ns, close_ns = _regular_session(exchange)
        self.breakers = {m: CircuitBreaker(m, Decimal(INDEX_BASE), close_ns) for m in _MARKETS}
        self.sidecars = {
            m: Sidecar(SIDECAR_RULES[m], open_ns, close_ns) for m in _MARKETS if m in SIDECAR_RULES
        }
        self.fed: set[Market] = set()
        self.held: dict[Market, list[WorkingOrder]] = {}
        self.fired: list[MarketStatus] = []
        if open_ns:
            exchange.at(open_ns + MONITOR_NS, self._monitor)
        self._close_ns = close_ns

    # -- circuit breaker ----------------------------------------------------------------------

    def observe_index(self, market: Market, level: float, now: int) -> None:
        self.fed.add(market)
        self._observe(market, level, now)

    def index_level(self, market: Market) -> float:
        """Equal-weighted last/base of the market's symbols, 1,000 at yesterday's close."""
        ratios = [
            (m.last_price or m.rules.base_price) / m.rules.base_price
            for m in self.exchange.markets_of(market)
        ]
        return INDEX_BASE * sum(ratios) / len(ratios) if ratios else INDEX_BASE

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
        for symbol in exchange.markets_of(market):
            symbol.halt(now, control.value)
        if stage.ends_day:
            exchange.ended.add(market.value)
            for symbol in exchange.markets_of(market):
                symbol.expire_all(now)
            return
        exchange.market_halted[market.value] = True
        auction_ns = stage.auction_seconds * NS
        exchange.at(now + halt_ns, lambda ts: self._cb_resume(market, auction_ns, ts))

    def _cb_resume(self, market: Market, auction_ns: int, now: int) -> None:
        exchange = self.exchange
        exchange.market_halted[market.value] = False
        self._status(market, now, MarketControl.CB_RESUME, "call auction", now + auction_ns)
        for key, symbol in enumerate(exchange.markets_of(market)):
            symbol.resume(now, auction_ns, key)
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

    def holds(self, symbol: SymbolMarket, order: WorkingOrder, now: int) -> bool:
        """Keep a program order back while a sidecar holds its side; True when held."""
        market = symbol.rules.instrument.market
        sidecar = self.sidecars.get(market)
        if sidecar is None or sidecar.held_side(now) is not order.side:
            return False
        self.held.setdefault(market, []).append(order)
        return True

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
            exchange.live.pop(order.order_id, None)
            exchange.enter_held(order, now)

    # -- 단기과열 -----------------------------------------------------------------------------

    def overheat(self, symbol: SymbolMarket) -> None:
        now = self.exchange.now_ns()
        symbol.overheated = True
        if symbol.state is SymbolState.CONTINUOUS:
            symbol.set_state(SymbolState.OVERHEATED, now, "overheated")
        self._next_overheated_auction(symbol, now)

    def _next_overheated_auction(self, symbol: SymbolMarket, now: int) -> None:
        step = self.exchange.config.overheated_interval_min * 60 * NS
        due = self.exchange.schedule.random_end_ns(now + step, symbol.vi_count + 1000)
        if due < self._close_ns:
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


def _regular_session(exchange: SimExchange) -> tuple[int, int]:
    """(continuous start, closing auction scheduled end) of the day, ns; (0, 0) when closed."""
    open_ns = close_ns = 0
    for segment in exchange.schedule.segments:
        if segment.phase is Phase.CONTINUOUS and not open_ns:
            open_ns = segment.start_ns
        if segment.phase is Phase.CLOSING_AUCTION:
            close_ns = segment.end_ns
    return open_ns, close_ns
