"""The workload on vectorbt: `Portfolio.from_signals` over all symbols, one shared cash balance.

    .venv-peers/bin/python bench/peers/peer_vectorbt.py --bars BARS.parquet --out FILLS.parquet

Input, as vectorbt wants it: wide open and close frames, one row per timestamp of any symbol,
one column per symbol, NaN where a symbol has no bar (VI halts, late opens). Timed:
  1. each symbol's bars packed to the top of its column (a bar-number grid), so that
     `vbt.MA.run(close, 5)` and `(close, 20)` average each symbol's own last bars across
     days and halts, as the workload says (a rolling mean over the time grid would restart
     after every gap);
  2. the crosses as plain comparisons of this bar's and the previous bar's averages;
  3. each signal moved to the symbol's NEXT bar (dropped after its last) and back onto the
     time grid, so that `price=open` fills it at that bar's open;
  4. `Portfolio.from_signals(close, entries, exits, price=open, size=10 shares,
     size_granularity=1, accumulate=False, direction="longonly", init_cash=cash,
     cash_sharing=True, group_by=True)`: an entry while holding and an exit while flat are
     ignored, an exit closes the whole position;
  5. the final value of the group and the order records.
vectorbt's own `crossed_above` / `ma_crossed_above` is NOT used: it needs fast to have been
strictly below slow at some bar since the series started, so the first cross after a warm-up
on which fast == slow (or fast > slow from the start) is missed, where the workload only looks
at the previous bar (`--native-cross` runs it to show the difference; README.md).
A warm-up run on a few bars first compiles the Numba kernels (not timed).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import vectorbt as vbt
from common import FAST, QTY, SLOW, Bars, Fills, parse_args, read_bars, report

Array = np.ndarray[Any, Any]


def wide(bars: Bars) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Open and close as (timestamp × symbol) frames, NaN where a symbol has no bar."""
    times, row = np.unique(bars.ts, return_inverse=True)
    names, col = np.unique(bars.symbol, return_inverse=True)
    index = pd.DatetimeIndex(pd.to_datetime(times, utc=True), name="ts")
    frames = []
    for values in (bars.open, bars.close):
        grid = np.full((len(times), len(names)), np.nan)
        grid[row, col] = values
        frames.append(pd.DataFrame(grid, index=index, columns=[str(n) for n in names]))
    return frames[0], frames[1]


def signals(close: pd.DataFrame, native: bool) -> tuple[Array, Array]:
    """Entry and exit fills on the time grid: True at the bar after the deciding bar."""
    valid = close.notna().to_numpy()
    order = np.argsort(~valid, axis=0, kind="stable")  # each column's bars first, in time order
    packed = np.take_along_axis(close.to_numpy(), order, axis=0)
    fast_ma, slow_ma = vbt.MA.run(packed, FAST), vbt.MA.run(packed, SLOW)
    fast, slow = fast_ma.ma.to_numpy(), slow_ma.ma.to_numpy()
    if native:
        up = fast_ma.ma_crossed_above(slow_ma).to_numpy()
        down = fast_ma.ma_crossed_below(slow_ma).to_numpy()
    else:
        prev_fast, prev_slow = np.roll(fast, 1, axis=0), np.roll(slow, 1, axis=0)
        prev_fast[0] = prev_slow[0] = np.nan
        up = (fast > slow) & (prev_fast <= prev_slow)
        down = (fast < slow) & (prev_fast >= prev_slow)
    packed_valid = np.take_along_axis(valid, order, axis=0)
    out = []
    for decided in (up, down):
        filled = np.zeros_like(decided)
        filled[1:] = decided[:-1] & packed_valid[1:]  # the next bar of the symbol, if any
        on_grid = np.zeros_like(filled)
        np.put_along_axis(on_grid, order, filled, axis=0)
        out.append(on_grid)
    return out[0], out[1]


def backtest(open_: pd.DataFrame, close: pd.DataFrame, cash: int, native: bool) -> vbt.Portfolio:
    entries, exits = signals(close, native)
    return vbt.Portfolio.from_signals(
        close.ffill(),  # valuation at each symbol's last close
        entries,
        exits,
        price=open_,
        size=QTY,
        size_type="amount",
        size_granularity=1,  # whole shares, should cash ever cut a buy
        direction="longonly",
        accumulate=False,
        fees=0.0,
        init_cash=cash,
        cash_sharing=True,
        group_by=True,
        max_orders=int(entries.sum() + exits.sum()),
        freq="1min",
    )


def fills_of(portfolio: vbt.Portfolio, ts: Array, names: list[str]) -> Fills:
    """The order records as fills; `ts` holds the grid's timestamps (int ns)."""
    records = portfolio.orders.values
    fills = Fills.empty()
    for rec in records:
        side = "buy" if rec["side"] == 0 else "sell"
        qty = float(rec["size"])
        if qty != int(qty):
            raise ValueError(f"fractional fill {qty} in {names[rec['col']]}")
        fills.add(int(ts[rec["idx"]]), names[rec["col"]], side, int(qty), float(rec["price"]))
    return fills


def main() -> None:
    args = parse_args(
        __doc__.splitlines()[0],
        [("--native-cross", {"action": "store_true", "help": "use vbt's ma_crossed_above"})],
    )
    bars = read_bars(args.bars)
    open_, close = wide(bars)
    times = np.unique(bars.ts)
    started = time.perf_counter()
    warm = (open_.iloc[:200].copy(), close.iloc[:200].copy())  # same layout as the real run
    backtest(*warm, args.cash, args.native_cross).final_value()
    warm_up = time.perf_counter() - started

    started = time.perf_counter()
    portfolio = backtest(open_, close, args.cash, args.native_cross)
    value = float(portfolio.final_value())
    fills = fills_of(portfolio, times, list(close.columns))
    seconds = time.perf_counter() - started
    report(
        args,
        "vectorbt" + (" (native cross)" if args.native_cross else ""),
        seconds,
        bars,
        fills,
        library_equity=value,
        version=vbt.__version__,
        warm_up_seconds=warm_up,
    )


if __name__ == "__main__":
    main()
