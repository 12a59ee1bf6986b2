from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from jts.marketdata.importer import import_file
from jts.venues.sim.day import BOOK_COLUMNS
from tests.cli.conftest import RunJts

FIELDS = {"symbols", "date", "seed", "trades", "volume", "orders", "rejects", "vi_triggers",
          "halts", "seconds", "book_snapshots", "out"}  # fmt: skip


def test_sim_day_prints_one_json_line_and_writes_importable_trades(
    run_jts: RunJts, tmp_path: Path
) -> None:
    result = run_jts("sim", "day", "--symbols", "3", "--seed", "1", "--date", "2026-11-27",
                     "--out", "tmp")  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert set(summary) >= FIELDS
    assert (summary["symbols"], summary["seed"], summary["date"]) == (3, 1, "2026-11-27")
    assert summary["trades"] > 0
    assert summary["orders"] > 0
    out = tmp_path / "tmp"
    imported = import_file(out / "trades.parquet", kind="ticks", strict=True)
    assert imported.report.ok
    assert len(imported.frame) == summary["trades"]
    assert int(imported.frame["qty"].sum()) == summary["volume"]
    books = pq.read_table(out / "books.parquet")
    assert tuple(books.column_names) == BOOK_COLUMNS
    assert books.num_rows == summary["book_snapshots"]


def test_sim_day_refuses_a_symbol_count_below_one(run_jts: RunJts) -> None:
    result = run_jts("sim", "day", "--symbols", "0", "--out", "tmp")
    assert result.returncode == 2
    assert "--symbols" in result.stderr
    assert "Traceback" not in result.stderr


def test_sim_day_refuses_a_date_that_is_not_a_date(run_jts: RunJts) -> None:
    result = run_jts("sim", "day", "--date", "27/11/2026", "--out", "tmp")
    assert result.returncode == 2
    assert "--date" in result.stderr
    assert "Traceback" not in result.stderr


def test_sim_day_refuses_a_day_krx_does_not_trade(run_jts: RunJts) -> None:
    result = run_jts("sim", "day", "--date", "2026-11-28", "--out", "tmp")  # a Saturday
    assert result.returncode == 2
    assert "--date" in result.stderr
    assert "not a KRX trading day" in result.stderr
    assert "Traceback" not in result.stderr


def test_sim_day_needs_an_output_directory(run_jts: RunJts) -> None:
    result = run_jts("sim", "day", "--symbols", "1")
    assert result.returncode == 2
    assert "--out" in result.stderr
