"""Minute bars of the regular session, with auction print bars, generated in bounded chunks.

Bars of one symbol-day, in time order (every `ts` is a bar START, int ns UTC):

- the opening auction print: stamped at the opening call session's start (08:30 KST on an
  ordinary day), open = high = low = close = the day's open;
- one bar per continuous minute from the continuous session's start (09:00) to its end (15:20),
  shifted as `jts.krx.sessions` says on late-open days (2026-01-02, CSAT day); a static VI
  replaces the minute it fires in by its auction print bar and drops the next minute;
- the closing auction print: stamped at the closing call session's start (15:20), price =
  the day's close.

Volume follows a U shape (heavy after the open and into the close) with noise; every
continuous bar trades at least 4 shares and every auction print at least 1, and the day's bars
add up exactly to the daily skeleton's volume. `value` = volume × (open + high + low + close)
/ 4, floored: always between low × volume and high × volume.

Chunking: `minute_bars` yields one `BarFrame` per (calendar month, batch of up to 256 symbols),
months in order and, within a month, batches in code order; each frame is sorted by
(symbol, ts). A month of 256 symbols is about 2 million bars; building one takes a few
hundred MB, whatever the length of the range.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any, Final

import numpy as np

from jts.core.models import Instrument
from jts.krx.sessions import Phase, sessions
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth.daily import DayState, iter_days
from jts.marketdata.synth.grid import Bands
from jts.marketdata.synth.keys import RowStreams, Stream
from jts.marketdata.synth.paths import Draws, Path, ViRow, build_path, draw, find_vi, u_shape
from jts.marketdata.synth.rows import Rows, resolve_days, select_rows

Array = np.ndarray[Any, Any]

BATCH_SYMBOLS: Final = 256
MIN_CONTINUOUS_QTY: Final = 4
"""Every continuous bar trades at least this many shares (room for open, high, low, close)."""
LOCKED_ACTIVITY: Final = 0.05
"""Relative volume of a minute spent locked at the limit."""
_NS_PER_MINUTE: Final = 60_000_000_000


@dataclass(frozen=True, slots=True)
class DayLayout:
    """Where the bars of one trading day sit in time (int ns UTC)."""

    day: date
    minutes: int
    """Continuous minutes (M); the day has M + 2 bar slots: open auction, minutes, close."""
    ts: Array
    """Start of each slot: opening call start, each minute's start, closing call start."""
    open_uncross_ns: int
    """Scheduled opening uncross: the continuous session's start."""
    close_uncross_ns: int
    """Scheduled closing uncross: the closing call session's end."""


@functools.lru_cache(maxsize=512)
def layout(day: date) -> DayLayout:
    """The bar slots of `day` from its KRX sessions (late opens shift them)."""
    by_phase = {s.phase: s for s in sessions(day)}
    opening = by_phase[Phase.OPENING_AUCTION]
    continuous = by_phase[Phase.CONTINUOUS]
    closing = by_phase[Phase.CLOSING_AUCTION]
    start, end = continuous.start_ns(day), continuous.end_ns(day)
    minutes = (end - start) // _NS_PER_MINUTE
    minute_starts = start + _NS_PER_MINUTE * np.arange(minutes, dtype=np.int64)
    ts = np.concatenate([[opening.start_ns(day)], minute_starts, [closing.start_ns(day)]])
    ts.flags.writeable = False
    return DayLayout(day, int(minutes), ts.astype(np.int64), start, closing.end_ns(day))


@dataclass(frozen=True, slots=True)
class DayBars:
    """All bar slots of one day for a set of rows: arrays (rows, M + 2).

    Prices are float64 holding whole KRW; `present` is False for minutes halted by a VI;
    `vi` marks VI auction print bars (the first and last slots are always auction prints).
    """

    layout: DayLayout
    present: Array
    open: Array
    high: Array
    low: Array
    close: Array
    volume: Array
    value: Array
    vi: Array


def simulate_day(rows: Rows, state: DayState, streams: RowStreams) -> DayBars:
    """The bars of `rows` on `state.day` (`streams` keyed on the MINUTE stream)."""
    lay = layout(state.day)
    minutes = lay.minutes
    draws = draw(streams, rows.index, state.day.toordinal(), minutes)
    ladders = rows.ladders(state.day)
    bands = ladders.bands(state.low.astype(np.float64), state.high.astype(np.float64))
    path = build_path(state, draws, bands)
    prices = _continuous_ohlc(path.points, path.scale, draws, state, bands)
    vi_rows = find_vi(path.points, state, ladders, rows.instruments)
    present = np.ones((len(rows), minutes + 2), dtype=bool)
    vi = np.zeros_like(present)
    for vi_row in vi_rows:
        _apply_vi(vi_row, path, draws, bands, prices, present[:, 1:-1], vi[:, 1:-1])
    volume = _volumes(state, draws, prices, present)
    o, h, low, c = (_with_auctions(p, state.open, state.close) for p in prices)
    value = np.floor(volume * (o + h + low + c) * 0.25)
    return DayBars(lay, present, o, h, low, c, volume, value, vi)


def _continuous_ohlc(
    points: Array, scale: Array, draws: Draws, state: DayState, bands: Bands
) -> list[Array]:
    """Open, high, low, close (rows, M) of the continuous minutes: opens and closes are
    consecutive points; wicks reach a little beyond, never past the day's high and low."""
    o, c = points[:, :-1], points[:, 1:]
    top, bottom = np.maximum(o, c), np.minimum(o, c)
    reach = scale[:, None]
    high = draws.wick_high**2 * reach
    high += top
    np.minimum(high, state.high[:, None].astype(np.float64), out=high)
    high = np.maximum(bands.floor(high), top)
    low = draws.wick_low**2 * reach
    np.subtract(bottom, low, out=low)
    np.maximum(low, state.low[:, None].astype(np.float64), out=low)
    low = np.minimum(bands.ceil(low), bottom)
    _hold_locked_minutes(o, c, high, low, state)
    return [o.copy(), high, low, c.copy()]


def _hold_locked_minutes(o: Array, c: Array, high: Array, low: Array, state: DayState) -> None:
    """On limit-locked rows, a minute that opens and closes at the limit trades only there."""
    for row in np.flatnonzero(state.lock_up | state.lock_down).tolist():
        limit = float(state.close[row])
        held = (o[row] == limit) & (c[row] == limit)
        high[row, held] = low[row, held] = limit


def _apply_vi(
    vi_row: ViRow,
    path: Path,
    draws: Draws,
    bands: Bands,
    prices: list[Array],
    present: Array,
    vi: Array,
) -> None:
    """Cap the row's wicks inside its VI triggers, then print its VI auctions (in place)."""
    row, minutes = vi_row.row, present.shape[1]
    cap_low, cap_high = np.empty(minutes), np.empty(minutes)
    for first, lowest, highest in vi_row.caps:
        cap_low[first:], cap_high[first:] = lowest, highest
    o, high, low, c = (p[row] for p in prices)
    top, bottom = np.maximum(o, c), np.minimum(o, c)
    reach = path.scale[row]
    row_bands = bands.rows(row)
    raw_high = np.minimum(top + draws.wick_high[row] ** 2 * reach, np.minimum(high, cap_high))
    high[:] = np.maximum(row_bands.floor(raw_high[None, :])[0], top)
    raw_low = np.maximum(bottom - draws.wick_low[row] ** 2 * reach, np.maximum(low, cap_low))
    low[:] = np.minimum(row_bands.ceil(raw_low[None, :])[0], bottom)
    for bar, price in vi_row.auctions:
        for column in prices:
            column[row, bar] = price
        vi[row, bar] = True
        if bar + 1 < minutes:
            present[row, bar + 1] = False


def _volumes(state: DayState, draws: Draws, prices: list[Array], present: Array) -> Array:
    """Integer volume of every slot (rows, M + 2), summing exactly to the day's volume."""
    rows, slots = present.shape
    weight = np.zeros((rows, slots))
    minute = weight[:, 1:-1]
    np.multiply(0.4 + 1.2 * draws.volume, u_shape(slots - 2), out=minute)
    _quiet_locked_minutes(minute, state, prices)
    halted = np.flatnonzero(~present.all(axis=1))
    for row in halted.tolist():
        _fold_halts(minute[row], present[row, 1:-1])
    opening = 0.005 + 0.025 * draws.params[:, 4]
    closing = 0.02 + 0.06 * draws.params[:, 5]
    minute *= ((1.0 - opening - closing) / minute.sum(axis=1))[:, None]
    weight[:, 0], weight[:, -1] = opening, closing
    floor = np.where(present, MIN_CONTINUOUS_QTY, 0)
    floor[:, 0] = floor[:, -1] = 1
    free = state.volume - floor.sum(axis=1)
    share = np.cumsum(weight, axis=1)
    share /= share[:, -1:]
    allotted = np.floor(share * free[:, None])
    allotted[:, -1] = free
    volume: Array = np.diff(allotted, axis=1, prepend=0.0).astype(np.int64)
    volume += floor
    return volume


def _quiet_locked_minutes(minute: Array, state: DayState, prices: list[Array]) -> None:
    """Minutes spent locked at the limit trade little (in place)."""
    locked = np.flatnonzero(state.lock_up | state.lock_down)
    if not len(locked):
        return
    o, high, low = (p[locked] for p in prices[:3])
    limit = state.close[locked, None]
    flat = (high == low) & (o == limit)
    minute[locked] *= np.where(flat, LOCKED_ACTIVITY, 1.0)


def _fold_halts(weight: Array, present: Array) -> None:
    """A halted minute's weight goes to the VI auction print before it (in place)."""
    for bar in np.flatnonzero(~present).tolist():
        weight[bar - 1] += weight[bar]
        weight[bar] = 0.0


def _with_auctions(minutes: Array, opening: Array, closing: Array) -> Array:
    """(rows, M + 2) slots: the opening print, the minutes, the closing print."""
    rows = minutes.shape[0]
    full = np.empty((rows, minutes.shape[1] + 2))
    full[:, 0], full[:, 1:-1], full[:, -1] = opening, minutes, closing
    return full


def minute_bars(
    universe: Sequence[Instrument],
    start: date,
    end: date | None = None,
    days: int | None = None,
    *,
    seed: int,
    symbols: Sequence[str] | None = None,
) -> Iterator[BarFrame]:
    """1-minute bars of `symbols` (default: all of `universe`) over the trading days from
    `start` to `end`, or the first `days` of them (exactly one of the two).

    Yields one frame per (month, batch of up to 256 symbols); see the module docstring for
    the bar layout and the conventions. The same arguments give identical frames.
    """
    rows = select_rows(universe, symbols, seed=seed)
    dates = resolve_days(start, end, days)
    return _chunks(rows, dates, RowStreams(seed, Stream.MINUTE), seed)


def _chunks(rows: Rows, dates: list[date], streams: RowStreams, seed: int) -> Iterator[BarFrame]:
    """The frames of `minute_bars`, month by month, batch by batch."""
    batches = [
        np.arange(k, min(k + BATCH_SYMBOLS, len(rows))) for k in range(0, len(rows), BATCH_SYMBOLS)
    ]
    states = iter_days(rows, dates, seed=seed)
    for _, month in groupby(states, key=lambda s: (s.day.year, s.day.month)):
        month_states = list(month)
        for batch in batches:
            sub = rows.take(batch)
            bars = [simulate_day(sub, s.take(batch), streams) for s in month_states]
            yield assemble(sub, bars)


def assemble(rows: Rows, days: list[DayBars]) -> BarFrame:
    """One frame, sorted by (symbol, ts), from the days of the same rows."""
    present = np.concatenate([d.present for d in days], axis=1)
    keep = present.ravel()
    columns: dict[str, Array] = {
        "symbol": np.repeat(rows.symbols, present.sum(axis=1)),
        "ts": np.broadcast_to(np.concatenate([d.layout.ts for d in days]), present.shape)[present],
    }
    for name in ("open", "high", "low", "close", "volume", "value"):
        joined = np.concatenate([getattr(d, name) for d in days], axis=1).ravel()
        columns[name] = joined[keep].astype(np.int64)
    return BarFrame(columns, 60)
