"""The synthetic KRX market: instruments, daily and minute bars, trades and order books.

Real market data cannot be shipped, so the demo, the tests and the benchmarks run on this
generator. Everything is deterministic: the same seed and arguments give identical output, and
each symbol-day draws from its own random stream keyed by (seed, symbol's position in the
universe, date), so any chunk can be generated alone, in any order (`keys`).

Layers, each consistent with the one above:

- `make_universe`: instruments with Korean-style names and KRX-style codes (`instruments`);
  `profiles` gives each one a price level, volatility and liquidity (`profiles`).
- `daily_bars`: the daily skeleton on the real KRX calendar — base price, ±30% limits, open,
  high, low, close, volume; fat tails and occasional limit-locked days (`daily`).
- `minute_bars`: the regular session minute by minute, with the opening and closing auction
  print bars and static VI auctions; a day's bars aggregate to its daily bar (`intraday`).
- `tick_stream` and `book_snapshots`: trades that aggregate to the minute bars (give
  `aggregate_ticks` the day's `vi_halts`), and 10-level books around them, for the simulated
  exchange (`ticks`, `books`).

Conventions: prices are int KRW on the tick grid of their own price (ETF ticks for ETFs) and
inside the day's limits; `ts` is int ns UTC; a bar's `ts` is its start; auction print bars
(open = high = low = close) are stamped at the START of their call session — the opening
auction's start (08:30 KST), the VI minute, the closing auction's start (15:20 KST).
"""

from jts.marketdata.store.instruments import INSTRUMENT_SCHEMA, instruments_table
from jts.marketdata.synth.books import book_snapshots
from jts.marketdata.synth.daily import daily_bars
from jts.marketdata.synth.instruments import make_universe
from jts.marketdata.synth.intraday import BATCH_SYMBOLS, minute_bars
from jts.marketdata.synth.profiles import Profiles, profiles
from jts.marketdata.synth.spec import SynthSpec, generate
from jts.marketdata.synth.ticks import tick_stream, vi_halts

__all__ = [
    "BATCH_SYMBOLS",
    "INSTRUMENT_SCHEMA",
    "Profiles",
    "SynthSpec",
    "book_snapshots",
    "daily_bars",
    "generate",
    "instruments_table",
    "make_universe",
    "minute_bars",
    "profiles",
    "tick_stream",
    "vi_halts",
]
