from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from jts.core import Instrument, InvalidInput, Market
from jts.core.enums import InstrumentKind
from jts.marketdata import BarFrame
from jts.marketdata.store import ParquetStore
from jts.marketdata.store.instruments import load_instrument_file
from tests.marketdata.store.conftest import minute_bars, ticks

DAYS = [dt.date(2026, 3, 3), dt.date(2026, 3, 4), dt.date(2026, 3, 5)]


@pytest.fixture
def store(tmp_path: Path) -> ParquetStore:
    return ParquetStore(tmp_path / "data")


def test_bars_round_trip_sorted_by_symbol_and_time(store: ParquetStore) -> None:
    bars = minute_bars(["005930", "0037T0", "000660"], DAYS)
    stats = store.write_bars(bars, interval="1m")
    assert (stats.rows, stats.partitions, stats.replaced) == (len(bars), 3, 0)
    back = store.read_bars()
    assert back == bars.sorted()
    assert back.interval_s == 60
    assert store.symbols() == ["000660", "0037T0", "005930"]


def test_leading_zeros_and_letter_codes_survive(store: ParquetStore) -> None:
    store.write_bars(minute_bars(["000020", "0037T0"], DAYS[:1]), interval="1m")
    assert store.read_bars()["symbol"][0] == "000020"
    assert "0037T0" in store.symbols()


def test_read_by_symbol_and_kst_day_bounds(store: ParquetStore) -> None:
    store.write_bars(minute_bars(["005930", "000660"], DAYS), interval="1m")
    one_day = store.read_bars(["005930"], DAYS[1], DAYS[1])
    assert len(one_day) == 380
    assert one_day.symbols() == ["005930"]
    two_days = store.read_bars(None, DAYS[1], DAYS[2])
    assert len(two_days) == 2 * 2 * 380


def test_partitions_span_months_and_read_across_them(store: ParquetStore) -> None:
    days = [dt.date(2026, 2, 27), dt.date(2026, 3, 3)]
    stats = store.write_bars(minute_bars(["005930"], days), interval="1m")
    assert stats.partitions == 2
    assert sorted(p.name for p in (store.root / "bars" / "1m").iterdir()) == ["2026-02", "2026-03"]
    assert len(store.read_bars(["005930"], days[0], days[1])) == 760


def test_rewriting_the_same_rows_replaces_instead_of_duplicating(store: ParquetStore) -> None:
    bars = minute_bars(["005930"], DAYS)
    store.write_bars(bars, interval="1m")
    changed = BarFrame({**bars.columns(), "volume": bars["volume"] + 1}, 60)
    stats = store.write_bars(changed, interval="1m")
    assert stats.replaced == len(bars)
    back = store.read_bars()
    assert len(back) == len(bars)
    assert np.all(back["volume"] == bars["volume"] + 1)


def test_appending_a_day_keeps_the_earlier_days(store: ParquetStore) -> None:
    store.write_bars(minute_bars(["005930"], DAYS[:2]), interval="1m")
    store.write_bars(minute_bars(["005930"], DAYS[2:]), interval="1m")
    assert len(store.read_bars()) == 3 * 380


def test_interval_mismatch_is_refused(store: ParquetStore) -> None:
    with pytest.raises(InvalidInput, match="60-second bars, not 5m"):
        store.write_bars(minute_bars(["005930"], DAYS[:1]), interval="5m")


def test_bad_symbol_is_refused_before_anything_is_written(store: ParquetStore) -> None:
    bad = minute_bars(["5930"], DAYS[:1])
    with pytest.raises(InvalidInput, match="symbol"):
        store.write_bars(bad, interval="1m")
    assert store.datasets() == []


def test_daily_bars_live_in_yearly_files(store: ParquetStore) -> None:
    daily = minute_bars(["005930"], DAYS[:1])
    day_frame = BarFrame({**daily.take(np.arange(3)).columns()}, 86_400)
    store.write_bars(day_frame, interval="1d")
    assert (store.root / "bars" / "1d" / "2026" / "005930.parquet").exists()
    assert len(store.read_bars(interval="1d")) == 3


def test_iter_bars_streams_in_symbol_chunks(store: ParquetStore) -> None:
    symbols = [f"{i:06d}" for i in range(7)]
    store.write_bars(minute_bars(symbols, DAYS[:1]), interval="1m")
    chunks = list(store.iter_bars(chunk_symbols=3))
    assert [c.symbols() for c in chunks] == [symbols[:3], symbols[3:6], symbols[6:]]


def test_ticks_round_trip_in_daily_partitions(store: ParquetStore) -> None:
    trades = ticks("005930", DAYS[0], 100)
    store.write_ticks(trades)
    assert (store.root / "ticks" / "2026-03-03" / "005930.parquet").exists()
    assert store.read_ticks(["005930"]) == trades


def test_coverage_and_previous_closes(store: ParquetStore) -> None:
    store.write_bars(minute_bars(["005930", "000660"], DAYS), interval="1m")
    coverage = {c.symbol: c for c in store.coverage()}
    assert coverage["005930"].rows == 3 * 380
    assert coverage["005930"].dataset == "bars/1m"
    closes = store.previous_closes(["005930", "999999"], DAYS[2])
    last_of_day_two = store.read_bars(["005930"], DAYS[1], DAYS[1])["close"][-1]
    assert closes == {"005930": int(last_of_day_two)}


def test_sql_sees_views_of_each_dataset(store: ParquetStore) -> None:
    store.write_bars(minute_bars(["005930", "000660"], DAYS), interval="1m")
    store.write_ticks(ticks("005930", DAYS[0], 10))
    table = store.sql("select symbol, count(*) as n from bars group by symbol order by symbol")
    assert table.to_pylist() == [{"symbol": "000660", "n": 1140}, {"symbol": "005930", "n": 1140}]
    assert store.sql("select sum(qty) as q from ticks").to_pylist() == [{"q": 55}]


def test_sql_errors_name_the_views(store: ParquetStore) -> None:
    with pytest.raises(InvalidInput, match="the store is empty"):
        store.sql("select * from bars")
    store.write_bars(minute_bars(["005930"], DAYS[:1]), interval="1m")
    with pytest.raises(InvalidInput, match="views: bars_1m, bars"):
        store.sql("select * from nonsense")


def test_instrument_master_merges_by_symbol(store: ParquetStore) -> None:
    samsung = Instrument(symbol="005930", name="삼성전자", market=Market.KOSPI)
    etf = Instrument(
        symbol="0037T0", name="TIGER 반도체", market=Market.KOSPI, kind=InstrumentKind.ETF
    )
    store.write_instruments([samsung])
    store.write_instruments(
        [etf, Instrument(symbol="005930", name="삼성전자(주)", market=Market.KOSPI)]
    )
    assert [(i.symbol, i.name) for i in store.instruments()] == [
        ("0037T0", "TIGER 반도체"),
        ("005930", "삼성전자(주)"),
    ]
    assert store.sql("select count(*) as n from instruments").to_pylist() == [{"n": 2}]


def test_a_second_store_object_sees_files_written_by_the_first(tmp_path: Path) -> None:
    writer, reader = ParquetStore(tmp_path), ParquetStore(tmp_path)
    writer.write_bars(minute_bars(["005930"], DAYS[:1]), interval="1m")
    assert reader.symbols() == ["005930"]
    writer.write_bars(minute_bars(["000660"], DAYS[:1]), interval="1m")
    assert reader.symbols() == ["000660", "005930"]


def test_a_damaged_catalog_cache_is_rebuilt(tmp_path: Path) -> None:
    ParquetStore(tmp_path).write_bars(minute_bars(["005930"], DAYS[:1]), interval="1m")
    for cache in (tmp_path / ".catalog").iterdir():
        cache.write_bytes(b"garbage")
    assert ParquetStore(tmp_path).symbols() == ["005930"]


def test_a_killed_writer_leaves_the_store_readable(tmp_path: Path) -> None:
    """Kill a process in the middle of a large write; every partition must still read whole."""
    store = ParquetStore(tmp_path)
    store.write_bars(minute_bars(["005930"], DAYS), interval="1m")
    before = store.read_bars()
    script = textwrap.dedent(
        f"""
        import datetime as dt, sys
        sys.path.insert(0, {str(Path(__file__).parents[3])!r})
        from tests.marketdata.store.conftest import minute_bars
        from jts.marketdata.store import ParquetStore
        store = ParquetStore({str(tmp_path)!r})
        days = [dt.date(2026, 3, d) for d in (3, 4, 5)]
        symbols = [f"{{i:06d}}" for i in range(400)] + ["005930"]
        print("go", flush=True)
        while True:
            store.write_bars(minute_bars(symbols, days, close=20_000), interval="1m")
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "go"
    time.sleep(1.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    reopened = ParquetStore(tmp_path)
    after = reopened.read_bars(["005930"])
    assert len(after) == len(before)  # old rows or new rows, never torn or duplicated
    assert set(np.unique(after["close"] // 10_000).tolist()) <= {1, 2}
    for symbol in reopened.symbols():
        assert len(reopened.read_bars([symbol])) in (0, 3 * 380)
    reopened.write_bars(minute_bars(["000001"], DAYS[:1]), interval="1m")
    assert not list(tmp_path.rglob("*.tmp"))  # the next writer swept the leftovers


def test_instrument_file_loads_with_defaults_and_rejects_bad_rows(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "symbol,name,market,kind\n000020,동화약품,KOSPI,\n0037T0,TIGER 반도체,kospi,etf\n"
    )
    loaded = load_instrument_file(good)
    assert [(i.symbol, i.kind) for i in loaded] == [
        ("000020", InstrumentKind.STOCK),
        ("0037T0", InstrumentKind.ETF),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("symbol,name,market\n000020,동화약품,NASDAQ\n")
    with pytest.raises(InvalidInput, match=r"bad\.csv line 2"):
        load_instrument_file(bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("symbol,name\n000020,x\n")
    with pytest.raises(InvalidInput, match="missing column"):
        load_instrument_file(missing)
