"""`jts.backtest.data.load_bars`: sources, universes, timeframes, dates and the errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.backtest.data import LoadedBars, load_bars, resample_bars
from jts.core.clock import kst_ns
from jts.core.enums import InstrumentKind, Market
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.marketdata.frames import BarFrame, TickFrame
from jts.marketdata.store import ParquetStore
from jts.marketdata.synth import daily_bars, make_universe, minute_bars
from jts.marketdata.writers import write_bars_csv, write_parquet, write_ticks_csv
from jts.strategy.lang.ast import Program
from jts.strategy.lang.compiler import compile_program

DAYS = (dt.date(2025, 3, 4), dt.date(2025, 3, 5), dt.date(2025, 3, 6))
SEED = 3
UNIVERSE = make_universe(8, seed=SEED)
KOSPI = sorted(i.symbol for i in UNIVERSE if i.market is Market.KOSPI)
ALL = sorted(i.symbol for i in UNIVERSE)
MASTER = {i.symbol: i for i in UNIVERSE}


def program(universe: str = "all", timeframe: str = "1m") -> Program:
    text = f'strategy "t"\nuniverse {universe}\ntimeframe {timeframe}\n'
    return compile_program(text + "when close > open: buy 1 shares\n")


@pytest.fixture(scope="module")
def minute() -> BarFrame:
    chunks = list(minute_bars(UNIVERSE, DAYS[0], days=len(DAYS), seed=SEED))
    return BarFrame.concat(chunks).sorted()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory, minute: BarFrame) -> Path:
    root = tmp_path_factory.mktemp("store")
    store = ParquetStore(root)
    store.write_instruments(UNIVERSE)
    store.write_bars(minute, interval="1m")
    store.write_bars(daily_bars(UNIVERSE, DAYS[0], days=len(DAYS), seed=SEED), interval="1d")
    return root


@pytest.fixture(scope="module")
def csv_file(tmp_path_factory: pytest.TempPathFactory, minute: BarFrame) -> Path:
    return write_bars_csv(minute, tmp_path_factory.mktemp("csv") / "bars.csv")


Row = dict[str, object]


def bar(symbol: str, day: dt.date, hhmm: str, o: int, h: int, lo: int, c: int, v: int) -> Row:
    ts = kst_ns(day, dt.time(int(hhmm[:2]), int(hhmm[3:])))
    return {"symbol": symbol, "ts": ts, "open": o, "high": h, "low": lo, "close": c,
            "volume": v, "value": v * c}  # fmt: skip


def frame_of(rows: list[Row], interval_s: int = 60) -> BarFrame:
    columns = {name: [r[name] for r in rows] for name in rows[0]}
    return BarFrame(columns, interval_s).sorted()


# -- sources ----------------------------------------------------------------------------------


def test_store_directory_reads_every_symbol_at_the_programs_timeframe(
    store_dir: Path, minute: BarFrame
) -> None:
    loaded = load_bars(store_dir, program=program())
    assert loaded.bars == minute
    assert loaded.symbols == ALL
    assert loaded.timeframe == "1m"
    assert loaded.defaulted == ()
    assert loaded.instruments == MASTER
    assert str(store_dir) in loaded.source


def test_store_object_is_read_like_its_directory(store_dir: Path, minute: BarFrame) -> None:
    assert load_bars(ParquetStore(store_dir), program=program()).bars == minute


def test_store_serves_day_bars_from_its_daily_dataset(store_dir: Path) -> None:
    loaded = load_bars(store_dir, program=program(timeframe="day"))
    assert loaded.timeframe == "1d"
    assert "bars/1d" in loaded.source
    assert len(loaded.bars) == len(ALL) * len(DAYS)


def test_csv_file_is_read_directly_and_instruments_are_defaulted(
    csv_file: Path, minute: BarFrame
) -> None:
    loaded = load_bars(csv_file, program=program())
    assert loaded.bars == minute
    assert loaded.defaulted == tuple(ALL)
    assert loaded.instruments["409110"].market is Market.KOSPI
    assert not (csv_file.parent / "bars").exists()  # nothing was imported into a store


def test_folder_of_parquet_files_is_joined(tmp_path: Path, minute: BarFrame) -> None:
    first = np.isin(minute["symbol"], ALL[:3])
    write_parquet(minute.take(first), tmp_path / "a.parquet")
    write_parquet(minute.take(~first), tmp_path / "b.parquet")
    assert load_bars(tmp_path).bars == minute


def test_the_same_bar_in_two_files_is_refused(tmp_path: Path, minute: BarFrame) -> None:
    one = minute.for_symbol(ALL[0])
    write_parquet(one, tmp_path / "a.parquet")
    write_parquet(one, tmp_path / "b.parquet")
    with pytest.raises(InvalidInput, match=r"two files.*a\.parquet and .*b\.parquet"):
        load_bars(tmp_path)


def test_polars_frame_with_a_datetime_column(minute: BarFrame) -> None:
    frame = minute.for_symbol(ALL[0]).to_polars().rename({"ts": "datetime"}).drop("value")
    loaded = load_bars(frame)
    assert loaded.source.startswith("polars DataFrame")
    assert np.array_equal(loaded.bars["close"], minute.for_symbol(ALL[0])["close"])
    assert not loaded.bars["value"].any()


def test_pandas_frame(minute: BarFrame) -> None:
    assert load_bars(minute.to_pandas()).bars == minute


def test_barframe_is_taken_as_is_and_sorted(minute: BarFrame) -> None:
    shuffled = minute.take(np.random.default_rng(1).permutation(len(minute)))
    assert load_bars(shuffled).bars == minute


def ticks() -> TickFrame:
    ts = [kst_ns(DAYS[0], dt.time(9, 0, s)) for s in (5, 30)] + [kst_ns(DAYS[0], dt.time(9, 1))]
    return TickFrame({"symbol": ["005930"] * 3, "ts": ts, "price": [10_000, 10_050, 9_990],
                      "qty": [3, 4, 5], "side": [1, -1, 0]})  # fmt: skip


def test_tick_file_becomes_bars(tmp_path: Path) -> None:
    loaded = load_bars(write_ticks_csv(ticks(), tmp_path / "ticks.csv"), timeframe="1m")
    assert loaded.bars["open"].tolist() == [10_000, 9_990]
    assert loaded.bars["volume"].tolist() == [7, 5]


def test_tick_only_store_becomes_bars(tmp_path: Path) -> None:
    ParquetStore(tmp_path).write_ticks(ticks())
    loaded = load_bars(tmp_path, timeframe="5m")
    assert loaded.bars["volume"].tolist() == [12]
    assert "ticks → 5m" in loaded.source


def test_pandas_frame_indexed_by_datetime(minute: BarFrame) -> None:
    one = minute.for_symbol(ALL[0])
    frame = one.to_pandas().rename(columns={"ts": "datetime"}).set_index("datetime")
    loaded = load_bars(frame)
    assert loaded.bars == one
    assert loaded.warnings == ()


# -- malformed input --------------------------------------------------------------------------


def test_malformed_csv_names_file_line_and_column(tmp_path: Path, csv_file: Path) -> None:
    lines = csv_file.read_text().splitlines()[:4]
    fields = lines[2].split(",")
    fields[5] = "12x"  # the close
    lines[2] = ",".join(fields)
    path = tmp_path / "broken.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InvalidInput) as caught:
        load_bars(path)
    message = str(caught.value)
    assert "broken.csv line 3, column close ('12x')" in message
    assert "[schema]" in message


def test_unreadable_file_raises_invalid_input_not_an_arrow_error(tmp_path: Path) -> None:
    path = tmp_path / "bars.parquet"
    path.write_bytes(b"PAR1 not really")
    with pytest.raises(InvalidInput, match=r"bars\.parquet"):
        load_bars(path)


def test_frame_with_a_bad_row_names_the_row(minute: BarFrame) -> None:
    columns = minute.for_symbol(ALL[0]).columns()
    columns["high"] = columns["high"].copy()
    columns["high"][4] = columns["low"][4] - 1
    frame = BarFrame(columns).to_pandas()
    with pytest.raises(InvalidInput, match=r"pandas DataFrame row 5, column high"):
        load_bars(frame)


# -- universes --------------------------------------------------------------------------------


def test_explicit_codes(store_dir: Path) -> None:
    loaded = load_bars(store_dir, program=program(f"[{ALL[1]}, {ALL[4]}]"))
    assert loaded.symbols == [ALL[1], ALL[4]]


def test_market_universe_uses_the_store_master(store_dir: Path) -> None:
    assert load_bars(store_dir, program=program("KOSPI")).symbols == KOSPI


def test_market_universe_without_a_master_is_an_error(csv_file: Path) -> None:
    with pytest.raises(InvalidInput, match="needs the instrument master"):
        load_bars(csv_file, program=program("KOSDAQ"))


def test_market_universe_with_the_instruments_argument(csv_file: Path) -> None:
    loaded = load_bars(csv_file, program=program("KOSPI"), instruments=MASTER)
    assert loaded.symbols == KOSPI
    assert loaded.defaulted == ()


def test_index_file_next_to_the_strategy(store_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "members.csv").write_text(f"symbol,name\n{ALL[2]},x\n# note\n\nA{ALL[0]},y\n")
    loaded = load_bars(store_dir, program=program('index "members.csv"'), strategy_dir=tmp_path)
    assert loaded.symbols == [ALL[0], ALL[2]]


def test_index_file_in_the_current_directory(
    store_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "k.txt").write_text(f"{ALL[3]}\n")
    monkeypatch.chdir(tmp_path)
    assert load_bars(store_dir, program=program('index "k.txt"')).symbols == [ALL[3]]


def test_missing_index_file_says_where_it_looked(store_dir: Path) -> None:
    with pytest.raises(InvalidInput, match=r'index file "nope.csv" not found; looked for'):
        load_bars(store_dir, program=program('index "nope.csv"'))


def test_symbols_argument_replaces_the_universe(csv_file: Path) -> None:
    loaded = load_bars(csv_file, program=program("KOSPI"), symbols=[ALL[0].lower()])
    assert loaded.symbols == [ALL[0]]


def test_missing_codes_are_listed_up_to_ten(store_dir: Path) -> None:
    wanted = [f"{n:06d}" for n in range(12)] + [ALL[0]]
    with pytest.raises(InvalidInput) as caught:
        load_bars(store_dir, symbols=wanted)
    message = str(caught.value)
    assert "12 code(s)" in message
    assert "000009 and 2 more" in message
    assert "000010" not in message


# -- timeframes -------------------------------------------------------------------------------


DAY = DAYS[1]
HAND = [
    bar("005930", DAY, "08:30", 100, 100, 100, 100, 50),  # opening auction print
    bar("005930", DAY, "09:00", 101, 105, 99, 104, 10),
    bar("005930", DAY, "09:01", 104, 106, 103, 103, 20),
    bar("005930", DAY, "09:04", 103, 103, 98, 99, 30),
    bar("005930", DAY, "09:05", 99, 102, 97, 100, 40),
    bar("005930", DAY, "15:19", 110, 112, 109, 111, 60),
    bar("005930", DAY, "15:20", 112, 112, 112, 112, 70),  # closing auction print
]


def test_five_minute_bars_by_hand() -> None:
    bars = resample_bars(frame_of(HAND), 300)
    stamps = [dt.time(8, 30), dt.time(9, 0), dt.time(9, 5), dt.time(15, 15), dt.time(15, 20)]
    assert bars["ts"].tolist() == [kst_ns(DAY, t) for t in stamps]
    assert bars["open"].tolist() == [100, 101, 99, 110, 112]
    assert bars["high"].tolist() == [100, 106, 102, 112, 112]
    assert bars["low"].tolist() == [100, 98, 97, 109, 112]
    assert bars["close"].tolist() == [100, 99, 100, 111, 112]
    assert bars["volume"].tolist() == [50, 60, 40, 60, 70]
    assert bars["value"].tolist() == [5_000, 10 * 104 + 20 * 103 + 30 * 99, 4_000, 6_660, 7_840]


def test_thirty_minute_bar_stops_at_the_closing_auction() -> None:
    bars = resample_bars(frame_of(HAND), 1_800)
    assert [t // 60 % 1_440 for t in (bars["ts"] // 10**9 + 9 * 3_600).tolist()] == [
        8 * 60 + 30, 9 * 60, 15 * 60, 15 * 60 + 20,
    ]  # fmt: skip


def test_day_bar_by_hand() -> None:
    other = bar("000660", DAY, "09:00", 50, 51, 49, 50, 1)
    bars = resample_bars(frame_of([*HAND, other]), 86_400)
    day = bars.for_symbol("005930")
    assert day["ts"].tolist() == [kst_ns(DAY, dt.time(0, 0))]
    assert (day["open"][0], day["high"][0], day["low"][0], day["close"][0]) == (100, 112, 97, 112)
    assert day["volume"][0] == 280
    assert bars.symbols() == ["000660", "005930"]


def test_program_timeframe_resamples_store_minutes(store_dir: Path, minute: BarFrame) -> None:
    loaded = load_bars(store_dir, program=program(timeframe="5m"))
    assert loaded.timeframe == "5m"
    assert "bars/1m → 5m" in loaded.source
    assert loaded.bars == resample_bars(minute, 300)


def test_timeframe_argument_overrides_the_program(csv_file: Path) -> None:
    assert load_bars(csv_file, program=program(timeframe="5m"), timeframe="day").timeframe == "1d"


def test_coarser_data_than_wanted_is_an_error(store_dir: Path) -> None:
    daily = load_bars(store_dir, timeframe="day").bars
    with pytest.raises(InvalidInput, match="data has 1d bars; strategy wants 1m"):
        load_bars(daily, program=program())


def test_interval_that_is_not_a_multiple_is_an_error() -> None:
    with pytest.raises(InvalidInput, match="7m is not a multiple of 5m"):
        load_bars(resample_bars(frame_of(HAND), 300), timeframe="7m")


# -- dates and empty results ------------------------------------------------------------------


def test_start_and_end_are_inclusive_kst_dates(store_dir: Path, csv_file: Path) -> None:
    for source in (store_dir, csv_file):
        loaded = load_bars(source, start=DAYS[1], end=DAYS[1])
        days = (loaded.bars["ts"] + 9 * 3_600 * 10**9) // (86_400 * 10**9)
        assert set(days.tolist()) == {(DAYS[1] - dt.date(1970, 1, 1)).days}


def test_nothing_left_names_the_filters(store_dir: Path) -> None:
    later = dt.date(2025, 4, 1)
    with pytest.raises(InvalidInput, match=r"no bars left for universe KOSPI from 2025-04-01"):
        load_bars(store_dir, program=program("KOSPI"), start=later, end=later)


def test_start_after_end_is_refused(store_dir: Path) -> None:
    with pytest.raises(InvalidInput, match="is after end"):
        load_bars(store_dir, start=DAYS[2], end=DAYS[0])


def test_loaded_bars_is_frozen(store_dir: Path) -> None:
    loaded: LoadedBars = load_bars(store_dir, symbols=[ALL[0]])
    with pytest.raises(AttributeError):
        loaded.timeframe = "5m"  # type: ignore[misc]


# -- property ---------------------------------------------------------------------------------

_TRADING_DAYS = (dt.date(2025, 3, 4), dt.date(2025, 3, 5), dt.date(2025, 3, 7))
_MINUTES = list(range(8 * 60 + 30, 18 * 60))


@st.composite
def minute_frames(draw: st.DrawFn) -> BarFrame:
    rows = []
    for symbol in ("000020", "0037T0"):
        for day in _TRADING_DAYS:
            minutes = draw(st.sets(st.sampled_from(_MINUTES), max_size=30))
            for m in sorted(minutes):
                volume = draw(st.integers(0, 10_000))
                rows.append(bar(symbol, day, f"{m // 60:02d}:{m % 60:02d}", 10, 11, 9, 10, volume))
    if not rows:
        return BarFrame.empty()
    return frame_of(rows)


@given(minute_frames(), st.sampled_from([60, 120, 300, 600, 1_800, 3_600, 23_400, 86_400]))
def test_resampled_volume_per_symbol_and_day_is_the_source_volume(
    frame: BarFrame, interval_s: int
) -> None:
    out = resample_bars(frame, interval_s)

    def totals(bars: BarFrame) -> dict[tuple[str, int], int]:
        days = (bars["ts"] + 9 * 3_600 * 10**9) // (86_400 * 10**9)
        found: dict[tuple[str, int], int] = {}
        for symbol, day, volume in zip(bars["symbol"], days, bars["volume"], strict=True):
            key = (str(symbol), int(day))
            found[key] = found.get(key, 0) + int(volume)
        return found

    assert totals(out) == totals(frame)
    assert out.is_sorted()
    same = (out["symbol"][1:] == out["symbol"][:-1]) & (out["ts"][1:] == out["ts"][:-1])
    assert not same.any()


def test_instruments_argument_wins_over_the_store_master(store_dir: Path) -> None:
    etf = Instrument(symbol=ALL[0], name="x", market=Market.KOSDAQ, kind=InstrumentKind.ETF)
    loaded = load_bars(store_dir, symbols=[ALL[0]], instruments={ALL[0]: etf})
    assert loaded.instruments[ALL[0]] == etf
