"""The simulated exchange's day: what happens to every symbol when the schedule moves on.

`SimExchange` owns the clock and its timers; `DayRunner` puts the day's schedule on them and
does what each boundary means (KRX.md §2, §6): a session phase starts for every symbol; a
scheduled call auction (open, close, each after-hours round) uncrosses at its random end;
the closing auction fixes the close and the regular orders expire; closing-price sessions
open at their reference price and their orders expire when they end; a symbol-level auction
(VI, halt resumption) uncrosses when it is due. Expected prices start at the auction's
indication time (08:50 for the KRX open).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from jts.core.events import MarketControl, MarketStatus
from jts.krx import sessions as krx_sessions
from jts.krx.sessions import Phase
from jts.venues.sim.rules import next_base_price
from jts.venues.sim.schedule import Segment

if TYPE_CHECKING:
    from jts.venues.sim.exchange import SimExchange
    from jts.venues.sim.symbol import SymbolMarket

__all__ = ["DayRunner", "fix_close", "main_phase"]

CLOSING_PRICE_PHASES = (Phase.PRE_OPEN_CLOSING_PRICE, Phase.POST_CLOSE_CLOSING_PRICE)
_REGULAR_PHASES = (Phase.OPENING_AUCTION, Phase.CONTINUOUS, Phase.CLOSING_AUCTION)
_REGULAR_CLOSE = (Phase.CLOSING_AUCTION,)
_SESSION_ORDERS_END = (Phase.PRE_MARKET,)  # planned 2026 pre-market: orders do not carry over


class DayRunner:
    """Schedules one exchange's day on its timers and runs each boundary."""

    def __init__(self, exchange: SimExchange) -> None:
        self.exchange = exchange

    def schedule_day(self) -> None:
        """Put every segment start, indication start and closing-price session on the timers."""
        exchange = self.exchange
        for index, segment in enumerate(exchange.schedule.segments):
            exchange.at(segment.start_ns, partial(self.segment_starts, index))
            if segment.start_ns < segment.indicative_from_ns < segment.end_ns:
                exchange.at(segment.indicative_from_ns, self.indicate)
        day, config = exchange.day, exchange.config
        for session in krx_sessions(day, config.venue, planned=config.planned_sessions):
            if session.phase in CLOSING_PRICE_PHASES:
                phase = session.phase
                exchange.at(session.start_ns(day), partial(self.closing_price, phase))
                exchange.at(session.end_ns(day), partial(self.closing_price, None))

    def segment_starts(self, index: int, now: int) -> None:
        exchange = self.exchange
        segments = exchange.schedule.segments
        previous = segments[index - 1] if index > 0 else None
        exchange.segment_index = index
        segment = segments[index]
        markets = exchange.markets.values()
        if previous is not None:
            ended = main_phase(previous)
            if previous.call_auction:
                self.uncross_all(ended, now)
            if ended in _REGULAR_CLOSE:
                self.regular_close(now)
            if ended in _SESSION_ORDERS_END:
                for market in markets:
                    market.expire_all(now, closing=False)
        phase = main_phase(segment)
        exchange.current_phase = phase
        for market in markets:
            market.enter_phase(phase, now)
            exchange.feed.mark(market, now)
        if segment.phase is Phase.CLOSED and index == len(segments) - 1:
            for market in markets:
                market.expire_all(now)
        exchange.reports.publish(
            MarketStatus(market="ALL", ts_ns=now, control=MarketControl.PHASE,
                         detail=segment.phase.value, until_ns=segment.end_ns)
        )  # fmt: skip

    def uncross_all(self, phase: Phase, now: int) -> None:
        """Every symbol's scheduled auction ends; the previous price decides ties (KRX.md §6):
        the base price at the open, else the last price (after the close: the close)."""
        for market in self.exchange.markets.values():
            if market.halted or market.auction_until > now:
                continue
            base = market.rules.base_price
            reference = base if phase is Phase.OPENING_AUCTION else market.last_price or base
            if not market.end_auction(now, reference):
                self.exchange.touched(market, now)

    def regular_close(self, now: int) -> None:
        """The closing auction is over: closes are fixed, regular-session orders expire."""
        for market in self.exchange.markets.values():
            if market.auction_until > now:
                continue  # a VI extended this symbol's closing auction; it closes later
            fix_close(market)
            market.expire_all(now, closing=False)

    def indicate(self, now: int) -> None:
        """Expected prices start (08:50 at the open): publish every collecting symbol's now."""
        for market in self.exchange.markets.values():
            if market.collecting:
                self.exchange.feed.mark(market, now)

    def auction_due(self, market: SymbolMarket, until: int, now: int) -> None:
        """A symbol-level auction (VI, halt resumption) scheduled to end at `until` is due."""
        market.auction_scheduled = False
        if market.auction_until != until:
            return  # merged into a scheduled auction or cancelled by a halt
        market.vi_auction_over(now)
        if market.auction_until > now:
            self.exchange.touched(market, now)
            return
        if market.phase not in _REGULAR_PHASES and not market.close_price:
            fix_close(market)  # a VI extended the closing auction past the regular close
            market.expire_all(now, closing=False)
        self.exchange.feed.mark(market, now)

    def closing_price(self, phase: Phase | None, now: int) -> None:
        """A closing-price session opens (`phase`) at its reference price, or ends (None)."""
        for market in self.exchange.markets.values():
            if phase is None:
                market.closing_reference = 0
                market.expire_all(now, regular=False)
            elif phase is Phase.PRE_OPEN_CLOSING_PRICE:
                market.closing_reference = market.rules.base_price
            else:
                market.closing_reference = market.close_price or market.rules.base_price


def main_phase(segment: Segment) -> Phase:
    """The segment's phase for regular orders: closing-price sessions run beside it."""
    if segment.phase in CLOSING_PRICE_PHASES:
        return segment.concurrent or Phase.GAP
    return segment.phase


def fix_close(market: SymbolMarket) -> None:
    """Fix `market`'s close (and tomorrow's base): the last price, or when nothing traded
    the special quotation (기세) of a bid above / an ask below the base (KRX.md §5).

    The last price becomes the close too: it is the previous price of the after-hours rounds
    and the reference of their dynamic VI.
    """
    book = market.book
    market.close_price = next_base_price(
        market.last_price or None, book.best_bid(), book.best_ask(), market.rules.base_price
    )
    market.last_price = market.close_price
