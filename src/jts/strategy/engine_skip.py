"""`run_vectorized`'s driver of the engine: it feeds only the bars on which something can happen.

A bar of a symbol is *quiet* when every rule's condition has a top-level `and` conjunct that is
market-only (an id of the split, read from the vectorized arrays) and False on it: no rule can
decide there, whatever the position. The driver leaves a quiet bar out of
`Engine.on_timestamp` when leaving it out changes nothing observable:

* the symbol has no pending order (a pending order fills on the symbol's next bar, which is
  therefore always fed), and
* the timestamp does not re-rank a selection (a re-rank scores every symbol with a bar; the
  selection schedule itself still sees every timestamp: one is fed even when empty), and
* the symbol is flat, or the program has no exits and no end-of-day flat. A held symbol's
  other per-bar state is then either unobservable (the trailing peak, the day tracker) or
  derived: `bars_since_entry` is caught up from row indices when the symbol is next fed, and
  equity reads every held symbol's last close at the timestamp from the arrays
  (`Engine.close_of`).

A program with cells (indicators or lookbacks over position or selection series,
`jts.strategy.engine_eval`) is fed every bar: a cell must see each one.

Symbols are registered with the engine in the order the streaming executor first meets them
(first bar's ts, then code), so that equity sums positions in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from jts.strategy.engine import BarInput, Engine, OrderIntent
from jts.strategy.engine_eval import NAN, Selector
from jts.strategy.lang.ast import Program
from jts.strategy.lang.expr import Binary, BinaryOp, Expr, LetRef

Array = npt.NDArray[Any]


def conjuncts(expr: Expr, engine: Engine) -> Iterator[str]:
    """The market-only bool ids among the top-level `and` conjuncts of `expr`."""
    remainder = engine.remainder
    key = remainder.split.id_of(expr)
    if key is not None:
        if remainder.bools[key]:
            yield key
    elif isinstance(expr, Binary) and expr.op is BinaryOp.AND:
        yield from conjuncts(expr.left, engine)
        yield from conjuncts(expr.right, engine)
    elif isinstance(expr, LetRef):
        yield from conjuncts(engine.program.let(expr.name), engine)


def quiet_rows(engine: Engine, arrays: dict[str, Array], n: int) -> Array:
    """True on the rows where no rule's condition can be true (module docstring)."""
    quiet = np.ones(n, dtype=np.bool_)
    for rule in engine.program.rules:
        rule_quiet = np.zeros(n, dtype=np.bool_)
        for key in conjuncts(rule.condition, engine):
            rule_quiet |= ~np.asarray(arrays[key]).astype(np.bool_)
        quiet &= rule_quiet
    return quiet


def _due(program: Program, stamps: list[int]) -> list[bool]:
    """Whether each timestamp re-ranks (a selector of its own, same schedule)."""
    if program.selection is None:
        return [False] * len(stamps)
    selector = Selector(program)
    return [selector.due(t) for t in stamps]


class Driver:
    """Feeds `engine` the bars of a sorted frame that can change something (module doc)."""

    def __init__(
        self,
        engine: Engine,
        symbols: Array,
        ts: Array,
        prices: dict[str, Array],
        arrays: dict[str, Array],
    ) -> None:
        self.engine = engine
        self.ts = ts
        self.prices = prices
        self.arrays = arrays
        n = len(ts)
        starts = np.flatnonzero(np.r_[True, symbols[1:] != symbols[:-1]])
        self.codes = [str(s) for s in symbols[starts]]
        self.sid = (np.cumsum(np.r_[True, symbols[1:] != symbols[:-1]]) - 1).tolist()
        self.starts = starts.tolist()
        self.ends = np.r_[starts[1:], n].tolist()
        self.index = {code: i for i, code in enumerate(self.codes)}
        program = engine.program
        every_bar = bool(engine.remainder.cells)  # cells see every bar of every symbol
        flat = program.flat is None or program.bar_minutes is None
        self.hold_skip = not program.exits and flat and not every_bar
        self.order = np.lexsort((symbols, ts))
        self.quiet = quiet_rows(engine, arrays, n)
        if every_bar:
            self.quiet[:] = False
        self.last = [-1] * len(self.codes)
        self.now = 0
        first = sorted(range(len(self.codes)), key=lambda i: (int(ts[starts[i]]), self.codes[i]))
        engine.register([self.codes[i] for i in first])
        if self.hold_skip:
            engine.close_of = self._close_of

    def _close_of(self, code: str) -> float:
        """The close of `code`'s last bar at or before the current timestamp."""
        i = self.index[code]
        lo, hi = self.starts[i], self.ends[i]
        row = lo + int(np.searchsorted(self.ts[lo:hi], self.now, side="right")) - 1
        return float(self.prices["close"][row])

    def run(self) -> list[OrderIntent]:
        ts_sorted = self.ts[self.order]
        group = np.flatnonzero(np.r_[True, ts_sorted[1:] != ts_sorted[:-1]])
        stamps: list[int] = ts_sorted[group].tolist()
        bounds: list[int] = np.r_[group, len(ts_sorted)].tolist()
        active = self.order[~self.quiet[self.order]]
        ends = np.r_[stamps, np.iinfo(np.int64).max].astype(np.int64)
        active_bounds: Array = np.asarray(np.searchsorted(self.ts[active], ends))
        due = _due(self.engine.program, stamps)
        feed_empty = self.engine.selector is not None
        forced: dict[int, list[int]] = {}
        out: list[OrderIntent] = []
        a_bounds: list[int] = active_bounds.tolist()
        for k, stamp in enumerate(stamps):
            if due[k]:
                rows = self.order[bounds[k] : bounds[k + 1]].tolist()
                forced.pop(stamp, None)
            else:
                rows = active[a_bounds[k] : a_bounds[k + 1]].tolist()
                extra = forced.pop(stamp, None)
                if extra:
                    rows = sorted(set(rows).union(extra))
            if rows or feed_empty:
                out += self._timestamp(stamp, rows, forced)
        return out

    def _timestamp(
        self, stamp: int, rows: list[int], forced: dict[int, list[int]]
    ) -> list[OrderIntent]:
        engine, sid, last = self.engine, self.sid, self.last
        self.now = stamp
        batch: list[BarInput] = []
        for row in rows:
            i = sid[row]
            sym = engine.symbols[self.codes[i]]
            if sym.position:
                sym.bars_since_entry += float(row - last[i] - 1)
            last[i] = row
            batch.append(self._bar(row, self.codes[i]))
        out = engine.on_timestamp(stamp, batch)
        for row in rows:
            i = sid[row]
            sym = engine.symbols[self.codes[i]]
            if sym.pending is not None or (sym.position and not self.hold_skip):
                nxt = row + 1
                if nxt < self.ends[i]:
                    forced.setdefault(int(self.ts[nxt]), []).append(nxt)
        return out

    def _bar(self, row: int, code: str) -> BarInput:
        prices, arrays = self.prices, self.arrays
        volume, base = prices.get("volume"), prices.get("base")
        return BarInput(
            code,
            float(prices["open"][row]),
            float(prices["high"][row]),
            float(prices["low"][row]),
            float(prices["close"][row]),
            lambda key: arrays[key][row],
            NAN if volume is None else float(volume[row]),
            NAN if base is None else float(base[row]),
        )
