"""The pre-trade risk engine: the one gate between an order intent and the order manager.

`RiskEngine.check(request, ctx)` runs the checks below, cheapest first, and returns the first
refusal (a `RiskRejection`) or None. `check_all` runs every check and returns every refusal,
for a UI that wants to show all reasons at once (the first of each check function: the
position check reports one of its four codes); it has no side effects.

Order and meaning (checks switched off by their limit being None/False are not even called):

 1. TRADING_HALTED / REDUCE_ONLY — only outside the active state. Halted refuses everything;
    reduce-only passes an order only if it, plus the open orders on its side, shrinks the
    position without crossing zero.
 2. MAX_ORDER_QTY — qty > `max_order_qty`.
 3. DAILY_LOSS_LIMIT — `ctx.daily_pnl()` <= −`daily_loss_limit`. In `check`, this also halts
    the engine (the message says so) and calls `on_breach` with the rejection.
 4. MARKET_CLOSED — `ctx.session_open(symbol)` is false.
 5. INVALID_TICK — a priced order whose price is off the tick grid, or a limit order without
    a price.
 6. OUTSIDE_PRICE_LIMITS — a price outside today's (lower, upper) band, when known.
 7. FAT_FINGER — |price − last| > `fat_finger_pct` % of the last price (priced orders, when a
    last price is known).
 8. MAX_ORDER_VALUE — qty × valuation price > `max_order_value` (see `checks.valuation_price`).
 9. DUPLICATE_ORDER, SELF_CROSS, INSUFFICIENT_POSITION, MAX_POSITION — one pass over the
    symbol's open orders and one position read (`checks.check_position`): the same client
    order id (or an identical order with `block_identical_orders`); an opposite-side order of
    ours this one would trade against (`prevent_self_cross`); without `allow_short`, a sell
    larger than held minus open sells; |held + open same-side orders + this order| >
    `max_position_qty`, unless the order moves the position towards zero.
10. INSUFFICIENT_CASH — a buy whose value exceeds `ctx.available_cash()` (`check_cash`).
11. MAX_GROSS_EXPOSURE — gross exposure + the value this order adds > `max_gross_exposure`.
12. RATE_LIMIT — `max_orders_per_second` / `_per_minute` orders already passed in the sliding
    window (t − window, t] ending at the request's `ts_ns`. Time is the requests' own, so a
    backtest on a simulated clock is limited exactly like live trading. Last on purpose: in
    `check`, passing it means passing everything, so it counts the order as it lets it
    through, and refused orders never use up the rate; `check_all` counts nothing.

Trading state (`TradingState`): `halt`, `reduce_only` and `resume` switch it and call
`on_state_change`. The engine cannot see the order manager (risk and oms are independent
layers), so a kill switch is the caller's two steps: `engine.halt(reason)`, then cancel the
open orders it holds.

Speed: the pipeline is a tuple of plain functions rebuilt whenever limits or state change, so a
check that is off costs nothing. In the active state `check` first runs one function built for
the current limits (`jts.risk.fast`) that evaluates every check's pass condition with each
context value read once; only when it does not pass do the individual checks run, and they
alone decide and word the refusal, so the answers are those of the checks in the order above.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from enum import StrEnum

from jts.core.clock import NS_PER_SECOND
from jts.core.models import OrderRequest
from jts.risk.checks import (
    Check,
    ReasonCode,
    RiskContext,
    RiskRejection,
    check_cash,
    check_daily_loss,
    check_fat_finger,
    check_gross_exposure,
    check_max_order_qty,
    check_order_value,
    check_position,
    check_price_limits,
    check_reduce_only,
    check_session,
    check_tick,
)
from jts.risk.fast import PassCheck, RateWindows, build_pass_check, never_passes
from jts.risk.limits import RiskLimits


class TradingState(StrEnum):
    """What the engine lets through: everything, only position reductions, or nothing."""

    ACTIVE = "active"
    REDUCE_ONLY = "reduce_only"
    HALTED = "halted"


StateListener = Callable[[TradingState, str], None]
"""Called with the new state and the reason whenever the trading state changes."""

BreachListener = Callable[[RiskRejection], None]
"""Called with the rejection when a breach (the daily loss limit) halts the engine."""


class RateLimiter:
    """Sliding-window order counts over the requests' own timestamps (ns).

    Each window keeps the timestamps of the last `limit` passed orders (a bounded deque), so
    the window is full exactly when it holds `limit` stamps and the oldest is still inside
    (t − window, t]: constant work per order whatever the limit.
    """

    __slots__ = ("_windows",)

    def __init__(self, limits: RiskLimits, history: tuple[int, ...] = ()) -> None:
        """`history` (oldest first) carries passed-order stamps over from a previous limiter."""
        windows: list[tuple[int, int, deque[int]]] = []
        for limit, seconds in (
            (limits.max_orders_per_second, 1),
            (limits.max_orders_per_minute, 60),
        ):
            if limit is not None:
                windows.append((limit, seconds, deque(history, maxlen=limit)))
        self._windows = tuple(windows)

    def check(
        self, request: OrderRequest, ctx: RiskContext, limits: RiskLimits
    ) -> RiskRejection | None:
        """The `Check` for RATE_LIMIT; reads only."""
        ts = request.ts_ns
        for limit, seconds, stamps in self._windows:
            if len(stamps) == limit and stamps[0] > ts - seconds * NS_PER_SECOND:
                return RiskRejection(
                    ReasonCode.RATE_LIMIT,
                    f"{request.side} {request.qty:,} {request.symbol}: {limit:,} orders already "
                    f"passed in the last {seconds} s (limit {limit:,} per {seconds} s)",
                )
        return None

    def admit(
        self, request: OrderRequest, ctx: RiskContext, limits: RiskLimits
    ) -> RiskRejection | None:
        """`check`, and on a pass count the order at its `ts_ns` (the engine's last check)."""
        ts = request.ts_ns
        windows = self._windows
        for limit, seconds, stamps in windows:
            if len(stamps) == limit and stamps[0] > ts - seconds * NS_PER_SECOND:
                return self.check(request, ctx, limits)  # the refusal, with its message
        for _, _, stamps in windows:
            stamps.append(ts)
        return None

    @property
    def windows(self) -> RateWindows:
        """(limit, seconds, recorded stamps) per window; the stamps are live (`fast` counts)."""
        return self._windows

    def record(self, ts_ns: int) -> None:
        """Count one passed order at `ts_ns`."""
        for _, _, stamps in self._windows:
            stamps.append(ts_ns)

    def history(self) -> tuple[int, ...]:
        """Recorded stamps of the longest window, oldest first."""
        return tuple(self._windows[-1][2]) if self._windows else ()


class RiskEngine:
    """Pre-trade checks plus the trading state of one account (see the module docstring)."""

    __slots__ = (
        "_checks",
        "_limits",
        "_passes",
        "_preview",
        "_rate",
        "_reason",
        "_state",
        "on_breach",
        "on_state_change",
    )

    def __init__(
        self,
        limits: RiskLimits | None = None,
        *,
        on_breach: BreachListener | None = None,
        on_state_change: StateListener | None = None,
    ) -> None:
        self.on_breach = on_breach
        self.on_state_change = on_state_change
        self._state = TradingState.ACTIVE
        self._reason = ""
        self._rate: RateLimiter | None = None
        self._checks: tuple[Check, ...] = ()
        self._preview: tuple[Check, ...] = ()
        self._passes: PassCheck = never_passes
        self._limits = RiskLimits()
        self.set_limits(limits if limits is not None else RiskLimits())

    # -- checking ---------------------------------------------------------------------------

    def check(self, request: OrderRequest, ctx: RiskContext) -> RiskRejection | None:
        """None if `request` may go to the order manager, else the first refusal.

        A pass counts towards the rate limits: call this once per order actually sent.
        """
        if self._passes(request, ctx):
            return None
        limits = self._limits
        for check in self._checks:
            rejection = check(request, ctx, limits)
            if rejection is not None:
                if rejection.code is ReasonCode.DAILY_LOSS_LIMIT:
                    return self._breach(rejection)
                return rejection
        return None

    def check_all(self, request: OrderRequest, ctx: RiskContext) -> list[RiskRejection]:
        """Every refusal `request` would meet, in check order; changes nothing."""
        limits = self._limits
        found = (check(request, ctx, limits) for check in self._preview)
        return [rejection for rejection in found if rejection is not None]

    # -- limits and state -------------------------------------------------------------------

    @property
    def limits(self) -> RiskLimits:
        return self._limits

    def set_limits(self, limits: RiskLimits) -> None:
        """Replace the limits (e.g. an operator's change); rate history carries over."""
        history = self._rate.history() if self._rate is not None else ()
        self._limits = limits
        rated = limits.max_orders_per_second is not None or limits.max_orders_per_minute is not None
        self._rate = RateLimiter(limits, history) if rated else None
        self._rebuild()

    @property
    def state(self) -> TradingState:
        return self._state

    @property
    def state_reason(self) -> str:
        """Why the engine is in its current state (empty when never said)."""
        return self._reason

    def halt(self, reason: str) -> None:
        """Refuse every order until `resume` or `reduce_only`; the caller cancels open orders."""
        self._set_state(TradingState.HALTED, reason)

    def reduce_only(self, reason: str = "") -> None:
        """Pass only orders that shrink a position."""
        self._set_state(TradingState.REDUCE_ONLY, reason)

    def resume(self, reason: str = "") -> None:
        """Back to normal checking."""
        self._set_state(TradingState.ACTIVE, reason)

    # -- internals --------------------------------------------------------------------------

    def _set_state(self, state: TradingState, reason: str) -> None:
        changed = state is not self._state
        self._state, self._reason = state, reason
        self._rebuild()
        if changed and self.on_state_change is not None:
            self.on_state_change(state, reason)

    def _breach(self, rejection: RiskRejection) -> RiskRejection:
        halted = RiskRejection(rejection.code, f"{rejection.message}; trading is now halted")
        self.halt(rejection.message)
        if self.on_breach is not None:
            self.on_breach(halted)
        return halted

    def _check_state(
        self, request: OrderRequest, ctx: RiskContext, limits: RiskLimits
    ) -> RiskRejection | None:
        if self._state is TradingState.REDUCE_ONLY:
            return check_reduce_only(request, ctx, limits)
        reason = f" ({self._reason})" if self._reason else ""
        return RiskRejection(
            ReasonCode.TRADING_HALTED,
            f"{request.side} {request.qty:,} {request.symbol}: trading is halted{reason}",
        )

    def _rebuild(self) -> None:
        """The pipelines for the current limits and state: only the checks that can refuse.

        `check` runs `_checks`, whose rate step counts what passes; `check_all` runs
        `_preview`, the same steps with a rate step that only reads.
        """
        limits, rate = self._limits, self._rate
        steps: list[Check | None] = [
            self._check_state if self._state is not TradingState.ACTIVE else None,
            check_max_order_qty if limits.max_order_qty is not None else None,
            check_daily_loss if limits.daily_loss_limit is not None else None,
            check_session,
            check_tick,
            check_price_limits,
            check_fat_finger if limits.fat_finger_pct is not None else None,
            check_order_value if limits.max_order_value is not None else None,
            check_position,
            check_cash if limits.check_cash else None,
            check_gross_exposure if limits.max_gross_exposure is not None else None,
        ]
        checks = tuple(step for step in steps if step is not None)
        self._checks = checks + ((rate.admit,) if rate is not None else ())
        self._preview = checks + ((rate.check,) if rate is not None else ())
        active = self._state is TradingState.ACTIVE
        windows = rate.windows if rate is not None else ()
        self._passes = build_pass_check(limits, windows) if active else never_passes
