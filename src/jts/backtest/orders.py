"""The orders of a backtest: one row per order the strategy decided, with what became of it.

Order ids are `bt-000001`, `bt-000002`, ... in the order the strategy decided them (rejected
ones included), so the two runners name the same order the same way. Statuses: `filled`,
`partially_filled` (the rest expired with its bar), `expired` (nothing filled on the next bar,
or there was no next bar), `rejected` (by the risk checks; `reject_code` and
`reject_message` say why).
"""

from __future__ import annotations

import polars as pl

from jts.strategy.engine import OrderIntent

__all__ = ["ORDER_SCHEMA", "OrderJournal", "order_id"]

ORDER_SCHEMA: dict[str, type[pl.DataType]] = {
    "order_id": pl.Utf8,
    "ts": pl.Int64,
    "symbol": pl.Utf8,
    "side": pl.Utf8,
    "qty": pl.Int64,
    "order_type": pl.Utf8,
    "limit_price": pl.Int64,
    "reason": pl.Utf8,
    "status": pl.Utf8,
    "filled_qty": pl.Int64,
    "reject_code": pl.Utf8,
    "reject_message": pl.Utf8,
}


def order_id(n: int) -> str:
    """The id of the `n`-th order (1-based) of a backtest."""
    return f"bt-{n:06d}"


class OrderJournal:
    """Orders as they are decided, filled, expired or rejected (the vectorized runner's OMS)."""

    def __init__(self) -> None:
        self.rows: list[list[object]] = []
        self._pending: dict[str, int] = {}

    def decide(self, intent: OrderIntent) -> str:
        """Record a newly decided order; its id."""
        oid = order_id(len(self.rows) + 1)
        self.rows.append(
            [
                oid,
                intent.ts_ns,
                intent.symbol,
                intent.side,
                intent.qty,
                intent.order_type,
                intent.limit_price,
                intent.reason,
                "expired",
                0,
                None,
                None,
            ]
        )
        self._pending[intent.symbol] = len(self.rows) - 1
        return oid

    def reject(self, code: str, message: str) -> None:
        """The order just decided was refused."""
        row = self.rows[-1]
        self._pending.pop(str(row[2]), None)
        row[8], row[10], row[11] = "rejected", code, message

    def pending(self, symbol: str) -> str:
        """The id of `symbol`'s order waiting for its next bar."""
        return str(self.rows[self._pending[symbol]][0])

    def settle(self, symbol: str, filled: int) -> None:
        """`symbol`'s pending order met its bar and filled `filled` shares (0: expired)."""
        row = self.rows[self._pending.pop(symbol)]
        if filled:
            row[9] = filled
            row[8] = "filled" if filled == row[4] else "partially_filled"

    def frame(self) -> pl.DataFrame:
        columns = list(ORDER_SCHEMA)
        data = {name: [row[i] for row in self.rows] for i, name in enumerate(columns)}
        return pl.DataFrame(data, schema=ORDER_SCHEMA)
