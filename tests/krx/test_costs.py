"""Commission and sell tax (KRX.md §9): every tax row, the year-end straddle, and validation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from jts.core.enums import InstrumentKind, Market, Side
from jts.core.errors import InvalidInput
from jts.krx.costs import (
    DEFAULT_COMMISSION_RATE,
    SELL_TAX_SCHEDULE,
    Costs,
    sell_tax_rate,
    trade_costs,
)

D = datetime.date
TRADE_DAY = D(2025, 6, 2)  # a Monday; settles 2025-06-05 (06-03 election day, 06-04 T+1)


@pytest.mark.parametrize(
    ("settled", "kospi", "kosdaq", "konex"),
    [
        (D(2019, 6, 3), "0.0025", "0.0025", "0.0010"),
        (D(2020, 12, 31), "0.0025", "0.0025", "0.0010"),
        (D(2021, 1, 1), "0.0023", "0.0023", "0.0010"),
        (D(2022, 12, 31), "0.0023", "0.0023", "0.0010"),
        (D(2023, 1, 1), "0.0020", "0.0020", "0.0010"),
        (D(2024, 1, 1), "0.0018", "0.0018", "0.0010"),
        (D(2025, 1, 1), "0.0015", "0.0015", "0.0010"),
        (D(2026, 1, 1), "0.0020", "0.0020", "0.0010"),
        (D(2030, 6, 1), "0.0020", "0.0020", "0.0010"),
    ],
)
def test_sell_tax_rate_by_settlement_date_and_market(
    settled: datetime.date, kospi: str, kosdaq: str, konex: str
) -> None:
    assert sell_tax_rate(settled, Market.KOSPI) == Decimal(kospi)
    assert sell_tax_rate(settled, Market.KOSDAQ) == Decimal(kosdaq)
    assert sell_tax_rate(settled, "konex") == Decimal(konex)


def test_sell_tax_before_2019_06_03_is_the_old_30_bp_rate() -> None:
    for market in Market:
        assert sell_tax_rate(D(2019, 6, 2), market) == Decimal("0.0030")


def test_tax_schedule_is_sorted_by_settlement_date() -> None:
    dates = [row.settled_from for row in SELL_TAX_SCHEDULE]
    assert dates == sorted(dates)


def test_default_commission_is_the_kis_online_stock_rate() -> None:
    assert Decimal("0.0140527") / 100 == DEFAULT_COMMISSION_RATE


def test_buy_pays_truncated_commission_and_no_tax() -> None:
    # 700,000 KRW * 0.000140527 = 98.37 KRW -> 98.
    assert trade_costs(Side.BUY, 10, 70_000, TRADE_DAY, Market.KOSPI) == Costs(98, 0, 98)


def test_sell_pays_commission_and_tax_each_truncated() -> None:
    # Tax 700,000 * 0.0015 = 1,050; commission 98.
    assert trade_costs("sell", 10, 70_000, TRADE_DAY, "KOSPI") == Costs(98, 1_050, 1_148)


def test_sell_on_2024_12_27_settles_in_2025_and_pays_the_2025_rate() -> None:
    costs = trade_costs(Side.SELL, 100, 50_000, D(2024, 12, 27), Market.KOSPI)
    assert costs.tax == 7_500  # 0.15% of 5,000,000, not the 2024 rate's 9,000


def test_sell_on_2024_12_26_settles_in_2024_and_pays_the_2024_rate() -> None:
    costs = trade_costs(Side.SELL, 100, 50_000, D(2024, 12, 26), Market.KOSPI)
    assert costs.tax == 9_000


def test_sell_on_2025_12_29_settles_in_2026_and_pays_the_2026_rate() -> None:
    costs = trade_costs(Side.SELL, 100, 50_000, D(2025, 12, 29), Market.KOSDAQ)
    assert costs.tax == 10_000


def test_konex_sells_pay_ten_basis_points() -> None:
    assert trade_costs(Side.SELL, 100, 10_000, TRADE_DAY, Market.KONEX).tax == 1_000


@pytest.mark.parametrize("kind", [InstrumentKind.ETF, InstrumentKind.ETN, "etf", "ETN"])
def test_etf_and_etn_sells_pay_no_tax(kind: InstrumentKind | str) -> None:
    costs = trade_costs(Side.SELL, 100, 10_000, TRADE_DAY, Market.KOSPI, kind=kind)
    assert costs.tax == 0
    assert costs.total == costs.commission


def test_reit_sells_are_taxed_like_stocks() -> None:
    costs = trade_costs(Side.SELL, 100, 10_000, TRADE_DAY, Market.KOSPI, kind="reit")
    assert costs.tax == 1_500


def test_commission_rate_is_configurable() -> None:
    costs = trade_costs(
        Side.BUY, 100, 10_000, TRADE_DAY, Market.KOSPI, commission_rate=Decimal("0.00015")
    )
    assert costs.commission == 150


def test_commission_below_one_won_truncates_to_zero() -> None:
    assert trade_costs(Side.BUY, 1, 1_000, TRADE_DAY, Market.KOSPI) == Costs(0, 0, 0)


def test_costs_are_frozen() -> None:
    costs = Costs(1, 2, 3)
    with pytest.raises(AttributeError):
        costs.tax = 0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("qty", (Side.BUY, 0, 10_000)),
        ("qty", (Side.BUY, -5, 10_000)),
        ("qty", (Side.BUY, True, 10_000)),
        ("price", (Side.BUY, 10, 0)),
        ("price", (Side.SELL, 10, -1)),
        ("side", ("hold", 10, 10_000)),
    ],
)
def test_invalid_inputs_are_rejected_naming_the_field(
    field: str, args: tuple[Side | str, int, int]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        trade_costs(*args, TRADE_DAY, Market.KOSPI)
    assert caught.value.field == field


def test_unknown_kind_and_negative_commission_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="kind"):
        trade_costs(Side.BUY, 1, 1_000, TRADE_DAY, Market.KOSPI, kind="bond")
    with pytest.raises(InvalidInput, match="commission_rate"):
        trade_costs(Side.BUY, 1, 1_000, TRADE_DAY, Market.KOSPI, commission_rate=Decimal("-0.001"))


def test_unknown_market_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="market"):
        sell_tax_rate(TRADE_DAY, "NASDAQ")
