"""The workload on backtrader: `Cerebro`, a `Strategy` with two `bt.ind.SMA` per feed, the
default broker (market orders fill at the next bar's open, no cheat-on-close or -on-open).

    .venv-peers/bin/python bench/peers/peer_backtrader.py --bars BARS.parquet --out FILLS.parquet \
        [--mode one-cerebro|per-symbol] [--feed array|pandas] [--native-cross]

`--mode one-cerebro` (default) puts all symbols in ONE Cerebro, one feed each, with one
broker holding the shared cash: backtrader steps through the union of the feeds'
timestamps and calls `next` once per timestamp, so the strategy acts only on the feeds that
got a bar. `--mode per-symbol` runs one Cerebro per symbol, each with the whole cash, and adds
up their profits: the same fills while cash never binds, and no faster (README.md has both
timings), so the faithful shared-cash form is the default.
Timed: building the Cerebro(s) from ready rows and `cerebro.run()` (which copies the bars
into backtrader's line buffers through a minimal `ArrayFeed`, see below).
`bt.ind.CrossOver` is NOT used: it compares with the last NON-ZERO difference of the two
averages, so a bar with fast == slow never counts as the "before" of a cross, where the
workload takes fast <= slow on the previous bar (`--native-cross` runs it; README.md).
"""

from __future__ import annotations

import time
from typing import Any

import backtrader as bt
import numpy as np
import pandas as pd
from common import FAST, QTY, SLOW, Bars, Fills, parse_args, read_bars, report


class SmaCross(bt.Strategy):  # type: ignore[misc]
    """Buy QTY when flat on a golden cross, close on a dead cross; one feed or many."""

    params = (("fills", None), ("stamps", None), ("native", False))

    def __init__(self) -> None:
        self.fast = [bt.ind.SMA(d.close, period=FAST) for d in self.datas]
        self.slow = [bt.ind.SMA(d.close, period=SLOW) for d in self.datas]
        if self.p.native:
            self.cross = [bt.ind.CrossOver(f, s) for f, s in zip(self.fast, self.slow, strict=True)]
        self.seen = [0] * len(self.datas)

    def prenext(self) -> None:
        self.next()  # with many feeds, some are warm before the slowest one is

    def next(self) -> None:
        for i, d in enumerate(self.datas):
            n = len(d)
            if n == self.seen[i]:
                continue  # this feed has no bar at this timestamp
            self.seen[i] = n
            if n <= SLOW:
                continue  # slow average not yet defined on the previous bar
            position = self.getposition(d).size
            if self.p.native:
                up, down = self.cross[i][0] > 0, self.cross[i][0] < 0
            else:
                fast, slow = self.fast[i], self.slow[i]
                up = fast[0] > slow[0] and fast[-1] <= slow[-1]
                down = fast[0] < slow[0] and fast[-1] >= slow[-1]
            if position == 0 and up:
                self.buy(data=d, size=QTY)
            elif position > 0 and down:
                self.close(data=d)

    def notify_order(self, order: Any) -> None:
        if order.status != order.Completed:
            return
        d = order.data
        ts = self.p.stamps[d._name][len(d) - 1]  # the bar the order filled on
        side = "buy" if order.isbuy() else "sell"
        self.p.fills.add(ts, d._name, side, abs(order.executed.size), order.executed.price)


class ArrayFeed(bt.feed.DataBase):  # type: ignore[misc]
    """A feed from ready (datetime, open, high, low, close, volume) rows.

    backtrader copies every bar into its line buffers when `cerebro.run()` preloads the
    feeds; the stock `PandasData` does that with one pandas `.iloc` per cell, which made the
    run 1.8-3x slower under pandas 3 (README.md; `--feed pandas`). This feed does the same
    copy from Python tuples, so the figure is backtrader's engine, not pandas indexing."""

    params = (("rows", ()),)

    def start(self) -> None:
        super().start()
        self._rows = iter(self.p.rows)

    def _load(self) -> bool:
        row = next(self._rows, None)
        if row is None:
            return False
        lines = self.lines
        lines.datetime[0], lines.open[0], lines.high[0], lines.low[0] = row[:4]
        lines.close[0], lines.volume[0] = row[4:]
        lines.openinterest[0] = 0.0
        return True


def feed_rows(bars: Bars) -> dict[str, list[tuple[float, ...]]]:
    """Each symbol's bars as rows, `ts` as backtrader's float day number of naive UTC."""
    times, inverse = np.unique(bars.ts, return_inverse=True)
    stamps = pd.to_datetime(times, utc=True).tz_localize(None).to_pydatetime()
    days = np.array([bt.date2num(t) for t in stamps])[inverse]
    columns = [days, *(getattr(bars, f).astype(np.float64) for f in ("open", "high", "low"))]
    columns += [bars.close.astype(np.float64), bars.volume.astype(np.float64)]
    return {
        symbol: list(zip(*(c[lo:hi].tolist() for c in columns), strict=True))
        for symbol, lo, hi in bars.slices()
    }


def pandas_frames(bars: Bars) -> dict[str, pd.DataFrame]:
    """Each symbol's bars as the stock `PandasData` wants them (`--feed pandas`)."""
    out = {}
    for symbol, lo, hi in bars.slices():
        index = pd.to_datetime(bars.ts[lo:hi], utc=True).tz_localize(None)
        columns = ("open", "high", "low", "close", "volume")
        values = {f: getattr(bars, f)[lo:hi].astype(np.float64) for f in columns}
        out[symbol] = pd.DataFrame(values, index=index)
    return out


def cerebro(data: dict[str, Any], fills: Fills, stamps: dict, cash: int, native: bool) -> Any:
    engine = bt.Cerebro(stdstats=False)
    engine.broker.setcash(cash)
    for symbol, rows in data.items():
        if isinstance(rows, pd.DataFrame):
            feed = bt.feeds.PandasData(dataname=rows, timeframe=bt.TimeFrame.Minutes)
        else:
            feed = ArrayFeed(rows=rows, timeframe=bt.TimeFrame.Minutes, compression=1)
        engine.adddata(feed, name=symbol)
    engine.addstrategy(SmaCross, fills=fills, stamps=stamps, native=native)
    return engine


def backtest(
    data: dict[str, Any], stamps: dict, cash: int, mode: str, native: bool
) -> tuple[Fills, float]:
    """Fills and final equity on one `cash` balance (the profits of each Cerebro added up)."""
    fills = Fills.empty()
    groups = [data] if mode == "one-cerebro" else [{s: f} for s, f in data.items()]
    equity = float(cash)
    for group in groups:
        engine = cerebro(group, fills, stamps, cash, native)
        engine.run()
        equity += engine.broker.getvalue() - cash
    return fills, equity


def main() -> None:
    args = parse_args(
        __doc__.splitlines()[0],
        [
            ("--mode", {"choices": ["one-cerebro", "per-symbol"], "default": "one-cerebro"}),
            ("--native-cross", {"action": "store_true", "help": "use bt.ind.CrossOver"}),
            ("--feed", {"choices": ["array", "pandas"], "default": "array"}),
        ],
    )
    bars = read_bars(args.bars)
    data = feed_rows(bars) if args.feed == "array" else pandas_frames(bars)
    stamps = {s: bars.ts[lo:hi].tolist() for s, lo, hi in bars.slices()}
    started = time.perf_counter()
    fills, equity = backtest(data, stamps, args.cash, args.mode, args.native_cross)
    seconds = time.perf_counter() - started
    options = [args.mode, *(["native cross"] if args.native_cross else [])]
    options += ["PandasData feed"] if args.feed == "pandas" else []
    label = f"backtrader ({', '.join(options)})"
    report(
        args,
        label,
        seconds,
        bars,
        fills,
        library_equity=equity,
        version=bt.__version__,
        mode=args.mode,
        feed=args.feed,
    )


if __name__ == "__main__":
    main()
