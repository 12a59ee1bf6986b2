"""Live bar building: ticks in, completed `jts.core.Bar`s out, one symbol's ticks in time order.

`BarAggregator` applies the convention of `jts.marketdata.bar_grid` tick by tick and gives the
same bars as `jts.marketdata.bars_batch.aggregate_ticks` on the same ticks and halts (a property
test holds the two together). A bar is emitted once no further tick can join it: when a tick of
its symbol arrives at or after the bar's end, when `flush(until)` passes its end, or at
`close_day()`. Emission order is completion order; sort by (symbol, ts) to compare with a frame.
No two bars emitted share (symbol, ts). Intraday, closing-price trades are accepted but join no
bar (they count in daily bars).

Input rules, all per symbol:
- ticks arrive in time order; one older than the last accepted tick is rejected and counted as
  ``out_of_order`` (equal timestamps are fine and keep their arrival order);
- a tick older than the end of a bar that `flush` has emitted is rejected and counted as
  ``late`` (it might belong to that bar):
  call ``flush(now - allowed_latency)`` so that slow prints still make their bar;
- ticks with a non-positive price or quantity are skipped and counted as ``invalid``, as the
  batch form skips them;
- ``on_halt``/``on_resume`` arrive in time order with the ticks, before the ticks stamped at the
  same instant; a second ``on_halt`` while halted and an ``on_resume`` while trading are ignored.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec

from jts.core.clock import NS_PER_SECOND
from jts.core.models import Bar, Tick
from jts.marketdata.bar_grid import (
    AUCTION,
    DAY_NS,
    DAY_S,
    GRID,
    HALT_PRINT_GRACE_S,
    NEVER,
    NO_TIME,
    DayPlan,
    cell_start,
    check_interval,
    day_plan,
    kst_day,
    midnight_ns,
    resumption_ns,
)

_HALT_GRACE_NS = HALT_PRINT_GRACE_S * NS_PER_SECOND

BarKey = tuple[int, int]
"""(stamp ns, kind): what identifies an open bar of one symbol (no two kinds share a stamp)."""
Placement = tuple[int, int, int]
"""(stamp, kind, closes_at) of the bar a tick joins."""


class AggregatorStats(msgspec.Struct, frozen=True, kw_only=True):
    """Counters since the aggregator was created (ticks and bars)."""

    accepted: int
    out_of_order: int
    late: int
    invalid: int
    bars: int


@dataclass(slots=True)
class _OpenBar:
    """A bar still collecting ticks; `closes_at` (ns) is when no tick can join it any more."""

    stamp: int
    kind: int
    closes_at: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    value: int

    def add(self, price: int, qty: int) -> None:
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.close = price
        self.volume += qty
        self.value += price * qty


@dataclass(slots=True)
class _Symbol:
    """Per-symbol state: open bars, the halts of the day and the unattributed auction prints."""

    last_ts: int = NO_TIME
    watermark: int = NO_TIME
    bars: dict[BarKey, _OpenBar] = field(default_factory=dict)
    halt_starts: list[int] = field(default_factory=list)
    halt_ends: list[int | None] = field(default_factory=list)
    halt_bounds: list[int] = field(default_factory=list)
    loose_prints: list[int] = field(default_factory=list)

    @property
    def halted(self) -> bool:
        return bool(self.halt_ends) and self.halt_ends[-1] is None

    def halt_floor(self, ts_ns: int) -> int:
        i = bisect_right(self.halt_bounds, ts_ns)
        return self.halt_bounds[i - 1] if i else NO_TIME

    def next_halt_bound(self, ts_ns: int) -> int:
        i = bisect_right(self.halt_bounds, ts_ns)
        return self.halt_bounds[i] if i < len(self.halt_bounds) else NEVER

    def loose_bound(self, ts_ns: int) -> int:
        """The segment start after the last unattributed print strictly before `ts_ns`: 1 ns
        after that print."""
        i = bisect_left(self.loose_prints, ts_ns)
        return self.loose_prints[i - 1] + 1 if i else NO_TIME

    def halt_at(self, ts_ns: int, day_start: int, slack: int) -> tuple[int, int | None] | None:
        """(start, end) of the same-day halt holding `ts_ns`, counting up to `slack` ns after its
        end (the grace of prints, -1 for trades: ``start <= ts < end``)."""
        i = bisect_right(self.halt_starts, ts_ns) - 1
        if i < 0 or self.halt_starts[i] < day_start:
            return None
        end = self.halt_ends[i]
        if end is not None and ts_ns > end + slack:
            return None
        return self.halt_starts[i], end


class BarAggregator:
    """Builds `interval_s` bars (1 s .. 1 day) from a live tick stream of many symbols.

    `on_bar` receives each completed bar; without it bars are kept until `drain()`.
    """

    def __init__(self, interval_s: int, *, on_bar: Callable[[Bar], None] | None = None) -> None:
        self.interval_s = check_interval(interval_s)
        self._interval_ns = interval_s * NS_PER_SECOND
        self._on_bar = on_bar
        self._kept: list[Bar] = []
        self._symbols: dict[str, _Symbol] = {}
        self._accepted = self._out_of_order = self._late = self._invalid = self._bars = 0
        self._plan_day, self._plan = -1, day_plan(0)

    # -- input ----------------------------------------------------------------------------

    def on_tick(self, tick: Tick) -> bool:
        """Add one trade; False when it is rejected (see the module docstring for why)."""
        if tick.price <= 0 or tick.qty <= 0:
            self._invalid += 1
            return False
        state = self._symbols.get(tick.symbol)
        if state is None:
            state = self._symbols[tick.symbol] = _Symbol()
        ts = tick.ts_ns
        if ts < state.last_ts:
            self._out_of_order += 1
            return False
        if ts < state.watermark:
            self._late += 1
            return False
        state.last_ts = ts
        self._accepted += 1
        self._emit(tick.symbol, state, ts)
        placed = self._place(state, tick)
        if placed is None:  # a closing-price trade: in no intraday bar
            return True
        stamp, kind, closes_at = placed
        bar = state.bars.get((stamp, kind))
        if bar is None:
            price = tick.price
            state.bars[stamp, kind] = _OpenBar(
                stamp, kind, closes_at, price, price, price, price, tick.qty, price * tick.qty
            )
        else:
            bar.closes_at = max(bar.closes_at, closes_at)
            bar.add(tick.price, tick.qty)
        return True

    def on_halt(self, symbol: str, ts_ns: int) -> bool:
        """`symbol` stops continuous trading at `ts_ns` (VI or halt); False if already halted.

        A halt still open from an earlier KST day ends here: halts do not carry over midnight.
        """
        state = self._symbols.setdefault(symbol, _Symbol())
        if state.halted:
            if kst_day(state.halt_starts[-1]) == kst_day(ts_ns):
                return False
            self._end_halt(state, ts_ns)
        state.halt_starts.append(ts_ns)
        state.halt_ends.append(None)
        insort(state.halt_bounds, ts_ns)
        self._cut(state, ts_ns, ts_ns)
        return True

    def on_resume(self, symbol: str, ts_ns: int) -> bool:
        """`symbol` resumes continuous trading at `ts_ns`; False if it was not halted."""
        state = self._symbols.get(symbol)
        if state is None or not state.halted:
            return False
        self._end_halt(state, ts_ns)
        return True

    def flush(self, until_ts_ns: int) -> int:
        """Emit every bar that ends at or before `until_ts_ns`; returns how many.

        Ticks that would have joined an emitted bar are rejected afterwards (``late``).
        """
        count = 0
        for symbol, state in self._symbols.items():
            emitted = self._emit(symbol, state, until_ts_ns)
            for closes_at in emitted:
                state.watermark = max(state.watermark, closes_at)
            count += len(emitted)
        return count

    def close_day(self) -> int:
        """Emit every open bar and forget the day's halts; returns how many bars."""
        count = 0
        for symbol, state in self._symbols.items():
            count += len(self._emit(symbol, state, NEVER))
            state.halt_starts.clear()
            state.halt_ends.clear()
            state.halt_bounds.clear()
            state.loose_prints.clear()
        return count

    # -- output ---------------------------------------------------------------------------

    def drain(self) -> list[Bar]:
        """Bars completed since the last call (only collected when there is no `on_bar`)."""
        bars, self._kept = self._kept, []
        return bars

    def stats(self) -> AggregatorStats:
        return AggregatorStats(
            accepted=self._accepted,
            out_of_order=self._out_of_order,
            late=self._late,
            invalid=self._invalid,
            bars=self._bars,
        )

    # -- the convention -------------------------------------------------------------------

    def _place(self, state: _Symbol, tick: Tick) -> Placement | None:
        """Where `tick` goes; None for a closing-price trade (in no intraday bar)."""
        ts = tick.ts_ns
        day = kst_day(ts)
        if self.interval_s == DAY_S:
            return midnight_ns(day), GRID, midnight_ns(day) + DAY_NS
        plan = self._day_plan(day)
        if tick.auction:
            return self._place_print(state, ts, plan)
        if plan.at_closing_price(ts):
            return None
        return self._place_trade(state, ts, plan)

    def _place_trade(self, state: _Symbol, ts: int, plan: DayPlan) -> Placement:
        joined = self._attributed(state, ts, plan, is_print=False)
        if joined is not None:
            return joined
        floor = max(plan.floor_bound(ts), state.halt_floor(ts), state.loose_bound(ts))
        stamp = max(cell_start(ts, plan.anchor_ns, self._interval_ns), floor)
        if state.loose_prints and state.loose_prints[-1] == stamp:  # then ts == stamp too
            return stamp, AUCTION, stamp + 1
        cell_end = cell_start(stamp, plan.anchor_ns, self._interval_ns) + self._interval_ns
        closes_at = min(cell_end, plan.next_bound(stamp), state.next_halt_bound(stamp))
        if state.loose_prints and state.loose_prints[-1] > stamp:
            closes_at = min(closes_at, state.loose_prints[-1] + 1)
        return stamp, GRID, closes_at

    def _place_print(self, state: _Symbol, ts: int, plan: DayPlan) -> Placement:
        attributed = self._attributed(state, ts, plan, is_print=True)
        if attributed is not None:
            return attributed
        if not state.loose_prints or state.loose_prints[-1] != ts:
            state.loose_prints.append(ts)
        self._cut(state, ts, ts + 1)
        # trades at this very instant that opened a trade bar here become part of the print's
        grid = state.bars.pop((ts, GRID), None)
        if grid is not None:
            grid.kind, grid.closes_at = AUCTION, ts + 1
            state.bars[ts, AUCTION] = grid
        return ts, AUCTION, ts + 1

    def _attributed(
        self, state: _Symbol, ts: int, plan: DayPlan, *, is_print: bool
    ) -> Placement | None:
        """The auction bar of the same-day halt or the one-shot call session holding `ts`."""
        halt = state.halt_at(ts, plan.midnight_ns, _HALT_GRACE_NS if is_print else -1)
        if halt is not None:
            start, end = halt
            return start, AUCTION, NEVER if end is None else end + _HALT_GRACE_NS + 1
        window = plan.window(ts) if is_print else plan.call(ts)
        if window is not None:
            return window.start_ns, AUCTION, window.until_ns
        return None

    def _day_plan(self, day: int) -> DayPlan:
        """The day's plan, kept while ticks stay on one day (the hot path asks per tick)."""
        if day != self._plan_day:
            self._plan_day, self._plan = day, day_plan(day)
        return self._plan

    def _end_halt(self, state: _Symbol, ts_ns: int) -> None:
        start = state.halt_starts[-1]
        end = resumption_ns(start, ts_ns)
        state.halt_ends[-1] = end
        insort(state.halt_bounds, end)
        self._cut(state, end, end)
        resumption = state.bars.get((start, AUCTION))
        if resumption is not None and resumption.closes_at == NEVER:
            closes_at = end + _HALT_GRACE_NS + 1
            window = self._day_plan(kst_day(start)).window(start)
            if window is not None and window.start_ns == start:  # also the call session's bar
                closes_at = max(closes_at, window.until_ns)
            resumption.closes_at = closes_at

    def _cut(self, state: _Symbol, boundary: int, closes_at: int) -> None:
        """A segment boundary appeared: intraday trade bars begun before it close by `closes_at`."""
        if self.interval_s == DAY_S:
            return
        for bar in state.bars.values():
            if bar.kind == GRID and bar.stamp < boundary:
                bar.closes_at = min(bar.closes_at, closes_at)

    def _emit(self, symbol: str, state: _Symbol, until_ns: int) -> list[int]:
        """Emit the open bars of `symbol` closing by `until_ns`, oldest first; their ends."""
        finished = [key for key, bar in state.bars.items() if bar.closes_at <= until_ns]
        if not finished:
            return []
        finished.sort()
        closed = []
        for key in finished:
            bar = state.bars.pop(key)
            closed.append(bar.closes_at)
            self._deliver(
                Bar(
                    symbol=symbol,
                    ts_ns=bar.stamp,
                    interval_s=self.interval_s,
                    open=bar.open,
                    high=bar.high,
                    low=bar.low,
                    close=bar.close,
                    volume=bar.volume,
                    value=bar.value,
                )
            )
        return closed

    def _deliver(self, bar: Bar) -> None:
        self._bars += 1
        if self._on_bar is None:
            self._kept.append(bar)
        else:
            self._on_bar(bar)
