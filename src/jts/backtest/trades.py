"""Fills → round trips: FIFO matching per symbol, exact in KRW.

A trader reads a backtest by its trades, not its fills, so this module turns the runners' fill
list into closed round trips and the positions still open at the end.

Matching, per symbol, in fill order:

- A fill in the position's direction (or from flat) opens a *lot*. A buy from flat opens a long,
  a sell from flat a short.
- A fill against the position closes the oldest lots first (FIFO). If it is larger than the
  position, the rest opens a lot in the other direction (the position flips).
- One round trip is the quantity one order closed: consecutive closing fills of the same
  symbol and the same (non-empty) order id are merged, so an exit filled in three pieces is one
  trade, not three. Its `entry_price` and `exit_price` are quantity-weighted averages of the
  matched lots and of the closing fills; `entry_ts` is the oldest matched lot's fill time,
  `exit_ts` the last closing fill's; `holding_seconds` is the whole seconds between them.
- Costs (commission + tax) follow the shares: a fill of `q` shares with cost `c` gives its first
  `k` shares `c * k // q` and every later slice the difference of those floors, so the slices of
  one fill add up to `c` exactly and no won is created or lost by rounding.

Hence, exactly in integers: the sum of round-trip `pnl` plus, for each open position, its
cash flow so far (−`cost_basis` − `costs` for a long, +`cost_basis` − `costs` for a short) equals
the net cash flow of all fills. Tests hold this as a property.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from jts.core.errors import InvalidInput

FILL_COLUMNS = ("ts", "symbol", "side", "qty", "price", "commission", "tax", "order_id")

TRADE_SCHEMA: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "side": pl.String(),
    "entry_ts": pl.Int64(),
    "exit_ts": pl.Int64(),
    "qty": pl.Int64(),
    "entry_price": pl.Float64(),
    "exit_price": pl.Float64(),
    "pnl": pl.Int64(),
    "costs": pl.Int64(),
    "return_pct": pl.Float64(),
    "holding_seconds": pl.Int64(),
}
"""Round trips: `side` is "long"/"short"; `pnl` and `costs` are KRW net of all allocated
commission and tax; `return_pct` is `pnl / (entry_price * qty)` as a fraction (0.05 = 5 %)."""

OPEN_POSITION_SCHEMA: dict[str, pl.DataType] = {
    "symbol": pl.String(),
    "side": pl.String(),
    "qty": pl.Int64(),
    "entry_ts": pl.Int64(),
    "entry_price": pl.Float64(),
    "cost_basis": pl.Int64(),
    "costs": pl.Int64(),
}
"""Positions open after the last fill: `qty` is positive shares, `cost_basis` is the KRW value of
the remaining lots at their fill prices, `costs` the entry commission and tax still carried."""

_NS_PER_SECOND = 1_000_000_000
_SIGN = {"buy": 1, "sell": -1}


@dataclass(slots=True)
class _Lot:
    """One fill being consumed share by share; `used` shares are already matched."""

    ts: int
    price: int
    qty: int
    cost: int
    used: int = 0

    @property
    def left(self) -> int:
        return self.qty - self.used

    def take(self, shares: int) -> int:
        """Consume `shares`; returns their cost share (cumulative floors: slices sum exactly)."""
        before = self.cost * self.used // self.qty
        self.used += shares
        return self.cost * self.used // self.qty - before

    def cost_left(self) -> int:
        return self.cost - self.cost * self.used // self.qty


@dataclass(slots=True)
class _Exit:
    """A round trip being accumulated from one order's closing fills."""

    symbol: str
    direction: int
    order_id: str
    entry_ts: int
    exit_ts: int
    qty: int = 0
    entry_value: int = 0
    exit_value: int = 0
    costs: int = 0

    def row(self) -> dict[str, object]:
        pnl = self.direction * (self.exit_value - self.entry_value) - self.costs
        return {
            "symbol": self.symbol,
            "side": "long" if self.direction > 0 else "short",
            "entry_ts": self.entry_ts,
            "exit_ts": self.exit_ts,
            "qty": self.qty,
            "entry_price": self.entry_value / self.qty,
            "exit_price": self.exit_value / self.qty,
            "pnl": pnl,
            "costs": self.costs,
            "return_pct": pnl / self.entry_value if self.entry_value else None,
            "holding_seconds": (self.exit_ts - self.entry_ts) // _NS_PER_SECOND,
        }


@dataclass(slots=True)
class _Book:
    """One symbol's open lots (all in `direction`: +1 long, −1 short, 0 flat)."""

    symbol: str
    direction: int = 0
    lots: deque[_Lot] = field(default_factory=deque)
    pending: _Exit | None = None
    open_qty: int = 0

    def apply(self, sign: int, lot: _Lot, order_id: str, closed: list[_Exit]) -> None:
        closing = self.direction == -sign
        if self.pending is not None and (not closing or order_id != self.pending.order_id):
            self.flush(closed)
        if not closing:
            self._open(sign, lot)
            return
        self._close(lot, order_id)
        if lot.left:  # the fill was larger than the position: the rest opens the other way
            self.flush(closed)
            self._open(sign, lot)
        elif not self.open_qty:
            self.direction = 0

    def _open(self, sign: int, lot: _Lot) -> None:
        self.direction = sign
        self.lots.append(lot)
        self.open_qty += lot.left

    def flush(self, closed: list[_Exit]) -> None:
        if self.pending is not None:
            closed.append(self.pending)
            self.pending = None

    def _close(self, lot: _Lot, order_id: str) -> None:
        shares = min(lot.qty, self.open_qty)
        self.open_qty -= shares
        exit_ = self.pending or _Exit(
            self.symbol, self.direction, order_id, self.lots[0].ts, lot.ts
        )
        exit_.exit_ts = lot.ts
        exit_.qty += shares
        exit_.exit_value += lot.price * shares
        exit_.costs += lot.take(shares)
        while shares:
            oldest = self.lots[0]
            part = min(oldest.left, shares)
            exit_.entry_value += oldest.price * part
            exit_.costs += oldest.take(part)
            shares -= part
            if not oldest.left:
                self.lots.popleft()
        self.pending = exit_

    def open_row(self) -> dict[str, object] | None:
        qty = sum(lot.left for lot in self.lots)
        if not qty:
            return None
        basis = sum(lot.price * lot.left for lot in self.lots)
        return {
            "symbol": self.symbol,
            "side": "long" if self.direction > 0 else "short",
            "qty": qty,
            "entry_ts": self.lots[0].ts,
            "entry_price": basis / qty,
            "cost_basis": basis,
            "costs": sum(lot.cost_left() for lot in self.lots),
        }


def _match(fills: pl.DataFrame) -> tuple[list[_Exit], dict[str, _Book]]:
    """Run every fill through its symbol's book; returns closed round trips and the books."""
    missing = [name for name in FILL_COLUMNS if name not in fills.columns]
    if missing:
        raise InvalidInput("fills", f"missing columns {', '.join(missing)}")
    ordered = fills.sort("ts", maintain_order=True)
    books: dict[str, _Book] = {}
    closed: list[_Exit] = []
    columns = [ordered[name].to_list() for name in FILL_COLUMNS]
    for index, row in enumerate(zip(*columns, strict=True)):
        ts, symbol, side, qty, price, commission, tax, order_id = row
        sign = _SIGN.get(str(side).lower())
        if sign is None:
            raise InvalidInput("fills.side", f"{side!r} is neither 'buy' nor 'sell'")
        if qty <= 0 or price <= 0:
            raise InvalidInput("fills", f"qty and price must be positive (got {qty} @ {price})")
        book = books.get(symbol)
        if book is None:
            book = books[symbol] = _Book(symbol)
        # An empty order id never merges: each such closing fill is a round trip of its own.
        book.apply(sign, _Lot(ts, price, qty, commission + tax), order_id or f"\0{index}", closed)
    for book in books.values():
        book.flush(closed)
    return closed, books


def round_trips(fills: pl.DataFrame) -> pl.DataFrame:
    """Closed round trips (schema `TRADE_SCHEMA`), ordered by exit time then symbol.

    Symbols are independent: those whose fills alternate a buy from flat and a sell of the
    same quantity are computed in columns (`_alternating`), the others by the FIFO walk."""
    fast, others = _alternating(fills)
    if fast is None:
        return walk_round_trips(fills)
    if others:
        rest = walk_round_trips(fills.filter(pl.col("symbol").is_in(others)))
        fast = pl.concat([fast, rest])
    return fast.sort(["exit_ts", "symbol"], maintain_order=True)


def walk_round_trips(fills: pl.DataFrame) -> pl.DataFrame:
    """`round_trips` by the FIFO walk alone (the general path; tests compare the fast one)."""
    closed, _ = _match(fills)
    frame = pl.DataFrame([exit_.row() for exit_ in closed], schema=TRADE_SCHEMA, orient="row")
    return frame.sort(["exit_ts", "symbol"], maintain_order=True)


def _alternating(fills: pl.DataFrame) -> tuple[pl.DataFrame | None, list[str]]:
    """The round trips, in columns, of the symbols whose fills alternate a buy from flat and a
    sell of exactly that quantity (what whole-position long-only strategies produce), and the
    other symbols; (None, []) when the frame does not qualify at all. The same numbers as the
    FIFO walk: each trip is one buy and one sell, each fill's whole cost goes to its trip, and
    the divisions are of exact integers below 2**53."""
    if fills.is_empty() or any(name not in fills.columns for name in FILL_COLUMNS):
        return None, []
    ordered = fills.with_row_index("_row").sort(["symbol", "ts", "_row"])
    side = ordered["side"].to_numpy()
    qty = ordered["qty"].to_numpy().astype(np.int64)
    if not np.isin(side, ("buy", "sell")).all() or (qty <= 0).any():
        return None, []
    if (ordered["price"].to_numpy() <= 0).any():
        return None, []
    symbol = ordered["symbol"].to_numpy()
    rows = np.arange(len(side))
    first = np.r_[True, symbol[1:] != symbol[:-1]]
    k = rows - np.maximum.accumulate(np.where(first, rows, 0))
    buy = side == "buy"
    bad = buy != (k % 2 == 0)
    sells = np.flatnonzero(~buy & ~bad)
    bad[sells] |= qty[sells] != qty[sells - 1]
    others = sorted({str(code) for code in symbol[bad]})
    keep = ~np.isin(symbol, others) if others else np.ones(len(side), dtype=bool)
    sells = np.flatnonzero(~buy & keep)
    ts = ordered["ts"].to_numpy().astype(np.int64)
    price = ordered["price"].to_numpy().astype(np.int64)
    cost = (ordered["commission"].to_numpy() + ordered["tax"].to_numpy()).astype(np.int64)
    buys, n = sells - 1, qty[sells]
    entry_value, exit_value = price[buys] * n, price[sells] * n
    costs = cost[buys] + cost[sells]
    pnl = exit_value - entry_value - costs
    frame = pl.DataFrame(
        {
            "symbol": symbol[sells],
            "side": np.full(len(sells), "long", dtype=object),
            "entry_ts": ts[buys],
            "exit_ts": ts[sells],
            "qty": n,
            "entry_price": entry_value / n,
            "exit_price": exit_value / n,
            "pnl": pnl,
            "costs": costs,
            "return_pct": pnl / entry_value,
            "holding_seconds": (ts[sells] - ts[buys]) // _NS_PER_SECOND,
        },
        schema=TRADE_SCHEMA,
    )
    return frame, others


def open_positions(fills: pl.DataFrame) -> pl.DataFrame:
    """Positions still open after the last fill (schema `OPEN_POSITION_SCHEMA`), by symbol."""
    _, books = _match(fills)
    rows = [row for book in books.values() if (row := book.open_row()) is not None]
    return pl.DataFrame(rows, schema=OPEN_POSITION_SCHEMA, orient="row").sort("symbol")


def empty_fills() -> pl.DataFrame:
    """A fill frame with no rows and the runners' schema (handy for tests and no-trade runs)."""
    return pl.DataFrame(
        schema={
            "ts": pl.Int64(),
            "symbol": pl.String(),
            "side": pl.String(),
            "qty": pl.Int64(),
            "price": pl.Int64(),
            "commission": pl.Int64(),
            "tax": pl.Int64(),
            "order_id": pl.String(),
            "reason": pl.String(),
        }
    )
