from __future__ import annotations

import pytest

from jts.core import Order, OrderDenied, OrderStatus, OrderType, Side
from jts.risk import ReasonCode, RiskLimits, RiskRejection, valuation_price
from jts.risk import checks as c
from tests.oms.factories import request
from tests.risk.context import FakeContext

BUY, SELL = Side.BUY, Side.SELL
R = ReasonCode


def _open(coid: str, side: Side, price: int | None, qty: int = 10, filled: int = 0) -> Order:
    return Order(
        request=request(coid, side=side, price=price, qty=qty),
        status=OrderStatus.PARTIALLY_FILLED if filled else OrderStatus.ACCEPTED,
        filled_qty=filled,
    )


def _refusal(rejection: RiskRejection | None, code: ReasonCode) -> str:
    assert rejection is not None, f"expected {code}, got a pass"
    assert rejection.code is code, rejection
    return rejection.message


def test_order_quantity_limit() -> None:
    ctx, limits = FakeContext(), RiskLimits(max_order_qty=100)
    assert c.check_max_order_qty(request(qty=100), ctx, limits) is None
    message = _refusal(c.check_max_order_qty(request(qty=150), ctx, limits), R.MAX_ORDER_QTY)
    assert message == "buy 150 005930 @ 70,000 KRW: 150 shares exceed the order limit of 100 shares"


def test_closed_session() -> None:
    assert c.check_session(request(), FakeContext(), RiskLimits()) is None
    message = _refusal(
        c.check_session(request(), FakeContext(open=False), RiskLimits()), R.MARKET_CLOSED
    )
    assert "005930 is not trading now" in message


def test_tick_grid() -> None:
    ctx, limits = FakeContext(), RiskLimits()
    assert c.check_tick(request(price=70_100), ctx, limits) is None
    assert c.check_tick(request(price=None), ctx, limits) is None  # market orders carry no price
    message = _refusal(c.check_tick(request(price=70_050), ctx, limits), R.INVALID_TICK)
    assert "70,050 KRW is not on the tick grid of 005930" in message
    unpriced = request(price=None, order_type=OrderType.LIMIT)
    assert "needs a price" in _refusal(c.check_tick(unpriced, ctx, limits), R.INVALID_TICK)


def test_daily_price_limits() -> None:
    ctx, limits = FakeContext(), RiskLimits()
    assert c.check_price_limits(request(price=91_000), ctx, limits) is None
    assert c.check_price_limits(request(price=49_000), ctx, limits) is None
    message = _refusal(
        c.check_price_limits(request(price=91_100), ctx, limits), R.OUTSIDE_PRICE_LIMITS
    )
    assert "91,100 KRW is outside today's limits 49,000–91,000 KRW" in message
    assert c.check_price_limits(request(price=91_100), FakeContext(limits={}), limits) is None


def test_fat_finger_distance_from_last_price() -> None:
    limits = RiskLimits(fat_finger_pct=5)
    assert c.check_fat_finger(request(price=73_500), FakeContext(), limits) is None  # exactly 5%
    assert c.check_fat_finger(request(price=66_500), FakeContext(), limits) is None
    message = _refusal(
        c.check_fat_finger(request(price=73_600), FakeContext(), limits), R.FAT_FINGER
    )
    assert message.endswith("73,600 KRW is 5.1% from the last price 70,000 KRW (limit 5%)")
    assert c.check_fat_finger(request(price=99_000), FakeContext(last={}), limits) is None
    assert c.check_fat_finger(request(price=None), FakeContext(), limits) is None


def test_valuation_of_unpriced_orders() -> None:
    ctx = FakeContext()
    assert valuation_price(request(price=70_100), ctx) == 70_100
    assert valuation_price(request(price=None), ctx) == 91_000  # buy: upper limit
    assert valuation_price(request(price=None, side=SELL), ctx) == 70_000  # sell: last
    assert valuation_price(request(price=None), FakeContext(limits={})) == 70_000
    assert valuation_price(request(price=None, side=SELL), FakeContext(last={})) == 91_000
    assert valuation_price(request(price=None), FakeContext(limits={}, last={})) is None


def test_order_value_limit() -> None:
    limits = RiskLimits(max_order_value=7_000_000)
    assert c.check_order_value(request(qty=100), FakeContext(), limits) is None
    message = _refusal(
        c.check_order_value(request(qty=101), FakeContext(), limits), R.MAX_ORDER_VALUE
    )
    assert message == (
        "buy 101 shares of 005930 × 70,000 KRW = 7,070,000 KRW "
        "exceeds the order value limit of 7,000,000 KRW"
    )
    market = request(qty=77, price=None)  # valued at the upper limit 91,000
    assert "× 91,000 KRW" in _refusal(
        c.check_order_value(market, FakeContext(), limits), R.MAX_ORDER_VALUE
    )
    blind = FakeContext(limits={}, last={})
    assert "cannot value" in _refusal(c.check_order_value(market, blind, limits), R.MAX_ORDER_VALUE)


def test_cash() -> None:
    limits = RiskLimits()
    ctx = FakeContext(cash=5_000_000)
    assert c.check_cash(request(qty=99, price=50_100), ctx, limits) is None
    message = _refusal(
        c.check_cash(request(qty=120, price=50_100), ctx, limits), R.INSUFFICIENT_CASH
    )
    assert message == (
        "buy 120 shares of 005930 × 50,100 KRW = 6,012,000 KRW exceeds available cash 5,000,000 KRW"
    )
    assert c.check_cash(request(qty=120, side=SELL), ctx, limits) is None
    assert c.check_cash(request(qty=120), ctx, RiskLimits(check_cash=False)) is None


def test_gross_exposure_counts_only_what_the_order_adds() -> None:
    limits = RiskLimits(max_gross_exposure=10_000_000)
    ctx = FakeContext(gross=9_000_000, positions={"005930": 10})
    assert c.check_gross_exposure(request(qty=14), ctx, limits) is None  # +980,000
    message = _refusal(c.check_gross_exposure(request(qty=15), ctx, limits), R.MAX_GROSS_EXPOSURE)
    assert "9,000,000 KRW + 15 shares × 70,000 KRW = 10,050,000 KRW exceeds" in message
    # A sell of 15 closes 10 and opens 5 short: only the 5 add exposure.
    short = RiskLimits(max_gross_exposure=10_000_000, allow_short=True)
    assert c.check_gross_exposure(request(qty=15, side=SELL), ctx, short) is None
    reducing = FakeContext(gross=10**12, positions={"005930": 10})
    assert c.check_gross_exposure(request(qty=10, side=SELL), reducing, limits) is None


def test_daily_loss_limit() -> None:
    limits = RiskLimits(daily_loss_limit=5_000_000)
    assert c.check_daily_loss(request(), FakeContext(pnl=-4_999_999), limits) is None
    message = _refusal(
        c.check_daily_loss(request(), FakeContext(pnl=-5_000_000), limits), R.DAILY_LOSS_LIMIT
    )
    assert "today's P&L -5,000,000 KRW has reached the daily loss limit of 5,000,000 KRW" in message


def test_duplicate_client_order_id_among_open_orders() -> None:
    ctx = FakeContext(orders=[_open("o-1", BUY, 69_000)])
    message = _refusal(c.check_position(request("o-1"), ctx, RiskLimits()), R.DUPLICATE_ORDER)
    assert "duplicates open order 'o-1'" in message


def test_identical_orders_are_duplicates_only_when_asked() -> None:
    ctx = FakeContext(orders=[_open("o-1", BUY, 70_000, qty=100)])
    assert c.check_position(request("o-2"), ctx, RiskLimits()) is None
    blocked = RiskLimits(block_identical_orders=True)
    assert _refusal(c.check_position(request("o-2"), ctx, blocked), R.DUPLICATE_ORDER)
    assert c.check_position(request("o-2", qty=99), ctx, blocked) is None


@pytest.mark.parametrize(
    ("side", "price", "other_price", "crosses"),
    [
        (BUY, 70_000, 70_000, True),
        (BUY, 70_000, 70_100, False),
        (SELL, 70_000, 70_100, True),
        (SELL, 70_000, 70_000, True),
        (SELL, 70_100, 70_000, False),
        (BUY, None, 99_000, True),
        (BUY, 50_000, None, True),
    ],
)
def test_self_cross(side: Side, price: int | None, other_price: int | None, crosses: bool) -> None:
    other = _open("o-9", side.opposite, other_price)
    ctx = FakeContext(orders=[other], positions={"005930": 1_000})
    rejection = c.check_position(request("o-1", side=side, price=price), ctx, RiskLimits())
    if crosses:
        assert "would trade against own open order 'o-9'" in _refusal(rejection, R.SELF_CROSS)
    else:
        assert rejection is None
    allowed = RiskLimits(prevent_self_cross=False)
    assert c.check_position(request("o-1", side=side, price=price), ctx, allowed) is None


def test_selling_more_than_held_without_shorting() -> None:
    limits = RiskLimits()
    ctx = FakeContext(positions={"005930": 100})
    assert c.check_position(request(side=SELL, qty=100), ctx, limits) is None
    message = _refusal(
        c.check_position(request(side=SELL, qty=101), ctx, limits), R.INSUFFICIENT_POSITION
    )
    assert "101 shares to sell but 100 held (short selling is not allowed)" in message
    ctx.orders = [_open("o-9", SELL, 71_000, qty=50, filled=20)]  # 30 still offered
    assert c.check_position(request(side=SELL, qty=70), ctx, limits) is None
    message = _refusal(
        c.check_position(request(side=SELL, qty=71), ctx, limits), R.INSUFFICIENT_POSITION
    )
    assert "and 30 already offered in open sell orders" in message
    assert c.check_position(request(side=SELL, qty=500), ctx, RiskLimits(allow_short=True)) is None


def test_position_limit_counts_open_orders_and_lets_reductions_through() -> None:
    limits = RiskLimits(max_position_qty=1_000)
    ctx = FakeContext(positions={"005930": 800}, orders=[_open("o-9", BUY, 69_000, qty=150)])
    assert c.check_position(request(qty=50), ctx, limits) is None
    message = _refusal(c.check_position(request(qty=51), ctx, limits), R.MAX_POSITION)
    assert "position would reach 1,001 shares of 005930 (held 800, with open orders 950)" in message
    over = FakeContext(positions={"005930": 1_500})  # over the limit after it was lowered
    assert c.check_position(request(side=SELL, qty=100), over, limits) is None
    shorts = RiskLimits(max_position_qty=1_000, allow_short=True)
    assert c.check_position(request(side=SELL, qty=1_000), FakeContext(), shorts) is None
    assert _refusal(
        c.check_position(request(side=SELL, qty=1_001), FakeContext(), shorts), R.MAX_POSITION
    )


def test_reduce_only_passes_only_shrinking_orders() -> None:
    limits = RiskLimits()
    long = FakeContext(positions={"005930": 100})
    assert c.check_reduce_only(request(side=SELL, qty=100), long, limits) is None
    assert _refusal(c.check_reduce_only(request(side=SELL, qty=101), long, limits), R.REDUCE_ONLY)
    assert _refusal(c.check_reduce_only(request(qty=1), long, limits), R.REDUCE_ONLY)
    short = FakeContext(positions={"005930": -100}, orders=[_open("o-9", BUY, 69_000, qty=60)])
    assert c.check_reduce_only(request(qty=40), short, limits) is None
    message = _refusal(c.check_reduce_only(request(qty=41), short, limits), R.REDUCE_ONLY)
    assert "41 shares (+60 in open orders) would not shrink the position of -100 shares" in message
    assert _refusal(c.check_reduce_only(request(side=SELL), FakeContext(), limits), R.REDUCE_ONLY)


def test_a_rejection_becomes_an_order_denied_error() -> None:
    error = RiskRejection(R.FAT_FINGER, "too far").to_error()
    assert isinstance(error, OrderDenied)
    assert (error.reason, error.message, str(error)) == (
        "fat_finger",
        "too far",
        "[fat_finger] too far",
    )


def test_open_qty_sums_the_remaining_shares_of_one_side() -> None:
    orders = [_open("a", BUY, 1, qty=10, filled=4), _open("b", SELL, 1, qty=5), _open("c", BUY, 1)]
    assert c.open_qty(orders, BUY) == 16
    assert c.open_qty(orders, SELL) == 5
