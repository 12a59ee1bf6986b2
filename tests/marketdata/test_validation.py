"""Each validation rule on a small bad file made in tmp_path, as CSV and as Parquet.

Dates: 2026-03-05 (Thu) and 2026-03-06 (Fri) trade; 2026-03-02 is a substitute holiday and
2026-03-01 a Sunday. Problems name the 1-based data row; CSV problems also carry the file line
(header = line 1, so line = row + 1).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jts.marketdata.frames import BarFrame
from jts.marketdata.importer import ImportResult, import_file
from jts.marketdata.report import Problem, ValidationReport

BAR_COLUMNS = ("symbol", "ts", "open", "high", "low", "close", "volume")
TICK_COLUMNS = ("symbol", "ts", "price", "qty", "side")
Row = Sequence[Any]


def at(hhmm: str, day: str = "2026-03-05") -> str:
    return f"{day}T{hhmm}+09:00"


def bar(
    ts: str = at("09:00"),
    *,
    symbol: str = "000020",
    o: Any = 10_000,
    h: Any = 10_050,
    low: Any = 9_990,
    c: Any = 10_010,
    v: Any = 100,
) -> Row:
    return (symbol, ts, o, h, low, c, v)


def tick(ts: str, price: Any = 10_000, *, symbol: str = "000020", qty: Any = 1) -> Row:
    return (symbol, ts, price, qty, "b")


def write(path: Path, header: Sequence[str], rows: Sequence[Row]) -> Path:
    """A CSV or (by suffix) Parquet file; Parquet columns holding any non-int are strings."""
    if path.suffix == ".csv":
        lines = [",".join(header), *(",".join(str(v) for v in row) for row in rows)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
    columns = {}
    for i, name in enumerate(header):
        values = [row[i] for row in rows]
        as_ints = all(type(v) is int for v in values)
        columns[name] = pa.array(values if as_ints else [str(v) for v in values])
    pq.write_table(pa.table(columns), path)
    return path


@pytest.fixture(params=["csv", "parquet"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def import_bars(tmp_path: Path, fmt: str, rows: Sequence[Row], **kw: Any) -> ImportResult:
    return import_file(write(tmp_path / f"bars.{fmt}", BAR_COLUMNS, rows), **kw)


def import_ticks(tmp_path: Path, fmt: str, rows: Sequence[Row], **kw: Any) -> ImportResult:
    return import_file(write(tmp_path / f"ticks.{fmt}", TICK_COLUMNS, rows), **kw)


def found(report: ValidationReport) -> list[tuple[str, int, str]]:
    """(rule, row, column) of every kept problem, sorted by row."""
    return sorted((p.rule, p.row, p.column) for p in report.problems)


def rules(report: ValidationReport) -> set[str]:
    return set(report.rule_totals)


# -- schema -------------------------------------------------------------------------------------


def test_clean_file_has_no_problems(tmp_path: Path, fmt: str) -> None:
    result = import_bars(tmp_path, fmt, [bar(at("09:00")), bar(at("09:01"))])
    assert result.report.ok
    assert len(result.frame) == 2


def test_unparseable_values_are_reported_by_row_and_column(tmp_path: Path, fmt: str) -> None:
    rows = [bar(), bar(at("09:01"), c="10010.5"), bar("yesterday"), bar(at("09:03"), symbol="20")]
    result = import_bars(tmp_path, fmt, rows)
    assert found(result.report) == [
        ("schema", 2, "close"),
        ("schema", 3, "ts"),
        ("schema", 4, "symbol"),
    ]
    assert len(result.frame) == 1


def test_csv_problems_carry_the_file_line(tmp_path: Path) -> None:
    result = import_bars(tmp_path, "csv", [bar(), bar(at("09:01"), c="x")])
    (problem,) = result.report.problems
    assert (problem.row, problem.line, problem.value) == (2, 3, "x")
    assert problem.where() == "line 3"


def test_parquet_problems_have_no_line(tmp_path: Path) -> None:
    result = import_bars(tmp_path, "parquet", [bar(), bar(at("09:01"), c="x")])
    assert [(p.row, p.line, p.where()) for p in result.report.problems] == [(2, None, "row 2")]


def test_zero_prices_and_negative_volume_are_errors(tmp_path: Path, fmt: str) -> None:
    rows = [bar(), bar(at("09:01"), low=0, o=0, c=0, h=0), bar(at("09:02"), v=-1)]
    result = import_bars(tmp_path, fmt, rows)
    assert [(r, row) for r, row, _ in found(result.report)] == [("schema", 2)] * 4 + [("schema", 3)]
    assert result.report.files[str(tmp_path / f"bars.{fmt}")].counts.bad == 2


def test_negative_tick_quantity_is_an_error(tmp_path: Path, fmt: str) -> None:
    result = import_ticks(tmp_path, fmt, [tick(at("09:00")), tick(at("09:01"), qty=-5)])
    assert found(result.report) == [("schema", 2, "qty")]


# -- prices -------------------------------------------------------------------------------------


def test_ohlc_inconsistency_names_the_column(tmp_path: Path, fmt: str) -> None:
    rows = [
        bar(at("09:00"), h=9_980),  # high below low and below open/close
        bar(at("09:01"), o=10_100),  # open above high
        bar(at("09:02"), c=9_900),  # close below low
        bar(at("09:03")),
    ]
    result = import_bars(tmp_path, fmt, rows)
    assert found(result.report) == [
        ("ohlc", 1, "close"),
        ("ohlc", 1, "high"),
        ("ohlc", 1, "open"),
        ("ohlc", 2, "open"),
        ("ohlc", 3, "close"),
    ]
    assert len(result.frame) == 1


def test_price_off_the_tick_grid(tmp_path: Path, fmt: str) -> None:
    result = import_bars(tmp_path, fmt, [bar(), bar(at("09:01"), c=10_015)])
    assert found(result.report) == [("tick", 2, "close")]
    assert "10 KRW tick" in result.report.problems[0].message


def test_etf_symbols_use_the_etf_tick_table(tmp_path: Path, fmt: str) -> None:
    rows = [tick(at("09:00"), 10_005, symbol="069500"), tick(at("09:00"), 10_005)]
    result = import_ticks(tmp_path, fmt, rows, etf_symbols=frozenset({"069500"}))
    assert found(result.report) == [("tick", 2, "price")]


def test_limits_use_the_previous_close_from_the_file(tmp_path: Path, fmt: str) -> None:
    day2 = "2026-03-06"
    rows = [
        tick(
            at("15:20"), 10_000
        ),  # closing auction: the close, base of day 2 (limits 7,000..13,000)
        tick(at("16:10"), 10_500),  # after-hours single price: does not set the close
        tick(at("09:00", day2), 13_000),
        tick(at("09:01", day2), 13_050),
        tick(at("09:02", day2), 6_990),
    ]
    result = import_ticks(tmp_path, fmt, rows)
    assert found(result.report) == [("limit", 4, "price"), ("limit", 5, "price")]
    assert "7,000..13,000" in result.report.problems[0].message


def test_limits_prefer_the_callers_base_price(tmp_path: Path, fmt: str) -> None:
    day = dt.date(2026, 3, 5)
    rows = [tick(at("09:00"), 13_000), tick(at("09:01"), 14_000)]
    by_map = import_ticks(tmp_path, fmt, rows, base_prices={("000020", day): 10_000})
    assert found(by_map.report) == [("limit", 2, "price")]
    by_call = import_ticks(tmp_path, fmt, rows, base_prices=lambda s, d: 11_000)
    assert by_call.report.ok


def test_limits_without_a_base_are_counted_not_checked(tmp_path: Path, fmt: str) -> None:
    result = import_ticks(tmp_path, fmt, [tick(at("09:00"), 50_000), tick(at("09:01"), 99_000)])
    assert result.report.ok
    (file,) = result.report.files.values()
    assert file.counts.limit_unchecked == 2
    assert file.symbols["000020"].limit_unchecked == 2
    assert "limits not checked (no base price): 2 rows" in str(result.report.render())


# -- calendar and sessions ----------------------------------------------------------------------


def test_non_trading_days_are_errors(tmp_path: Path, fmt: str) -> None:
    rows = [bar(at("09:00", "2026-03-01")), bar(at("09:00", "2026-03-02")), bar(at("09:00"))]
    result = import_bars(tmp_path, fmt, rows)
    assert found(result.report) == [("trading_day", 1, "ts"), ("trading_day", 2, "ts")]
    assert "2026-03-01 (Sun) is not a KRX trading day" in result.report.problems[0].message


def test_timestamps_outside_the_sessions_are_errors(tmp_path: Path, fmt: str) -> None:
    rows = [
        tick(at("08:29")),
        tick(at("08:30")),  # pre-open session start: inside
        tick("2026-03-05T15:30:10+09:00"),  # closing auction random end: inside
        tick(at("15:35")),  # 15:30-15:40 gap
        tick(at("17:59")),
        tick("2026-03-05T18:00:20+09:00"),  # the last after-hours round's random end: inside
        tick("2026-03-05T18:00:31+09:00"),
    ]
    result = import_ticks(tmp_path, fmt, rows)
    assert found(result.report) == [
        ("session", 1, "ts"),
        ("session", 4, "ts"),
        ("session", 7, "ts"),
    ]
    assert "08:29 KST is outside the sessions of 2026-03-05" in result.report.problems[0].message


def test_bars_off_the_interval_grid_are_errors(tmp_path: Path, fmt: str) -> None:
    rows = [bar(at("09:00")), bar("2026-03-05T09:01:30+09:00"), bar(at("09:05"))]
    result = import_bars(tmp_path, fmt, rows, interval="5m")
    assert found(result.report) == [("interval", 2, "ts")]


def test_daily_bars_must_be_stamped_midnight(tmp_path: Path, fmt: str) -> None:
    rows = [bar("2026-03-05"), bar("2026-03-06T15:30:00+09:00"), bar("2026-03-09T00:00:00+09:00")]
    result = import_bars(tmp_path, fmt, rows, interval="1d")
    assert found(result.report) == [("interval", 2, "ts")]
    assert isinstance(result.frame, BarFrame)
    assert result.frame.interval_s == 86_400


# -- time order ---------------------------------------------------------------------------------


def test_duplicates_after_the_first_are_errors(tmp_path: Path, fmt: str) -> None:
    rows = [bar(at("09:00")), bar(at("09:00")), bar(at("09:01")), bar(at("09:00"))]
    result = import_bars(tmp_path, fmt, rows)
    assert found(result.report) == [("duplicate", 2, "ts"), ("duplicate", 4, "ts")]
    assert result.frame["ts"].tolist() == sorted(set(result.frame["ts"].tolist()))


def test_duplicates_are_found_across_chunks(tmp_path: Path) -> None:
    rows = [bar(at("09:00")), bar(at("09:01")), bar(at("09:01")), bar(at("09:02"))]
    result = import_bars(tmp_path, "parquet", rows, chunk_rows=2)
    assert found(result.report) == [("duplicate", 3, "ts")]


def test_rows_earlier_than_a_previous_row_of_the_symbol_are_errors(
    tmp_path: Path, fmt: str
) -> None:
    rows = [
        bar(at("09:05")),
        bar(at("09:00"), symbol="005930", o=70_000, h=70_000, low=70_000, c=70_000),
        bar(at("09:01")),  # 000020 goes back in time
        bar(at("09:06")),
    ]
    result = import_bars(tmp_path, fmt, rows)
    assert found(result.report) == [("order", 3, "ts")]


def test_ticks_may_share_a_timestamp(tmp_path: Path, fmt: str) -> None:
    result = import_ticks(tmp_path, fmt, [tick(at("09:00")), tick(at("09:00"), 10_010)])
    assert result.report.ok


# -- gaps (warnings) ----------------------------------------------------------------------------


def test_gaps_are_warnings_with_counts_and_largest(tmp_path: Path, fmt: str) -> None:
    minutes = ["09:00", "09:01", "09:05", "09:06", "09:16"]  # gaps of 3 and 9 bars
    rows = [bar(at(m)) for m in minutes] + [bar(at("09:00"), symbol="005935")]
    result = import_bars(tmp_path, fmt, rows)
    assert result.report.ok
    assert len(result.frame) == 6
    gaps = next(iter(result.report.files.values())).gaps
    assert set(gaps) == {"000020"}
    assert (gaps["000020"].missing, gaps["000020"].gaps) == (12, 2)
    assert [n for _, n in gaps["000020"].largest] == [9, 3]
    assert result.report.warning_count == 2
    assert "9 bars missing from 2026-03-05T09:07:00+09:00" in str(result.report.render())


def test_gaps_continue_across_chunks_but_not_across_days(tmp_path: Path) -> None:
    rows = [bar(at("09:00")), bar(at("09:03")), bar(at("15:19")), bar(at("09:00", "2026-03-06"))]
    result = import_bars(tmp_path, "parquet", rows, chunk_rows=1)
    gaps = next(iter(result.report.files.values())).gaps["000020"]
    assert (gaps.missing, gaps.gaps) == (2 + 375, 2)


# -- report -------------------------------------------------------------------------------------


def test_problems_are_capped_per_rule_with_the_total_kept(tmp_path: Path) -> None:
    rows = [bar(f"2026-03-05T09:{m:02d}:00+09:00", c=10_015) for m in range(30)]
    result = import_bars(tmp_path, "csv", rows, max_per_rule=5)
    assert result.report.rule_totals == {"tick": 30}
    assert len(result.report.problems) == 5
    assert "... and 25 more tick problems" in str(result.report.render())


def test_per_symbol_counts_by_rule(tmp_path: Path, fmt: str) -> None:
    rows = [bar(), bar(at("09:01"), c=10_015), bar(symbol="0037T0"), bar(at("09:02"), v=-1)]
    result = import_bars(tmp_path, fmt, rows)
    symbols = next(iter(result.report.files.values())).symbols
    assert (symbols["000020"].rows, symbols["000020"].bad) == (3, 2)
    assert symbols["000020"].by_rule == {"tick": 1, "schema": 1}
    assert (symbols["0037T0"].rows, symbols["0037T0"].good) == (1, 1)


def test_report_dict_is_json_and_names_everything(tmp_path: Path) -> None:
    result = import_bars(tmp_path, "csv", [bar(), bar(at("09:01"), c=10_015)])
    data = json.loads(json.dumps(result.report.to_dict()))
    assert data["ok"] is False
    assert data["rule_totals"] == {"tick": 1}
    (problem,) = data["problems"]
    assert problem | {"message": ""} == {
        "file": str(tmp_path / "bars.csv"),
        "row": 2,
        "line": 3,
        "column": "close",
        "value": "10015",
        "rule": "tick",
        "message": "",
        "symbol": "000020",
    }
    assert data["files"][0]["counts"] == {
        "rows": 2, "good": 1, "bad": 1, "by_rule": {"tick": 1}, "limit_unchecked": 2,
    }  # fmt: skip
    assert "rows/s" in data["summary"]


def test_render_never_interprets_markup_in_values(tmp_path: Path) -> None:
    result = import_bars(tmp_path, "csv", [bar(c="[bold]x[/bold]")])
    assert "[bold]x[/bold]" in result.report.render().plain


def test_merge_adds_counts_and_respects_the_cap() -> None:
    def part(rows: list[int]) -> ValidationReport:
        report = ValidationReport(max_per_rule=3)
        file = report.file("f.csv", "csv", "bars")
        file.counts.rows, file.counts.bad = len(rows), len(rows)
        problems = [Problem("f.csv", r, r + 1, "close", "x", "schema", "bad") for r in rows]
        report.add_problems("schema", len(rows), problems)
        return report

    merged = part([1, 2]).merge(part([3, 4]))
    assert merged.rule_totals == {"schema": 4}
    assert [p.row for p in merged.problems] == [1, 2, 3]
    assert merged.files["f.csv"].counts.rows == 4
