from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core import Bar, InvalidInput, Side, Tick
from jts.marketdata import BarFrame, TickFrame
from jts.marketdata.frames import symbols_from_arrow, symbols_to_arrow

CODES = st.sampled_from(["005930", "000660", "0037T0", "000020", "28513K"])


def _bars(symbols: list[str], ts: list[int]) -> BarFrame:
    n = len(ts)
    return BarFrame(
        {
            "symbol": symbols,
            "ts": ts,
            "open": [100] * n,
            "high": [110] * n,
            "low": [90] * n,
            "close": [105] * n,
            "volume": list(range(n)),
        },
        60,
    )


def test_columns_are_read_only_and_typed() -> None:
    frame = _bars(["005930"], [1])
    assert frame["symbol"].dtype == np.dtype("<U6")
    assert frame["ts"].dtype == np.int64
    assert frame["value"].tolist() == [0]  # optional column defaults to 0
    with pytest.raises(ValueError, match="read-only"):
        frame["close"][0] = 1


def test_missing_or_ragged_columns_are_refused() -> None:
    with pytest.raises(InvalidInput, match="missing"):
        BarFrame({"symbol": ["005930"], "ts": [1]})
    with pytest.raises(InvalidInput, match="differ in length"):
        TickFrame({"symbol": ["005930"], "ts": [1, 2], "price": [1], "qty": [1], "side": [0]})


def test_sorting_and_per_symbol_slices() -> None:
    frame = _bars(["005930", "000660", "005930", "000660"], [2, 2, 1, 1])
    assert not frame.is_sorted()
    ordered = frame.sorted()
    assert ordered.is_sorted()
    assert ordered["symbol"].tolist() == ["000660", "000660", "005930", "005930"]
    assert ordered.for_symbol("005930")["ts"].tolist() == [1, 2]
    assert [(code, len(rows)) for code, rows in ordered.by_symbol()] == [
        ("000660", 2),
        ("005930", 2),
    ]
    assert len(ordered.for_symbol("999999")) == 0


def test_pandas_and_polars_views_keep_codes_and_utc_times() -> None:
    frame = _bars(["000020", "0037T0"], [0, 60_000_000_000])
    df = frame.to_pandas()
    assert df["symbol"].tolist() == ["000020", "0037T0"]
    assert str(df["ts"].dtype) == "datetime64[ns, UTC]"
    assert df["ts"].iloc[1] == pd.Timestamp("1970-01-01 00:01", tz="UTC")
    polars_frame = frame.to_polars()
    assert isinstance(polars_frame, pl.DataFrame)
    assert polars_frame["symbol"].to_list() == ["000020", "0037T0"]


def test_bars_and_ticks_convert_to_domain_structs_and_back() -> None:
    bars = [Bar(symbol="005930", ts_ns=1, interval_s=60, open=1, high=2, low=1, close=2, volume=3)]
    assert list(BarFrame.from_bars(bars).bars()) == bars
    ticks = [
        Tick(symbol="005930", ts_ns=1, price=71_500, qty=3, side=Side.SELL, auction=True),
        Tick(symbol="005930", ts_ns=2, price=71_600, qty=1),
    ]
    assert list(TickFrame.from_ticks(ticks).ticks()) == ticks


@given(st.lists(st.tuples(CODES, st.integers(0, 10**18)), max_size=60))
def test_arrow_round_trip_is_exact(rows: list[tuple[str, int]]) -> None:
    frame = _bars([r[0] for r in rows], [r[1] for r in rows])
    assert BarFrame.from_arrow(frame.to_arrow(), 60) == frame


@given(st.lists(CODES, max_size=200))
def test_symbol_conversion_round_trips_plain_and_dictionary(codes: list[str]) -> None:
    array = np.array(codes, dtype="<U6")
    arrow = symbols_to_arrow(array)
    assert arrow.to_pylist() == codes
    assert symbols_from_arrow(arrow).tolist() == codes
    if codes:
        assert symbols_from_arrow(arrow.dictionary_encode()).tolist() == codes
