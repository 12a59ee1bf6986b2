"""`RiskEngine.check` (its fast pass, then the checks) answers as the checks do, in order."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jts.core import Order, OrderRequest, OrderStatus, OrderType, Side
from jts.risk import RateLimiter, ReasonCode, RiskEngine, RiskLimits, RiskRejection
from jts.risk import checks as c
from tests.oms.factories import request
from tests.risk.context import FakeContext

SYMBOL = "005930"
PRICES = st.sampled_from(
    [None, 49_000, 60_000, 60_050, 69_900, 70_000, 70_100, 73_000, 76_000, 95_000]
)


def _maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), values)


LIMITS = st.builds(
    RiskLimits,
    max_order_qty=_maybe(st.sampled_from([50, 100, 10_000])),
    max_order_value=_maybe(st.sampled_from([5_000_000, 10**9])),
    max_position_qty=_maybe(st.integers(1, 400)),
    max_gross_exposure=_maybe(st.integers(1, 40_000_000)),
    fat_finger_pct=_maybe(st.sampled_from([1.0, 5.0, 10.0, 50.0])),
    max_orders_per_second=_maybe(st.integers(1, 10)),
    max_orders_per_minute=_maybe(st.integers(1, 10)),
    daily_loss_limit=_maybe(st.sampled_from([1_000_000, 10**9])),
    check_cash=st.booleans(),
    allow_short=st.booleans(),
    prevent_self_cross=st.booleans(),
    block_identical_orders=st.booleans(),
)


@st.composite
def _requests(draw: st.DrawFn, coid: str) -> OrderRequest:
    price = draw(PRICES)
    order_type = (
        draw(st.sampled_from([OrderType.LIMIT, OrderType.CONDITIONAL_LIMIT]))
        if price is not None
        else draw(st.sampled_from([OrderType.MARKET, OrderType.BEST_LIMIT, OrderType.LIMIT]))
    )
    return request(
        coid,
        side=draw(st.sampled_from([Side.BUY, Side.SELL])),
        qty=draw(st.sampled_from([1, 10, 100, 250])),
        price=price,
        order_type=order_type,
        ts_ns=draw(st.integers(0, 3_000_000_000)),
    )


@st.composite
def _open_orders(draw: st.DrawFn) -> list[Order]:
    orders = []
    for n in range(draw(st.integers(0, 3))):
        other = draw(_requests(draw(st.sampled_from([f"open-{n}", "new"]))))
        filled = draw(st.integers(0, other.qty - 1))
        status = OrderStatus.PARTIALLY_FILLED if filled else OrderStatus.ACCEPTED
        orders.append(Order(request=other, status=status, filled_qty=filled))
    return orders


@st.composite
def _contexts(draw: st.DrawFn) -> FakeContext:
    return FakeContext(
        cash=draw(st.sampled_from([0, 5_000_000, 30_000_000, 10**9])),
        positions={SYMBOL: draw(st.integers(-300, 300))},
        last=draw(st.sampled_from([{}, {SYMBOL: 70_000}, {SYMBOL: 65_000}])),
        limits=draw(st.sampled_from([{}, {SYMBOL: (49_000, 91_000)}, {SYMBOL: (65_000, 75_000)}])),
        gross=draw(st.sampled_from([0, 5_000_000, 39_000_000])),
        pnl=draw(st.sampled_from([-2_000_000, -500_000, 0, 1_000_000])),
        orders=draw(_open_orders()),
        open=draw(st.integers(0, 5)) > 0,
    )


def _reference(
    limits: RiskLimits, rate: RateLimiter, request: OrderRequest, ctx: FakeContext
) -> RiskRejection | None:
    """The individual checks in the documented order; the first refusal, as `check` words it."""
    checks = [
        c.check_max_order_qty if limits.max_order_qty is not None else None,
        c.check_daily_loss if limits.daily_loss_limit is not None else None,
        c.check_session,
        c.check_tick,
        c.check_price_limits,
        c.check_fat_finger if limits.fat_finger_pct is not None else None,
        c.check_order_value if limits.max_order_value is not None else None,
        c.check_position,
        c.check_cash if limits.check_cash else None,
        c.check_gross_exposure if limits.max_gross_exposure is not None else None,
        rate.check,
    ]
    for check in checks:
        rejection = check(request, ctx, limits) if check is not None else None
        if rejection is not None:
            if rejection.code is ReasonCode.DAILY_LOSS_LIMIT:
                message = f"{rejection.message}; trading is now halted"
                return RiskRejection(rejection.code, message)
            return rejection
    rate.record(request.ts_ns)
    return None


@settings(max_examples=1_000, deadline=None)
@given(
    limits=LIMITS,
    ctx=_contexts(),
    requests=st.lists(_requests("new"), min_size=1, max_size=6),
)
def test_check_agrees_with_the_checks_in_order(
    limits: RiskLimits, ctx: FakeContext, requests: list[OrderRequest]
) -> None:
    engine, rate = RiskEngine(limits), RateLimiter(limits)
    for req in sorted(requests, key=lambda r: r.ts_ns):
        expected = _reference(limits, rate, req, ctx)
        assert engine.check(req, ctx) == expected
        if expected is not None and expected.code is ReasonCode.DAILY_LOSS_LIMIT:
            break  # the engine halted itself; the reference has no state
