"""Book and expected-price publication for the simulated exchange, conflated per symbol.

A book snapshot costs far more than a match, and a feed subscriber wants the latest state, not
every intermediate one: so symbols whose book changed are marked, and their snapshot goes out
at most once per `book_interval_ms` of simulated time (immediately when the interval is 0).
During a call auction the snapshot is an `ExpectedPrice` (would-be price, volume and the best
collected levels) once the schedule publishes indications (08:50 for the KRX open), otherwise
a 10-level `BookUpdate`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jts.core.events import ExpectedPrice, SymbolState
from jts.core.models import BookUpdate
from jts.venues.sim.auction import expected

if TYPE_CHECKING:
    from jts.venues.sim.exchange import SimExchange
    from jts.venues.sim.symbol import SymbolMarket

__all__ = ["FeedPublisher"]


class FeedPublisher:
    """Publishes the books of the symbols that changed, at most once per interval."""

    def __init__(self, exchange: SimExchange) -> None:
        self.exchange = exchange
        self.interval_ns = exchange.config.book_interval_ms * 1_000_000
        self.dirty: dict[str, SymbolMarket] = {}
        self.last_flush = 0
        self.published = 0

    def mark(self, market: SymbolMarket, now: int) -> None:
        """`market`'s book changed at `now`."""
        if self.interval_ns == 0:
            market.dirty = False
            self._publish(market, now)
        else:
            self.dirty[market.symbol] = market

    def maybe_flush(self, now: int) -> None:
        if self.dirty and now - self.last_flush >= self.interval_ns:
            self.flush(now)

    def flush(self, now: int) -> None:
        """Publish every marked symbol's book now."""
        self.last_flush = now
        markets, self.dirty = self.dirty, {}
        for market in markets.values():
            market.dirty = False
            self._publish(market, now)

    def _publish(self, market: SymbolMarket, now: int) -> None:
        reports = market.reports
        if not reports.listeners:
            return
        self.published += 1
        if market.collecting:
            if not self._indicating(market, now):
                return
            reference = market.last_price or market.rules.base_price
            found, bids, asks = expected(
                market.book.bids(),
                market.book.asks(),
                reference,
                levels=self.exchange.config.expected_levels,
                tick_of=market.rules.tick,
            )
            reports.publish(
                ExpectedPrice(
                    symbol=market.symbol,
                    ts_ns=now,
                    price=found.price if found else 0,
                    qty=found.qty if found else 0,
                    bids=bids,
                    asks=asks,
                )
            )
            return
        if market.state is SymbolState.CLOSED:
            return
        bids, asks = market.book.depth(self.exchange.config.book_levels)
        reports.publish(BookUpdate(symbol=market.symbol, ts_ns=now, bids=bids, asks=asks))

    def _indicating(self, market: SymbolMarket, now: int) -> bool:
        """Scheduled auctions publish from their indication time; VI auctions throughout."""
        if market.state is not SymbolState.CALL:
            return True
        segments = self.exchange.schedule.segments
        index = self.exchange.segment_index
        if not 0 <= index < len(segments):
            return False
        start = segments[index].indicative_from_ns
        return start == 0 or now >= start
