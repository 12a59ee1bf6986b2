from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from jts.core import Instrument, InvalidInput, Market
from jts.core.enums import InstrumentKind
from jts.marketdata import BarFrame
from jts.marketdata.ingest import ingest_file
from jts.marketdata.store import ParquetStore
from jts.marketdata.writers import write_csv, write_parquet
from tests.marketdata.store.conftest import minute_bars, ticks

DAYS = [dt.date(2026, 3, 3), dt.date(2026, 3, 4)]


@pytest.fixture
def store(tmp_path: Path) -> ParquetStore:
    return ParquetStore(tmp_path / "store")


def _with_bad_rows(frame: BarFrame) -> BarFrame:
    """Make row 10 off-tick and row 20 inconsistent (high below low)."""
    columns = {name: frame[name].copy() for name in frame.COLUMNS}
    columns["close"][10] += 3
    columns["high"][20] = columns["low"][20] - 10
    return BarFrame(columns, 60)


def test_lenient_import_stores_the_good_rows_only(store: ParquetStore, tmp_path: Path) -> None:
    bars = _with_bad_rows(minute_bars(["005930"], DAYS))
    path = write_csv(bars, tmp_path / "bars.csv")
    outcome = ingest_file(store, path)
    assert not outcome.rejected
    assert outcome.rows_written == len(bars) - 2
    assert outcome.report.error_count >= 2
    assert len(store.read_bars()) == len(bars) - 2


def test_strict_import_of_a_bad_file_leaves_the_store_untouched(
    store: ParquetStore, tmp_path: Path
) -> None:
    store.write_bars(minute_bars(["000660"], DAYS[:1]), interval="1m")
    path = write_parquet(_with_bad_rows(minute_bars(["005930"], DAYS)), tmp_path / "bad.parquet")
    outcome = ingest_file(store, path, strict=True)
    assert outcome.rejected
    assert outcome.rows_written == 0
    assert store.symbols() == ["000660"]


def test_spilling_through_the_staging_store_gives_the_same_result(tmp_path: Path) -> None:
    bars = minute_bars(["005930", "000660", "0037T0"], DAYS)
    path = write_parquet(bars, tmp_path / "bars.parquet")
    in_memory, spilled = ParquetStore(tmp_path / "a"), ParquetStore(tmp_path / "b")
    ingest_file(in_memory, path)
    outcome = ingest_file(spilled, path, spill_rows=500)
    assert outcome.rows_written == len(bars)
    assert spilled.read_bars() == in_memory.read_bars()
    assert not any((tmp_path / "b" / ".staging").iterdir())


def test_limits_are_checked_against_the_stored_previous_close(
    store: ParquetStore, tmp_path: Path
) -> None:
    store.write_bars(minute_bars(["005930"], DAYS[:1], close=10_000), interval="1m")
    day_two = minute_bars(["005930"], DAYS[1:], close=15_000)  # above +30% of ~10,000
    outcome = ingest_file(store, write_csv(day_two, tmp_path / "d2.csv"))
    assert set(outcome.report.to_dict()["rule_totals"]) == {"limit"}
    assert outcome.rows_written == 0


def test_etf_symbols_from_the_instrument_master_use_etf_ticks(
    store: ParquetStore, tmp_path: Path
) -> None:
    etf = Instrument(
        symbol="0037T0", name="TIGER 반도체", market=Market.KOSPI, kind=InstrumentKind.ETF
    )
    store.write_instruments([etf])
    frame = minute_bars(["0037T0"], DAYS[:1], close=10_005)  # 5 KRW steps: ETF ticks only
    assert np.any(frame["close"] % 10 != 0)
    outcome = ingest_file(store, write_csv(frame, tmp_path / "etf.csv"))
    assert outcome.report.to_dict()["rule_totals"].get("tick", 0) == 0
    assert outcome.rows_written == len(frame)


def test_an_unreadable_file_raises_a_clear_error(store: ParquetStore, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"\x00\x01\x02 not a csv")
    with pytest.raises(InvalidInput, match=r"garbage\.csv"):
        ingest_file(store, garbage)
    assert store.datasets() == []


def test_a_staging_folder_left_by_a_dead_import_is_swept(
    store: ParquetStore, tmp_path: Path
) -> None:
    leftover = store.root / ".staging" / "999999999-deadbeef"
    leftover.mkdir(parents=True)
    (leftover / "junk").write_text("x")
    ingest_file(store, write_csv(minute_bars(["005930"], DAYS[:1]), tmp_path / "b.csv"))
    assert not leftover.exists()


def test_tick_files_import_into_the_tick_store(store: ParquetStore, tmp_path: Path) -> None:
    trades = ticks("005930", DAYS[0], 50)
    outcome = ingest_file(store, write_csv(trades, tmp_path / "ticks.csv"))
    assert outcome.kind == "ticks"
    assert outcome.rows_written == 50
    assert store.read_ticks(["005930"]) == trades
