"""The daily skeleton: for each symbol and trading day, base price, limits, OHLC and volume.

Why a latent level: a symbol's price on a given date must not depend on which range was asked
for, so that any chunk can be generated alone. Each symbol carries a latent log price around
its profile anchor, a finite moving sum of its daily shocks:

    level(d) = (1/H) * sum_{j=0}^{H-1} (H - j) * shock(d - j),   H = MEMORY trading days

so it depends only on the last H shocks, which come from a stream keyed by (seed, date). The
taper makes the level revert slowly to the anchor (prices stay near their tick band). Shocks
are quantized to 1e-7 and summed as integers, so the sum is exact whatever the range.

The realized day then follows KRX rules: the base is the previous close, the limits come from
the base (`price_limits`, integer algorithm, ETF ticks for ETFs, × leverage), the close is the
latent price on its tick grid clipped to the limits, and open, high and low are drawn around
it. A day clipped at a limit makes the realized path differ from the latent one until the
first unclipped day; each call starts the realized path WARMUP days early, so ranges agree
unless a symbol closes at a limit on WARMUP consecutive days (never seen in practice).

Lock days: with a small probability per day the shock includes a jump beyond the band, so the
close sits at the limit; some of those open at the limit too and stay there all day.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any, Final

import numpy as np

from jts.core.clock import kst_ns
from jts.core.models import Instrument
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth.keys import Stream, check_seed, generator
from jts.marketdata.synth.rows import Rows, days_before, resolve_days, select_rows

Array = np.ndarray[Any, Any]

MEMORY: Final = 250
"""Trading days of shocks the latent level remembers."""
WARMUP: Final = 20
"""Trading days the realized path runs before the first requested day."""
QUANTUM: Final = 1e-7
"""Resolution of the integer shocks, in log-price units."""
MARKET_VOL: Final = 0.011
"""Daily sd of the common market factor."""
LOCK_JUMP: Final = 0.40
"""Log jump of a lock day (× leverage): beyond the ±30% band so the close sits at the limit."""
GAP_LOCK_SHARE: Final = 0.3
"""Share of lock days that open at the limit and never leave it."""
MIN_DAY_VOLUME: Final = 2_000
"""Floor of daily volume (shares): leaves room for 4 trades in every minute bar."""
_MAX_T: Final = 8.0
DAY_NS: Final = 86_400


@dataclass(frozen=True, slots=True)
class DayState:
    """One trading day of every row (1-D arrays, int64 KRW or shares)."""

    day: date
    base: Array
    lower: Array
    upper: Array
    open: Array
    high: Array
    low: Array
    close: Array
    volume: Array
    lock_up: Array
    """Closes at the upper limit: the intraday path stays there once it gets there."""
    lock_down: Array

    def take(self, rows: Array) -> DayState:
        """The state of some rows."""
        return DayState(
            self.day,
            *(getattr(self, name)[rows] for name in _ARRAY_FIELDS),
        )


_ARRAY_FIELDS: Final = (
    "base",
    "lower",
    "upper",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "lock_up",
    "lock_down",
)


def iter_days(rows: Rows, days: Sequence[date], *, seed: int) -> Iterator[DayState]:
    """The state of `rows` on each of `days` (ascending, contiguous trading days), in order."""
    check_seed(seed)
    warm = days_before(days[0], WARMUP)
    history = days_before((warm or list(days))[0], MEMORY)
    timeline = [*history, *warm, *days]
    level = _levels(_shocks(rows, timeline, seed))
    anchor = rows.pick("anchor")
    first = len(history)
    base = np.rint(anchor * np.exp(level[first - 1])) if first else anchor
    base = np.maximum(base, 1).astype(np.int64)
    for k, day in enumerate(timeline[first:], start=first):
        state = _day(rows, day, base, anchor * np.exp(level[k]), seed)
        base = state.close
        if k >= first + len(warm):
            yield state


def daily_bars(
    universe: Sequence[Instrument],
    start: date,
    end: date | None = None,
    days: int | None = None,
    *,
    seed: int,
    symbols: Sequence[str] | None = None,
) -> BarFrame:
    """Daily bars (interval 86,400 s) of `symbols` (default: all) over the trading days.

    `ts` is the trading day's 00:00 KST as int ns UTC. Open, high, low, close and volume equal
    the aggregate of that day's minute bars (auction bars included); `value` is approximate:
    volume × (open + high + low + close) / 4, where the minute bars sum their own values.
    """
    rows = select_rows(universe, symbols, seed=seed)
    dates = resolve_days(start, end, days)
    states = list(iter_days(rows, dates, seed=seed))
    stack = {name: np.stack([getattr(s, name) for s in states], axis=1) for name in _BAR_FIELDS}
    o, h, low, c = (stack[n] for n in ("open", "high", "low", "close"))
    ts = np.array([kst_ns(d, time(0)) for d in dates], dtype=np.int64)
    columns = {
        "symbol": np.repeat(rows.symbols, len(dates)),
        "ts": np.tile(ts, len(rows)),
        **{name: stack[name].ravel() for name in _BAR_FIELDS},
        "value": (stack["volume"] * (o + h + low + c) // 4).ravel(),
    }
    return BarFrame(columns, DAY_NS)


_BAR_FIELDS: Final = ("open", "high", "low", "close", "volume")


def _shocks(rows: Rows, timeline: Sequence[date], seed: int) -> Array:
    """Integer log-return shocks (units of QUANTUM), shape (days, rows)."""
    n = rows.universe_size
    vol, beta, df = rows.pick("vol"), rows.pick("beta"), rows.pick("tail_df")
    lock = rows.pick("lock_probability")
    jump = LOCK_JUMP * rows.leverage
    universe_df = rows.profile.tail_df
    out = np.empty((len(timeline), len(rows)), dtype=np.int64)
    for k, day in enumerate(timeline):
        rng = generator(seed, Stream.SHOCK, ordinal=day.toordinal())
        market = rng.standard_normal()
        t = np.clip(rng.standard_t(universe_df, n)[rows.index], -_MAX_T, _MAX_T)
        event = rng.random(n)[rows.index]
        shock = beta * MARKET_VOL * market + vol * t * np.sqrt((df - 2.0) / df)
        shock += jump * ((event < lock) * 1.0 - (event > 1.0 - lock))
        out[k] = np.rint(shock / QUANTUM)
    return out


def _levels(shocks: Array) -> Array:
    """Latent log level per day (float, rows), exact whatever the start of `shocks`."""
    days = len(shocks)
    index = np.arange(days, dtype=np.int64)[:, None]
    zero = np.zeros((1, shocks.shape[1]), dtype=np.int64)
    total = np.concatenate([zero, np.cumsum(shocks, axis=0)])
    weighted = np.concatenate([zero, np.cumsum(shocks * index, axis=0)])
    lag = np.maximum(index[:, 0] + 1 - MEMORY, 0)
    window = total[1:] - total[lag]
    window_weighted = weighted[1:] - weighted[lag]
    level_int = (MEMORY - index) * window + window_weighted
    levels: Array = level_int * (QUANTUM / MEMORY)
    return levels


def _day(rows: Rows, day: date, base: Array, latent: Array, seed: int) -> DayState:
    """One realized day from the base (previous close) and the latent close."""
    ladders = rows.ladders(day)
    lower, upper = ladders.limits(base, rows.limit_percent(day))
    lo, up = lower.astype(np.float64), upper.astype(np.float64)
    close = np.clip(ladders.apply("nearest", latent), lo, up)
    draws = _day_draws(rows, day, seed)
    vol = rows.pick("vol")
    move = np.log(latent / base)
    open_ = base * np.exp(0.35 * move + 0.25 * vol * draws[0])
    open_ = np.clip(ladders.apply("nearest", open_), lo, up)
    lock_up, lock_down = close == up, (close == lo) & (close < up)
    gap_lock = (lock_up | lock_down) & (draws[4] < GAP_LOCK_SHARE)
    open_ = np.where(gap_lock, close, open_)
    top, bottom = np.maximum(open_, close), np.minimum(open_, close)
    high = ladders.apply("floor", np.minimum(top * np.exp(0.45 * vol * np.abs(draws[1])), up))
    low = ladders.apply("ceil", np.maximum(bottom * np.exp(-0.45 * vol * np.abs(draws[2])), lo))
    high = np.where(gap_lock, close, np.maximum(high, top))
    low = np.where(gap_lock, close, np.minimum(low, bottom))
    activity = 1.0 + 2.0 * np.abs(np.log(close / base)) / (3.0 * vol)
    volume = rows.pick("adv") * np.exp(0.35 * draws[3] - 0.06) * activity
    volume = np.maximum(volume * np.where(gap_lock, 0.1, 1.0), MIN_DAY_VOLUME)
    prices = (open_, high, low, close)
    o, h, lw, c = (p.astype(np.int64) for p in prices)
    return DayState(
        day, base, lower, upper, o, h, lw, c, volume.astype(np.int64), lock_up, lock_down
    )


def _day_draws(rows: Rows, day: date, seed: int) -> Array:
    """Per-day noise for each row: gap, high reach, low reach, volume (normal), gap lock (U)."""
    rng = generator(seed, Stream.DAY, ordinal=day.toordinal())
    n = rows.universe_size
    normal = rng.standard_normal((4, n))[:, rows.index]
    uniform = rng.random(n)[rows.index]
    draws: Array = np.vstack([normal, uniform[None, :]])
    return draws
