"""The instrument master: names, codes, markets, ETFs, and the price levels of the profiles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jts.core.codes import is_valid_symbol
from jts.core.enums import InstrumentKind, Market
from jts.core.errors import InvalidInput, InvalidSymbol
from jts.krx.ticks import STOCK_TICKS, is_valid_price, tick_size
from jts.marketdata.synth import INSTRUMENT_SCHEMA, instruments_table, make_universe, profiles
from tests.marketdata.synth.helpers import seeds, universe

STOCK_TICK_SIZES = {tick for _, tick in STOCK_TICKS}


def _is_letter_code(code: str) -> bool:
    return not code.isdigit()


@settings(max_examples=30)
@given(st.integers(min_value=1, max_value=400), seeds)
def test_universe_has_n_instruments_with_unique_valid_codes_and_names(n: int, seed: int) -> None:
    insts = universe(n, seed)
    assert len(insts) == n
    assert len({i.symbol for i in insts}) == n
    assert len({i.name for i in insts}) == n
    assert all(is_valid_symbol(i.symbol) and i.name.strip() for i in insts)
    assert all(i.validate() is i for i in insts)


def test_universe_is_sorted_by_code_and_the_same_for_the_same_seed() -> None:
    first = make_universe(150, seed=4)
    assert [i.symbol for i in first] == sorted(i.symbol for i in first)
    assert make_universe(150, seed=4) == first
    assert make_universe(150, seed=5) != first


@settings(max_examples=20)
@given(st.integers(min_value=100, max_value=600), seeds)
def test_about_five_percent_of_codes_use_the_2024_letter_format(n: int, seed: int) -> None:
    letters = [i.symbol for i in universe(n, seed) if _is_letter_code(i.symbol)]
    assert 1 <= len(letters) <= n * 0.15
    for code in letters:
        assert code[0] == "0"
        assert code[1] in "01234"
        assert code[2:4].isdigit()
        assert code[4].isalpha()
        assert code[4] not in "IOU"
        assert code[5] == "0"


def test_digit_codes_are_six_digits_ending_in_zero() -> None:
    digits = [i.symbol for i in universe(300, 1) if not _is_letter_code(i.symbol)]
    assert digits
    assert all(len(c) == 6 and c.endswith("0") for c in digits)


def test_names_look_korean_and_etfs_carry_a_brand() -> None:
    insts = universe(300, 2)
    stocks = [i for i in insts if i.kind is InstrumentKind.STOCK]
    assert all(any("가" <= ch <= "힣" for ch in i.name) for i in stocks)
    etfs = [i for i in insts if i.kind is InstrumentKind.ETF]
    assert etfs
    assert all(" " in i.name and i.name.split()[0].isupper() for i in etfs)


def test_etfs_are_kospi_listings_at_the_requested_share_and_leveraged_ones_are_2x() -> None:
    insts = make_universe(1_000, seed=3, etf_share=0.1)
    etfs = [i for i in insts if i.kind is InstrumentKind.ETF]
    assert len(etfs) == 100
    assert all(i.market is Market.KOSPI and not i.nxt_eligible for i in etfs)
    for etf in etfs:
        assert etf.leverage == (2 if etf.name.endswith(("레버리지", "인버스2X")) else 1)
    assert any(i.leverage == 2 for i in etfs)


def test_stocks_are_kospi_and_kosdaq_with_konex_only_in_large_universes() -> None:
    small = {i.market for i in universe(300, 5)}
    assert small == {Market.KOSPI, Market.KOSDAQ}
    large = make_universe(2_000, seed=5)
    konex = [i for i in large if i.market is Market.KONEX]
    assert len(konex) == 5


def test_about_a_third_of_the_stocks_are_nxt_eligible() -> None:
    insts = make_universe(1_000, seed=6)
    stocks = [i for i in insts if i.kind is InstrumentKind.STOCK]
    share = sum(i.nxt_eligible for i in stocks) / len(stocks)
    assert 0.25 <= share <= 0.35


def test_given_codes_are_included_as_nxt_eligible_kospi_stocks() -> None:
    insts = make_universe(20, seed=7, codes=["005930", "0037T0", "005930"])
    given_codes = {i.symbol: i for i in insts if i.symbol in ("005930", "0037T0")}
    assert len(insts) == 20
    assert len(given_codes) == 2
    for inst in given_codes.values():
        assert inst.market is Market.KOSPI
        assert inst.kind is InstrumentKind.STOCK
        assert inst.nxt_eligible


def test_more_codes_than_n_or_a_bad_code_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        make_universe(1, seed=0, codes=["005930", "000660"])
    with pytest.raises(InvalidSymbol):
        make_universe(5, seed=0, codes=["5930"])
    with pytest.raises(InvalidInput):
        make_universe(5, seed=0, etf_share=1.5)


def test_instruments_table_holds_the_master_in_its_schema() -> None:
    insts = universe(50, 8)
    table = instruments_table(insts)
    assert table.schema == INSTRUMENT_SCHEMA
    assert table.num_rows == 50
    assert table.column("symbol").to_pylist() == [i.symbol for i in insts]
    assert set(table.column("market").to_pylist()) <= {m.value for m in Market}
    assert table.column("kind").to_pylist()[0] == insts[0].kind.value


@settings(max_examples=20)
@given(st.integers(min_value=200, max_value=800), seeds)
def test_starting_prices_cover_every_stock_tick_band_from_n_200(n: int, seed: int) -> None:
    insts = universe(n, seed)
    anchors = profiles(insts, seed=seed).anchor
    stock = np.array([i.kind is InstrumentKind.STOCK for i in insts])
    ticks = {tick_size(int(p)) for p in anchors[stock]}
    assert ticks == STOCK_TICK_SIZES


@settings(max_examples=20)
@given(st.integers(min_value=1, max_value=300), seeds)
def test_starting_prices_are_valid_ticks_from_1000_to_1000000_krw(n: int, seed: int) -> None:
    insts = universe(n, seed)
    prof = profiles(insts, seed=seed)
    for inst, anchor in zip(insts, prof.anchor.tolist(), strict=True):
        assert is_valid_price(int(anchor), etf=inst.uses_etf_ticks)
        assert 1_000 <= anchor < 1_000_000
    assert np.all(prof.vol > 0)
    assert np.all(prof.adv > 0)
    assert np.all(prof.tail_df > 2)
