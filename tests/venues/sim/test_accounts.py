"""SimAccount: reservations, fills with costs, T+2 settlement, sellable shares, caller errors."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core.enums import InstrumentKind, Market, OrderType, Side
from jts.core.errors import InvalidInput
from jts.core.models import Instrument, OrderRequest
from jts.krx import DEFAULT_COMMISSION_RATE, trade_costs
from jts.venues.sim.accounts import SimAccount, SimAccounts
from jts.venues.sim.orders import RejectCode

ACCOUNT = "A1"
SAMSUNG = Instrument(symbol="005930", name="Samsung Electronics", market=Market.KOSPI)
KODEX = Instrument(symbol="069500", name="KODEX 200", market=Market.KOSPI, kind=InstrumentKind.ETF)
FRI = date(2025, 5, 2)  # May 5 and 6 are holidays: trades settle Thursday May 8
MON = date(2025, 5, 5)
WED = date(2025, 5, 7)
THU = date(2025, 5, 8)

_ids = iter(range(1, 1_000_000))


def order(
    side: Side = Side.BUY, qty: int = 10, price: int | None = 70_000, **kw: object
) -> OrderRequest:
    fields: dict[str, object] = {
        "client_order_id": f"c{next(_ids)}",
        "account": ACCOUNT,
        "symbol": SAMSUNG.symbol,
        "side": side,
        "qty": qty,
        "price": price,
    }
    fields.update(kw)
    return OrderRequest(**fields)  # type: ignore[arg-type]


def worst_buy(qty: int, price: int, rate: Decimal = DEFAULT_COMMISSION_RATE) -> int:
    """What a buy reserves: amount + commission rounded up."""
    amount = qty * price
    return amount + int((amount * rate).to_integral_value(rounding=ROUND_CEILING))


def bought(account: SimAccount, qty: int, price: int, day: date = FRI) -> tuple[int, int]:
    """Reserve and fill a whole buy; returns (commission, tax)."""
    request = order(qty=qty, price=price)
    assert account.reserve(request, price, SAMSUNG, day) is None
    return account.apply_fill(qty, price, request.client_order_id, SAMSUNG, day)


def sold(account: SimAccount, qty: int, price: int, day: date = FRI) -> tuple[int, int]:
    request = order(Side.SELL, qty=qty, price=price)
    assert account.reserve(request, price, SAMSUNG, day) is None
    return account.apply_fill(qty, price, request.client_order_id, SAMSUNG, day)


# -- reservations ------------------------------------------------------------------------------


def test_a_buy_reserves_amount_plus_worst_case_commission() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    assert account.reserve(order(qty=10, price=70_000), 70_000, SAMSUNG, FRI) is None
    assert account.orderable_cash == 10_000_000 - worst_buy(10, 70_000)
    assert account.cash == 10_000_000  # nothing leaves settled cash before a fill


def test_a_buy_beyond_orderable_cash_is_refused_and_reserves_nothing() -> None:
    account = SimAccount(ACCOUNT, 700_000)  # 10 x 70,000 exactly: no room for commission
    assert account.reserve(order(qty=10), 70_000, SAMSUNG, FRI) is RejectCode.INSUFFICIENT_CASH
    assert account.orderable_cash == 700_000


def test_a_market_buy_reserves_at_the_price_it_is_given() -> None:
    account = SimAccount(ACCOUNT, 910_000)  # the upper limit would be 91,000 x 10 + commission
    market = order(qty=10, price=None, order_type=OrderType.MARKET)
    assert account.reserve(market, 91_000, SAMSUNG, FRI) is RejectCode.INSUFFICIENT_CASH
    assert account.reserve(market, 90_000, SAMSUNG, FRI) is None
    assert account.orderable_cash == 910_000 - worst_buy(10, 90_000)


def test_release_returns_the_reservation_share_by_share() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    request = order(qty=10, price=70_000)
    account.reserve(request, 70_000, SAMSUNG, FRI)
    account.release(request.client_order_id, 4)
    assert account.reserved_qty(request.client_order_id) == 6
    assert account.orderable_cash == 10_000_000 - worst_buy(6, 70_000)
    account.release(request.client_order_id, 6)
    assert account.orderable_cash == 10_000_000
    with pytest.raises(InvalidInput, match="no reservation"):
        account.release(request.client_order_id, 1)


def test_releasing_more_than_is_reserved_is_a_caller_error() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    request = order(qty=10)
    account.reserve(request, 70_000, SAMSUNG, FRI)
    with pytest.raises(InvalidInput, match="cannot release 11"):
        account.release(request.client_order_id, 11)
    assert account.reserved_qty(request.client_order_id) == 10


def test_reprice_moves_the_reserved_amount() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    request = order(qty=10, price=70_000)
    account.reserve(request, 70_000, SAMSUNG, FRI)
    assert account.reprice(request.client_order_id, 69_000) is None
    assert account.orderable_cash == 10_000_000 - worst_buy(10, 69_000)


def test_reprice_beyond_orderable_cash_is_refused_and_keeps_the_old_price() -> None:
    account = SimAccount(ACCOUNT, worst_buy(10, 70_000))
    request = order(qty=10, price=70_000)
    account.reserve(request, 70_000, SAMSUNG, FRI)
    assert account.reprice(request.client_order_id, 70_100) is RejectCode.INSUFFICIENT_CASH
    assert account.orderable_cash == 0
    assert account.reprice(request.client_order_id, 69_900) is None


def test_a_reused_client_order_id_is_refused() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    request = order(qty=1)
    assert account.reserve(request, 70_000, SAMSUNG, FRI) is None
    assert account.reserve(request, 70_000, SAMSUNG, FRI) is RejectCode.DUPLICATE_ORDER
    assert account.orderable_cash == 10_000_000 - worst_buy(1, 70_000)


def test_an_order_for_another_account_is_a_caller_error() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    with pytest.raises(InvalidInput, match="sent to account"):
        account.reserve(order(account="B2"), 70_000, SAMSUNG, FRI)


# -- sells and holdings ------------------------------------------------------------------------


def test_a_sell_reserves_held_shares_and_refuses_an_oversell() -> None:
    account = SimAccount(ACCOUNT, 0, holdings={SAMSUNG.symbol: 10})
    assert account.reserve(order(Side.SELL, qty=6), 70_000, SAMSUNG, FRI) is None
    assert account.sellable(SAMSUNG.symbol) == 4
    oversell = order(Side.SELL, qty=5)
    assert account.reserve(oversell, 70_000, SAMSUNG, FRI) is RejectCode.INSUFFICIENT_HOLDINGS
    assert account.sellable(SAMSUNG.symbol) == 4


def test_selling_what_was_never_held_is_refused() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    sell = order(Side.SELL, qty=1)
    assert account.reserve(sell, 70_000, SAMSUNG, FRI) is RejectCode.INSUFFICIENT_HOLDINGS


def test_shares_bought_today_can_be_sold_today() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    bought(account, 10, 70_000)
    assert account.sellable(SAMSUNG.symbol) == 10
    sold(account, 10, 71_000)
    assert account.positions() == []


def test_releasing_a_sell_makes_its_shares_sellable_again() -> None:
    account = SimAccount(ACCOUNT, 0, holdings={SAMSUNG.symbol: 10})
    request = order(Side.SELL, qty=10)
    account.reserve(request, 70_000, SAMSUNG, FRI)
    account.release(request.client_order_id, 3)
    assert account.sellable(SAMSUNG.symbol) == 3


# -- fills, costs and settlement ---------------------------------------------------------------


def test_a_buy_fill_moves_shares_now_and_cash_into_payables() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    commission, tax = bought(account, 10, 70_000)
    expected = trade_costs(Side.BUY, 10, 70_000, FRI, Market.KOSPI)
    assert (commission, tax) == (expected.commission, 0) == (98, 0)
    assert account.held(SAMSUNG.symbol) == 10
    snapshot = account.snapshot("sim")
    assert (snapshot.cash, snapshot.unsettled) == (10_000_000, -700_098)
    assert account.orderable_cash == 10_000_000 - 700_098


def test_settlement_waits_two_trading_days_and_skips_holidays() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    bought(account, 10, 70_000)  # Friday May 2; Mon 5 and Tue 6 are holidays
    account.settle(MON)
    account.settle(WED)  # T+1
    assert (account.cash, account.unsettled) == (10_000_000, -700_098)
    account.settle(THU)  # T+2
    assert (account.cash, account.unsettled) == (10_000_000 - 700_098, 0)
    account.settle(THU)  # idempotent
    assert account.cash == 10_000_000 - 700_098


def test_settle_also_settles_anything_overdue() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    bought(account, 10, 70_000, day=date(2025, 4, 30))  # settles Wed May 7
    bought(account, 1, 70_000, day=FRI)  # settles Thu May 8
    account.settle(date(2025, 5, 9))
    assert (account.cash, account.unsettled) == (10_000_000 - 700_098 - 70_009, 0)


def test_a_sell_fill_pays_commission_and_tax_out_of_its_receivable() -> None:
    account = SimAccount(ACCOUNT, 0, holdings={SAMSUNG.symbol: 100})
    commission, tax = sold(account, 100, 50_000, day=date(2025, 6, 2))
    assert (commission, tax) == (702, 7_500)  # 0.0140527% truncated; 0.15% in 2025
    assert account.unsettled == 5_000_000 - 702 - 7_500
    assert account.held(SAMSUNG.symbol) == 0


def test_a_dec_27_sell_settles_jan_2_and_pays_the_new_years_tax_rate() -> None:
    account = SimAccount(ACCOUNT, 0, holdings={SAMSUNG.symbol: 100})
    _, tax = sold(account, 100, 50_000, day=date(2024, 12, 27))
    assert tax == 7_500  # 0.15% (2025), not 0.18% (2024): the rate follows settlement
    account.settle(date(2024, 12, 30))
    assert account.cash == 0  # Dec 31 and Jan 1 are closed
    account.settle(date(2025, 1, 2))
    assert account.cash == 5_000_000 - 702 - 7_500


def test_a_dec_26_sell_still_pays_the_old_rate() -> None:
    account = SimAccount(ACCOUNT, 0, holdings={SAMSUNG.symbol: 100})
    _, tax = sold(account, 100, 50_000, day=date(2024, 12, 26))
    assert tax == 9_000  # 0.18%: settles Dec 30, 2024


def test_etf_sells_pay_no_tax() -> None:
    account = SimAccount(ACCOUNT, 0, holdings={KODEX.symbol: 10})
    request = order(Side.SELL, qty=10, price=35_000, symbol=KODEX.symbol)
    account.reserve(request, 35_000, KODEX, FRI)
    commission, tax = account.apply_fill(10, 35_000, request.client_order_id, KODEX, FRI)
    assert (commission, tax) == (49, 0)


def test_the_accounts_commission_rate_is_used() -> None:
    account = SimAccount(ACCOUNT, 10_000_000, commission_rate=Decimal("0.00015"))
    commission, _ = bought(account, 10, 70_000)
    assert commission == 105


def test_orderable_cash_includes_unsettled_sale_proceeds() -> None:
    account = SimAccount(ACCOUNT, 0, holdings={SAMSUNG.symbol: 10})
    sold(account, 10, 70_000)
    proceeds = account.unsettled
    assert account.cash == 0
    assert account.orderable_cash == proceeds > 0
    rebuy = order(qty=9, price=70_000)
    assert account.reserve(rebuy, 70_000, SAMSUNG, FRI) is None  # paid with tomorrow's money
    account.apply_fill(9, 70_000, rebuy.client_order_id, SAMSUNG, FRI)
    account.settle(THU)
    assert account.cash == proceeds - 630_000 - 88 >= 0


def test_a_partial_fill_keeps_the_remainder_reserved() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    request = order(qty=10, price=70_000)
    account.reserve(request, 70_000, SAMSUNG, FRI)
    account.apply_fill(4, 69_900, request.client_order_id, SAMSUNG, FRI)
    assert account.reserved_qty(request.client_order_id) == 6
    payable = 4 * 69_900 + trade_costs(Side.BUY, 4, 69_900, FRI, Market.KOSPI).commission
    assert account.orderable_cash == 10_000_000 - payable - worst_buy(6, 70_000)
    account.apply_fill(6, 70_000, request.client_order_id, SAMSUNG, FRI)
    assert account.reserved_qty(request.client_order_id) == 0


def test_a_fill_without_a_reservation_raises() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    with pytest.raises(InvalidInput, match="no reservation"):
        account.apply_fill(1, 70_000, "never-reserved", SAMSUNG, FRI)
    assert account.positions() == []


def test_a_fill_larger_than_the_reservation_raises_and_changes_nothing() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    request = order(qty=5)
    account.reserve(request, 70_000, SAMSUNG, FRI)
    with pytest.raises(InvalidInput, match="5 005930 reserved"):
        account.apply_fill(6, 70_000, request.client_order_id, SAMSUNG, FRI)
    assert (account.held(SAMSUNG.symbol), account.unsettled) == (0, 0)


def test_a_fill_on_a_closed_day_raises_and_changes_nothing() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    request = order(qty=5)
    account.reserve(request, 70_000, SAMSUNG, FRI)
    with pytest.raises(InvalidInput, match="not a KRX trading day"):
        account.apply_fill(5, 70_000, request.client_order_id, SAMSUNG, MON)
    assert (account.held(SAMSUNG.symbol), account.unsettled) == (0, 0)
    assert account.reserved_qty(request.client_order_id) == 5


# -- positions and P&L -------------------------------------------------------------------------


def test_positions_average_buys_and_realize_sells_net_of_costs() -> None:
    account = SimAccount(ACCOUNT, 10_000_000)
    c1, _ = bought(account, 10, 70_000)
    c2, _ = bought(account, 10, 72_000)
    c3, t3 = sold(account, 5, 73_000)
    position = account.position(SAMSUNG.symbol)
    assert (position.qty, position.avg_price) == (15, 71_000.0)
    assert position.realized_pnl == (73_000 - 71_000) * 5 - c1 - c2 - c3 - t3
    assert (position.fees, position.taxes) == (c1 + c2 + c3, t3)


def test_snapshot_and_positions_report_only_what_is_held() -> None:
    account = SimAccount(ACCOUNT, 5_000_000, holdings={SAMSUNG.symbol: 3, "000660": 0})
    assert [p.symbol for p in account.positions()] == [SAMSUNG.symbol]
    assert account.position("035420").is_flat
    snapshot = account.snapshot("sim")
    assert (snapshot.account_id, snapshot.venue, snapshot.cash) == (ACCOUNT, "sim", 5_000_000)


@given(
    st.lists(st.tuples(st.sampled_from(Side), st.integers(1, 50), st.integers(0, 100)), max_size=30)
)
def test_cash_never_runs_short_and_holdings_never_go_negative(
    steps: list[tuple[Side, int, int]],
) -> None:
    account = SimAccount(ACCOUNT, 1_000_000)
    for side, qty, percent_filled in steps:
        request = order(side, qty=qty, price=10_000)
        if account.reserve(request, 10_000, SAMSUNG, FRI) is not None:
            continue
        filled = qty * percent_filled // 100
        fill_price = 9_990 if side is Side.BUY else 10_000  # buys may fill below their limit
        for piece in (filled // 2, filled - filled // 2):
            if piece:
                account.apply_fill(piece, fill_price, request.client_order_id, SAMSUNG, FRI)
        if filled < qty:
            account.release(request.client_order_id, qty - filled)
        assert account.orderable_cash >= 0
        assert account.held(SAMSUNG.symbol) >= 0
    account.settle(THU)
    assert account.cash >= 0
    assert account.cash == account.orderable_cash  # nothing reserved, nothing due


# -- the registry ------------------------------------------------------------------------------


def test_accounts_are_opened_once_and_looked_up_by_id() -> None:
    accounts = SimAccounts()
    opened = accounts.open(ACCOUNT, 1_000_000)
    assert accounts.get(ACCOUNT) is opened
    assert ACCOUNT in accounts
    assert list(accounts) == [opened]
    with pytest.raises(InvalidInput, match="already open"):
        accounts.open(ACCOUNT, 1)


def test_an_unknown_account_id_raises_naming_the_open_ones() -> None:
    accounts = SimAccounts()
    accounts.open(ACCOUNT, 1_000_000)
    with pytest.raises(InvalidInput, match=r"unknown account 'B2' \(open: A1\)"):
        accounts.get("B2")


def test_settle_reaches_every_account() -> None:
    accounts = SimAccounts()
    first = accounts.open(ACCOUNT, 1_000_000)
    bought(first, 1, 70_000)
    accounts.settle(THU)
    assert first.cash == 1_000_000 - 70_009


@pytest.mark.parametrize(
    ("cash", "holdings"), [(-1, None), (1.5, None), (True, None), (0, {"005930": -1})]
)
def test_an_account_opens_only_with_whole_non_negative_amounts(
    cash: object, holdings: dict[str, int] | None
) -> None:
    with pytest.raises(InvalidInput):
        SimAccount(ACCOUNT, cash, holdings=holdings)  # type: ignore[arg-type]
