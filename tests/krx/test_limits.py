"""Daily price limits (KRX.md §5): every worked example row, the exceptions, and the bands."""

from __future__ import annotations

import datetime

import pytest

from jts.core.enums import Market
from jts.core.errors import InvalidInput, InvalidPrice
from jts.krx.limits import (
    LIMIT_PERCENT_EPOCHS,
    ipo_price_limits,
    limit_percent,
    price_limits,
    single_price_band,
)

NOW = datetime.date(2025, 6, 2)


@pytest.mark.parametrize(
    ("base", "lower", "upper", "naive_lower"),
    [
        (9_980, 6_990, 12_970, 6_980),
        (10_010, 7_010, 13_010, 7_000),
        (15_550, 10_890, 20_200, 10_880),
        (1_999, 1_400, 2_595, 1_399),
        (4_990, 3_495, 6_480, 3_490),
        (170_100, 119_100, 221_000, 119_000),
        (49_950, 35_000, 64_900, 34_950),
    ],
)
def test_limits_match_the_worked_examples_and_not_the_naive_lower_limit(
    base: int, lower: int, upper: int, naive_lower: int
) -> None:
    assert price_limits(base, on=NOW) == (lower, upper)
    assert lower != naive_lower


def test_lower_limit_truncates_width_to_base_tick() -> None:
    # width 9,980 * 30% = 2,994 truncates to 2,990 on the 10-won tick of the base.
    assert price_limits(9_980, on=NOW)[0] == 9_980 - 2_990


def test_upper_limit_truncates_onto_its_own_higher_tick() -> None:
    # 15,550 + 4,660 = 20,210 sits in the 50-won band and truncates to 20,200.
    assert price_limits(15_550, on=NOW)[1] == 20_200


def test_pre_2023_ticks_give_the_often_quoted_12950_upper_limit() -> None:
    assert price_limits(9_980, on=datetime.date(2022, 6, 2))[1] == 12_950


@pytest.mark.parametrize(
    ("since", "market", "percent"),
    [(since, market, percent) for since, market, percent in LIMIT_PERCENT_EPOCHS],
)
def test_each_limit_percent_row_applies_from_its_date(
    since: datetime.date, market: Market, percent: int
) -> None:
    assert limit_percent(market, since) == percent


@pytest.mark.parametrize(
    ("market", "day", "percent"),
    [
        (Market.KOSPI, datetime.date(2015, 6, 12), 15),
        (Market.KOSPI, datetime.date(2015, 6, 15), 30),
        (Market.KOSDAQ, datetime.date(2015, 6, 12), 15),
        (Market.KOSDAQ, datetime.date(2015, 6, 15), 30),
        (Market.KONEX, datetime.date(2015, 6, 15), 15),
        (Market.KONEX, NOW, 15),
    ],
)
def test_band_widened_to_30_percent_on_2015_06_15_except_konex(
    market: Market, day: datetime.date, percent: int
) -> None:
    assert limit_percent(market, day) == percent


def test_konex_limits_are_15_percent() -> None:
    assert price_limits(10_000, market=Market.KONEX, on=NOW) == (8_500, 11_500)


def test_limits_before_2015_06_15_are_15_percent() -> None:
    assert price_limits(10_000, on=datetime.date(2015, 6, 12)) == (8_500, 11_500)


def test_leveraged_etf_band_is_multiplied_by_leverage() -> None:
    assert price_limits(10_000, etf=True, leverage=2, on=NOW) == (4_000, 16_000)


def test_lower_limit_never_falls_below_the_smallest_price() -> None:
    assert price_limits(10_000, etf=True, leverage=4, on=NOW)[0] == 1
    assert price_limits(10_000, etf=True, leverage=4, on=datetime.date(2023, 1, 2))[0] == 5


def test_etf_limits_use_the_etf_tick_grid() -> None:
    # Width 2,995 * 30% = 898 truncates to 895 on the 5-won ETF grid.
    assert price_limits(2_995, etf=True, on=NOW) == (2_100, 3_890)


def test_kosdaq_limits_before_2023_use_the_capped_kosdaq_ticks() -> None:
    assert price_limits(400_000, market=Market.KOSDAQ, on=datetime.date(2022, 6, 2)) == (
        280_000,
        520_000,
    )
    assert price_limits(400_100, market=Market.KOSDAQ, on=datetime.date(2022, 6, 2)) == (
        280_100,
        520_100,
    )


@pytest.mark.parametrize("base", [0, -10_000])
def test_non_positive_base_price_is_rejected(base: int) -> None:
    with pytest.raises(InvalidPrice, match="base_price"):
        price_limits(base)


def test_leverage_below_one_is_rejected() -> None:
    with pytest.raises(InvalidInput, match="leverage"):
        price_limits(10_000, leverage=0)


@pytest.mark.parametrize(
    ("offer", "lower", "upper"),
    [
        (10_000, 6_000, 40_000),
        (15_550, 9_330, 62_200),
        (1_999, 1_200, 7_990),
        (33_333, 20_000, 133_300),
    ],
)
def test_ipo_band_is_60_to_400_percent_of_offer_inside_on_ticks(
    offer: int, lower: int, upper: int
) -> None:
    assert ipo_price_limits(offer, on=NOW) == (lower, upper)


def test_ipo_band_lower_rounds_up_to_stay_inside() -> None:
    # 60% of 33,333 is 19,999.8: the next valid price at or above is 20,000.
    assert ipo_price_limits(33_333, on=NOW)[0] == 20_000


def test_ipo_band_rejects_non_positive_offer() -> None:
    with pytest.raises(InvalidPrice, match="offer_price"):
        ipo_price_limits(0)


def test_single_price_band_is_ten_percent_of_close() -> None:
    lower, upper = price_limits(10_000, on=NOW)
    assert single_price_band(10_000, lower, upper, on=NOW) == (9_000, 11_000)


def test_single_price_band_is_clipped_to_the_daily_limits() -> None:
    lower, upper = price_limits(10_000, on=NOW)
    assert single_price_band(12_500, lower, upper, on=NOW) == (11_250, 13_000)
    assert single_price_band(7_200, lower, upper, on=NOW) == (7_000, 7_920)


def test_single_price_band_truncates_onto_ticks() -> None:
    lower, upper = price_limits(19_000, on=NOW)
    # Width 1,900; upper 20,900 lies on the 50-won grid, lower 17,100 on the 10-won grid.
    assert single_price_band(19_000, lower, upper, on=NOW) == (17_100, 20_900)
    lower, upper = price_limits(19_990, on=NOW)
    assert single_price_band(19_990, lower, upper, on=NOW) == (18_000, 21_950)


def test_single_price_band_rejects_a_close_outside_the_limits() -> None:
    with pytest.raises(InvalidInput, match="close"):
        single_price_band(20_000, 7_000, 13_000)
