from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from jts.marketdata.store import ParquetStore
from tests.cli.conftest import RunJts
from tests.marketdata.store.conftest import minute_bars


def _seed_store(tmp_path: Path) -> None:
    days = [dt.date(2026, 3, 3), dt.date(2026, 3, 4)]
    ParquetStore(tmp_path / "var" / "data").write_bars(
        minute_bars(["005930", "000660"], days), interval="1m"
    )


def test_sql_prints_a_table(run_jts: RunJts, tmp_path: Path) -> None:
    _seed_store(tmp_path)
    result = run_jts("data", "sql", "select symbol, count(*) as n from bars group by 1 order by 1")
    assert result.returncode == 0, result.stderr
    assert "005930" in result.stdout
    assert "760" in result.stdout
    assert "2 rows" in result.stdout


def test_sql_json_and_csv_formats(run_jts: RunJts, tmp_path: Path) -> None:
    _seed_store(tmp_path)
    query = "select symbol, max(high) as h from bars_1m group by 1 order by 1"
    lines = run_jts("data", "sql", query, "--format", "json").stdout.splitlines()
    assert [json.loads(line)["symbol"] for line in lines] == ["000660", "005930"]
    csv = run_jts("data", "sql", query, "-f", "csv").stdout.splitlines()
    assert csv[0] == '"symbol","h"'


def test_sql_error_is_one_clear_line(run_jts: RunJts, tmp_path: Path) -> None:
    result = run_jts("data", "sql", "select * from bars")
    assert result.returncode == 2
    assert "the store is empty" in result.stderr
    assert "Traceback" not in result.stderr


def test_coverage_lists_each_symbol(run_jts: RunJts, tmp_path: Path) -> None:
    _seed_store(tmp_path)
    result = run_jts("data", "coverage", "--format", "json")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {(r["dataset"], r["symbol"], r["rows"]) for r in rows} == {
        ("bars/1m", "005930", 760),
        ("bars/1m", "000660", 760),
    }
    assert rows[0]["first"].startswith("2026-03-03T09:00")


def test_data_dir_comes_from_the_environment(run_jts: RunJts, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    ParquetStore(other).write_bars(minute_bars(["000020"], [dt.date(2026, 3, 3)]), interval="1m")
    result = run_jts("data", "coverage", "-f", "json", extra_env={"JTS_DATA_DIR": str(other)})
    assert "000020" in result.stdout


def test_synth_then_query_then_export_and_reimport(run_jts: RunJts, tmp_path: Path) -> None:
    """The whole user flow: generate, query, export to CSV, import into a fresh store."""
    made = run_jts(
        "data", "synth", "--symbols", "12", "--days", "3", "--seed", "7", "--start", "2026-03-03"
    )
    assert made.returncode == 0, made.stderr
    assert "12 symbols × 3 trading days" in made.stdout
    counted = run_jts("data", "sql", "select count(distinct symbol) as n from bars", "-f", "json")
    assert json.loads(counted.stdout) == {"n": 12}
    daily = run_jts("data", "sql", "select count(*) as n from bars_1d", "-f", "json")
    assert json.loads(daily.stdout) == {"n": 36}
    names = run_jts("data", "sql", "select count(*) as n from instruments", "-f", "json")
    assert json.loads(names.stdout) == {"n": 12}

    exported = run_jts("data", "export", "all.csv", "--start", "2026-03-03", "--end", "2026-03-05")
    assert exported.returncode == 0, exported.stderr
    listed = run_jts("data", "instruments", "-f", "csv")
    (tmp_path / "instruments.csv").write_text(listed.stdout)
    fresh = {"JTS_DATA_DIR": str(tmp_path / "fresh")}
    loaded = run_jts("data", "instruments", "--load", "instruments.csv", extra_env=fresh)
    assert "loaded 12 instruments" in loaded.stdout, loaded.stderr
    imported = run_jts("data", "import", "all.csv", "--strict", extra_env=fresh)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    original = ParquetStore(tmp_path / "var" / "data").read_bars()
    assert ParquetStore(tmp_path / "fresh").read_bars() == original


def test_synth_to_a_parquet_file_is_deterministic(run_jts: RunJts, tmp_path: Path) -> None:
    args = ("data", "synth", "--symbols", "5", "--days", "2", "--start", "2026-03-03")
    assert run_jts(*args, "--out", "a.parquet").returncode == 0
    assert run_jts(*args, "--out", "b.parquet").returncode == 0
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_strict_import_of_a_bad_file_exits_1_and_names_row_and_column(
    run_jts: RunJts, tmp_path: Path
) -> None:
    (tmp_path / "bad.csv").write_text(
        "symbol,ts,open,high,low,close,volume\n"
        "005930,2026-03-05 09:00,71500,71600,71400,71500,100\n"
        "005930,2026-03-05 09:01,71500,71400,71500,71500,100\n"
    )
    result = run_jts("data", "import", "bad.csv", "--strict")
    assert result.returncode == 1
    assert "line 3" in result.stdout
    assert "high" in result.stdout
    assert "rejected" in result.stdout
    assert run_jts("data", "coverage").stdout.startswith("The store is empty")


def test_import_of_a_missing_file_is_one_clear_line(run_jts: RunJts) -> None:
    result = run_jts("data", "import", "nope.csv")
    assert result.returncode == 1
    assert "nope.csv" in result.stderr
    assert "Traceback" not in result.stderr
