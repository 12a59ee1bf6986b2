"""The workload as a plain Python loop: the reference a reader can check line by line.

    .venv-peers/bin/python bench/peers/peer_pyloop.py --bars BARS.parquet --out FILLS.parquet

Rows are visited in (ts, symbol) order, as a live feed delivers them, with ONE cash balance
for all symbols, so this runner also shows whether cash binds (it reports the lowest cash
reached and how many buys cash cut). Per timestamp, like JTS's engine: first every pending
order of the symbols with a bar fills at this bar's open (a buy cut to the shares the cash
pays for), then each symbol's two running sums take its close and the rules decide, in symbol
order (a buy also cut to what the cash left after the earlier buys of this timestamp pays at
this close). The cuts never happen when cash does not bind. Sums are Python ints, so each
mean is the correctly rounded quotient of an exact sum, like every other runner's.
Timed: the loop over the rows (the arrays are turned into Python lists beforehand).
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

import numpy as np
from common import FAST, QTY, SLOW, Bars, Fills, parse_args, read_bars, report


class _Symbol:
    """One symbol's running state."""

    __slots__ = ("fast_sum", "pending", "position", "prev_fast", "prev_slow", "slow_sum", "window")

    def __init__(self) -> None:
        self.window: deque[int] = deque(maxlen=SLOW)
        self.fast_sum = 0
        self.slow_sum = 0
        self.prev_fast: float | None = None
        self.prev_slow: float | None = None
        self.position = 0
        self.pending: tuple[str, int] | None = None

    def crosses(self, close: int) -> tuple[bool, bool]:
        """Take this bar's close; (golden cross, dead cross) on this bar."""
        window = self.window
        if len(window) >= FAST:
            self.fast_sum -= window[-FAST]
        if len(window) == SLOW:
            self.slow_sum -= window[0]
        window.append(close)
        self.fast_sum += close
        self.slow_sum += close
        if len(window) < SLOW:
            return False, False
        fast, slow = self.fast_sum / FAST, self.slow_sum / SLOW
        prev_fast, prev_slow = self.prev_fast, self.prev_slow
        self.prev_fast, self.prev_slow = fast, slow
        if prev_fast is None or prev_slow is None:
            return False, False
        return fast > slow and prev_fast <= prev_slow, fast < slow and prev_fast >= prev_slow


class Account:
    """The shared cash, the fills, and how often cash bound."""

    def __init__(self, cash: int) -> None:
        self.cash = self.min_cash = cash
        self.cut = 0
        self.fills = Fills.empty()

    def fill(self, ts: int, symbol: str, st: _Symbol, price: int) -> None:
        """The symbol's pending order at `price` (this bar's open)."""
        assert st.pending is not None
        side, qty = st.pending
        st.pending = None
        if side == "buy":
            self.cut += qty > self.cash // price
            qty = min(qty, self.cash // price)
            self.cash -= qty * price
            st.position += qty
            self.min_cash = min(self.min_cash, self.cash)
        else:
            self.cash += qty * price
            st.position -= qty
        if qty:
            self.fills.add(ts, symbol, side, qty, price)

    def decide(self, st: _Symbol, close: int, reserved: int) -> int:
        """Place the symbol's order for the next bar; the cash this timestamp has reserved."""
        up, down = st.crosses(close)
        if st.position == 0 and up:
            qty = min(QTY, (self.cash - reserved) // close)
            self.cut += qty < QTY
            if qty > 0:
                st.pending = ("buy", qty)
                reserved += qty * close
        elif st.position > 0 and down:
            st.pending = ("sell", st.position)
        return reserved


def run(rows: tuple[list[Any], ...], cash: int) -> Account:
    """The workload over rows (symbol, ts, open, close lists) in (ts, symbol) order."""
    symbols, stamps, opens, closes = rows
    account = Account(cash)
    state = {s: _Symbol() for s in set(symbols)}
    n, lo = len(stamps), 0
    while lo < n:
        ts = stamps[lo]
        hi = lo + 1
        while hi < n and stamps[hi] == ts:
            hi += 1
        for i in range(lo, hi):
            st = state[symbols[i]]
            if st.pending is not None:
                account.fill(ts, symbols[i], st, opens[i])
        reserved = 0
        for i in range(lo, hi):
            reserved = account.decide(state[symbols[i]], closes[i], reserved)
        lo = hi
    return account


def rows_in_time_order(bars: Bars) -> tuple[list[Any], ...]:
    order = np.lexsort((bars.symbol, bars.ts))
    return tuple(getattr(bars, f)[order].tolist() for f in ("symbol", "ts", "open", "close"))


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    bars = read_bars(args.bars)
    rows = rows_in_time_order(bars)
    started = time.perf_counter()
    account = run(rows, args.cash)
    seconds = time.perf_counter() - started
    extra = {"library_equity": None, "min_cash": account.min_cash, "buys_cut_by_cash": account.cut}
    report(args, "plain Python loop", seconds, bars, account.fills, **extra)


if __name__ == "__main__":
    main()
