"""Evaluation of the market-only part of a strategy program, vectorized or bar by bar.

    split = split_program(program)              # the market-only sub-expressions and ids
    arrays = evaluate_vector(program, bars)     # id -> array aligned with the frame's rows
    ev = StreamEvaluator(program, symbols)      # per bar: ev.on_bar(...); ev.value(id, sym)

Both give the same values, bit for bit. Semantics, defined once for both:

* Numbers (and times of day, as minutes since KST midnight) are float64; NaN means undefined
  (warm-up, before a lookback's start, division by zero: `x / 0` is NaN).
* Conditions are bool; an undefined condition is False. Comparisons with a NaN side are False
  (`!=` included); `and`, `or`, `not` take conditions only; `between` is inclusive at both ends.
* `if c then a else b` picks per bar; both branches are always evaluated (indicator states
  advance on every bar whatever the condition).
* `abs`, `min`, `max`: NaN when an argument is NaN; on equal values `min`/`max` return the
  first argument.
* `x[n]` is x n bars of the same symbol ago (bars, not valid bars), NaN / False before the
  symbol's first bar. Indicators run continuously across days within a symbol, never across
  symbols, with the NaN policy of `jts.strategy.indicators.spec`.
* `value_when(c, x)` is x on the latest bar where c was true (this bar included), NaN before.
* Calendar series (`time`, `first_bar_of_day`, `bar_of_day`, `last_bar_of_day`,
  `day_of_week`, `days_to_year_end`): see `series`. Days are KST dates; `vwap` resets on
  `first_bar_of_day`.

Position-state and selection series are not evaluated here: the executor evaluates the
remainder of each expression around the ids of `split_program`.
"""

from jts.strategy.evaluate.split import (
    Graph,
    MarketExpr,
    Split,
    build_graph,
    is_market_only,
    split_program,
)
from jts.strategy.evaluate.stream import StreamEvaluator
from jts.strategy.evaluate.vector import evaluate_vector

__all__ = [
    "Graph",
    "MarketExpr",
    "Split",
    "StreamEvaluator",
    "build_graph",
    "evaluate_vector",
    "is_market_only",
    "split_program",
]
