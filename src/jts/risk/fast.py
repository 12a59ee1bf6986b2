"""The fast pass of `RiskEngine.check`: one function that says "passes every check" or "ask the
checks".

`build_pass_check(limits, windows)` returns a function, built once per `RiskLimits` (and rate
limiter), that evaluates the pass conditions of every enabled check of `jts.risk.checks`, in
the engine's order, reading each context value once (the position, the open orders and the
price band serve several checks) and holding the limits in closure variables. It never
refuses: when any condition fails (or an order cannot be valued) it returns False and the
engine runs the individual checks, which find the first refusal and word it. So the fast pass
has to be exactly as strict as the checks only on the pass side: it may send an order that
would pass to the checks (costing time, not a different answer), never the reverse.

On a pass it counts the order in the rate windows, as `RateLimiter.admit` would.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from jts.core.clock import NS_PER_SECOND
from jts.core.enums import Side
from jts.core.models import OrderRequest
from jts.risk.checks import RiskContext, valuation_price
from jts.risk.limits import RiskLimits

_BUY = Side.BUY  # a module constant: enum attribute lookups are slow (3.11)

PassCheck = Callable[[OrderRequest, RiskContext], bool]
"""True when the request passes every check (and has been counted in the rate windows)."""

RateWindows = tuple[tuple[int, int, deque[int]], ...]
"""(limit, window in seconds, passed-order stamps) per rate window, as `RateLimiter` keeps them."""


def never_passes(request: OrderRequest, ctx: RiskContext) -> bool:
    """The pass check outside the active state: every order goes through the checks."""
    return False


def build_pass_check(limits: RiskLimits, windows: RateWindows) -> PassCheck:  # noqa: C901 - one flat function
    """The fast pass for `limits` in the active state (see the module docstring).

    One flat function on purpose (hence the complexity waiver): a call per check is what it
    saves.
    """
    max_qty = limits.max_order_qty
    max_value = limits.max_order_value
    max_position = limits.max_position_qty
    max_gross = limits.max_gross_exposure
    pct = limits.fat_finger_pct
    loss_floor = -limits.daily_loss_limit if limits.daily_loss_limit is not None else None
    cash_on = limits.check_cash
    short_ok = limits.allow_short
    no_cross = limits.prevent_self_cross
    no_twins = limits.block_identical_orders
    valued = max_value is not None or cash_on or max_gross is not None
    rate = tuple((limit, seconds * NS_PER_SECOND, stamps) for limit, seconds, stamps in windows)

    def passes(request: OrderRequest, ctx: RiskContext) -> bool:  # noqa: C901 - see above
        qty = request.qty
        if max_qty is not None and qty > max_qty:
            return False
        if loss_floor is not None and ctx.daily_pnl() <= loss_floor:
            return False
        symbol = request.symbol
        if not ctx.session_open(symbol):
            return False
        price = request.price
        value_price: int | None
        if price is None:
            if request.order_type.needs_price:
                return False
            value_price = valuation_price(request, ctx) if valued else 0
            if value_price is None:
                return False
        else:
            if not ctx.tick_valid(symbol, price):
                return False
            band = ctx.price_limits(symbol)
            if band is not None and not band[0] <= price <= band[1]:
                return False
            if pct is not None:
                last = ctx.last_price(symbol)
                if last is not None and abs(price - last) * 100 > pct * last:
                    return False
            value_price = price
        if max_value is not None and qty * value_price > max_value:
            return False
        # the open orders: duplicates, self-crosses, and the same side's remaining shares
        side = request.side
        buy = side is _BUY
        coid = request.client_order_id
        pending = 0
        for order in ctx.open_orders(symbol):
            other = order.request
            if other.client_order_id == coid:
                return False
            if other.side is side:
                if (
                    no_twins
                    and other.qty == qty
                    and other.price == price
                    and other.order_type is request.order_type
                ):
                    return False
                pending += other.qty - order.filled_qty
            elif no_cross:
                theirs = other.price
                if price is None or theirs is None or (price >= theirs if buy else price <= theirs):
                    return False
        held = ctx.position(symbol)
        if buy:
            if max_position is not None:
                before = held + pending
                after = before + qty
                if abs(after) > max_position and abs(after) > abs(before):
                    return False
            if cash_on and qty * value_price > ctx.available_cash():
                return False
            added = abs(held + qty) - abs(held)
        else:
            if not short_ok and qty + pending > held:
                return False
            if max_position is not None:
                before = held - pending
                after = before - qty
                if abs(after) > max_position and abs(after) > abs(before):
                    return False
            added = abs(held - qty) - abs(held)
        if (
            max_gross is not None
            and added > 0
            and ctx.gross_exposure() + added * value_price > max_gross
        ):
            return False
        if rate:
            ts = request.ts_ns
            for limit, window, stamps in rate:
                if len(stamps) == limit and stamps[0] > ts - window:
                    return False
            for _, _, stamps in rate:
                stamps.append(ts)
        return True

    return passes
