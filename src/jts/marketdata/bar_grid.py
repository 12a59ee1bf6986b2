"""Which bar a tick belongs to: the session-aware bar convention shared by every bar builder.

The live aggregator (`bars_stream`), the batch aggregator (`bars_batch`) and the synthetic market
all follow this one convention, so a bar built live equals the bar built from the stored ticks.
Timestamps are int ns UTC; days are KST calendar days; intervals are whole seconds. "Trade"
below means a tick not flagged `auction`; "print" one that is.

Intraday bars (interval < 86,400 s)
-----------------------------------
- **Grid.** Cells are ``anchor + k × interval`` where the anchor is the start of that day's
  continuous session from `jts.krx.sessions` (09:00 KST, 10:00 on late-open days). On a day
  without sessions (holiday, weekend, a date the KRX tables do not model) the anchor is 09:00 KST.
- **Segments.** The day is cut at its midnight (KST) and at every session start and end of that
  day (08:30, 08:40, 09:00, 15:20, 15:30, 15:40, 16:00, 18:00 on an ordinary day), at each halt
  start and end of the symbol (VI or trading halt, from ``on_halt``/``on_resume`` or the halts
  table), and just after each *unattributed* print (below). A boundary at ``b`` starts a new
  segment at ``b`` for ticks at ``ts >= b``; an unattributed print at ``p`` is a boundary at
  ``p + 1`` ns (ticks at ``p`` itself stay before it). A halt lasts at least 1 ns: a resumption
  at the halt's own instant counts as 1 ns after it.
- **Stamp.** A trade's bar starts at ``max(grid cell start, segment start)``: the start of
  (grid cell ∩ segment). So no bar spans a session boundary or a halt, and the first bar after a
  VI resumption at 10:03:17 starts at 10:03:17 (then the grid resumes at 10:04 for 1-min bars).
  Trades outside the regular session (after-hours single-price rounds 16:00-18:00, anything in
  a gap) follow the same rule inside their own segment: a 16:10 after-hours trade lands in the
  16:10 bar.
- **Closing-price trades** are in no intraday bar: trades inside a `Phase.PRE_OPEN_CLOSING_PRICE`
  (08:30-08:40) or `Phase.POST_CLOSE_CLOSING_PRICE` (15:40-16:00) session, by its scheduled
  times, are left out. They trade at a fixed reference price (the previous close before the
  open, today's close after it) with time priority only, so they discover no price. They count
  in the daily bar. Prints inside those sessions are not affected (rules below).
- **Auction prints** form auction bars of their own, never part of a trade bar:
  1. a print at ``ts`` during a halt of its symbol that started the same KST day
     (``start <= ts <= end + HALT_PRINT_GRACE_S``, end open while unresumed) is stamped at the
     halt start (the VI/halt resumption uncross);
  2. otherwise a print inside a one-shot call session's window, from its start to
     ``AUCTION_PRINT_GRACE_S`` after its scheduled end (random end and feed delay), is stamped at
     that session's start: 08:30 for the opening uncross, 15:20 for the closing one;
  3. otherwise (halt unknown, 단기과열 call auctions, after-hours rounds flagged as auctions) the
     print is *unattributed*: stamped at its own ``ts`` and, being the evidence of an unreported
     halt, it ends the current segment: later ticks start a new one at ``ts + 1`` ns.
  Several prints with the same stamp (one uncross reported in pieces) share one bar.
- **Trades where nothing trades** are taken for unflagged prints and join the auction bar:
  1. a trade during a halt of its symbol that started the same KST day (``start <= ts < end``)
     joins the bar of the halt's resumption, stamped at the halt start;
  2. otherwise a trade inside a one-shot call session (from its start to its scheduled end:
     08:40-09:00, the first ten minutes being closing-price trading, and 15:20-15:30) joins that
     session's auction bar, stamped at its start;
  3. a trade at exactly the ``ts`` of an unattributed print whose bar would start there (the
     print sits on a grid-cell start or a segment boundary) joins the print's bar, whether it
     arrives before or after the print.
- **Unique keys.** No two bars of one output share (symbol, ts), in either form. An auction bar
  is stamped at a call-session start, a same-day halt start or an unattributed print's ``ts``; a
  trade whose ``max(grid cell start, segment start)`` were such a stamp would lie inside that
  call session or halt (its end is a boundary), or at that very print (the print's boundary is
  ``ts + 1``), and so joins the auction bar instead. Trades of one stamp share one bar.

Daily bars (interval = 86,400 s): one bar per symbol and KST day that has ticks, stamped at that
day's 00:00 KST, over every tick of the day in time order, nothing left out or special-cased:
auction prints and the trades of every session, closing-price trades included. So the open is
the day's first tick (a pre-open closing-price trade at the previous close, when there is one),
high and low range over all ticks (a closing-price trade at the previous close can set the day's
high or low), the close is the day's last tick (an after-hours trade, when there is one), and
volume and value add up every tick.

Empty cells produce no bar: the quality monitor (`jts.marketdata.quality`) reports gaps.
Halts do not carry over midnight: a multi-day suspension resumes with the opening auction.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_right
from typing import Final, NamedTuple

import msgspec

from jts.core.clock import NS_PER_SECOND, kst_ns
from jts.core.errors import InvalidInput
from jts.krx import Phase, Session, sessions
from jts.krx.calendar import REGULAR_OPEN

DAY_S: Final = 86_400
"""The daily interval, seconds: one bar per symbol per KST day."""
DAY_NS: Final = DAY_S * NS_PER_SECOND
KST_OFFSET_NS: Final = 9 * 3_600 * NS_PER_SECOND
"""KST is UTC+9 all year (no daylight saving), so a KST day is plain arithmetic on ns."""

AUCTION_PRINT_GRACE_S: Final = 40
"""Seconds after a one-shot call session's scheduled end during which a print still belongs to
it: KRX's random end adds up to 30 s, plus 10 s for feeds that stamp prints late. The live form
emits such a bar only when this window has passed (the uncross may be reported in pieces)."""
HALT_PRINT_GRACE_S: Final = 1
"""Seconds after a halt's end during which an auction print is still its resumption uncross:
feeds may announce the resumption a few ms before the print itself."""

CLOSING_PRICE_PHASES: Final = frozenset(
    {Phase.PRE_OPEN_CLOSING_PRICE, Phase.POST_CLOSE_CLOSING_PRICE}
)
"""Sessions trading at a fixed reference close: their trades are in no intraday bar."""

AUCTION: Final = 0
"""Bar kind (internal) of auction bars: prints, and the trades that join them."""
GRID: Final = 1
"""Bar kind (internal) of ordinary trade bars; never shares a stamp with an `AUCTION` bar."""

NEVER: Final = 2**63 - 1
"""A time that never comes (ns): a halt not yet resumed, a bar whose end is not known yet."""
NO_TIME: Final = -(2**63)
"""A time before everything (ns): "no boundary seen"."""

_EPOCH_DAY = dt.date(1970, 1, 1)


class Halt(msgspec.Struct, frozen=True, kw_only=True):
    """A VI or trading halt of one symbol: no continuous trading from `start_ns` to `end_ns`.

    `end_ns` is the resumption (the uncross of the resumption auction); None while unresumed.
    A symbol's halts must not overlap. A halt lasts at least 1 ns (`resumption_ns`).
    """

    symbol: str
    start_ns: int
    end_ns: int | None = None


class AuctionWindow(NamedTuple):
    """A one-shot call session [start_ns, end_ns) (scheduled); prints in [start_ns, until_ns)
    and trades in [start_ns, end_ns) belong to its auction bar, stamped `start_ns`."""

    start_ns: int
    end_ns: int
    until_ns: int


class Span(NamedTuple):
    """A session [start_ns, end_ns) by its scheduled times."""

    start_ns: int
    end_ns: int


class DayPlan(NamedTuple):
    """One KST day's grid anchor, segment boundaries and auction windows (all ns UTC)."""

    midnight_ns: int
    anchor_ns: int
    bounds: tuple[int, ...]
    """Sorted session boundaries inside the day, starting with its midnight."""
    windows: tuple[AuctionWindow, ...]
    """The one-shot call sessions, in time order."""
    closing_price: tuple[Span, ...]
    """The closing-price sessions, whose trades stay out of intraday bars, in time order."""

    def floor_bound(self, ts_ns: int) -> int:
        """The last boundary at or before `ts_ns` (the day's midnight at least)."""
        return self.bounds[bisect_right(self.bounds, ts_ns) - 1]

    def next_bound(self, ts_ns: int) -> int:
        """The first boundary after `ts_ns`: a later session edge or the next midnight."""
        i = bisect_right(self.bounds, ts_ns)
        return self.bounds[i] if i < len(self.bounds) else self.midnight_ns + DAY_NS

    def window(self, ts_ns: int) -> AuctionWindow | None:
        """The window of the one-shot call session that a print at `ts_ns` belongs to, if any."""
        for window in self.windows:
            if window.start_ns <= ts_ns < window.until_ns:
                return window
        return None

    def call(self, ts_ns: int) -> AuctionWindow | None:
        """The one-shot call session whose scheduled span holds a trade at `ts_ns`, if any."""
        for window in self.windows:
            if window.start_ns <= ts_ns < window.end_ns:
                return window
        return None

    def at_closing_price(self, ts_ns: int) -> bool:
        """True when a trade at `ts_ns` is closing-price trading (in no intraday bar)."""
        return any(span.start_ns <= ts_ns < span.end_ns for span in self.closing_price)


def check_interval(interval_s: int) -> int:
    """`interval_s` if it is a bar interval (1 s up to a day, or exactly a day); else raise."""
    if not isinstance(interval_s, int) or not 0 < interval_s <= DAY_S:
        raise InvalidInput("interval_s", f"{interval_s!r} is not 1..86,400 seconds")
    return interval_s


def resumption_ns(start_ns: int, end_ns: int) -> int:
    """When a halt from `start_ns` that ended at `end_ns` counts as resumed: 1 ns after its start
    at the earliest, so a trade bar after it never starts where its resumption bar does."""
    return max(end_ns, start_ns + 1)


def kst_day(ts_ns: int) -> int:
    """The KST calendar day of an instant, as days since 1970-01-01."""
    return (ts_ns + KST_OFFSET_NS) // DAY_NS


def midnight_ns(day: int) -> int:
    """00:00 KST of KST day `day`, as ns UTC: the stamp of daily bars."""
    return day * DAY_NS - KST_OFFSET_NS


def cell_start(ts_ns: int, anchor_ns: int, interval_ns: int) -> int:
    """Start of the grid cell holding `ts_ns` (floor division also works before the anchor)."""
    return anchor_ns + (ts_ns - anchor_ns) // interval_ns * interval_ns


def day_plan(day: int) -> DayPlan:
    """The plan of KST day `day` (days since 1970-01-01) from the KRX session table.

    Cached by the day's sessions, so calendar overrides loaded later still apply.
    """
    date = _EPOCH_DAY + dt.timedelta(days=day)
    try:
        table = tuple(sessions(date))
    except InvalidInput:  # a date the KRX tables do not model: a plain grid, no sessions
        table = ()
    return _plan(day, table)


@functools.lru_cache(maxsize=1_024)
def _plan(day: int, table: tuple[Session, ...]) -> DayPlan:
    date = _EPOCH_DAY + dt.timedelta(days=day)
    midnight = midnight_ns(day)
    anchor = kst_ns(date, REGULAR_OPEN)
    bounds = {midnight}
    windows = []
    closing_price = []
    for session in table:
        start, end = session.start_ns(date), session.end_ns(date)
        bounds.update(b for b in (start, end) if midnight <= b < midnight + DAY_NS)
        if session.phase is Phase.CONTINUOUS:
            anchor = start
        if session.call_auction and not session.round_minutes:
            until = end + AUCTION_PRINT_GRACE_S * NS_PER_SECOND
            windows.append(AuctionWindow(start, end, until))
        if session.phase in CLOSING_PRICE_PHASES:
            closing_price.append(Span(start, end))
    return DayPlan(
        midnight,
        anchor,
        tuple(sorted(bounds)),
        tuple(sorted(windows)),
        tuple(sorted(closing_price)),
    )
