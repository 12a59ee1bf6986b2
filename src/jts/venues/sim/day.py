"""One whole simulated KRX trading day with background agents, recorded to Parquet.

Why: the demo, strategy tests and benchmarks need a market that behaves like one — books with
spreads, auctions with imbalances, VIs — and its tape in the format the rest of JTS reads.
`run_day` builds a synthetic universe (`jts.marketdata.synth`), takes each symbol's minute
path for the day as the latent price the agents follow (`agent_plan.LatentDay`), opens the
simulated exchange at the previous closes, drives it from before the 08:30 intake to after
the last 18:00 single-price round, and writes under `out`:

- `trades.parquet`: every print in the tick import format (`jts.marketdata.schema.TICK_SCHEMA`:
  `symbol`, `ts` timestamp[ns, UTC], `price` KRW, `qty` shares, `side` the aggressor as +1 buy /
  -1 sell (continuous and closing-price matches), 0 for call-auction prints, `auction`), sorted
  by (symbol, ts) and, inside a timestamp, in the order the exchange printed them.
- `books.parquet`: the 10-level book snapshots the exchange published during continuous
  trading, conflated to at most one per symbol per second of simulated time (`BOOK_INTERVAL_MS`):
  `symbol`, `ts`, then `bid_price_1..10`, `bid_qty_1..10`, `ask_price_1..10`, `ask_qty_1..10`
  (int64 KRW / shares; level 1 is the best; 0 where the book has fewer levels). Call-auction
  indications (`ExpectedPrice`) are not books and are left out.
- `instruments.parquet`: the day's instruments in the instrument-file format (load them with
  `jts data instruments --load` before importing the trades, so ETF ticks validate as ETFs).

`pace_seconds` stretches or compresses the day to take that long in wall time (sleeping
between steps); None runs it as fast as possible. Determinism: the same (symbols, seed, day)
give the same files.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from jts.core.clock import kst_today
from jts.core.errors import InvalidInput
from jts.core.events import SymbolState, SymbolStatus
from jts.core.models import BOOK_DEPTH, BookLevel, BookUpdate, Tick
from jts.krx.calendar import is_trading_day, previous_trading_day
from jts.krx.sessions import sessions
from jts.marketdata.frames import TickFrame
from jts.marketdata.schema import TS_TYPE
from jts.marketdata.store.instruments import instruments_table
from jts.marketdata.synth import make_universe
from jts.marketdata.synth.ticks import day_bars
from jts.marketdata.writers import write_parquet
from jts.venues.sim.agent_flow import AgentFlow
from jts.venues.sim.agent_plan import FlowConfig, LatentDay
from jts.venues.sim.exchange import SimConfig, SimExchange

__all__ = [
    "BOOK_COLUMNS",
    "BOOK_INTERVAL_MS",
    "DayRecorder",
    "DaySummary",
    "SimDay",
    "open_day",
    "run_day",
]

BOOK_INTERVAL_MS: Final = 1_000
"""Book snapshots are conflated to one per symbol per this many ms of simulated time."""
_SIDES: Final = ("bid_price", "bid_qty", "ask_price", "ask_qty")
BOOK_COLUMNS: Final = (
    "symbol",
    "ts",
    *(f"{side}_{level}" for side in _SIDES for level in range(1, BOOK_DEPTH + 1)),
)
_NS: Final = 1_000_000_000
_LEAD_NS: Final = 60 * _NS
"""The drive starts this long before the first session of the day ..."""
_TAIL_NS: Final = 120 * _NS
"""... and ends this long after the last one's scheduled end (random ends are <= 30 s)."""
_PACE_STEPS_PER_SECOND: Final = 20


class DaySummary(msgspec.Struct, frozen=True, kw_only=True):
    """What one simulated day produced (the JSON line of `jts sim day`).

    `trades`: prints; `volume`: shares traded; `orders`: new orders the agents sent
    (`modifies` and `cancels` besides); `rejects`: requests the exchange refused;
    `vi_triggers`: volatility interruptions (static and dynamic); `halts`: trading halts;
    `seconds`: wall time of the whole run; `book_snapshots`: rows of books.parquet.
    """

    symbols: int
    date: date
    seed: int
    trades: int
    volume: int
    orders: int
    modifies: int
    cancels: int
    rejects: int
    vi_triggers: int
    halts: int
    seconds: float
    book_snapshots: int
    out: str


@dataclass(frozen=True, slots=True)
class SimDay:
    """A simulated day ready to run: the exchange, its agents and the span to drive (ns UTC)."""

    exchange: SimExchange
    flow: AgentFlow
    symbols: tuple[str, ...]
    start_ns: int
    end_ns: int


def open_day(
    symbols: int,
    seed: int,
    day: date,
    *,
    config: FlowConfig | None = None,
    agent_seed: int | None = None,
    codes: Sequence[str] = (),
) -> SimDay:
    """The exchange and agents of `day` for a synthetic universe of `symbols` instruments
    under `seed` (`agent_seed`, default `seed`, varies the agents alone), nothing run yet.
    `codes` must be in the universe (they count towards `symbols`; see `make_universe`)."""
    universe = make_universe(symbols, seed=seed, codes=codes)
    rows, state, bars = day_bars(universe, day, seed=seed, symbols=None)
    names = tuple(str(s) for s in rows.symbols.tolist())
    exchange = SimExchange(
        universe,
        day,
        base_prices=dict(zip(names, state.base.tolist(), strict=True)),
        config=SimConfig(seed=seed, book_interval_ms=BOOK_INTERVAL_MS),
    )
    latent = LatentDay(names, rows.index, bars.layout.ts, bars.open, bars.close, bars.volume)
    flow = AgentFlow(
        exchange, latent, seed=seed if agent_seed is None else agent_seed, config=config
    )
    return SimDay(exchange, flow, names, *_day_span(exchange))


def run_day(
    symbols: int,
    seed: int,
    day: date | None,
    out: Path,
    *,
    pace_seconds: float | None = None,
    config: FlowConfig | None = None,
) -> DaySummary:
    """Simulate `day` (default: the last trading day before today, KST) for a synthetic
    universe of `symbols` instruments under `seed`; write trades and books under `out`."""
    started = time.perf_counter()
    day = _check(symbols, day, pace_seconds)
    _make_dir(out)
    sim = open_day(symbols, seed, day, config=config)
    recorder = DayRecorder(sim.symbols)
    sim.exchange.add_listener(recorder)
    drive(sim.flow, sim.start_ns, sim.end_ns, pace_seconds)
    trades = recorder.trades()
    write_parquet(trades, out / "trades.parquet")
    pq.write_table(recorder.books(), out / "books.parquet", compression="zstd")
    instruments = [sim.exchange.markets[name].rules.instrument for name in sim.symbols]
    pq.write_table(instruments_table(instruments), out / "instruments.parquet")
    stats = sim.flow.stats
    return DaySummary(
        symbols=symbols,
        date=day,
        seed=seed,
        trades=len(trades),
        volume=int(trades["qty"].sum()),
        orders=stats.orders,
        modifies=stats.modifies,
        cancels=stats.cancels,
        rejects=stats.rejects,
        vi_triggers=recorder.vi_triggers,
        halts=recorder.halts,
        seconds=round(time.perf_counter() - started, 3),
        book_snapshots=recorder.snapshots,
        out=str(out),
    )


def _make_dir(out: Path) -> None:
    """Create `out` before the day runs, so a bad path fails in a second, not after a minute."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput("out", f"cannot create directory {out}: {exc.strerror}") from None


def _check(symbols: int, day: date | None, pace_seconds: float | None) -> date:
    """The trading day to simulate; `InvalidInput` naming the argument that is wrong."""
    if symbols < 1:
        raise InvalidInput("symbols", f"{symbols} must be at least 1")
    if pace_seconds is not None and not pace_seconds > 0:
        raise InvalidInput("pace_seconds", f"{pace_seconds} must be a positive number of seconds")
    if day is None:
        return previous_trading_day(kst_today())
    if not is_trading_day(day):
        raise InvalidInput("date", f"{day} is not a KRX trading day")
    return day


def _day_span(exchange: SimExchange) -> tuple[int, int]:
    """[start, end] in ns UTC: from before the first session to after the last."""
    config, day = exchange.config, exchange.day
    found = sessions(day, config.venue, planned=config.planned_sessions)
    if not found:
        raise InvalidInput("date", f"{day} has no sessions at {config.venue}")
    start = min(s.start_ns(day) for s in found) - _LEAD_NS
    return max(start, exchange.now_ns()), max(s.end_ns(day) for s in found) + _TAIL_NS


def drive(flow: AgentFlow, start: int, end: int, pace_seconds: float | None) -> None:
    """Run the flow from `start` to `end` (ns UTC): flat out, or spread over `pace_seconds`
    of wall time by sleeping after each step (a step is 1/20 of a wall second)."""
    flow.run(start)
    if pace_seconds is None:
        flow.run(end)
        return
    steps = max(1, int(pace_seconds * _PACE_STEPS_PER_SECOND))
    began = time.perf_counter()
    for step in range(1, steps + 1):
        flow.run(start + (end - start) * step // steps)
        delay = began + pace_seconds * step / steps - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


class DayRecorder:
    """Exchange listener that keeps trades and book snapshots in compact columns, and counts
    VI triggers and halts. Columns are `array`s: a day has millions of values."""

    def __init__(self, symbols: Sequence[str]) -> None:
        self.symbols = list(symbols)
        self._row = {symbol: row for row, symbol in enumerate(self.symbols)}
        self._trade_cols = {
            name: array(code)
            for name, code in (("row", "i"), ("ts", "q"), ("price", "q"), ("qty", "q"),
                               ("side", "b"), ("auction", "b"))
        }  # fmt: skip
        self._book_row = array("i")
        self._book_ts = array("q")
        self._levels = array("q")
        self.vi_triggers = 0
        self.halts = 0

    @property
    def snapshots(self) -> int:
        return len(self._book_ts)

    def __call__(self, event: object) -> None:
        if type(event) is Tick:
            self._tick(event)
        elif type(event) is BookUpdate:
            self._book(event)
        elif type(event) is SymbolStatus:
            self._status(event)

    def _tick(self, tick: Tick) -> None:
        c = self._trade_cols
        c["row"].append(self._row[tick.symbol])
        c["ts"].append(tick.ts_ns)
        c["price"].append(tick.price)
        c["qty"].append(tick.qty)
        c["side"].append(tick.side.sign if tick.side is not None else 0)
        c["auction"].append(tick.auction)

    def _book(self, book: BookUpdate) -> None:
        self._book_row.append(self._row[book.symbol])
        self._book_ts.append(book.ts_ns)
        self._levels.extend(_flat(book.bids, book.asks))

    def _status(self, status: SymbolStatus) -> None:
        if status.state is SymbolState.VI and status.reason != "resume":
            self.vi_triggers += 1
        elif status.state is SymbolState.HALTED:
            self.halts += 1

    def trades(self) -> TickFrame:
        """The day's prints, sorted by (symbol, ts), print order kept inside a timestamp."""
        c = {
            name: np.frombuffer(values, values.typecode)
            for name, values in self._trade_cols.items()
        }
        order = np.lexsort((c["ts"], c["row"]))
        names = np.asarray(self.symbols)[c["row"][order]] if len(order) else np.array([], "<U6")
        columns: dict[str, Any] = {name: c[name][order] for name in ("ts", "price", "qty", "side")}
        columns["auction"] = c["auction"][order].astype(bool)
        return TickFrame({"symbol": names, **columns})

    def books(self) -> pa.Table:
        """The snapshots as an Arrow table with `BOOK_COLUMNS`, sorted by (symbol, ts)."""
        rows = np.frombuffer(self._book_row, self._book_row.typecode)
        ts = np.frombuffer(self._book_ts, np.int64)
        levels = np.frombuffer(self._levels, np.int64).reshape(-1, 4 * BOOK_DEPTH)
        order = np.lexsort((ts, rows))
        symbols = np.asarray(self.symbols)[rows[order]] if len(order) else []
        arrays: list[pa.Array[Any]] = [pa.array(symbols, pa.string()), pa.array(ts[order], TS_TYPE)]
        arrays += [pa.array(levels[order, col]) for col in range(4 * BOOK_DEPTH)]
        return pa.Table.from_arrays(arrays, names=list(BOOK_COLUMNS))


def _flat(bids: tuple[BookLevel, ...], asks: tuple[BookLevel, ...]) -> list[int]:
    """One snapshot's 40 numbers in `BOOK_COLUMNS` order, zero-padded to the full depth."""
    depth = BOOK_DEPTH
    flat = [0] * (4 * depth)
    for level, bid in enumerate(bids[:depth]):
        flat[level] = bid.price
        flat[depth + level] = bid.qty
    for level, ask in enumerate(asks[:depth]):
        flat[2 * depth + level] = ask.price
        flat[3 * depth + level] = ask.qty
    return flat
