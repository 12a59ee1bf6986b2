"""What every runner of the peer comparison shares: the workload, its bars, its fills, its figures.

Each runner (`run_jts.py`, `peer_*.py`) is a script started by `compare.py` in its own
interpreter, so this module needs only NumPy and pyarrow, which both virtualenvs have:

    bars = read_bars(path)                      # the Parquet file compare.py wrote, as arrays
    ...                                         # the library's backtest, timed by the runner
    report(args, "vectorbt", seconds, bars, fills, library_equity=...)

The workload (the JTS benchmark strategy, examples/strategies/sma_cross.jts): per symbol,
sma(close, 5) and sma(close, 20) over the symbol's own bars, continuous across days; buy
`QTY` shares at market when flat and fast crosses above slow (fast > slow now, fast <= slow
on the previous bar, both defined); sell the whole position at market when fast crosses
below slow (fast < slow now, fast >= slow before). An order decided at a bar's close fills
at the open of the symbol's next bar; one decided on its last bar never fills. No costs;
`CASH` KRW shared by all symbols. Final equity = cash + positions at each symbol's last close.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CASH = 100_000_000
"""KRW, shared by all symbols: the issue's figure (`--cash` changes it; README.md says why
compare.py runs with more)."""
QTY = 10
"""Shares bought on a golden cross."""
FAST, SLOW = 5, 20
"""The two SMA lengths, in bars."""

BAR_COLUMNS = ("symbol", "ts", "open", "high", "low", "close", "volume")
FILL_SCHEMA = pa.schema(
    [
        ("ts", pa.int64()),
        ("symbol", pa.string()),
        ("side", pa.string()),
        ("qty", pa.int64()),
        ("price", pa.int64()),
    ]
)
"""A fill: `ts` is the start (int ns UTC) of the bar whose open it took; `side` buy/sell."""


@dataclass(frozen=True)
class Bars:
    """The bars sorted by (symbol, ts): one contiguous slice of rows per symbol."""

    symbol: np.ndarray[Any, Any]
    ts: np.ndarray[Any, Any]
    open: np.ndarray[Any, Any]
    high: np.ndarray[Any, Any]
    low: np.ndarray[Any, Any]
    close: np.ndarray[Any, Any]
    volume: np.ndarray[Any, Any]

    def __len__(self) -> int:
        return len(self.ts)

    def slices(self) -> Iterator[tuple[str, int, int]]:
        """(symbol, first row, end row) per symbol, in symbol order."""
        sym = self.symbol
        starts = np.flatnonzero(np.r_[True, sym[1:] != sym[:-1]]) if len(sym) else []
        ends = [*starts[1:], len(sym)]
        for lo, hi in zip(starts, ends, strict=True):
            yield str(sym[lo]), int(lo), int(hi)


def read_bars(path: Path) -> Bars:
    """The bar file written by compare.py (symbol, ts int64 ns, int64 prices and volume)."""
    table = pq.read_table(path, columns=list(BAR_COLUMNS))
    cols = {name: table.column(name).to_numpy() for name in BAR_COLUMNS}
    order = np.lexsort((cols["ts"], cols["symbol"]))
    if not np.array_equal(order, np.arange(len(order))):
        cols = {name: values[order] for name, values in cols.items()}
    return Bars(**{name: np.asarray(values) for name, values in cols.items()})


@dataclass
class Fills:
    """Fills as they are collected, appended in any order (written sorted)."""

    ts: list[int]
    symbol: list[str]
    side: list[str]
    qty: list[int]
    price: list[int]

    @classmethod
    def empty(cls) -> Fills:
        return cls([], [], [], [], [])

    def add(self, ts: int, symbol: str, side: str, qty: int, price: float) -> None:
        """One fill; `price` must be a whole number of KRW (a float from a library is checked)."""
        if price != int(price):
            raise ValueError(f"fill price {price!r} of {symbol} at {ts} is not whole KRW")
        self.ts.append(int(ts))
        self.symbol.append(symbol)
        self.side.append(side)
        self.qty.append(int(qty))
        self.price.append(int(price))

    def __len__(self) -> int:
        return len(self.ts)

    def table(self) -> pa.Table:
        table = pa.table(
            [self.ts, self.symbol, self.side, self.qty, self.price], schema=FILL_SCHEMA
        )
        return table.sort_by([("symbol", "ascending"), ("ts", "ascending")])


def final_equity(fills: Fills, bars: Bars, cash: int) -> int:
    """Cash + every position at its symbol's last close, from the fills alone (exact KRW).

    Computed this one way for every runner, so the figures compare fills and not accounting;
    each runner also reports its library's own figure (`library_equity`) as a check."""
    position: dict[str, int] = {}
    for symbol, side, qty, price in zip(
        fills.symbol, fills.side, fills.qty, fills.price, strict=True
    ):
        signed = qty if side == "buy" else -qty
        cash -= signed * price
        position[symbol] = position.get(symbol, 0) + signed
    last_close = {symbol: int(bars.close[hi - 1]) for symbol, _, hi in bars.slices()}
    return cash + sum(qty * last_close[symbol] for symbol, qty in position.items())


def parse_args(description: str, extra: Sequence[tuple[str, dict[str, Any]]] = ()) -> Any:
    """--bars FILE.parquet --out fills.parquet [--cash KRW], plus a runner's own options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--bars", type=Path, required=True, help="bar file from compare.py")
    parser.add_argument("--out", type=Path, required=True, help="where to write the fills")
    parser.add_argument("--cash", type=int, default=CASH, help="initial cash, KRW")
    for flag, options in extra:
        parser.add_argument(flag, **options)
    return parser.parse_args()


def report(
    args: argparse.Namespace,
    peer: str,
    seconds: float,
    bars: Bars,
    fills: Fills,
    **extra: Any,
) -> None:
    """Write the fills to `args.out`; print the runner's JSON line (compare.py reads the last)."""
    pq.write_table(fills.table(), args.out)
    line = {
        "peer": peer,
        "seconds": seconds,
        "bars": len(bars),
        "bars_per_second": len(bars) / seconds if seconds > 0 else None,
        "fills": len(fills),
        "cash": args.cash,
        "final_equity": final_equity(fills, bars, args.cash),
        **extra,
    }
    print(json.dumps(line), flush=True)
