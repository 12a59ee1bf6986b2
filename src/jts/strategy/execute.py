"""The two executors of a strategy program: vectorized and streaming, same orders.

    intents = run_vectorized(program, bars)            # a whole BarFrame at once
    ex = StreamingExecutor(program, symbols)           # bar by bar
    intents = ex.on_bar(symbol, ts, open, high, low, close, volume, value)
    intents = ex.on_tick(symbol, ts, price)            # exits between bars (live, tick data)
    intents += ex.flush()
    intents = run_streaming(program, bars)             # a BarFrame replayed bar by bar

Both feed the one state machine of `jts.strategy.engine` (fills, exits, sizing, selection are
documented there), one timestamp at a time with every symbol that has a bar at it:

* `run_vectorized` computes the market-only expressions over the whole frame with
  `evaluate_vector`, then walks the rows in (ts, symbol) order, feeding the engine only the
  bars on which something can happen (`jts.strategy.engine_skip`).
* `StreamingExecutor` updates a `StreamEvaluator` on each bar and buffers the bar; the
  timestamp's decisions are made when a bar of a later timestamp arrives (`on_bar` then returns
  the previous timestamp's orders) or when the caller says the timestamp is complete
  (`end_of_timestamp()`, or `flush()` at the end). Deciding per complete timestamp is what the
  cross-sectional selection needs, and it fixes the symbol order of cash use; a live runner
  calls `end_of_timestamp()` once every symbol's bar of the minute is in. Bars must come in
  non-decreasing ts order, one per symbol and ts.

The executors run the program on the bars they are given: resolving `universe` to symbols and
`timeframe` to bars is the caller's job. Programs the engine cannot run
(`engine.NotExecutable`) are refused by both, on construction.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from jts.core.errors import InvalidInput
from jts.marketdata.frames import BarFrame
from jts.strategy.api import FIELDS
from jts.strategy.engine import DEFAULT_CASH, BarInput, Engine, OrderIntent
from jts.strategy.engine_skip import Driver, conjuncts
from jts.strategy.evaluate import StreamEvaluator, evaluate_vector
from jts.strategy.lang.ast import Program

__all__ = ["OrderIntent", "StreamingExecutor", "run_streaming", "run_vectorized"]


def run_vectorized(
    program: Program,
    bars: BarFrame,
    *,
    initial_cash: float = DEFAULT_CASH,
    engine: Engine | None = None,
    extra: Mapping[str, npt.NDArray[np.float64]] | None = None,
) -> list[OrderIntent]:
    """The orders of `program` over `bars` (sorted by (symbol, ts)), in (ts, symbol) order.

    `engine` replaces the default `Engine(program, initial_cash=...)` (the backtester passes
    one with its fill source and gate); `extra` adds per-row arrays the fill source reads
    through `BarInput` (`base`), aligned with `bars`."""
    engine = Engine(program, initial_cash=initial_cash) if engine is None else engine
    if not bars.is_sorted():
        bars = bars.sorted()
    arrays = evaluate_vector(program, bars)
    if not len(bars):
        return []
    symbols = np.asarray(bars["symbol"])
    ts = np.asarray(bars["ts"], dtype=np.int64)
    prices = {f: np.asarray(bars[f], dtype=np.float64) for f in FIELDS[:5]}
    prices.update(extra or {})
    return Driver(engine, symbols, ts, prices, arrays).run()


class StreamingExecutor:
    """Bar-by-bar executor; see the module docstring for when orders come out."""

    def __init__(
        self,
        program: Program,
        symbols: Sequence[str],
        *,
        initial_cash: float = DEFAULT_CASH,
        engine: Engine | None = None,
    ) -> None:
        self.engine = Engine(program, initial_cash=initial_cash) if engine is None else engine
        minutes = program.bar_minutes
        self.interval_ns = (86_400 if minutes is None else minutes * 60) * 1_000_000_000
        self.evaluator = StreamEvaluator(program, symbols)
        self._ts: int | None = None
        self._batch: list[BarInput] = []
        self._quiet_keys = _quiet_keys(self.engine)
        """Per rule, its market-only `and`-conjuncts, when bars may skip the engine (below)."""
        outputs = self.evaluator.graph.outputs
        self._quiet_slots = [[outputs[k] for k in keys] for keys in self._quiet_keys or []]
        program = self.engine.program
        flat = program.flat is not None and program.bar_minutes is not None
        self._hold_skip = not program.exits and not flat
        """Whether a held symbol's quiet bar may skip too (nothing per bar happens to it)."""

    @property
    def timestamp(self) -> int | None:
        """The bar timestamp being collected (ns), None before the first bar: a live feeder
        must not hand over an earlier one."""
        return self._ts

    def on_bar(
        self,
        symbol: str,
        ts: int,
        open: float,
        high: float,
        low: float,
        close: float,
        volume: float,
        value: float,
        base: float = math.nan,
    ) -> list[OrderIntent]:
        """Take one bar; returns the orders of the previous timestamp when `ts` is later.
        `base` is the day's base price for a fill source that checks price limits."""
        out: list[OrderIntent] = []
        if self._ts is not None and ts != self._ts:
            if ts < self._ts:
                raise InvalidInput("ts", f"bar at {ts} after a bar at {self._ts}")
            out = self.end_of_timestamp()
        self.evaluator.on_bar(symbol, ts, open, high, low, close, volume, value)
        ev = self.evaluator
        self._ts = ts
        if self._quiet_keys is not None and self._skip(symbol, close):
            return out
        lookup = lambda key: ev.value(key, symbol)  # noqa: E731 - bound per bar
        self._batch.append(
            BarInput(
                symbol, float(open), float(high), float(low), float(close), lookup, volume, base
            )
        )
        return out

    def _skip(self, symbol: str, close: float) -> bool:
        """Leave a quiet bar out of the engine, as `run_vectorized`'s driver does
        (`jts.strategy.engine_skip`): no rule can decide on it, the symbol has no pending
        order, and it is flat or the program has no exits and no flat rule (programs with a
        selection or cells never skip). A held symbol's per-bar state is kept as the engine
        would: one more bar since entry, its close."""
        slots = self._quiet_slots
        vals = self.evaluator.values_of(symbol)
        for rule_slots in slots:
            for slot in rule_slots:
                if not vals[slot]:
                    break
            else:
                return False  # every market conjunct of this rule holds: it may decide
        sym = self.engine._symbol(symbol)
        if sym.pending is not None or (sym.position and not self._hold_skip):
            return False
        if sym.position:
            sym.bars_since_entry += 1.0
            sym.close = float(close)
        return True

    def on_tick(self, symbol: str, ts: int, price: float) -> list[OrderIntent]:
        """Take one trade print: decides the buffered bars first when the print lies after
        their interval, then returns any exit it triggers (`Engine.on_tick`)."""
        out: list[OrderIntent] = []
        if self._ts is not None and self._batch and ts >= self._ts + self.interval_ns:
            out = self.end_of_timestamp()
        intent = self.engine.on_tick(ts, symbol, float(price))
        if intent is not None:
            out.append(intent)
        return out

    def end_of_timestamp(self) -> list[OrderIntent]:
        """Decide the buffered timestamp (all its bars are in); its orders."""
        if self._ts is None or not self._batch:
            return []
        batch, self._batch = self._batch, []
        return self.engine.on_timestamp(self._ts, batch)

    def flush(self) -> list[OrderIntent]:
        """The orders of the last buffered timestamp (same as `end_of_timestamp`)."""
        return self.end_of_timestamp()


def _quiet_keys(engine: Engine) -> list[list[str]] | None:
    """The market-only conjuncts of each rule when the program lets quiet bars skip the
    engine (see `StreamingExecutor._skip`); None when it does not."""
    program = engine.program
    if program.selection is not None or engine.remainder.cells:
        return None
    keys = [list(conjuncts(rule.condition, engine)) for rule in program.rules]
    return keys if all(keys) else None


def run_streaming(
    program: Program, bars: BarFrame, *, initial_cash: float = DEFAULT_CASH
) -> list[OrderIntent]:
    """Replay `bars` through a `StreamingExecutor` in (ts, symbol) order; every order."""
    executor = StreamingExecutor(program, bars.symbols(), initial_cash=initial_cash)
    out: list[OrderIntent] = []
    for symbol, ts, fields in replay(bars):
        out += executor.on_bar(symbol, ts, *fields)
    out += executor.flush()
    return out


def replay(bars: BarFrame) -> Iterator[tuple[str, int, tuple[float, ...]]]:
    """The bars as (symbol, ts, (open, high, low, close, volume, value)) in (ts, symbol) order:
    how a live feed would deliver them, for the bar-by-bar runners."""
    symbols = np.asarray(bars["symbol"])
    ts = np.asarray(bars["ts"], dtype=np.int64)
    columns = [np.asarray(bars[f]) for f in FIELDS]
    for row in np.lexsort((symbols, ts)).tolist():
        yield str(symbols[row]), int(ts[row]), tuple(float(c[row]) for c in columns)
