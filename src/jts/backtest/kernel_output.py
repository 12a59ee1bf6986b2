"""The orders and fills tables of a kernel run, built column-wise from the loop's int rows.

Same schema, values and row order as `OrderJournal.frame()` and `Ledger.fills()`: strings
(symbol, side, type, reason, status) are gathered from small tables by index, order ids are
written as ASCII into one Arrow buffer by a compiled counter, so nothing is built per row in
Python (the loop returns its rows column-major, so every index column is contiguous).
Reject messages (rare) come from the risk checks themselves (`jts.risk.checks`), called
with the numbers the loop used.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from jts.backtest import kernel_core as kc
from jts.backtest.ledger import FILL_SCHEMA
from jts.backtest.orders import ORDER_SCHEMA
from jts.backtest.risk_context import request_of
from jts.risk import RiskLimits
from jts.risk.checks import check_price_limits, check_tick
from jts.strategy.engine import OrderIntent

__all__ = ["fills_frame", "order_ids", "orders_frame", "positions"]

I1 = npt.NDArray[np.int64]
I2 = npt.NDArray[np.int64]
U1 = npt.NDArray[np.uint8]
_POWERS = 10 ** np.arange(1, 19, dtype=np.int64)
"""10 .. 10**18: a number below 10**k has k digits."""
_EXIT_REASONS = ("flat", "take_profit", "trailing_stop", "stop_loss")  # codes -4 .. -1
_STATUSES = ("expired", "filled", "partially_filled", "rejected")


def _pick(values: Sequence[str], index: I1) -> pl.Series:
    return pl.Series(values, dtype=pl.Utf8).gather(pl.Series(index, dtype=pl.Int64))


def _ints(values: I1, null: npt.NDArray[np.bool_] | None = None) -> pl.Series:
    return pl.Series(pl.from_arrow(pa.array(values, type=pa.int64(), mask=null)))


@kc.jit
def _write_ids(data: U1, offsets: I1, digits: U1) -> None:
    """ "bt-" and the 1-based number, at least six digits, at each offset of `data`; the
    number is kept as decimal digits (`digits`, least significant first) and counted up."""
    for n in range(offsets.shape[0] - 1):
        k = 0
        while digits[k] == 9:
            digits[k] = 0
            k += 1
        digits[k] += 1
        at, end = offsets[n], offsets[n + 1]
        data[at], data[at + 1], data[at + 2] = 98, 116, 45  # b"bt-"
        for j in range(end - at - 3):
            data[end - 1 - j] = 48 + digits[j]


def order_ids(count: int) -> pl.Series:
    """`orders.order_id(n)` for n = 1 .. count ("bt-%06d"), written as ASCII into one
    Arrow string buffer (a Python f-string per order cost ~60 ns each)."""
    numbers = np.arange(1, count + 1, dtype=np.int64)
    widths = 3 + np.maximum(6, np.searchsorted(_POWERS, numbers, side="right") + 1)
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(widths, out=offsets[1:])
    data = np.empty(int(offsets[-1]), dtype=np.uint8)
    _write_ids(data, offsets, np.zeros(20, dtype=np.uint8))
    array = pa.StringArray.from_buffers(
        count, pa.py_buffer(offsets.astype(np.int32).data), pa.py_buffer(data.data)
    )
    return pl.Series(pl.from_arrow(array))


def _texts(count: int, at: I1, values: list[str]) -> pl.Series:
    """Nulls, with `values` at rows `at`."""
    column = pl.repeat(None, count, dtype=pl.Utf8, eager=True)
    return column.scatter(at, values) if len(at) else column


def _reasons(rules: int) -> list[str]:
    return [*_EXIT_REASONS, *(f"rule {i}" for i in range(rules))]


class _Refusal:
    """The `RiskContext` answers a refused order was checked with."""

    def __init__(self, band: tuple[int, int] | None) -> None:
        self.band = band

    def tick_valid(self, symbol: str, price: int) -> bool:
        return self.band is not None

    def price_limits(self, symbol: str) -> tuple[int, int] | None:
        return self.band


def _reject_texts(rows: I2, codes: Sequence[str], strategy: str) -> tuple[list[str], list[str]]:
    """(reject_code, reject_message) of the rejected rows, as `BacktestRisk.check` words them."""
    texts: tuple[list[str], list[str]] = ([], [])
    limits = RiskLimits(check_cash=False)
    for i in np.flatnonzero(rows[kc.O_STATUS] == kc.STATUS_REJECTED).tolist():
        row = rows[:, i].tolist()
        side = "sell" if row[kc.O_SIDE] else "buy"
        intent = OrderIntent(
            row[kc.O_TS], codes[row[kc.O_SYM]], side, row[kc.O_QTY], "limit", row[kc.O_LIMIT], ""
        )
        request = request_of(intent, f"bt-{i + 1:06d}", strategy)
        if row[kc.O_REJECT] == kc.REJECT_TICK:
            refused = check_tick(request, _Refusal(None), limits)  # type: ignore[arg-type]
        else:
            band = _Refusal((row[kc.O_LOW], row[kc.O_HIGH]))
            refused = check_price_limits(request, band, limits)  # type: ignore[arg-type]
        assert refused is not None
        texts[0].append(refused.code.value)
        texts[1].append(refused.message)
    return texts


def orders_frame(
    rows: I2, ids: pl.Series, codes: Sequence[str], rules: int, strategy: str
) -> pl.DataFrame:
    """`OrderJournal.frame()` of the loop's order rows (`ids`: `order_ids(rows.shape[1])`)."""
    limit_kind = rows[kc.O_LIMIT_KIND]
    rejected = np.flatnonzero(rows[kc.O_STATUS] == kc.STATUS_REJECTED)
    reasons, messages = _reject_texts(rows, codes, strategy)
    columns = {
        "order_id": ids,
        "ts": _ints(rows[kc.O_TS]),
        "symbol": _pick(codes, rows[kc.O_SYM]),
        "side": _pick(("buy", "sell"), rows[kc.O_SIDE]),
        "qty": _ints(rows[kc.O_QTY]),
        "order_type": _pick(("market", "limit"), limit_kind),
        "limit_price": _ints(rows[kc.O_LIMIT], limit_kind == 0),
        "reason": _pick(_reasons(rules), rows[kc.O_REASON] + len(_EXIT_REASONS)),
        "status": _pick(_STATUSES, rows[kc.O_STATUS]),
        "filled_qty": _ints(rows[kc.O_FILLED]),
        "reject_code": _texts(rows.shape[1], rejected, reasons),
        "reject_message": _texts(rows.shape[1], rejected, messages),
    }
    return pl.DataFrame(columns).cast(ORDER_SCHEMA)  # type: ignore[arg-type]


def fills_frame(
    fills: I2, orders: I2, ids: pl.Series, codes: Sequence[str], rules: int
) -> pl.DataFrame:
    """`Ledger.fills()` of the loop's fill rows (`ids`: the orders' ids)."""
    numbers = fills[kc.F_ORDER]
    columns = {
        "ts": _ints(fills[kc.F_TS]),
        "symbol": _pick(codes, fills[kc.F_SYM]),
        "side": _pick(("buy", "sell"), fills[kc.F_SIDE]),
        "qty": _ints(fills[kc.F_QTY]),
        "price": _ints(fills[kc.F_PRICE]),
        "commission": _ints(fills[kc.F_COMMISSION]),
        "tax": _ints(fills[kc.F_TAX]),
        "order_id": ids.gather(pl.Series(numbers, dtype=pl.Int64)),
        "reason": _pick(_reasons(rules), orders[kc.O_REASON, numbers] + len(_EXIT_REASONS)),
    }
    return pl.DataFrame(columns).cast(FILL_SCHEMA)  # type: ignore[arg-type]


def positions(state: I2, codes: Sequence[str]) -> dict[str, int]:
    """`Ledger.positions` without zeros, in the order the symbols were first filled (the
    loop's final per-symbol state)."""
    filled = np.flatnonzero(state[:, kc.S_FIRST_FILL] >= 0)
    ordered = filled[np.argsort(state[filled, kc.S_FIRST_FILL])].tolist()
    return {codes[s]: int(state[s, kc.S_POS]) for s in ordered if state[s, kc.S_POS]}
