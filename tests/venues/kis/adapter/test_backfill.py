"""Minute-bar backfill: paging rules, row parsing (property tests) and a real backfill from the
simulator into the Parquet store `jts data` reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from jts.core.clock import KST, to_ns
from jts.marketdata.store import ParquetStore
from jts.venues.kis.backfill import MinuteBackfill, bar_values, minute_bars, previous_minute
from jts.venues.kis.server import KisSimulator
from tests.venues.kis.adapter.stack import adapter

DAY = "20261127"


def row(hhmm: str, close: int, volume: int = 10, value: int = 0) -> dict[str, str]:
    return {
        "stck_bsop_date": DAY, "stck_cntg_hour": f"{hhmm}00", "stck_prpr": str(close),
        "stck_oprc": str(close), "stck_hgpr": str(close + 10), "stck_lwpr": str(close - 10),
        "cntg_vol": str(volume), "acml_tr_pbmn": str(value),
    }  # fmt: skip


def test_previous_minute_steps_back_over_the_hour() -> None:
    assert previous_minute("100000") == "095900"
    assert previous_minute("090130") == "090000"
    assert previous_minute("000000") == "000000"


@given(st.lists(st.integers(0, 10**12), min_size=1, max_size=50))
def test_bar_values_of_a_cumulative_series_add_back_up(steps: list[int]) -> None:
    cumulative = [sum(steps[: i + 1]) for i in range(len(steps))]
    values = bar_values(cumulative)
    assert values[0] == 0
    assert values[1:] == steps[1:]


def test_a_series_that_decreases_is_taken_as_per_bar_values() -> None:
    assert bar_values([500, 300, 900]) == [500, 300, 900]


@given(
    st.lists(st.sampled_from([f"09{m:02d}" for m in range(60)]), min_size=1, max_size=40),
    st.integers(1_000, 500_000),
)
def test_minute_rows_become_one_bar_per_minute_oldest_first(minutes: list[str], close: int) -> None:
    bars = minute_bars("005930", [row(m, close) for m in minutes])
    assert [b.ts_ns for b in bars] == sorted({b.ts_ns for b in bars})
    assert len(bars) == len(set(minutes))
    for bar in bars:
        bar.validate()
        assert (bar.interval_s, bar.close, bar.volume) == (60, close, 10)


def test_a_bar_is_stamped_with_its_start_minute_in_kst() -> None:
    [bar] = minute_bars("005930", [row("0931", 70_000)])
    assert bar.ts_ns == to_ns(dt.datetime(2026, 11, 27, 9, 31, tzinfo=KST))


async def test_todays_bars_are_backfilled_into_the_store(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    kis_sim.advance(75 * 60)  # 10:15:30: 75 finished minutes, more than two pages of 30
    async with adapter(kis_sim, tmp_path / "tokens") as kis:
        backfill = MinuteBackfill(kis.rest, clock=kis_sim.clock)
        bars = await backfill.fetch("005930")
        starts = [b.ts_ns for b in bars]
        assert starts == sorted(set(starts))
        tape = kis_sim.market.tape["005930"].minutes  # minutes with trades, as KIS lists them
        assert starts == [m.start_ns for m in tape]
        assert len(bars) > 60  # more than two pages
        assert [b.volume for b in bars] == [m.volume for m in tape]
        stats = await backfill.backfill(["005930", "000660"], tmp_path / "data")
    assert stats.rows == len(bars) + len(kis_sim.market.tape["000660"].minutes)
    stored = ParquetStore(tmp_path / "data").read_bars(["005930"])
    assert list(stored["ts"]) == starts
    assert list(stored["close"]) == [b.close for b in bars]


@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                ["stck_bsop_date", "stck_cntg_hour", "stck_prpr", "stck_oprc", "cntg_vol"]
            ),
            st.one_of(
                st.text(alphabet="0123456789 .-x", max_size=10),
                st.sampled_from(["-5", "0", "20261127", "0931"]),
            ),
        ),
        max_size=10,
    )
)
def test_garbled_rows_are_skipped_never_raised(rows: list[dict[str, str]]) -> None:
    for bar in minute_bars("005930", rows):
        bar.validate()
