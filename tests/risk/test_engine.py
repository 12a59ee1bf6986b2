from __future__ import annotations

import pytest

from jts.core import Order, OrderRequest, OrderStatus, Side
from jts.core.clock import NS_PER_SECOND
from jts.risk import ReasonCode, RiskEngine, RiskLimits, RiskRejection, TradingState
from tests.oms.factories import request
from tests.risk.context import FakeContext

R = ReasonCode
SELL = Side.SELL


def _at(seconds: float, coid: str = "o-1") -> OrderRequest:
    return request(coid, ts_ns=round(seconds * NS_PER_SECOND))


def test_a_valid_order_passes_every_default_check() -> None:
    engine = RiskEngine()
    assert engine.check(request(), FakeContext()) is None
    assert engine.check_all(request(), FakeContext()) == []
    assert engine.state is TradingState.ACTIVE
    assert engine.limits == RiskLimits()


def test_the_first_failure_in_check_order_is_returned_and_check_all_lists_every_one() -> None:
    engine = RiskEngine(RiskLimits(max_order_qty=10, fat_finger_pct=1))
    ctx = FakeContext(cash=0)
    order = request(qty=100, price=80_000)
    rejection = engine.check(order, ctx)
    assert rejection is not None
    assert rejection.code is R.MAX_ORDER_QTY
    codes = [r.code for r in engine.check_all(order, ctx)]
    assert codes == [R.MAX_ORDER_QTY, R.FAT_FINGER, R.INSUFFICIENT_CASH]


def test_switched_off_checks_do_not_run() -> None:
    engine = RiskEngine(RiskLimits(check_cash=False, allow_short=True))
    assert engine.check(request(side=SELL, qty=10**6), FakeContext(cash=0)) is None


def test_halt_refuses_everything_until_resumed_and_reports_state_changes() -> None:
    changes: list[tuple[TradingState, str]] = []
    engine = RiskEngine(on_state_change=lambda state, why: changes.append((state, why)))
    engine.halt("operator kill switch")
    rejection = engine.check(request(), FakeContext())
    assert rejection is not None
    assert rejection.code is R.TRADING_HALTED
    assert rejection.message == "buy 100 005930: trading is halted (operator kill switch)"
    assert engine.state_reason == "operator kill switch"
    engine.resume("all clear")
    assert engine.check(request(), FakeContext()) is None
    assert changes == [
        (TradingState.HALTED, "operator kill switch"),
        (TradingState.ACTIVE, "all clear"),
    ]


def test_reduce_only_lets_through_orders_that_shrink_a_position() -> None:
    engine = RiskEngine()
    engine.reduce_only("end of day")
    ctx = FakeContext(positions={"005930": 100})
    assert engine.check(request(side=SELL, qty=60), ctx) is None
    rejection = engine.check(request(qty=1), ctx)
    assert rejection is not None
    assert rejection.code is R.REDUCE_ONLY
    ctx.orders = [Order(request=request("o-9", side=SELL, qty=60), status=OrderStatus.ACCEPTED)]
    rejection = engine.check(request("o-2", side=SELL, qty=41), ctx)
    assert rejection is not None
    assert rejection.code is R.REDUCE_ONLY
    assert engine.check(request("o-2", side=SELL, qty=40), ctx) is None


def test_breaching_the_daily_loss_limit_halts_the_engine_and_says_so() -> None:
    breaches: list[RiskRejection] = []
    engine = RiskEngine(RiskLimits(daily_loss_limit=1_000_000), on_breach=breaches.append)
    ctx = FakeContext(pnl=-1_000_000)
    assert [r.code for r in engine.check_all(request(), ctx)] == [R.DAILY_LOSS_LIMIT]
    states = [engine.state]  # check_all changed nothing; check will halt
    rejection = engine.check(request(), ctx)
    states.append(engine.state)
    assert rejection is not None
    assert rejection.code is R.DAILY_LOSS_LIMIT
    assert rejection.message.endswith("; trading is now halted")
    assert breaches == [rejection]
    assert states == [TradingState.ACTIVE, TradingState.HALTED]
    ctx.pnl = 0
    later = engine.check(request("o-2"), ctx)
    assert later is not None
    assert later.code is R.TRADING_HALTED
    assert "daily loss limit" in later.message


def test_rate_limit_slides_over_the_requests_own_clock() -> None:
    engine = RiskEngine(RiskLimits(max_orders_per_second=3))
    ctx = FakeContext()
    for t in (0.0, 0.1, 0.2):
        assert engine.check(_at(t), ctx) is None
    rejection = engine.check(_at(0.999), ctx)
    assert rejection is not None
    assert rejection.code is R.RATE_LIMIT
    assert "3 orders already passed in the last 1 s (limit 3 per 1 s)" in rejection.message
    assert engine.check(_at(1.0), ctx) is None  # t=0 left the window
    rejection = engine.check(_at(1.05), ctx)
    assert rejection is not None
    assert rejection.code is R.RATE_LIMIT
    assert engine.check(_at(1.1), ctx) is None


def test_refused_and_previewed_orders_do_not_use_up_the_rate() -> None:
    engine = RiskEngine(RiskLimits(max_orders_per_minute=2, max_order_qty=100))
    ctx = FakeContext()
    assert engine.check(request(qty=101), ctx) is not None
    assert engine.check_all(request(), ctx) == []
    assert engine.check(_at(10), ctx) is None
    assert engine.check(_at(20), ctx) is None
    rejection = engine.check(_at(69.9), ctx)
    assert rejection is not None
    assert "in the last 60 s" in rejection.message
    assert engine.check(_at(70), ctx) is None


def test_changing_limits_keeps_the_rate_history() -> None:
    engine = RiskEngine(RiskLimits(max_orders_per_second=5))
    ctx = FakeContext()
    for t in (0.0, 0.1):
        assert engine.check(_at(t), ctx) is None
    engine.set_limits(RiskLimits(max_orders_per_second=2))
    rejection = engine.check(_at(0.2), ctx)
    assert rejection is not None
    assert rejection.code is R.RATE_LIMIT


@pytest.mark.parametrize(
    ("ctx", "code"),
    [
        (FakeContext(open=False), R.MARKET_CLOSED),
        (FakeContext(limits={"005930": (80_000, 100_000)}), R.OUTSIDE_PRICE_LIMITS),
        (FakeContext(cash=1), R.INSUFFICIENT_CASH),
        (FakeContext(gross=10**10), R.MAX_GROSS_EXPOSURE),
        (FakeContext(positions={"005930": 10**6}), R.MAX_POSITION),
    ],
)
def test_the_engine_reports_context_driven_refusals(ctx: FakeContext, code: ReasonCode) -> None:
    engine = RiskEngine(RiskLimits(max_gross_exposure=10**10, max_position_qty=10**6))
    rejection = engine.check(request(), ctx)
    assert rejection is not None
    assert rejection.code is code
