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
