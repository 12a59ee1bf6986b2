"""Reading user files: format and kind detection, raw chunks with row numbers, decoding cells."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jts.core.errors import InvalidInput
from jts.marketdata.decoding import decode_bool, decode_int, decode_side, decode_symbol, decode_ts
from jts.marketdata.readers import FileFormat, Kind, _rows_around_skipped, iter_raw, read_layout

BAR_HEADER = "symbol,ts,open,high,low,close,volume"
BAR_LINE = "000020,2026-03-05T09:00:00+09:00,10000,10050,9990,10010,100"
NS_0900 = 1_772_668_800_000_000_000  # 2026-03-05 09:00 KST as int ns UTC


def _csv(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _parquet(path: Path, columns: dict[str, Any]) -> Path:
    pq.write_table(pa.table(columns), path)
    return path


def _rows(path: Path, chunk_rows: int = 1_000) -> tuple[list[int], dict[str, list[Any]]]:
    rows: list[int] = []
    values: dict[str, list[Any]] = {}
    for chunk in iter_raw(read_layout(path), chunk_rows):
        rows += chunk.rows.tolist()
        for name, array in chunk.columns.items():
            values.setdefault(name, []).extend(array.to_pylist())
    return rows, values


# -- layout -------------------------------------------------------------------------------------


def test_csv_with_bar_columns_is_read_as_bars(tmp_path: Path) -> None:
    layout = read_layout(_csv(tmp_path / "b.csv", BAR_HEADER, BAR_LINE))
    assert (layout.format, layout.kind) == (FileFormat.CSV, Kind.BARS)
    assert layout.extra == ()


def test_tick_columns_are_read_as_ticks(tmp_path: Path) -> None:
    path = _csv(tmp_path / "t.csv", "ts,symbol,price,qty,side", f"{NS_0900},000020,10000,5,b")
    assert read_layout(path).kind is Kind.TICKS


def test_column_names_are_case_insensitive_and_trimmed(tmp_path: Path) -> None:
    header = " Symbol , TS,Open,HIGH,low ,Close,Volume"
    layout = read_layout(_csv(tmp_path / "b.csv", header, BAR_LINE))
    assert layout.used["symbol"] == " Symbol "
    assert _rows(layout.path)[1]["high"] == ["10050"]


def test_extra_columns_are_listed_as_ignored(tmp_path: Path) -> None:
    path = _csv(tmp_path / "b.csv", BAR_HEADER + ",name", BAR_LINE + ",Samsung")
    assert read_layout(path).extra == ("name",)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = _csv(tmp_path / "x.csv", "symbol,ts,open", "000020,2026-03-05,1")
    with pytest.raises(InvalidInput, match=r"x\.csv.*for bars: high, low, close, volume"):
        read_layout(path)


def test_semicolon_file_gets_a_delimiter_hint(tmp_path: Path) -> None:
    path = _csv(tmp_path / "x.csv", BAR_HEADER.replace(",", ";"), BAR_LINE.replace(",", ";"))
    with pytest.raises(InvalidInput, match="semicolons"):
        read_layout(path)


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file_is_invalid_input_naming_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=r"empty\.csv: the file is empty"):
        read_layout(path)


def test_binary_garbage_is_invalid_input(tmp_path: Path) -> None:
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(InvalidInput, match=r"garbage\.csv"):
        read_layout(path)


def test_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        read_layout(tmp_path / "nope.csv")


def test_parquet_suffix_on_a_text_file_is_invalid_input(tmp_path: Path) -> None:
    path = _csv(tmp_path / "b.parquet", BAR_HEADER, BAR_LINE)
    with pytest.raises(InvalidInput, match=r"b\.parquet: not a readable Parquet file"):
        read_layout(path)


def test_parquet_with_an_unusable_column_type_names_the_column(tmp_path: Path) -> None:
    columns = {
        "symbol": ["000020"],
        "ts": [NS_0900],
        **{name: [[1, 2]] for name in ("open", "high", "low", "close")},
        "volume": [1],
    }
    with pytest.raises(InvalidInput, match=r"b\.parquet: column 'open' has type list<"):
        read_layout(_parquet(tmp_path / "b.parquet", columns))


def test_parquet_with_a_boolean_timestamp_column_is_invalid_input(tmp_path: Path) -> None:
    columns = {"symbol": ["000020"], "ts": [True], "price": [10000], "qty": [1]}
    with pytest.raises(InvalidInput, match=r"column 'ts' has type bool"):
        read_layout(_parquet(tmp_path / "t.parquet", columns))


def test_parquet_is_detected_by_content_without_suffix(tmp_path: Path) -> None:
    columns = {"symbol": ["000020"], "ts": [NS_0900], "price": [10000], "qty": [1]}
    _parquet(tmp_path / "t.parquet", columns).rename(tmp_path / "t.dat")
    layout = read_layout(tmp_path / "t.dat")
    assert (layout.format, layout.kind, layout.total_rows) == (FileFormat.PARQUET, Kind.TICKS, 1)


def test_ambiguous_columns_need_an_explicit_kind(tmp_path: Path) -> None:
    path = _csv(tmp_path / "both.csv", BAR_HEADER + ",price,qty", BAR_LINE + ",1,1")
    with pytest.raises(InvalidInput, match="pass kind"):
        read_layout(path)
    assert read_layout(path, "ticks").kind is Kind.TICKS


# -- rows ---------------------------------------------------------------------------------------


def test_leading_zeros_and_letter_codes_survive_csv(tmp_path: Path) -> None:
    other = BAR_LINE.replace("000020", "0037T0")
    _, values = _rows(_csv(tmp_path / "b.csv", BAR_HEADER, BAR_LINE, other))
    assert values["symbol"] == ["000020", "0037T0"]


def test_rows_are_numbered_from_one_and_blank_lines_keep_their_number(tmp_path: Path) -> None:
    path = _csv(tmp_path / "b.csv", BAR_HEADER, BAR_LINE, "", BAR_LINE, "  ", BAR_LINE)
    rows, _ = _rows(path)
    assert rows == [1, 3, 5]


def test_malformed_lines_are_reported_with_their_row_and_later_rows_keep_numbers(
    tmp_path: Path,
) -> None:
    path = _csv(tmp_path / "b.csv", BAR_HEADER, BAR_LINE, "000020,1,2", BAR_LINE, BAR_LINE + ",9")
    chunks = list(iter_raw(read_layout(path)))
    malformed = [m for c in chunks for m in c.malformed]
    assert malformed == [(2, "000020,1,2"), (4, BAR_LINE + ",9")]
    assert [r for c in chunks for r in c.rows.tolist()] == [1, 3]


def test_row_numbers_continue_across_small_chunks(tmp_path: Path) -> None:
    lines = [BAR_LINE] * 200
    lines[57] = "bad,line"
    rows, _ = _rows(_csv(tmp_path / "b.csv", BAR_HEADER, *lines), chunk_rows=10)
    assert rows == [r for r in range(1, 201) if r != 58]


def test_parquet_rows_come_in_batches_with_running_numbers(tmp_path: Path) -> None:
    n = 25
    columns = {"symbol": ["000020"] * n, "ts": [NS_0900] * n, "price": [1] * n, "qty": [1] * n}
    layout = read_layout(_parquet(tmp_path / "t.parquet", columns))
    chunks = list(iter_raw(layout, chunk_rows=10))
    assert [len(c) for c in chunks] == [10, 10, 5]
    assert np.concatenate([c.rows for c in chunks]).tolist() == list(range(1, n + 1))


def test_gzipped_csv_is_read(tmp_path: Path) -> None:
    path = tmp_path / "b.csv.gz"
    path.write_bytes(gzip.compress(f"{BAR_HEADER}\n{BAR_LINE}\n".encode()))
    assert _rows(path)[1]["symbol"] == ["000020"]


def test_cp949_header_with_korean_extra_column_is_read(tmp_path: Path) -> None:
    path = tmp_path / "hts.csv"
    path.write_bytes(f"{BAR_HEADER},종목명\n{BAR_LINE},삼성\n".encode("cp949"))
    layout = read_layout(path)
    assert layout.extra == ("종목명",)
    assert _rows(path)[1]["close"] == ["10010"]


# -- decoding cells -----------------------------------------------------------------------------


def test_timestamps_in_every_spelling_are_the_same_instant() -> None:
    spellings = [
        "2026-03-05T09:00:00+09:00",
        "2026-03-05 09:00:00",
        "2026-03-05T09:00",
        "2026-03-05T00:00:00Z",
        "2026-03-05T00:00:00.000+00:00",
        "2026-03-05T09:00:00+0900",
        str(NS_0900),
    ]
    values, bad = decode_ts(pa.array(spellings))
    assert not bad.any()
    assert set(values.tolist()) == {NS_0900}


def test_parquet_timestamp_types_decode_to_the_same_instant() -> None:
    aware = pa.array([NS_0900], pa.timestamp("ns", "UTC"))
    seoul = pa.array([NS_0900 // 1_000_000], pa.timestamp("ms", "Asia/Seoul"))
    naive_kst = pa.array([NS_0900 + 9 * 3_600 * 10**9], pa.timestamp("ns"))
    for array in (aware, seoul, naive_kst, pa.array([NS_0900])):
        assert decode_ts(array)[0].tolist() == [NS_0900]


def test_a_bare_date_is_midnight_kst() -> None:
    values, _ = decode_ts(pa.array(["2026-03-05"]))
    assert values.tolist() == [NS_0900 - 9 * 3_600 * 10**9]


@pytest.mark.parametrize(
    "text", ["junk", "", "2026-02-30T09:00:00", "2026-03-05T24:00:00", "99999999999999999999"]
)
def test_bad_timestamps_are_flagged(text: str) -> None:
    assert decode_ts(pa.array([text, "2026-03-05"]))[1].tolist() == [True, False]


def test_fractional_seconds_keep_nanoseconds() -> None:
    values, _ = decode_ts(pa.array(["2026-03-05T09:00:00.000000001+09:00", "junk"]))
    assert values[0] == NS_0900 + 1


def test_integers_accept_sign_spaces_and_zero_fractions_only() -> None:
    values, bad = decode_int(pa.array(["1", "+2", "-3", " 70000.0 ", "7.5", "", "1,000", "x"]))
    assert values[:4].tolist() == [1, 2, -3, 70_000]
    assert bad.tolist() == [False] * 4 + [True] * 4


def test_float_columns_must_hold_whole_numbers() -> None:
    _, bad = decode_int(pa.array([70000.0, 2.5, None, float("nan")]))
    assert bad.tolist() == [False, True, True, True]


def test_symbols_are_upper_cased_and_broker_prefix_dropped() -> None:
    values, bad = decode_symbol(
        pa.array(["000020", "0037t0", "A005930", " 28513K ", "20", "", None])
    )
    assert values[:4].tolist() == ["000020", "0037T0", "005930", "28513K"]
    assert bad.tolist() == [False] * 4 + [True] * 3


def test_integer_symbols_are_never_zero_padded() -> None:
    values, bad = decode_symbol(pa.array([20, 123456]))
    assert bad.tolist() == [True, False]
    assert values[1] == "123456"


@pytest.mark.parametrize(
    ("spelling", "code"),
    [("buy", 1), ("B", 1), ("+1", 1), ("1", 1), ("Sell", -1), ("s", -1), ("-1", -1),
     ("", 0), ("0", 0), ("unknown", 0)],
)  # fmt: skip
def test_side_spellings(spelling: str, code: int) -> None:
    values, bad = decode_side(pa.array([spelling]))
    assert (int(values[0]), bool(bad[0])) == (code, False)


def test_integer_sides_and_bad_sides() -> None:
    assert decode_side(pa.array([1, -1, 0, 2]))[1].tolist() == [False, False, False, True]
    assert decode_side(pa.array(["long"]))[1].tolist() == [True]


def test_auction_flags() -> None:
    values, bad = decode_bool(pa.array(["true", "F", "1", "", "maybe"]))
    assert values.tolist()[:4] == [True, False, True, False]
    assert bad.tolist() == [False] * 4 + [True]


def test_rows_around_skipped_maps_positions_to_rows() -> None:
    assert _rows_around_skipped(0, 4, [2, 3, 7]).tolist() == [1, 4, 5, 6]
    assert _rows_around_skipped(4, 2, [2, 3, 7]).tolist() == [8, 9]
