"""The import API: strict and lenient imports, chunked streams, progress, and round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jts.core.clock import kst_ns
from jts.core.errors import InvalidInput
from jts.marketdata.frames import BarFrame, TickFrame
from jts.marketdata.importer import import_file, iter_import
from jts.marketdata.writers import write_bars_csv, write_csv, write_parquet, write_ticks_csv

HEADER = "symbol,ts,open,high,low,close,volume"
NS_0900 = kst_ns(dt.date(2026, 3, 5), dt.time(9, 0))
MINUTE = 60 * 10**9


def _bars_csv(path: Path, *lines: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _line(minute: int, close: int = 10_010, symbol: str = "000020") -> str:
    return f"{symbol},2026-03-05T09:{minute:02d}:00+09:00,10000,10050,9990,{close},100"


# -- lenient and strict -------------------------------------------------------------------------


def test_lenient_import_keeps_the_good_rows(tmp_path: Path) -> None:
    path = _bars_csv(tmp_path / "b.csv", _line(0), _line(1, close=10_015), _line(2))
    result = import_file(path)
    assert (result.kind, result.interval) == ("bars", "1m")
    assert isinstance(result.frame, BarFrame)
    assert result.frame["ts"].tolist() == [NS_0900, NS_0900 + 2 * MINUTE]
    assert not result.report.ok
    assert not result.report.files[str(path)].rejected


def test_strict_import_rejects_the_whole_file(tmp_path: Path) -> None:
    path = _bars_csv(tmp_path / "b.csv", _line(0), _line(1, close=10_015), _line(2))
    result = import_file(path, strict=True)
    assert len(result.frame) == 0
    assert result.report.files[str(path)].rejected
    assert [(p.line, p.column, p.rule) for p in result.report.problems] == [(3, "close", "tick")]
    assert "REJECTED (strict)" in result.report.render().plain


def test_strict_import_of_a_clean_file_keeps_everything(tmp_path: Path) -> None:
    result = import_file(_bars_csv(tmp_path / "b.csv", _line(0), _line(1)), strict=True)
    assert result.report.ok
    assert len(result.frame) == 2


def test_header_only_file_is_a_file_error(tmp_path: Path) -> None:
    path = _bars_csv(tmp_path / "b.csv")
    result = import_file(path)
    assert len(result.frame) == 0
    assert result.report.rule_totals == {"file": 1}
    assert result.report.problems[0].message == "no data rows"
    assert import_file(path, strict=True).report.files[str(path)].rejected


def test_empty_parquet_is_a_file_error(tmp_path: Path) -> None:
    empty = pa.table({n: pa.array([], pa.int64()) for n in ("ts", "price", "qty")})
    pq.write_table(empty.append_column("symbol", pa.array([], pa.string())), tmp_path / "t.pq")
    result = import_file(tmp_path / "t.pq")
    assert (result.kind, result.report.rule_totals) == ("ticks", {"file": 1})


def test_bytes_that_are_not_utf8_spoil_only_their_cell(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(f"{HEADER}\n{_line(0)}\n".encode() + b"00002\xff,2026-03-05,1,1,1,1,1\n")
    result = import_file(path)
    assert len(result.frame) == 1
    assert [(p.line, p.column, p.value) for p in result.report.problems] == [
        (3, "symbol", "00002\ufffd")
    ]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_malformed_bodies_never_crash(tmp_path: Path, body: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(HEADER.encode() + b"\n" + body)
    try:
        result = import_file(path)
    except InvalidInput as exc:
        refused = str(exc)
    else:
        assert result.report.files[str(path)].counts.rows >= len(result.frame)
        return
    assert str(path) in refused


def test_extra_columns_are_a_warning(tmp_path: Path) -> None:
    path = _bars_csv(tmp_path / "b.csv", _line(0) + ",Samsung", header=HEADER + ",Name")
    report = import_file(path).report
    assert report.ok
    assert [(w.rule, w.message) for w in report.warnings] == [
        ("columns", "ignored columns: 'Name'")
    ]


def test_malformed_lines_are_bad_rows_with_their_line(tmp_path: Path) -> None:
    path = _bars_csv(tmp_path / "b.csv", _line(0), "000020,oops", _line(1))
    result = import_file(path)
    assert len(result.frame) == 2
    (problem,) = result.report.problems
    assert (problem.line, problem.rule, problem.value) == (3, "schema", "000020,oops")
    assert result.report.files[str(path)].counts.rows == 3


def test_unknown_interval_name_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="interval"):
        import_file(_bars_csv(tmp_path / "b.csv", _line(0)), interval="7h")


# -- streams and progress -----------------------------------------------------------------------


def test_stream_yields_chunks_and_a_merged_report(tmp_path: Path) -> None:
    lines = [_line(m, close=10_015 if m % 10 == 0 else 10_010) for m in range(40)]
    path = _bars_csv(tmp_path / "b.csv", *lines)
    stream = iter_import(path, chunk_rows=5)
    chunks = list(stream)
    assert len(chunks) > 1
    assert sum(len(frame) for frame, _ in chunks) == 36
    assert sum(part.rule_totals.get("tick", 0) for _, part in chunks) == 4
    assert stream.report.rule_totals == {"tick": 4}
    assert stream.report.files[str(path)].counts.rows == 40
    whole = import_file(path)
    assert (
        whole.report.to_dict()["files"][0]["counts"]
        == stream.report.to_dict()["files"][0]["counts"]
    )


def test_strict_stream_yields_nothing_from_a_bad_file(tmp_path: Path) -> None:
    path = _bars_csv(tmp_path / "b.csv", *[_line(m) for m in range(20)], _line(30, 10_015))
    stream = iter_import(path, strict=True, chunk_rows=5)
    assert list(stream) == []
    assert stream.report.files[str(path)].rejected
    clean = iter_import(_bars_csv(tmp_path / "c.csv", _line(0), _line(1)), strict=True)
    assert sum(len(frame) for frame, _ in clean) == 2


def test_progress_reports_rows_and_total(tmp_path: Path) -> None:
    frame = BarFrame(
        {
            "symbol": ["000020"] * 30,
            "ts": NS_0900 + MINUTE * np.arange(30),
            **{c: [10_000] * 30 for c in ("open", "high", "low", "close")},
            "volume": [1] * 30,
        }
    )
    calls: list[tuple[int, int | None]] = []
    import_file(
        write_parquet(frame, tmp_path / "b.parquet"),
        progress=lambda *a: calls.append(a),
        chunk_rows=10,
    )
    assert calls == [(10, 30), (20, 30), (30, 30)]
    calls.clear()
    import_file(write_csv(frame, tmp_path / "b.csv"), progress=lambda *a: calls.append(a))
    assert calls == [(30, None)]


# -- interval -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("step", "name"), [(1, "1m"), (5, "5m"), (15, "15m")])
def test_interval_is_inferred_when_asked(tmp_path: Path, step: int, name: str) -> None:
    path = _bars_csv(tmp_path / "b.csv", _line(0), _line(step), _line(3 * step))
    result = import_file(path, interval="auto")
    assert isinstance(result.frame, BarFrame)
    assert (result.interval, result.frame.interval_s) == (name, step * 60)
    assert result.report.ok


def test_daily_interval_is_inferred_from_dates(tmp_path: Path) -> None:
    lines = [f"000020,{d},10000,10050,9990,10010,100" for d in ("2026-03-05", "2026-03-06")]
    result = import_file(_bars_csv(tmp_path / "d.csv", *lines), interval="auto")
    assert result.interval == "1d"
    assert result.report.ok


# -- equal values in every spelling -------------------------------------------------------------


def test_tz_aware_naive_kst_and_int_ns_timestamps_import_equal(tmp_path: Path) -> None:
    spellings = [
        "2026-03-05T09:00:00+09:00",
        "2026-03-05 09:00:00",
        str(NS_0900),
        "2026-03-05T00:00:00Z",
    ]
    frames = [
        import_file(_bars_csv(tmp_path / f"{i}.csv", f"000020,{ts},10000,10050,9990,10010,1")).frame
        for i, ts in enumerate(spellings)
    ]
    assert all(frame == frames[0] for frame in frames)
    assert frames[0]["ts"].tolist() == [NS_0900]


def test_leading_zeros_and_letter_codes_are_kept(tmp_path: Path) -> None:
    path = _bars_csv(tmp_path / "b.csv", _line(0, symbol="000020"), _line(0, symbol="0037T0"))
    assert import_file(path).frame["symbol"].tolist() == ["000020", "0037T0"]


def test_tick_files_with_every_side_spelling(tmp_path: Path) -> None:
    sides = ["buy", "SELL", "b", "S", "", "+1", "-1", "0"]
    lines = [f"2026-03-05T09:00:0{i}+09:00,000020,10000,1,{side}" for i, side in enumerate(sides)]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(["ts,symbol,price,qty,side", *lines]) + "\n", encoding="utf-8")
    result = import_file(path)
    assert isinstance(result.frame, TickFrame)
    assert result.frame["side"].tolist() == [1, -1, 1, -1, 0, 1, -1, 0]
    assert not result.frame["auction"].any()


def test_parquet_with_string_prices_reports_bad_cells(tmp_path: Path) -> None:
    table = pa.table(
        {
            "symbol": ["000020", "000020"],
            "ts": pa.array([NS_0900, NS_0900 + MINUTE], pa.timestamp("ns", "UTC")),
            "price": ["10000", "ten"],
            "qty": [1, 2],
        }
    )
    pq.write_table(table, tmp_path / "t.parquet")
    result = import_file(tmp_path / "t.parquet")
    assert [(p.row, p.column, p.rule) for p in result.report.problems] == [(2, "price", "schema")]
    assert len(result.frame) == 1


# -- round trips --------------------------------------------------------------------------------

SYMBOLS = ("000020", "0037T0", "28513K", "005930")
CONTINUOUS_MINUTES = 380  # 09:00 .. 15:19


@st.composite
def bar_frames(draw: st.DrawFn) -> BarFrame:
    rows = []
    for symbol in draw(st.lists(st.sampled_from(SYMBOLS), min_size=1, max_size=3, unique=True)):
        minutes = draw(st.sets(st.integers(0, CONTINUOUS_MINUTES - 1), min_size=1, max_size=6))
        for minute in sorted(minutes):
            low, high = sorted(draw(st.integers(1_000, 1_200)) * 10 for _ in range(2))
            o, c = (draw(st.integers(low // 10, high // 10)) * 10 for _ in range(2))
            volume = draw(st.integers(0, 10**9))
            rows.append((symbol, NS_0900 + minute * MINUTE, o, high, low, c, volume, o * volume))
    names = ("symbol", "ts", "open", "high", "low", "close", "volume", "value")
    return BarFrame({n: [r[i] for r in rows] for i, n in enumerate(names)}).sorted()


@st.composite
def tick_frames(draw: st.DrawFn) -> TickFrame:
    n = draw(st.integers(1, 8))
    offsets = sorted(draw(st.lists(st.integers(0, 6 * 3_600 * 10**9), min_size=n, max_size=n)))
    return TickFrame(
        {
            "symbol": [draw(st.sampled_from(SYMBOLS)) for _ in range(n)],
            "ts": [NS_0900 + o for o in offsets],
            "price": [draw(st.integers(1_000, 1_200)) * 10 for _ in range(n)],
            "qty": [draw(st.integers(0, 10**6)) for _ in range(n)],
            "side": [draw(st.sampled_from((-1, 0, 1))) for _ in range(n)],
            "auction": [draw(st.booleans()) for _ in range(n)],
        }
    ).sorted()


ROUND_TRIP = settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])


@ROUND_TRIP
@given(frame=bar_frames())
def test_bars_round_trip_through_csv_and_parquet(tmp_path: Path, frame: BarFrame) -> None:
    for path in (
        write_bars_csv(frame, tmp_path / "b.csv"),
        write_parquet(frame, tmp_path / "b.pq"),
    ):
        result = import_file(path)
        assert result.report.ok, result.report.render().plain
        assert result.frame == frame


@ROUND_TRIP
@given(frame=tick_frames())
def test_ticks_round_trip_through_csv_and_parquet(tmp_path: Path, frame: TickFrame) -> None:
    for path in (
        write_ticks_csv(frame, tmp_path / "t.csv"),
        write_parquet(frame, tmp_path / "t.pq"),
    ):
        result = import_file(path)
        assert result.report.ok, result.report.render().plain
        assert result.frame == frame


def test_daily_bars_round_trip_as_dates(tmp_path: Path) -> None:
    days = [dt.date(2026, 3, 5), dt.date(2026, 3, 6)]
    frame = BarFrame(
        {
            "symbol": ["000020", "000020"],
            "ts": [kst_ns(d, dt.time(0)) for d in days],
            **{c: [10_000, 10_100] for c in ("open", "high", "low", "close")},
            "volume": [5, 6],
        },
        interval_s=86_400,
    )
    path = write_csv(frame, tmp_path / "d.csv")
    assert path.read_text().splitlines()[1].startswith("000020,2026-03-05,")
    result = import_file(path, interval="1d")
    assert result.report.ok
    assert result.frame == frame
    assert isinstance(result.frame, BarFrame)
    assert result.frame.interval_s == 86_400


def test_writers_refuse_the_wrong_frame_kind(tmp_path: Path) -> None:
    ticks = TickFrame.empty()
    with pytest.raises(InvalidInput):
        write_bars_csv(ticks, tmp_path / "x.csv")  # type: ignore[arg-type]
