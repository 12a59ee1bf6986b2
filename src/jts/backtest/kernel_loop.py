"""The compiled engine of the backtest kernel: `Engine._fill`, `_decide`, `_exit`, `_act`,
`equity`, `Ledger.apply`, `OrderJournal` and the default risk checks of the vectorized
runner, statement for statement, in Numba (`jts.backtest.kernel` explains the whole and how
exactness is kept; the matcher and the KRX rules are in `kernel_fills`, the walk over the
timestamps in `kernel_run`, the shared codes in `kernel_core`).

`arrive` and `leave` are one symbol's bar, before and after the timestamp's fills. Only
they see the per-row arrays: they copy the bar's prices and the market values it may read
into the scratch array `x` (slots `X_*`), and the helpers below read `x` and the packed
`Context` (Numba passes a tuple as every field of every array in it: when each helper took
all the inputs, a call cost ~130 ns). Everything here allocates nothing and runs without
reference counting (`kernel_core.jit`); most of it is inlined into the walk."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

from jts.backtest import kernel_core as kc
from jts.backtest import kernel_fills as kf

if TYPE_CHECKING:
    from jts.backtest.kernel_tables import Context, Rows

__all__ = ["State", "arrive", "leave", "next_row"]

I1 = npt.NDArray[np.int64]
I2 = npt.NDArray[np.int64]
F1 = npt.NDArray[np.float64]
F2 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]
I8 = npt.NDArray[np.int8]


class State(NamedTuple):
    """Per-symbol ints and floats (S_*), the scratch slots (X_*), the books (B_*), the
    symbols at the current timestamp and their next timestamps, and the order and fill
    rows so far (column-major: one row per field, O_* / F_*)."""

    ints: I2
    floats: F2
    x: F1
    books: I1
    active: I1
    head: I1
    orders: I2
    fills: I2


@kc.jit_inline
def _compare(op: int, a: float, b: float) -> bool:
    """The comparisons of `jts.strategy.evaluate.stream.BINARY` (NaN: false, `!=` too)."""
    if op <= kc.OP_LE:
        return a < b if op == kc.OP_LT else a <= b
    if op <= kc.OP_GE:
        return a > b if op == kc.OP_GT else a >= b
    if op == kc.OP_EQ:
        return a == b
    return a == a and b == b and a != b


@kc.jit_inline
def _binary(op: int, a: float, b: float) -> float:
    """`jts.strategy.evaluate.stream.BINARY` and `MATH` min/max on floats (bools as 0/1),
    dispatched by opcode range."""
    if op <= kc.OP_SUB:
        return a + b if op == kc.OP_ADD else a - b
    if op <= kc.OP_DIV:
        return a * b if op == kc.OP_MUL else (a / b if b != 0 else np.nan)
    if op <= kc.OP_OR:
        both = a != 0 and b != 0 if op == kc.OP_AND else a != 0 or b != 0
        return 1.0 if both else 0.0
    if op <= kc.OP_NE:
        return 1.0 if _compare(op, a, b) else 0.0
    if a != a or b != b:
        return np.nan
    if op == kc.OP_MIN:
        return a if a <= b else b
    return a if a >= b else b


def _run_code(ops: I2, consts: F1, x: F1, lo: int, hi: int, top: int) -> float:
    """Run the expression program `ops[lo:hi]` (stack from slot `top` of `x`); its value."""
    sp = top
    for i in range(lo, hi):
        op, arg = ops[i, 0], ops[i, 1]
        if op <= kc.OP_CONST:
            x[sp] = x[arg] if op == kc.OP_LOAD else consts[arg]
            sp += 1
        elif kc.OP_ADD <= op <= kc.OP_MAX:
            sp -= 1
            x[sp - 1] = _binary(op, x[sp - 1], x[sp])
        elif op == kc.OP_NEG:
            x[sp - 1] = -x[sp - 1]
        elif op == kc.OP_NOT:
            x[sp - 1] = 0.0 if x[sp - 1] != 0 else 1.0
        elif op == kc.OP_ABS:
            x[sp - 1] = abs(x[sp - 1])
        elif op == kc.OP_BETWEEN:
            sp -= 2
            value, low, high = x[sp - 1], x[sp], x[sp + 1]
            x[sp - 1] = 1.0 if (low <= value and value <= high) else 0.0
        else:
            sp -= 2
            x[sp - 1] = x[sp] if x[sp - 1] != 0 else x[sp + 1]
    return float(x[top])


_evaluate = kc.jit(_run_code)
_evaluate_inline = kc.jit_inline(_run_code)
"""The interpreter, called where expressions are rare (sizes, limit prices, exits) and inlined
where every decision runs it (rule conditions, `_decide`): inlining it everywhere took a
fifth off the loop but tripled the compile time; inlining it there took as much off."""


@kc.jit_inline
def _fill(cx: Context, sta: State, s: int, d: int, now: int) -> None:
    """The pending order of `s` meets the bar in `x`: `Matcher.match`, then `Ledger.apply`,
    `OrderJournal.settle` and `Engine._apply`."""
    ints, fst, x, books = sta.ints, sta.floats, sta.x, sta.books
    o = ints[s, kc.S_PENDING]
    ints[s, kc.S_PENDING] = -1
    orders, fills = sta.orders, sta.fills
    qty, price, commission, tax, err = kf.match(cx, sta, o, s, d)
    if qty == 0 or err != kc.ERR_NONE:
        books[kc.B_ERROR] = max(books[kc.B_ERROR], err)
        return
    sell, held = orders[kc.O_SIDE, o] == 1, ints[s, kc.S_POS]
    gross, cost = qty * price, commission + tax
    books[kc.B_CASH] += gross - cost if sell else -(gross + cost)
    books[kc.B_COMMISSION] += commission
    books[kc.B_TAX] += tax
    f = books[kc.B_FILLS]
    books[kc.B_FILLS] += 1
    if ints[s, kc.S_FIRST_FILL] < 0:
        ints[s, kc.S_FIRST_FILL] = f
    fills[kc.F_TS, f], fills[kc.F_SYM, f], fills[kc.F_SIDE, f] = now, s, orders[kc.O_SIDE, o]
    fills[kc.F_QTY, f], fills[kc.F_PRICE, f], fills[kc.F_ORDER, f] = qty, price, o
    fills[kc.F_COMMISSION, f], fills[kc.F_TAX, f] = commission, tax
    orders[kc.O_FILLED, o] = qty
    orders[kc.O_STATUS, o] = kc.STATUS_FILLED if qty == orders[kc.O_QTY, o] else kc.STATUS_PARTIAL
    if sell:
        x[kc.X_CASH] += float(gross - cost)
        held -= qty
        if held == 0:
            fst[s, :] = np.nan
    else:
        x[kc.X_CASH] -= float(gross + cost)
        if held == 0:
            fst[s, kc.S_ENTRY], fst[s, kc.S_SINCE], fst[s, kc.S_PEAK] = price, 0.0, price
        else:
            paid = fst[s, kc.S_ENTRY] * held + float(price * qty)
            fst[s, kc.S_ENTRY] = paid / (held + qty)
        held += qty
    ints[s, kc.S_POS] = held


@kc.jit
def _close_now(cx: Context, sta: State, s: int) -> float:
    """The close of symbol `s`'s last bar at or before the current timestamp: its last row
    visited, or a later row the loop skipped (binary search, as the Driver's `close_of`)."""
    lo, hi, now = sta.ints[s, kc.S_LAST] + 1, cx.symbols[s, kc.Y_END], sta.books[kc.B_NOW]
    while lo < hi:
        mid = (lo + hi) // 2
        if cx.ts[mid] <= now:
            lo = mid + 1
        else:
            hi = mid
    return float(cx.close[lo - 1])


@kc.jit
def _equity(cx: Context, sta: State) -> float:
    """`Engine.equity`: cash plus positions at their last close, in registration order."""
    total, ints = sta.x[kc.X_CASH], sta.ints
    for j in range(cx.order.shape[0]):
        s = cx.order[j]
        if ints[s, kc.S_POS] != 0:
            total += ints[s, kc.S_POS] * _close_now(cx, sta, s)
    return float(total)


@kc.jit_inline
def _exit(cx: Context, sta: State, s: int) -> int:
    """`Engine._exit`: the reason of the first triggered exit (0: none); moves the trail."""
    fst, x, exits, hit = sta.floats, sta.x, cx.exits, 0
    top = cx.params[kc.P_STACK]
    for k in range(3):
        if not exits[k, kc.EXIT_PRESENT]:
            continue
        pct, lo, hi = exits[k, kc.EXIT_PERCENT], exits[k, kc.EXIT_DIST], exits[k, kc.EXIT_DIST_END]
        if k == 1:
            value = _evaluate(cx.ops, cx.consts, x, lo, hi, top)
            base = fst[s, kc.S_PEAK]
            level = base * (1.0 + -1.0 * value) if pct else base + -1.0 * value
            if level == level and not level <= fst[s, kc.S_TRAIL]:
                fst[s, kc.S_TRAIL] = level
            triggered = x[kc.X_LOW] <= fst[s, kc.S_TRAIL]
        else:
            col = kc.S_FIXED_SL if k == 0 else kc.S_FIXED_TP
            if fst[s, kc.S_SINCE] == 0.0:
                fst[s, col] = _evaluate(cx.ops, cx.consts, x, lo, hi, top)
            value, sign, base = fst[s, col], -1.0 if k == 0 else 1.0, fst[s, kc.S_ENTRY]
            level = base * (1.0 + sign * value) if pct else base + sign * value
            triggered = x[kc.X_LOW] <= level if k == 0 else x[kc.X_HIGH] >= level
        if triggered and hit == 0:
            hit = kc.REASON_STOP_LOSS - k  # the rows are in the order of the reasons
    return hit


@kc.jit_inline
def _limit(cx: Context, sta: State, k: int, s: int, d: int, buying: bool) -> int:
    """The limit price of rule `k` on its tick grid (`limit_on_tick`); -1: none placed."""
    rules = cx.rules
    raw = _evaluate(
        cx.ops,
        cx.consts,
        sta.x,
        rules[k, kc.R_PRICE],
        rules[k, kc.R_PRICE_END],
        cx.params[kc.P_STACK],
    )
    mode = rules[k, kc.R_ROUNDING]
    if mode == kc.ROUND_PASSIVE:
        mode = kc.ROUND_DOWN if buying else kc.ROUND_UP
    limit = kf.limit_on_tick(cx.ticks, cx.days[d, cx.symbols[s, kc.Y_CLASS], kc.D_TICK], raw, mode)
    if limit == -2:
        sta.books[kc.B_ERROR] = kc.ERR_RANGE
    return limit


@kc.jit_inline
def _quantity(cx: Context, sta: State, k: int, s: int, price: float, target: float) -> Any:
    """`Engine._quantity`: (placed, signed shares: a negative target sells)."""
    rules, x, held = cx.rules, sta.x, sta.ints[s, kc.S_POS]
    size = rules[k, kc.R_SIZE]
    if size == kc.SIZE_ALL:
        return True, held
    if size == kc.SIZE_TARGET:
        value = target / price
    else:
        lo, hi = rules[k, kc.R_AMOUNT], rules[k, kc.R_AMOUNT_END]
        value = _evaluate(cx.ops, cx.consts, x, lo, hi, cx.params[kc.P_STACK])
        if size == kc.SIZE_KRW:
            value = value / price
        elif size == kc.SIZE_EQUITY:
            value = value * _equity(cx, sta) / price
    if not math.isfinite(value):
        return False, 0
    return True, kf.floor_clamped(value) - (held if size == kc.SIZE_TARGET else 0)


@kc.jit_inline
def _act(cx: Context, sta: State, k: int, s: int, d: int) -> Any:
    """`Engine._act` of rule `k`: (sell, qty, limit or -1); qty 0: nothing placed. A buy
    is cut to the cash left after the buys decided earlier in the timestamp."""
    rules, x = cx.rules, sta.x
    held, close = sta.ints[s, kc.S_POS], x[kc.X_CLOSE]
    buying, target = rules[k, kc.R_ACTION] == kc.ACTION_BUY, np.nan
    if rules[k, kc.R_ACTION] == kc.ACTION_TARGET:
        lo, hi = rules[k, kc.R_AMOUNT], rules[k, kc.R_AMOUNT_END]
        fraction = _evaluate(cx.ops, cx.consts, x, lo, hi, cx.params[kc.P_STACK])
        target = fraction * _equity(cx, sta)
        buying = target >= held * close
    limit, price = -1, close
    if rules[k, kc.R_LIMIT]:
        limit = _limit(cx, sta, k, s, d, buying)
        if limit < 0:
            return False, 0, -1
        price = float(limit)
    if not price > 0:
        return False, 0, -1
    placed, qty = _quantity(cx, sta, k, s, price, target)
    if not placed:
        return False, 0, -1
    sell = not buying or qty < 0
    qty = abs(qty)
    if sell:
        qty = min(qty, held)
    else:
        qty = min(qty, kf.floor_clamped((x[kc.X_CASH] - x[kc.X_RESERVED]) / price))
        x[kc.X_RESERVED] += qty * price
    return sell, max(qty, 0), limit


@kc.jit_inline
def _decide(cx: Context, sta: State, s: int, d: int, now: int, first: int) -> Any:
    """`Engine._decide` from rule `first` on (those before cannot fire): (reason, sell, qty,
    limit or -1); qty 0: no order."""
    fst, x, params = sta.floats, sta.x, cx.params
    held = sta.ints[s, kc.S_POS]
    x[kc.X_POSITION], x[kc.X_ENTRY], x[kc.X_SINCE] = held, fst[s, kc.S_ENTRY], fst[s, kc.S_SINCE]
    x[kc.X_PNL] = x[kc.X_CLOSE] / fst[s, kc.S_ENTRY] - 1.0
    if held:
        reason = _exit(cx, sta, s)
        flat = params[kc.P_FLAT_MODE]
        if reason == 0 and flat == kc.FLAT_MINUTE:
            minute = (now + kc.KST_NS) % kc.DAY_NS // kc.MINUTE_NS
            reason = kc.REASON_FLAT if minute >= params[kc.P_FLAT_MINUTE] else 0
        elif reason == 0 and flat == kc.FLAT_END_OF_DAY:
            reason = kc.REASON_FLAT if now + params[kc.P_BAR_NS] > cx.auction[d] else 0
        if reason != 0:
            return reason, True, held, -1
    rules, top = cx.rules, params[kc.P_STACK]
    for k in range(first, rules.shape[0]):
        if (
            _evaluate_inline(
                cx.ops, cx.consts, x, rules[k, kc.R_COND], rules[k, kc.R_COND_END], top
            )
            != 0
        ):
            sell, qty, limit = _act(cx, sta, k, s, d)
            return k, sell, qty, limit
    return 0, False, 0, -1


@kc.jit
def _gate(cx: Context, sta: State, o: int, s: int, d: int) -> None:
    """`BacktestRisk.check` under the default limits: a limit price off its tick grid or
    outside the day's band is rejected and its reserved cash released."""
    orders = sta.orders
    limit = orders[kc.O_LIMIT, o]
    t = cx.days[d, cx.symbols[s, kc.Y_CLASS], kc.D_TICK]
    if limit % kf.tick_of(cx.ticks, t, limit) != 0:
        orders[kc.O_REJECT, o] = kc.REJECT_TICK
    else:
        known, lower, upper = kf.limits(cx, sta, s, d)
        orders[kc.O_LOW, o], orders[kc.O_HIGH, o] = lower, upper
        if known < 0:
            sta.books[kc.B_ERROR] = kc.ERR_BAD_PRICE
        elif known and not lower <= limit <= upper:
            orders[kc.O_REJECT, o] = kc.REJECT_LIMITS
    if orders[kc.O_REJECT, o] != kc.REJECT_NONE:
        orders[kc.O_STATUS, o] = kc.STATUS_REJECTED
        if orders[kc.O_SIDE, o] == 0:
            sta.x[kc.X_RESERVED] -= orders[kc.O_QTY, o] * float(limit)


@kc.jit_inline
def _place(cx: Context, sta: State, s: int, r: int, d: int, now: int, first: int) -> None:
    """Decide on the bar in `x` and pass the order through the gate."""
    orders = sta.orders
    reason, sell, qty, limit = _decide(cx, sta, s, d, now, first)
    if qty <= 0:
        return
    o = sta.books[kc.B_ORDERS]
    sta.books[kc.B_ORDERS] += 1
    orders[kc.O_TS, o], orders[kc.O_SYM, o], orders[kc.O_SIDE, o] = now, s, sell
    orders[kc.O_QTY, o], orders[kc.O_REASON, o], orders[kc.O_ROW, o] = qty, reason, r
    orders[kc.O_LIMIT_KIND, o], orders[kc.O_LIMIT, o] = limit >= 0, limit
    if cx.params[kc.P_RISK] and limit >= 0:
        _gate(cx, sta, o, s, d)
    if orders[kc.O_STATUS, o] != kc.STATUS_REJECTED:
        sta.ints[s, kc.S_PENDING] = o


@kc.jit_inline
def _load(rw: Rows, x: F1, r: int, fill: bool) -> None:
    """Row `r`'s prices (as the Python path's float64 arrays) and base into `x`: what a
    decision reads (close, high, low, base), and for a fill also open and volume."""
    x[kc.X_CLOSE], x[kc.X_HIGH], x[kc.X_LOW] = (
        float(rw.close[r]),
        float(rw.high[r]),
        float(rw.low[r]),
    )
    x[kc.X_BASE] = rw.base[r]
    if fill:
        x[kc.X_OPEN], x[kc.X_VOLUME] = float(rw.open[r]), float(rw.volume[r])


@kc.jit_inline
def _gather(
    fcols: tuple[F1, ...], bcols: tuple[B1, ...], x: F1, nf: int, nb: int, idx: int
) -> None:
    """The market values of panel index `idx` into `x` (float columns, then bool ones)."""
    for c in range(nf):
        x[kc.X_MARKET + c] = fcols[c][idx]
    for c in range(nb):
        x[kc.X_MARKET + nf + c] = 1.0 if bcols[c][idx] else 0.0


@kc.jit_inline
def next_row(live: I8, rules: int, idx: int, r: int, end: int) -> int:
    """The first row from `r` (panel index `idx`) on which some rule may fire; `end`: none."""
    while r < end and live[idx] >= rules:
        r += 1
        idx += 1
    return r


@kc.jit_inline
def arrive(cx: Context, rw: Rows, sta: State, s: int, r: int) -> None:
    """Phase 1 of row `r` of symbol `s` (`Engine._fill`): `bars_since_entry` moves (caught up
    over the rows skipped since the last visit, as the Driver does), the pending order meets
    the bar."""
    ints, fst = sta.ints, sta.floats
    if ints[s, kc.S_POS] != 0:
        fst[s, kc.S_SINCE] += float(r - ints[s, kc.S_LAST] - 1)
        fst[s, kc.S_SINCE] += 1.0
    if ints[s, kc.S_PENDING] >= 0:
        _load(rw, sta.x, r, True)
        now = sta.books[kc.B_NOW]
        d = (now + kc.KST_NS) // kc.DAY_NS - cx.params[kc.P_DAY0]
        _fill(cx, sta, s, d, now)
    ints[s, kc.S_LAST] = r


@kc.jit_inline
def leave(
    cx: Context,
    rw: Rows,
    live: I8,
    fcols: tuple[F1, ...],
    bcols: tuple[B1, ...],
    sta: State,
    s: int,
    r: int,
) -> int:
    """Phase 2 of row `r` of symbol `s` (`Engine._decide`, the peak, the gate); the next row
    of `s` to visit: the next one if an order is pending or the symbol is held under exits
    or a flat rule, else the next on which a rule may fire (`live`)."""
    ints, fst, x, params = sta.ints, sta.floats, sta.x, cx.params
    nrules, end, first_row = cx.rules.shape[0], cx.symbols[s, kc.Y_END], cx.symbols[s, kc.Y_FIRST]
    idx = s * params[kc.P_PANEL_ROWS] + r - first_row
    exits = (
        cx.exits[0, kc.EXIT_PRESENT] + cx.exits[1, kc.EXIT_PRESENT] + cx.exits[2, kc.EXIT_PRESENT]
    )
    watched = ints[s, kc.S_POS] != 0 and (exits > 0 or params[kc.P_FLAT_MODE] != kc.FLAT_NONE)
    if live[idx] < nrules or watched:
        now = sta.books[kc.B_NOW]
        _load(rw, x, r, False)
        _gather(fcols, bcols, x, params[kc.P_FLOATS], params[kc.P_BOOLS], idx)
        d = (now + kc.KST_NS) // kc.DAY_NS - params[kc.P_DAY0]
        _place(cx, sta, s, r, d, now, live[idx])
    if ints[s, kc.S_POS] != 0 and rw.high[r] > fst[s, kc.S_PEAK]:
        fst[s, kc.S_PEAK] = float(rw.high[r])
    if ints[s, kc.S_PENDING] >= 0 or watched:
        r += 1
    else:
        r = next_row(live, nrules, idx + 1, r + 1, end)
    if r < end:
        kc.prefetch(rw.ts, r)
        kc.prefetch(rw.open, r)
        kc.prefetch(rw.high, r)
        kc.prefetch(rw.low, r)
        kc.prefetch(rw.close, r)
        kc.prefetch(rw.base, r)
    return r
