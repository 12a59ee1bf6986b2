"""Book and expected-price publication for the simulated exchange, conflated per symbol.

A book snapshot costs far more than a match, and a feed subscriber wants the latest state, not
every intermediate one: so symbols whose book changed are marked, and their snapshot goes out
at most once per `book_interval_ms` of simulated time (immediately when the interval is 0):
the first mark after a publication sets a timer on the exchange's clock for the end of the
interval, so snapshots carry the simulated time they were taken at, in order with the trades.
During a call auction the snapshot is an `ExpectedPrice` (would-be price, volume and the best
collected levels) once the schedule publishes indications (08:50 for the KRX open: nothing
before, even during the 08:30-08:40 closing-price session that runs beside the intake),
otherwise a 10-level `BookUpdate`.
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
        self._flush_due = False

    def mark(self, market: SymbolMarket, now: int) -> None:
        """`market`'s book changed at `now`."""
        if self.interval_ns == 0:
            market.dirty = False
            self._publish(market, now)
            return
        self.dirty[market.symbol] = market
        if not self._flush_due:
            self._flush_due = True
            self.exchange.at(max(now, self.last_flush + self.interval_ns), self._timed_flush)

    def maybe_flush(self, now: int) -> None:
        """Publish now if the interval has passed (the timer normally does it)."""
        if self.dirty and now - self.last_flush >= self.interval_ns:
            self.flush(now)

    def _timed_flush(self, now: int) -> None:
        self._flush_due = False
        if self.dirty:
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
        """Scheduled auctions publish from their indication time; VI auctions throughout.

        The indication time is that of the segment in which the running auction uncrosses:
        08:30-08:40 is a closing-price segment with the opening auction beside it, and the
        opening auction's 08:50 belongs to the segment that follows.
        """
        if market.state is not SymbolState.CALL:
            return True
        segments = self.exchange.schedule.segments
        index = self.exchange.segment_index
        if not 0 <= index < len(segments):
            return False
        for segment in segments[index:]:
            if segment.uncross_ns:
                start = segment.indicative_from_ns
                return start == 0 or now >= start
        return False
