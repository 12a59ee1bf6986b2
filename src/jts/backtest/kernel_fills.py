"""The KRX rules and the fill matcher of the compiled loop (`jts.backtest.kernel_loop`), on
the packed tables of `jts.backtest.kernel_tables`.

Each function mirrors one Python function operation for operation: `tick_of` is
`jts.krx.ticks.tick_of`, `limits` is `Matcher.limits` with the band algorithm of
`jts.krx.limits.price_limits`, `limit_on_tick` is `jts.strategy.engine.limit_on_tick`,
`costs` is `KrxCosts.costs` (or `NoCosts`), `match` is `Matcher.match`. Money is int64 where
Python uses ints; values that could leave the range where int64 and float64 agree with
Python's numbers return an error code instead (`kernel_core.ERR_*`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from jts.backtest import kernel_core as kc

if TYPE_CHECKING:
    from jts.backtest.kernel_loop import State
    from jts.backtest.kernel_tables import Context

__all__ = ["band", "costs", "floor_clamped", "limit_on_tick", "limits", "match", "tick_of"]

I2 = npt.NDArray[np.int64]
I3 = npt.NDArray[np.int64]
F1 = npt.NDArray[np.float64]


@kc.jit_inline
def tick_of(ticks: I3, t: int, price: int) -> int:
    """`jts.krx.ticks.tick_of` on table `t` (rows of (upper bound, tick))."""
    for k in range(ticks.shape[1]):
        if price < ticks[t, k, 0]:
            return int(ticks[t, k, 1])
    return int(ticks[t, ticks.shape[1] - 1, 1])


@kc.jit_inline
def _truncate(ticks: I3, t: int, amount: int, price: int) -> int:
    return 0 if price <= 0 else amount - amount % tick_of(ticks, t, price)


@kc.jit
def band(cx: Context, s: int, d: int, key: int) -> tuple[int, int]:
    """`jts.krx.price_limits(key, ...)` of symbol `s` on day `d`: the band width truncated
    to the base's tick, each limit to its own tick, the lower one at least a tick."""
    c = cx.symbols[s, kc.Y_CLASS]
    t, percent = cx.days[d, c, kc.D_TICK], cx.days[d, c, kc.D_PERCENT]
    percent *= cx.symbols[s, kc.Y_LEVERAGE]
    width = _truncate(cx.ticks, t, key * percent // 100, key)
    upper = _truncate(cx.ticks, t, key + width, key + width)
    lower = _truncate(cx.ticks, t, key - width, key - width)
    return max(lower, int(cx.ticks[t, 0, 1])), upper


@kc.jit_inline
def limits(cx: Context, sta: State, s: int, d: int) -> tuple[int, int, int]:
    """`Matcher.limits` of the bar in `x` as (known, lower, upper) (`_band` of the rounded
    base); known -1 where Python raises (or the base is out of range). The band of the
    symbol's last (day, base) is kept: a symbol's base is the same all day."""
    base, ints = sta.x[kc.X_BASE], sta.ints
    if not (base > 0 and math.isfinite(base)):
        return 0, 0, 0
    key = int(np.rint(base)) if base < kc.BASE else 0
    if key <= 0:
        return -1, 0, 0
    if ints[s, kc.S_BAND_DAY] != d or ints[s, kc.S_BAND_BASE] != key:
        ints[s, kc.S_BAND_LOW], ints[s, kc.S_BAND_HIGH] = band(cx, s, d, key)
        ints[s, kc.S_BAND_DAY], ints[s, kc.S_BAND_BASE] = d, key
    return 1, ints[s, kc.S_BAND_LOW], ints[s, kc.S_BAND_HIGH]


@kc.jit
def limit_on_tick(ticks: I3, t: int, raw: float, mode: int) -> int:
    """`jts.strategy.engine.limit_on_tick` on table `t`: -1 none, -2 out of range."""
    if not math.isfinite(raw) or raw <= 0:
        return -1
    if raw >= kc.EXACT:
        return -2
    if mode == kc.ROUND_DOWN:
        won = math.floor(raw)
    elif mode == kc.ROUND_UP:
        won = math.ceil(raw)
    else:
        won = math.floor(raw + 0.5)
    if won <= 0:
        return -1
    tick = tick_of(ticks, t, won)
    down, up = won - won % tick, -(-won // tick) * tick
    if mode == kc.ROUND_UP:
        return up
    if mode == kc.ROUND_DOWN:
        return down if down > 0 else -1
    return down if down > 0 and won - down < up - won else up


@kc.jit_inline
def floor_clamped(value: float) -> int:
    """math.floor clamped to ±kc.BIG."""
    if value >= kc.BIG:
        return kc.BIG
    return -kc.BIG if value <= -kc.BIG else math.floor(value)


@kc.jit_inline
def costs(cx: Context, s: int, d: int, sell: bool, amount: int) -> tuple[int, int, bool]:
    """`KrxCosts.costs` (`NoCosts`: rate 0/1, all exempt) as (commission, tax, known);
    a*n//m computed as (a//m)*n + (a%m)*n//m, which cannot overflow for m < 2**31."""
    num, den = cx.params[kc.P_NUM], cx.params[kc.P_DEN]
    commission = 0 if num == 0 else (amount // den) * num + (amount % den) * num // den
    if not sell or cx.symbols[s, kc.Y_EXEMPT]:
        return commission, 0, True
    c = cx.symbols[s, kc.Y_CLASS]
    num, den = cx.days[d, c, kc.D_TAX_NUM], cx.days[d, c, kc.D_TAX_DEN]
    if den == 0:
        return commission, 0, False
    return commission, (amount // den) * num + (amount % den) * num // den, True


@kc.jit_inline
def _price(cx: Context, sta: State, o: int, s: int, d: int, band: tuple[int, int, int]) -> int:
    """`Matcher._price`: the model's price rounded, slipped, clamped into the band and to
    the limit; -1 where Python raises (a buy slipped from no price), -2 out of range."""
    x, orders, params = sta.x, sta.orders, cx.params
    buy, limit = orders[kc.O_SIDE, o] == 0, orders[kc.O_LIMIT, o]
    ref = x[kc.X_CLOSE] if params[kc.P_FILL] == kc.FILL_CLOSE else x[kc.X_OPEN]
    if buy and params[kc.P_SLIPPAGE] and ref <= 0:
        return -1
    if abs(ref) >= kc.EXACT:
        return -2
    price, slip = int(ref), cx.days[d, cx.symbols[s, kc.Y_CLASS], kc.D_SLIP]
    for _ in range(params[kc.P_SLIPPAGE]):
        if buy:
            price += tick_of(cx.ticks, slip, price)
        else:
            price -= tick_of(cx.ticks, slip, max(price - 1, 1))
    price = max(price, 1)
    known, lower, upper = band
    if known:
        price = min(max(price, lower), upper)
    if orders[kc.O_LIMIT_KIND, o]:
        price = min(price, limit) if buy else max(price, limit)
    return price


@kc.jit_inline
def _volume_cap(cx: Context, sta: State, o: int, band: tuple[int, int, int]) -> int:
    """`Matcher._volume_cap`: the participation share of the bar's volume, 10% on a bar
    locked at the limit the order stands against when no share is set."""
    x, qty, buy = sta.x, sta.orders[kc.O_QTY, o], sta.orders[kc.O_SIDE, o] == 0
    high, low = x[kc.X_HIGH], x[kc.X_LOW]
    known, lower, upper = band
    cap = cx.cap
    if known and high == low and (low >= upper if buy else high <= lower) and cap != cap:
        cap = 0.1
    return int(qty if cap != cap else min(qty, floor_clamped(cap * x[kc.X_VOLUME])))


@kc.jit_inline
def match(cx: Context, sta: State, o: int, s: int, d: int) -> tuple[int, int, int, int, int]:
    """`Matcher.match` of order `o` on the bar in `x` as (qty, price, commission, tax,
    error); qty 0: no fill. (Rows of 2-D arrays are indexed, never taken as views.)"""
    x, orders = sta.x, sta.orders
    buy, limit = orders[kc.O_SIDE, o] == 0, orders[kc.O_LIMIT, o]
    touched = x[kc.X_LOW] <= limit if buy else x[kc.X_HIGH] >= limit
    if orders[kc.O_LIMIT_KIND, o] and not touched:
        return 0, 0, 0, 0, kc.ERR_NONE
    band = limits(cx, sta, s, d)
    price = _price(cx, sta, o, s, d, band)
    if band[0] < 0 or price < 0:  # Python raises InvalidPrice, or out of range
        return 0, 0, 0, 0, kc.ERR_BAD_PRICE if band[0] < 0 or price == -1 else kc.ERR_RANGE
    qty = _volume_cap(cx, sta, o, band)
    if not buy:
        qty = min(qty, sta.ints[s, kc.S_POS])
    if qty <= 0 or price <= 0:
        return 0, 0, 0, 0, kc.ERR_NONE
    if qty > kc.AMOUNT // price:
        return 0, 0, 0, 0, kc.ERR_RANGE
    if not buy:
        commission, tax, ok = costs(cx, s, d, True, qty * price)
        return qty, price, commission, tax, kc.ERR_NONE if ok else kc.ERR_NO_TAX
    qty = min(qty, floor_clamped(x[kc.X_CASH] / price))
    while qty > 0:
        commission, tax, ok = costs(cx, s, d, False, qty * price)
        if float(qty * price + commission + tax) <= x[kc.X_CASH]:
            return qty, price, commission, tax, kc.ERR_NONE
        qty -= 1
    return 0, 0, 0, 0, kc.ERR_NONE
