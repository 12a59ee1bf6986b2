"""Run records: what `record_run` writes, how runs list and load, and that a failed write
leaves nothing a reader could mistake for a run."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import polars as pl
import pytest

from jts.backtest import BacktestConfig, BacktestResult, load_bars, run_loaded
from jts.backtest.runs import RUNS_DIR, list_runs, load_run, record_run
from jts.core.errors import InvalidInput
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import make_universe, minute_bars
from jts.strategy.lang import Program, compile_program

STRATEGY = """\
strategy "runs_test"
universe all
timeframe 1m
param fast = 5 in 3..10
let f = sma(close, fast)
when position == 0 and close > f: buy 5 shares at market
when position > 0 and close < f: sell all at market
"""
OPTIONS = {"engine": "vector", "fill": "next_open", "costs": "krx", "cash": 100_000_000}


@pytest.fixture(scope="module")
def program() -> Program:
    return compile_program(STRATEGY, params={"fast": 4})


@pytest.fixture(scope="module")
def result(program: Program) -> BacktestResult:
    universe = make_universe(2, seed=7)
    bars = BarFrame.concat(list(minute_bars(universe, dt.date(2025, 11, 3), days=2, seed=7)))
    return run_loaded(program, load_bars(bars.sorted(), program=program), BacktestConfig())


def test_a_record_holds_run_json_and_the_result_tables(
    tmp_path: Path, program: Program, result: BacktestResult
) -> None:
    stored = record_run(tmp_path, program, result=result, options=OPTIONS, strategy_file="s.jts")
    assert stored.folder == tmp_path / RUNS_DIR / stored.run_id
    meta = json.loads((stored.folder / "run.json").read_text())
    assert meta["kind"] == "backtest"
    assert meta["strategy"] == "runs_test"
    assert meta["strategy_text"] == STRATEGY
    assert meta["strategy_sha256"] == result.meta["strategy_sha256"]
    assert meta["params"] == {"fast": 4}
    assert meta["engine"] == "vector"
    assert meta["stats"]["final_equity"] == result.stats["final_equity"]
    assert (meta["data"]["start"], meta["data"]["end"]) == (
        result.meta["start"],
        result.meta["end"],
    )
    assert meta["tables"] == ["equity", "fills", "orders", "trades"]
    assert pl.read_parquet(stored.folder / "fills.parquet").equals(result.fills)


def test_run_ids_are_utc_time_and_a_hash_and_never_repeat(
    tmp_path: Path, program: Program, result: BacktestResult
) -> None:
    ids = {record_run(tmp_path, program, result=result, options=OPTIONS).run_id for _ in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{8}", i) for i in ids)


def test_runs_list_newest_first_without_the_strategy_text(
    tmp_path: Path, program: Program, result: BacktestResult
) -> None:
    first = record_run(tmp_path, program, result=result, options=OPTIONS)
    second = record_run(tmp_path, program, kind="sweep", options=OPTIONS, stats={"grid_size": 2})
    listed = list_runs(tmp_path)
    assert [r["run_id"] for r in listed] == [second.run_id, first.run_id]
    assert all("strategy_text" not in r for r in listed)
    assert list_runs(tmp_path, limit=1)[0]["kind"] == "sweep"


def test_no_runs_folder_lists_nothing(tmp_path: Path) -> None:
    assert list_runs(tmp_path) == []


def test_a_loaded_run_gives_the_result_back(
    tmp_path: Path, program: Program, result: BacktestResult
) -> None:
    run_id = record_run(tmp_path, program, result=result, options=OPTIONS).run_id
    again = load_run(tmp_path, run_id).result()
    assert again.fills.equals(result.fills)
    assert again.equity.equals(result.equity)
    assert again.stats == result.stats
    assert again.initial_cash == result.initial_cash


def test_a_sweep_record_keeps_its_own_tables(tmp_path: Path, program: Program) -> None:
    table = pl.DataFrame({"fast": [3, 4], "sharpe": [1.0, 0.5]})
    data = {"source": "x.csv", "start": "2025-11-03", "end": "2025-11-04"}
    stored = record_run(
        tmp_path, program, kind="sweep", tables={"sweep": table}, data=data, options=OPTIONS
    )
    loaded = load_run(tmp_path, stored.run_id)
    assert loaded.tables == ["sweep"]
    assert loaded.table("sweep").equals(table)
    assert loaded.meta["data"]["source"] == "x.csv"
    with pytest.raises(InvalidInput, match="not a backtest"):
        loaded.result()


@pytest.mark.parametrize("run_id", ["../etc", "20260101T000000Z-00000000"])
def test_unknown_or_malformed_run_ids_are_invalid_input(tmp_path: Path, run_id: str) -> None:
    with pytest.raises(InvalidInput, match="run"):
        load_run(tmp_path, run_id)


def test_a_failed_write_leaves_no_folder_behind(
    tmp_path: Path, program: Program, result: BacktestResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_written(self: BacktestResult, folder: str | Path) -> Path:
        self.orders.write_parquet(Path(folder) / "orders.parquet")
        raise OSError("disk full")

    monkeypatch.setattr(BacktestResult, "to_parquet", half_written)
    with pytest.raises(OSError, match="disk full"):
        record_run(tmp_path, program, result=result, options=OPTIONS)
    assert list((tmp_path / RUNS_DIR).iterdir()) == []
    assert list_runs(tmp_path) == []


def test_listing_ignores_temp_folders_and_shows_unreadable_runs(
    tmp_path: Path, program: Program
) -> None:
    runs = tmp_path / RUNS_DIR
    (runs / ".tmp-20260101T000000Z-0000aaaa").mkdir(parents=True)
    (runs / ".tmp-20260101T000000Z-0000aaaa" / "run.json").write_text("{}")
    broken = runs / "20260101T000000Z-0000bbbb"
    broken.mkdir()
    (broken / "run.json").write_text("{not json")
    listed = list_runs(tmp_path)
    assert [r["run_id"] for r in listed] == [broken.name]
    assert "unreadable run.json" in listed[0]["error"]
