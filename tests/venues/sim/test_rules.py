"""What a new order must satisfy at the simulated exchange: the KRX.md §3 order-type table,
every reject of `check_new` and their order, limits per symbol and day (§5), and the next
base price (special quotation)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core.enums import InstrumentKind, Market, OrderType, Side, TimeInForce
from jts.core.models import Instrument
from jts.krx.sessions import Phase
from jts.krx.volatility import ViGroup
from jts.venues.sim.orders import RejectCode
from jts.venues.sim.rules import (
    SymbolRules,
    after_hours_band,
    check_new,
    next_base_price,
    order_kind_allowed,
    symbol_rules,
)

DAY = date(2026, 3, 5)
STOCK = Instrument(symbol="005930", name="Samsung Elec", market=Market.KOSPI)
T, P, TIF = OrderType, Phase, TimeInForce
BUY, SELL = Side.BUY, Side.SELL


def rules_at(
    base: int = 10_000,
    instrument: Instrument = STOCK,
    *,
    ipo_offer_price: int | None = None,
    vi_group: ViGroup = ViGroup.OTHER,
    static_vi: bool = True,
) -> SymbolRules:
    return symbol_rules(
        instrument,
        DAY,
        base,
        ipo_offer_price=ipo_offer_price,
        vi_group=vi_group,
        static_vi=static_vi,
    )


# -- KRX.md §3, restated here as the test's own table ------------------------------------------

SECTION_3_COLUMNS = (P.OPENING_AUCTION, P.CONTINUOUS, P.CLOSING_AUCTION)
# order type -> (08:30-09:00, 09:00-15:20, 15:20-15:30 cells), IOC/FOK in continuous
SECTION_3_ROWS = {
    T.LIMIT: ((True, True, True), True),
    T.MARKET: ((True, True, True), True),
    T.CONDITIONAL_LIMIT: ((True, True, False), False),
    T.BEST_LIMIT: ((False, True, False), True),
    T.BEST_PRIORITY: ((False, True, False), False),
}
SECTION_3_DAY_CELLS = [
    (kind, phase, allowed)
    for kind, (cells, _) in SECTION_3_ROWS.items()
    for phase, allowed in zip(SECTION_3_COLUMNS, cells, strict=True)
]
IMMEDIATE = (TIF.IOC, TIF.FOK)


@pytest.mark.parametrize(("kind", "phase", "allowed"), SECTION_3_DAY_CELLS)
def test_section_3_day_order_cell(kind: OrderType, phase: Phase, allowed: bool) -> None:
    assert order_kind_allowed(phase, kind, TIF.DAY) is allowed


@pytest.mark.parametrize("tif", IMMEDIATE)
@pytest.mark.parametrize("kind", list(SECTION_3_ROWS))
def test_section_3_ioc_fok_cell_in_continuous_trading(kind: OrderType, tif: TimeInForce) -> None:
    assert order_kind_allowed(P.CONTINUOUS, kind, tif) is SECTION_3_ROWS[kind][1]


@pytest.mark.parametrize("tif", IMMEDIATE)
@pytest.mark.parametrize("kind", list(OrderType))
@pytest.mark.parametrize("phase", [p for p in Phase if p not in (P.CONTINUOUS, P.NXT_MAIN)])
def test_ioc_and_fok_are_refused_outside_continuous_trading(
    phase: Phase, kind: OrderType, tif: TimeInForce
) -> None:
    assert not order_kind_allowed(phase, kind, tif)


@pytest.mark.parametrize("phase", [P.PRE_OPEN_CLOSING_PRICE, P.POST_CLOSE_CLOSING_PRICE])
@pytest.mark.parametrize("kind", list(OrderType))
def test_closing_price_sessions_take_only_limit_and_closing_price_orders(
    phase: Phase, kind: OrderType
) -> None:
    expected = kind in (T.LIMIT, T.CLOSING_PRICE)
    assert order_kind_allowed(phase, kind, TIF.DAY) is expected


@pytest.mark.parametrize("kind", list(OrderType))
def test_after_hours_single_price_takes_limit_orders_only(kind: OrderType) -> None:
    assert order_kind_allowed(P.AFTER_HOURS, kind, TIF.DAY) is (kind is T.LIMIT)


@pytest.mark.parametrize("phase", [P.CONTINUOUS, P.OPENING_AUCTION, P.CLOSING_AUCTION])
def test_closing_price_orders_are_refused_in_the_regular_session(phase: Phase) -> None:
    assert not order_kind_allowed(phase, T.CLOSING_PRICE, TIF.DAY)


@pytest.mark.parametrize("phase", [P.GAP, P.CLOSED])
@pytest.mark.parametrize("kind", list(OrderType))
def test_gap_and_closed_take_no_order(phase: Phase, kind: OrderType) -> None:
    assert not order_kind_allowed(phase, kind, TIF.DAY)


# -- check_new: each reject, then their order ----------------------------------------------------


def check(
    phase: Phase = P.CONTINUOUS,
    kind: OrderType = T.LIMIT,
    tif: TimeInForce = TIF.DAY,
    side: Side = BUY,
    qty: int = 10,
    price: int | None = 10_000,
    rules: SymbolRules | None = None,
    band: tuple[int, int] | None = None,
) -> RejectCode | None:
    return check_new(rules or rules_at(), phase, kind, tif, side, qty, price, band=band)


def test_a_plain_limit_order_in_continuous_trading_passes() -> None:
    assert check() is None


@pytest.mark.parametrize("phase", [P.CLOSED, P.GAP])
def test_no_session_means_market_closed(phase: Phase) -> None:
    assert check(phase=phase) is RejectCode.MARKET_CLOSED


def test_best_limit_in_the_opening_auction_is_wrong_session() -> None:
    assert check(P.OPENING_AUCTION, T.BEST_LIMIT, price=None) is RejectCode.WRONG_SESSION


def test_conditional_limit_in_the_closing_auction_is_wrong_session() -> None:
    assert check(P.CLOSING_AUCTION, T.CONDITIONAL_LIMIT) is RejectCode.WRONG_SESSION


@pytest.mark.parametrize("qty", [0, -10])
def test_non_positive_quantity_is_bad_quantity(qty: int) -> None:
    assert check(qty=qty) is RejectCode.BAD_QUANTITY


def test_quantity_off_the_lot_is_bad_quantity() -> None:
    elw_like = Instrument(symbol="57JA01", name="lot of ten", market=Market.KOSPI, lot_size=10)
    assert check(qty=15, rules=rules_at(instrument=elw_like)) is RejectCode.BAD_QUANTITY
    assert check(qty=20, rules=rules_at(instrument=elw_like)) is None


@pytest.mark.parametrize("kind", [T.LIMIT, T.CONDITIONAL_LIMIT])
def test_limit_types_without_a_price_need_one(kind: OrderType) -> None:
    assert check(kind=kind, price=None) is RejectCode.PRICE_REQUIRED


@pytest.mark.parametrize("kind", [T.MARKET, T.BEST_LIMIT, T.BEST_PRIORITY])
def test_exchange_priced_types_refuse_a_price(kind: OrderType) -> None:
    assert check(kind=kind, price=10_000) is RejectCode.PRICE_NOT_ALLOWED
    assert check(kind=kind, price=None) is None


def test_price_off_its_own_tick_is_off_tick() -> None:
    assert check(price=10_005) is RejectCode.OFF_TICK


def test_non_positive_price_is_off_tick() -> None:
    assert check(price=0) is RejectCode.OFF_TICK


@pytest.mark.parametrize("price", [13_010, 6_990])
def test_price_beyond_the_daily_limits_is_outside_limits(price: int) -> None:
    assert check(price=price) is RejectCode.OUTSIDE_LIMITS  # limits 7,000 / 13,000


@pytest.mark.parametrize("price", [7_000, 13_000])
def test_the_limit_prices_themselves_are_accepted(price: int) -> None:
    assert check(price=price) is None


def test_a_narrower_band_applies_inside_the_limits() -> None:
    rules = rules_at()
    band = after_hours_band(rules, 10_000)  # ±10% of the close
    assert band == (9_000, 11_000)
    assert check(P.AFTER_HOURS, price=11_050, band=band) is RejectCode.OUTSIDE_LIMITS
    assert check(P.AFTER_HOURS, price=11_000, band=band) is None


def test_a_band_wider_than_the_limits_does_not_widen_them() -> None:
    assert check(price=13_050, band=(1, 99_999)) is RejectCode.OUTSIDE_LIMITS


def test_conditional_buy_at_the_upper_limit_is_refused() -> None:
    code = check(kind=T.CONDITIONAL_LIMIT, side=BUY, price=13_000)
    assert code is RejectCode.CONDITIONAL_AT_LIMIT


def test_conditional_sell_at_the_lower_limit_is_refused() -> None:
    code = check(kind=T.CONDITIONAL_LIMIT, side=SELL, price=7_000)
    assert code is RejectCode.CONDITIONAL_AT_LIMIT


def test_conditional_orders_at_the_other_limit_are_accepted() -> None:
    assert check(kind=T.CONDITIONAL_LIMIT, side=BUY, price=7_000) is None
    assert check(kind=T.CONDITIONAL_LIMIT, side=SELL, price=13_000) is None


@pytest.mark.parametrize("kind", [T.LIMIT, T.CLOSING_PRICE])
@pytest.mark.parametrize("price", [None, 10_005, 99_999])
def test_closing_price_sessions_ignore_the_order_price(kind: OrderType, price: int | None) -> None:
    assert check(P.POST_CLOSE_CLOSING_PRICE, kind, price=price) is None


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        ({"phase": P.CLOSED, "kind": T.BEST_LIMIT, "qty": 0}, RejectCode.MARKET_CLOSED),
        ({"phase": P.OPENING_AUCTION, "kind": T.BEST_LIMIT, "qty": 0}, RejectCode.WRONG_SESSION),
        ({"qty": 0, "price": None}, RejectCode.BAD_QUANTITY),
        ({"kind": T.MARKET, "price": 10_005}, RejectCode.PRICE_NOT_ALLOWED),
        ({"price": 13_005}, RejectCode.OFF_TICK),
        ({"kind": T.CONDITIONAL_LIMIT, "price": 13_050}, RejectCode.OUTSIDE_LIMITS),
    ],
)
def test_the_first_failing_check_decides_the_code(
    faults: dict[str, object], expected: RejectCode
) -> None:
    assert check(**faults) is expected  # type: ignore[arg-type]


@given(
    st.integers(min_value=1, max_value=3_000_000), st.integers(min_value=-5, max_value=5_000_000)
)
def test_an_accepted_limit_price_is_always_on_tick_and_inside_the_limits(
    base: int, price: int
) -> None:
    rules = rules_at(base)
    if check(price=price, rules=rules) is None:
        assert rules.valid_price(price)
        assert rules.lower <= price <= rules.upper


# -- limits through symbol_rules (KRX.md §5) -----------------------------------------------------


@pytest.mark.parametrize(
    ("base", "upper", "lower"),
    [
        (9_980, 12_970, 6_990),
        (10_010, 13_010, 7_010),
        (15_550, 20_200, 10_890),
        (1_999, 2_595, 1_400),
        (4_990, 6_480, 3_495),
        (170_100, 221_000, 119_100),
        (49_950, 64_900, 35_000),
    ],
)
def test_section_5_worked_example(base: int, upper: int, lower: int) -> None:
    rules = rules_at(base)
    assert (rules.lower, rules.upper) == (lower, upper)


@pytest.mark.parametrize(("base", "naive"), [(9_980, 6_980), (1_999, 1_399), (49_950, 34_950)])
def test_lower_limit_is_not_the_naive_floor_of_seventy_percent(base: int, naive: int) -> None:
    rules = rules_at(base)
    assert rules.lower > naive
    assert check(price=naive, rules=rules, side=SELL) is RejectCode.OUTSIDE_LIMITS


def test_konex_band_is_fifteen_percent() -> None:
    konex = Instrument(symbol="217320", name="konex", market=Market.KONEX)
    rules = rules_at(10_000, konex)
    assert (rules.lower, rules.upper) == (8_500, 11_500)


def test_leveraged_etf_band_is_doubled() -> None:
    lev = Instrument(
        symbol="122630", name="2x", market=Market.KOSPI, kind=InstrumentKind.ETF, leverage=2
    )
    rules = rules_at(10_000, lev)
    assert (rules.lower, rules.upper) == (4_000, 16_000)


def test_ipo_day_band_is_sixty_to_four_hundred_percent_of_the_offer() -> None:
    rules = rules_at(1, ipo_offer_price=25_000)
    assert (rules.lower, rules.upper) == (15_000, 100_000)


def test_ipo_day_base_price_is_the_offer_price_and_flags_the_day() -> None:
    rules = rules_at(1, ipo_offer_price=25_000)
    assert rules.base_price == 25_000
    assert rules.ipo_day


def test_ordinary_day_is_not_an_ipo_day() -> None:
    assert not rules_at().ipo_day


@pytest.mark.parametrize("kind", [InstrumentKind.ETF, InstrumentKind.ETN])
def test_etf_and_etn_use_etf_ticks(kind: InstrumentKind) -> None:
    fund = Instrument(symbol="069500", name="fund", market=Market.KOSPI, kind=kind)
    rules = rules_at(10_000, fund)
    assert rules.etf_ticks
    assert rules.tick(10_000) == 5
    assert rules.valid_price(10_005)


def test_stock_tick_follows_its_own_price_band() -> None:
    rules = rules_at()
    assert (rules.tick(1_999), rules.tick(2_000), rules.tick(500_000)) == (1, 5, 1_000)
    assert not rules.valid_price(10_005)


def test_ticks_follow_the_day_of_the_rules() -> None:
    old = symbol_rules(STOCK, date(2022, 6, 2), 10_000)
    assert old.tick(10_000) == 50  # KOSPI table before 2023-01-25


def test_vi_settings_are_carried() -> None:
    rules = rules_at(vi_group=ViGroup.LARGE, static_vi=False)
    assert (rules.vi_group, rules.static_vi) == (ViGroup.LARGE, False)


# -- next base price ----------------------------------------------------------------------------


def test_next_base_is_todays_close() -> None:
    assert next_base_price(10_500, 10_600, 10_700, 10_000) == 10_500


def test_no_trade_with_a_bid_above_base_makes_the_bid_the_next_base() -> None:
    assert next_base_price(None, 10_300, 0, 10_000) == 10_300


def test_no_trade_with_an_ask_below_base_makes_the_ask_the_next_base() -> None:
    assert next_base_price(None, 0, 9_700, 10_000) == 9_700


def test_no_trade_with_quotes_around_the_base_keeps_the_base() -> None:
    assert next_base_price(None, 9_900, 10_100, 10_000) == 10_000


def test_no_trade_and_an_empty_book_keeps_the_base() -> None:
    assert next_base_price(None, 0, 0, 10_000) == 10_000
