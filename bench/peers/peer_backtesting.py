"""The workload on Backtesting.py: one `Backtest` per symbol (the library is single-asset).

    .venv-peers/bin/python bench/peers/peer_backtesting.py --bars BARS.parquet --out FILLS.parquet

Each symbol gets `Backtest(frame, SmaCross, cash=..., commission=0, trade_on_close=False,
finalize_trades=False)`: market orders fill at the next bar's open, an order placed on the
last bar is never processed, and a position still open at the end stays open and is valued at
the last close (`Equity Final [$]`). The averages are `self.I(...)` over pandas'
`rolling(n).mean()`, as in the library's own tutorial. Backtesting.py starts calling `next`
on the first bar on which every indicator is defined (bar 20 here, counting from 0) — exactly
the first bar on which the workload can see a cross, since the previous bar's slow average is
then defined too. Each Backtest has its own `cash`; the symbols' profits are added up on one
balance, the same backtest as long as cash never binds (README.md).
`backtesting.lib.crossover` is NOT used: it needs fast STRICTLY below slow on the previous
bar (`a[-2] < b[-2]`), where the workload takes fast <= slow (`--native-cross` runs it).
Timed: building each Backtest from its ready frame and `run()`, which also computes the
library's statistics for every symbol.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

os.environ.setdefault("TQDM_DISABLE", "1")  # Backtest.run's progress bar, one per symbol

import backtesting
import numpy as np
import pandas as pd
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from common import FAST, QTY, SLOW, Bars, Fills, parse_args, read_bars, report


def sma(values: Any, n: int) -> pd.Series:
    return pd.Series(values).rolling(n).mean()


class SmaCross(Strategy):  # type: ignore[misc]
    fast_n = FAST
    slow_n = SLOW
    native = False

    def init(self) -> None:
        self.fast = self.I(sma, self.data.Close, self.fast_n)
        self.slow = self.I(sma, self.data.Close, self.slow_n)

    def next(self) -> None:
        fast, slow = self.fast, self.slow
        if self.native:
            up, down = crossover(fast, slow), crossover(slow, fast)
        else:
            up = fast[-1] > slow[-1] and fast[-2] <= slow[-2]
            down = fast[-1] < slow[-1] and fast[-2] >= slow[-2]
        size = self.position.size
        if size == 0 and up:
            self.buy(size=QTY)
        elif size > 0 and down:
            self.position.close()


def frames(bars: Bars) -> dict[str, pd.DataFrame]:
    """One OHLCV frame per symbol, as Backtesting.py wants it (naive UTC DatetimeIndex)."""
    out = {}
    for symbol, lo, hi in bars.slices():
        index = pd.to_datetime(bars.ts[lo:hi], utc=True).tz_localize(None)
        columns = {
            name.capitalize(): getattr(bars, name)[lo:hi].astype(np.float64)
            for name in ("open", "high", "low", "close", "volume")
        }
        out[symbol] = pd.DataFrame(columns, index=index)
    return out


def trade_fills(fills: Fills, symbol: str, stamps: Any, strategy: Any) -> None:
    """Every entry and exit of the symbol's trades, closed or still open, as fills."""
    for trade in [*strategy.closed_trades, *strategy.trades]:
        qty = abs(trade.size)
        fills.add(stamps[trade.entry_bar], symbol, "buy", qty, trade.entry_price)
        if trade.exit_bar is not None:
            fills.add(stamps[trade.exit_bar], symbol, "sell", qty, trade.exit_price)


def backtest(
    data: dict[str, pd.DataFrame], stamps: dict[str, Any], cash: int, native: bool
) -> tuple[Fills, float]:
    fills = Fills.empty()
    equity = float(cash)
    for symbol, frame in data.items():
        engine = Backtest(
            frame,
            SmaCross,
            cash=cash,
            commission=0.0,
            trade_on_close=False,
            finalize_trades=False,
        )
        stats = engine.run(native=native)
        equity += float(stats["Equity Final [$]"]) - cash
        trade_fills(fills, symbol, stamps[symbol], stats["_strategy"])
    return fills, equity


def main() -> None:
    args = parse_args(
        __doc__.splitlines()[0],
        [("--native-cross", {"action": "store_true", "help": "use backtesting.lib.crossover"})],
    )
    bars = read_bars(args.bars)
    data = frames(bars)
    stamps = {s: bars.ts[lo:hi] for s, lo, hi in bars.slices()}
    warnings.filterwarnings("ignore", message="Some trades remain open")
    started = time.perf_counter()
    fills, equity = backtest(data, stamps, args.cash, args.native_cross)
    seconds = time.perf_counter() - started
    report(
        args,
        "Backtesting.py" + (" (native cross)" if args.native_cross else ""),
        seconds,
        bars,
        fills,
        library_equity=equity,
        version=backtesting.__version__,
    )


if __name__ == "__main__":
    main()
