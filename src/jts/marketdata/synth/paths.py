"""The intraday price path of each symbol-day: minute-end prices from the open to the close.

Point j (0..M) is the last price at the end of continuous minute j-1 (point 0 is the opening
auction price). The path is a Brownian bridge pinned at four anchors: the open at 0, the day's
high and low at two random minutes, the close at M; overshoots are reflected back into
[low, high], so the path touches the day's extremes exactly at the anchors and nowhere goes
beyond them. Prices are rounded down onto each row's tick grid (`Bands`), then the anchors
are set exactly. On a limit-locked day the path stays at the limit after reaching it.

Static VI (KRX.md §7): the reference is the opening price, then each VI auction price. The
first point at or beyond a trigger (`vi_trigger_prices`) starts a 2-minute call auction in the
minute that point closes: that minute becomes the VI auction bar (price = that point), the
next minute has no bar, and the point after the halt opens the next bar. So every point is
printed somewhere and the day's high and low survive. The first two points after a VI auction
are not checked (a re-trigger inside the auction would only extend it). Dynamic VI is not
modelled.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np

from jts.core.models import Instrument
from jts.krx.ticks import round_to_tick
from jts.krx.volatility import STATIC_VI_RATE, vi_trigger_prices
from jts.marketdata.synth.daily import DayState
from jts.marketdata.synth.grid import Bands, RowLadders
from jts.marketdata.synth.keys import RowStreams, unit16

Array = np.ndarray[Any, Any]

PARAMS: Final = 8
"""Per-row uniform parameters drawn after the per-minute fields."""
_SQRT12: Final = float(np.sqrt(12.0))


@dataclass(frozen=True, slots=True)
class Draws:
    """Uniforms in (0, 1) for one day: per minute (rows, M) and per row (rows, PARAMS)."""

    step: Array
    wick_high: Array
    wick_low: Array
    volume: Array
    params: Array


def draw(streams: RowStreams, index: Array, ordinal: int, minutes: int) -> Draws:
    """The day's draws for the rows whose universe positions are `index`."""
    words = minutes + PARAMS // 4
    raw = np.empty((len(index), words), dtype=np.uint64)
    for row, position in enumerate(index.tolist()):
        raw[row] = streams.raw(position, ordinal, words)
    fields = raw.view(np.uint16).reshape(len(index), words, 4)
    per_minute = fields[:, :minutes, :]
    return Draws(
        step=unit16(per_minute[:, :, 0]),
        wick_high=unit16(per_minute[:, :, 1]),
        wick_low=unit16(per_minute[:, :, 2]),
        volume=unit16(per_minute[:, :, 3]),
        params=unit16(fields[:, minutes:, :].reshape(len(index), PARAMS)),
    )


@functools.lru_cache(maxsize=8)
def u_shape(minutes: int) -> Array:
    """Relative activity of each continuous minute (mean 1): heavy after the open and into
    the close, as in KRX intraday volume."""
    j = np.arange(minutes, dtype=np.float64)
    shape = 1.0 + 2.5 * np.exp(-j / 12.0) + 1.2 * np.exp(-(minutes - 1 - j) / 15.0)
    result: Array = shape / shape.mean()
    result.flags.writeable = False
    return result


@dataclass(frozen=True, slots=True)
class Path:
    """Tick-rounded points (rows, M + 1) and the per-minute noise scale (KRW, rows)."""

    points: Array
    scale: Array


def build_path(state: DayState, draws: Draws, bands: Bands) -> Path:
    """The day's points for every row (see the module docstring)."""
    rows, minutes = draws.step.shape
    o, h, lw, c = (getattr(state, n).astype(np.float64) for n in ("open", "high", "low", "close"))
    t_high, t_low = _anchor_times(draws.params, state, minutes)
    first_high = t_high < t_low
    a1, a2 = np.minimum(t_high, t_low), np.maximum(t_high, t_low)
    y1, y2 = np.where(first_high, h, lw), np.where(first_high, lw, h)
    scale = (0.5 + 0.8 * draws.params[:, 2]) * (h - lw) / np.sqrt(minutes)
    walk = np.zeros((rows, minutes + 1))
    steps = (draws.step - 0.5) * (_SQRT12 * np.sqrt(u_shape(minutes)))
    np.cumsum(steps, axis=1, out=walk[:, 1:])
    every = np.arange(rows)
    knots = (y1 - scale * walk[every, a1], y2 - scale * walk[every, a2], c - scale * walk[:, -1])
    points = _bridge(walk, scale, o, (a1, a2, minutes), knots)
    _reflect(points, lw, h)
    _lock(points, state, t_high, t_low)
    points = bands.floor(points)
    points[:, 0], points[:, -1] = o, c
    points[every, a1], points[every, a2] = y1, y2
    return Path(points, scale)


def _anchor_times(params: Array, state: DayState, minutes: int) -> tuple[Array, Array]:
    """Distinct minutes in [1, M-1] of the high and low; on lock days the limit comes last."""
    a = 1 + np.floor(params[:, 0] * (minutes - 1)).astype(np.int64)
    b = 1 + np.floor(params[:, 1] * (minutes - 2)).astype(np.int64)
    b += b >= a
    first, last = np.minimum(a, b), np.maximum(a, b)
    t_high = np.where(state.lock_up, last, np.where(state.lock_down, first, a))
    t_low = np.where(state.lock_up, first, np.where(state.lock_down, last, b))
    return t_high, t_low


def _bridge(
    walk: Array,
    scale: Array,
    start: Array,
    times: tuple[Array, Array, int],
    knots: tuple[Array, Array, Array],
) -> Array:
    """scale × walk + the piecewise-linear line through (0, start) and the knots (in place)."""
    a1, a2, end = times
    k1, k2, k3 = knots
    s0 = (k1 - start) / a1
    s1 = (k2 - k1) / (a2 - a1)
    s2 = (k3 - k2) / (end - a2)
    j = np.arange(walk.shape[1], dtype=np.float64)
    points = walk
    points *= scale[:, None]
    points += start[:, None]
    points += s0[:, None] * j
    for knot, change in ((a1, s1 - s0), (a2, s2 - s1)):
        hinge = j - knot[:, None].astype(np.float64)
        np.maximum(hinge, 0.0, out=hinge)
        hinge *= change[:, None]
        points += hinge
    return points


def _reflect(points: Array, low: Array, high: Array) -> None:
    """Fold overshoots back inside [low, high] once, then clamp (in place)."""
    hi, lo = high[:, None], low[:, None]
    points -= hi
    np.abs(points, out=points)
    np.subtract(hi, points, out=points)
    points -= lo
    np.abs(points, out=points)
    points += lo
    np.minimum(points, hi, out=points)
    np.maximum(points, lo, out=points)


def _lock(points: Array, state: DayState, t_high: Array, t_low: Array) -> None:
    """On limit-locked rows, hold the limit from the minute it is reached (in place)."""
    j = np.arange(points.shape[1])
    for rows, since, level in (
        (np.flatnonzero(state.lock_up), t_high, state.high),
        (np.flatnonzero(state.lock_down), t_low, state.low),
    ):
        if len(rows):
            held = j[None, :] >= since[rows, None]
            points[rows] = np.where(held, level[rows, None].astype(np.float64), points[rows])


# ---- static VI --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ViRow:
    """The VI auctions of one row: `auctions` are (bar, price); `caps` are
    (first bar, lowest allowed price, highest allowed price) in force from that bar on."""

    row: int
    auctions: tuple[tuple[int, float], ...]
    caps: tuple[tuple[int, float, float], ...]


def find_vi(
    points: Array, state: DayState, ladders: RowLadders, instruments: tuple[Instrument, ...]
) -> list[ViRow]:
    """The VI auctions of every row that has any (few rows do: they are found by vector
    screening against the opening-price triggers, then walked one by one)."""
    down, up = static_triggers(ladders, state.open)
    screened = np.flatnonzero((state.high >= up) | (state.low <= down))
    found = []
    for row in screened.tolist():
        vi = _walk_row(row, points[row], int(state.open[row]), instruments[row], state.day)
        if vi.auctions:
            found.append(vi)
    return found


def static_triggers(ladders: RowLadders, reference: Array) -> tuple[Array, Array]:
    """(down, up) static VI trigger prices (float KRW) of int64 `reference` prices: the
    vector form of `vi_trigger_prices(reference, STATIC_VI_RATE)`, in exact integers."""
    num, den = STATIC_VI_RATE.as_integer_ratio()
    up = ladders.apply("ceil", (-(-reference * (den + num) // den)).astype(np.float64))
    down = ladders.apply("floor", (reference * (den - num) // den).astype(np.float64))
    return down, up


def _walk_row(row: int, points: Array, reference: int, inst: Instrument, day: date) -> ViRow:
    auctions: list[tuple[int, float]] = []
    caps = [(0, *_caps(reference, inst, day))]
    start, last = 1, len(points) - 1
    while start <= last:
        down, up = vi_trigger_prices(
            reference, STATIC_VI_RATE, etf=inst.uses_etf_ticks, on=day, market=inst.market
        )
        hit = np.flatnonzero((points[start:] >= up) | (points[start:] <= down))
        if not len(hit):
            break
        point = start + int(hit[0])
        reference = int(points[point])
        auctions.append((point - 1, float(reference)))
        caps.append((point + 1, *_caps(reference, inst, day)))
        start = point + 3
    return ViRow(row, tuple(auctions), tuple(caps))


def _caps(reference: int, inst: Instrument, day: date) -> tuple[float, float]:
    """Lowest and highest prices that do not trigger static VI around `reference`."""
    etf, market = inst.uses_etf_ticks, inst.market
    down, up = vi_trigger_prices(reference, STATIC_VI_RATE, etf=etf, on=day, market=market)
    highest = round_to_tick(up - 1, mode="down", etf=etf, on=day, market=market)
    lowest = round_to_tick(down + 1, mode="up", etf=etf, on=day, market=market) if down else 0
    return float(lowest), float(highest)
