"""Tick tables of KRX.md §4: one test per row of every table, plus rounding at band edges."""

from __future__ import annotations

import datetime
import itertools

import pytest

from jts.core.enums import Market
from jts.core.errors import InvalidInput, InvalidPrice
from jts.krx.ticks import (
    ETF_TICKS,
    ETF_TICKS_FLAT,
    ETF_TICKS_SINCE,
    KOSDAQ_TICKS_PRE_2023,
    KOSPI_TICKS_PRE_2023,
    STOCK_TICKS,
    TickTable,
    as_market,
    is_valid_price,
    round_to_tick,
    rules_date,
    tick_size,
)

NOW = datetime.date(2025, 6, 2)
OLD = datetime.date(2022, 12, 1)
LAST_OLD_DAY = datetime.date(2023, 1, 24)
UNIFIED_DAY = datetime.date(2023, 1, 25)

# (lowest price of the band, highest price of the band, tick)
CURRENT_STOCK_ROWS = [
    (1, 1_999, 1),
    (2_000, 4_999, 5),
    (5_000, 19_999, 10),
    (20_000, 49_999, 50),
    (50_000, 199_999, 100),
    (200_000, 499_999, 500),
    (500_000, 3_000_000, 1_000),
]
KOSPI_PRE_2023_ROWS = [
    (1, 999, 1),
    (1_000, 4_999, 5),
    (5_000, 9_999, 10),
    (10_000, 49_999, 50),
    (50_000, 99_999, 100),
    (100_000, 499_999, 500),
    (500_000, 3_000_000, 1_000),
]
KOSDAQ_PRE_2023_ROWS = [
    (1, 999, 1),
    (1_000, 4_999, 5),
    (5_000, 9_999, 10),
    (10_000, 49_999, 50),
    (50_000, 3_000_000, 100),
]
ETF_ROWS = [(1, 1_999, 1), (2_000, 1_000_000, 5)]


@pytest.mark.parametrize(("low", "high", "tick"), CURRENT_STOCK_ROWS)
@pytest.mark.parametrize("market", list(Market))
def test_current_stock_tick_covers_its_whole_band(
    low: int, high: int, tick: int, market: Market
) -> None:
    assert tick_size(low, on=NOW, market=market) == tick
    assert tick_size(high, on=NOW, market=market) == tick


@pytest.mark.parametrize(("low", "high", "tick"), KOSPI_PRE_2023_ROWS)
def test_kospi_tick_before_2023_reform_covers_its_whole_band(
    low: int, high: int, tick: int
) -> None:
    assert tick_size(low, on=OLD, market=Market.KOSPI) == tick
    assert tick_size(high, on=OLD, market=Market.KOSPI) == tick


@pytest.mark.parametrize(("low", "high", "tick"), KOSDAQ_PRE_2023_ROWS)
@pytest.mark.parametrize("market", [Market.KOSDAQ, Market.KONEX])
def test_kosdaq_tick_before_2023_reform_caps_at_100(
    low: int, high: int, tick: int, market: Market
) -> None:
    assert tick_size(low, on=OLD, market=market) == tick
    assert tick_size(high, on=OLD, market=market) == tick


@pytest.mark.parametrize(("low", "high", "tick"), ETF_ROWS)
def test_etf_tick_is_one_won_below_2000_since_december_2023(low: int, high: int, tick: int) -> None:
    assert tick_size(low, etf=True, on=ETF_TICKS_SINCE) == tick
    assert tick_size(high, etf=True, on=ETF_TICKS_SINCE) == tick


@pytest.mark.parametrize("price", [1, 1_999, 2_000, 100_000])
def test_etf_tick_is_flat_five_won_before_december_2023(price: int) -> None:
    day_before = ETF_TICKS_SINCE - datetime.timedelta(days=1)
    assert tick_size(price, etf=True, on=day_before) == 5


def test_etf_tick_change_takes_effect_on_december_18() -> None:
    assert datetime.date(2023, 12, 18) == ETF_TICKS_SINCE


@pytest.mark.parametrize(
    ("price", "old_tick", "new_tick"),
    [(1_500, 5, 1), (15_000, 50, 10), (150_000, 500, 100)],
)
def test_unified_table_starts_on_2023_01_25(price: int, old_tick: int, new_tick: int) -> None:
    assert tick_size(price, on=LAST_OLD_DAY) == old_tick
    assert tick_size(price, on=UNIFIED_DAY) == new_tick


def test_tick_defaults_to_kospi_stocks_under_todays_rules() -> None:
    assert tick_size(60_000, market=Market.KOSDAQ) == tick_size(60_000, on=rules_date(None))
    assert rules_date(None) >= UNIFIED_DAY


def test_market_may_be_given_as_a_string_in_any_case() -> None:
    assert as_market("kosdaq") is Market.KOSDAQ
    assert tick_size(600_000, on=OLD, market="kosdaq") == 100


def test_unknown_market_is_rejected_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match="market"):
        tick_size(1_000, market="NYSE")


@pytest.mark.parametrize("price", [0, -1, -5_000])
def test_tick_of_non_positive_price_raises_invalid_price(price: int) -> None:
    with pytest.raises(InvalidPrice, match=r">= 1 KRW"):
        tick_size(price)


@pytest.mark.parametrize(
    "table", [STOCK_TICKS, KOSPI_TICKS_PRE_2023, KOSDAQ_TICKS_PRE_2023, ETF_TICKS, ETF_TICKS_FLAT]
)
def test_tables_are_nested_so_each_tick_divides_the_next_and_each_bound(
    table: TickTable,
) -> None:
    for (bound, tick), (_, next_tick) in itertools.pairwise(table):
        assert next_tick % tick == 0
        assert bound % next_tick == 0


@pytest.mark.parametrize(
    ("price", "valid"),
    [
        (1, True),
        (1_999, True),
        (2_001, False),
        (2_005, True),
        (19_990, True),
        (20_010, False),
        (20_050, True),
        (49_990, False),
        (50_000, True),
        (199_900, True),
        (200_100, False),
        (500_500, False),
        (501_000, True),
        (0, False),
        (-100, False),
    ],
)
def test_price_is_valid_only_on_its_own_tick_grid(price: int, valid: bool) -> None:
    assert is_valid_price(price, on=NOW) is valid


def test_etf_price_is_valid_on_the_etf_grid() -> None:
    assert is_valid_price(1_999, etf=True, on=NOW)
    assert not is_valid_price(1_999, etf=True, on=OLD)
    assert is_valid_price(49_995, etf=True, on=NOW)


@pytest.mark.parametrize(
    ("price", "mode", "expected"),
    [
        (20_030, "down", 20_000),
        (20_030, "up", 20_050),
        (19_996, "up", 20_000),
        (19_996, "down", 19_990),
        (49_950, "up", 49_950),
        (49_990, "up", 50_000),
        (49_990, "down", 49_950),
        (4_999, "up", 5_000),
        (1_999, "up", 1_999),
        (2_001, "down", 2_000),
        (499_999, "up", 500_000),
        (500_001, "down", 500_000),
        (12_345, "nearest", 12_350),
        (12_344, "nearest", 12_340),
        (20_024, "nearest", 20_000),
        (20_025, "nearest", 20_050),
        (19_994, "nearest", 19_990),
        (19_995, "nearest", 20_000),
    ],
)
def test_rounding_lands_on_the_grid_of_the_results_own_band(
    price: int, mode: str, expected: int
) -> None:
    assert round_to_tick(price, mode=mode, on=NOW) == expected


def test_nearest_breaks_ties_upwards() -> None:
    assert round_to_tick(2_002, mode="nearest", on=NOW) == 2_000
    assert round_to_tick(2_003, mode="nearest", on=NOW) == 2_005
    assert round_to_tick(10_005, mode="nearest", on=NOW) == 10_010


def test_rounding_defaults_to_down() -> None:
    assert round_to_tick(20_030, on=NOW) == 20_000


def test_etf_rounding_uses_the_etf_grid() -> None:
    assert round_to_tick(49_990, mode="up", etf=True, on=NOW) == 49_990
    assert round_to_tick(2_003, mode="down", etf=True, on=NOW) == 2_000


def test_rounding_down_below_the_smallest_price_raises() -> None:
    with pytest.raises(InvalidPrice, match="no valid price"):
        round_to_tick(3, mode="down", etf=True, on=OLD)


def test_nearest_below_the_smallest_price_rounds_up() -> None:
    assert round_to_tick(2, mode="nearest", etf=True, on=OLD) == 5


def test_unknown_rounding_mode_is_rejected_listing_valid_modes() -> None:
    with pytest.raises(InvalidInput, match=r"'sideways' is not one of down, up, nearest"):
        round_to_tick(20_030, mode="sideways")


def test_rounding_a_non_positive_price_raises_invalid_price() -> None:
    with pytest.raises(InvalidPrice):
        round_to_tick(0, mode="up")
