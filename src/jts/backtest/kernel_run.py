"""The walk of the compiled loop over the bars, in time order, and `run`, which owns its memory.

At each timestamp the symbols with a bar to visit fill their pending orders, in code order,
then decide, in code order: `Engine.on_timestamp` (`kernel_loop.arrive` / `leave`). Which bars
a symbol visits is `leave`'s call: those on which a rule may fire, the bar after an order
and, while held under exits or a flat rule, every bar; the others change nothing
observable, as in `jts.strategy.engine_skip`. The next timestamp is the least of the
symbols' next bars (a scan of a contiguous array per timestamp: measured cheaper than a
heap for a hundred symbols).

(Tried and dropped: running each symbol alone with unlimited cash, then replaying orders and
fills in time order to check that cash never cut a quantity. Faster when cash never binds,
but the benchmark's account runs dry, so it paid for both walks.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from jts.backtest import kernel_core as kc
from jts.backtest.kernel_loop import State, arrive, leave, next_row

if TYPE_CHECKING:
    from jts.backtest.kernel_tables import Context, Rows

__all__ = ["run"]

I1 = npt.NDArray[np.int64]
I2 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
F1 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]


@kc.jit
def _steps(
    cx: Context,
    rw: Rows,
    live: I8,
    fcols: tuple[F1, ...],
    bcols: tuple[B1, ...],
    sta: State,
) -> bool:
    """Timestamps in order while the order and fill rows have room for one more; True when
    every bar is done (or the run stopped with an error)."""
    ints, x, books, active, head = sta.ints, sta.x, sta.books, sta.active, sta.head
    n = ints.shape[0]
    while books[kc.B_ERROR] == kc.ERR_NONE:
        if (
            books[kc.B_ORDERS] + n > sta.orders.shape[1]
            or books[kc.B_FILLS] + n > sta.fills.shape[1]
        ):
            return False
        now = kc.NO_TS
        for s in range(n):
            now = min(now, head[s])
        if now == kc.NO_TS:
            break
        books[kc.B_NOW], m = now, 0
        for s in range(n):
            active[m] = s
            m += head[s] == now
        for j in range(m):
            arrive(cx, rw, sta, active[j], ints[active[j], kc.S_NEXT])
        x[kc.X_RESERVED] = 0.0
        for j in range(m):
            s = active[j]
            r = leave(cx, rw, live, fcols, bcols, sta, s, ints[s, kc.S_NEXT])
            ints[s, kc.S_NEXT] = r
            head[s] = rw.ts[r] if r < cx.symbols[s, kc.Y_END] else kc.NO_TS
    return True


@kc.jit_nrt
def _grow(rows: I2) -> I2:
    """Twice the columns (orders and fills are column-major: one row per field)."""
    bigger = np.zeros((rows.shape[0], 2 * rows.shape[1]), np.int64)
    bigger[:, : rows.shape[1]] = rows
    return bigger


@kc.jit_nrt
def _start(cx: Context, rw: Rows, live: I8) -> State:
    """The state before the first bar: every symbol at its first row that matters."""
    n, params, nrules = cx.symbols.shape[0], cx.params, cx.rules.shape[0]
    ints, head = np.zeros((n, kc.S_BAND_HIGH + 1), np.int64), np.zeros(n + 1, np.int64)
    for s in range(n):
        a, b = cx.symbols[s, kc.Y_FIRST], cx.symbols[s, kc.Y_END]
        ints[s, kc.S_PENDING], ints[s, kc.S_LAST], ints[s, kc.S_FIRST_FILL] = -1, -1, -1
        ints[s, kc.S_BAND_DAY] = -1
        r = next_row(live, nrules, s * params[kc.P_PANEL_ROWS], a, b)
        ints[s, kc.S_NEXT], head[s] = r, rw.ts[r] if r < b else kc.NO_TS
    head[n] = kc.NO_TS
    x = np.zeros(params[kc.P_STACK] + params[kc.P_DEPTH])
    x[kc.X_CASH] = float(params[kc.P_CASH])
    books = np.zeros(kc.B_NOW + 1, np.int64)
    books[kc.B_CASH] = params[kc.P_CASH]
    floats, active = np.full((n, kc.S_FIXED_TP + 1), np.nan), np.zeros(n + 1, np.int64)
    orders = np.zeros((kc.ORDER_COLUMNS, 4 * n + 256), np.int64)
    fills = np.zeros((kc.FILL_COLUMNS, 4 * n + 256), np.int64)
    return State(ints, floats, x, books, active, head, orders, fills)


@kc.jit_nrt
def run(
    cx: Context, rw: Rows, live: I8, fcols: tuple[F1, ...], bcols: tuple[B1, ...]
) -> tuple[I2, I2, F1, I1, I2]:
    """Every bar that matters, in time order: (orders, fills, x, books, ints): the engine
    cash in x[X_CASH]; ledger cash, commission, tax and an error code in books; positions
    and first fills in ints. This function owns the memory (the order and fill rows grow
    by doubling); `_steps` and below run without reference counting."""
    sta = _start(cx, rw, live)
    while not _steps(cx, rw, live, fcols, bcols, sta):
        a, b, c, d, e, f = sta.ints, sta.floats, sta.x, sta.books, sta.active, sta.head
        sta = State(a, b, c, d, e, f, _grow(sta.orders), _grow(sta.fills))
    books = sta.books
    orders, fills = sta.orders[:, : books[kc.B_ORDERS]], sta.fills[:, : books[kc.B_FILLS]]
    return orders, fills, sta.x, books, sta.ints
