"""`jts backtest` end to end: JSON, report, export, store, sweeps, walk-forward, recording and
the errors a user makes (exit 2, one clear message, no traceback).

Most tests call the real entry point (`jts.cli.main`) in this process, which is what the
console script runs, error mapping included; one runs `python -m jts` as a subprocess.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from jts.cli import main
from jts.marketdata.frames import BarFrame
from jts.marketdata.store import ParquetStore
from jts.marketdata.synth import make_universe, minute_bars
from jts.marketdata.writers import write_bars_csv
from tests.cli.conftest import RunJts

STRATEGY = """\
strategy "cli_test"
universe all
timeframe 1m
param fast = 5 in 3..10
param slow = 20 in 10..40 step 5
param qty = 10
let f = sma(close, fast)
let s = sma(close, slow)
when position == 0 and crosses_above(f, s): buy qty shares at market
when position > 0 and crosses_below(f, s): sell all at market
"""
SUMMARY_KEYS = {
    "strategy", "engine", "symbols", "bars", "seconds", "bars_per_second", "orders",
    "orders_filled", "round_trips", "final_cash", "final_equity", "total_costs", "total_return",
    "sharpe", "max_drawdown", "win_rate", "trades", "params", "data", "start", "end",
}  # fmt: skip


@dataclass(frozen=True)
class Files:
    root: Path
    strategy: Path
    csv: Path
    store: Path


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.out)
        return parsed


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    root = tmp_path_factory.mktemp("backtest_cli")
    universe = make_universe(2, seed=11)
    bars = BarFrame.concat(list(minute_bars(universe, dt.date(2025, 11, 3), days=5, seed=11)))
    store = root / "store"
    ParquetStore(store).write_bars(bars.sorted(), interval="1m")
    strategy = root / "cli_test.jts"
    strategy.write_text(STRATEGY)
    return Files(root, strategy, write_bars_csv(bars.sorted(), root / "bars.csv"), store)


Jts = Callable[..., Outcome]


@pytest.fixture
def jts(
    files: Files,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Jts:
    """`jts ARGS` through the console-script entry point, in tmp_path, data_dir = the store."""
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("JTS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("JTS_DATA_DIR", str(files.store))
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> Outcome:
        monkeypatch.setattr(sys, "argv", ["jts", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        captured = capsys.readouterr()
        return Outcome(int(exited.value.code or 0), captured.out, captured.err)

    return run


def test_json_is_one_object_with_the_summary(jts: Jts, files: Files, tmp_path: Path) -> None:
    done = jts("backtest", str(files.strategy), "--data", str(files.csv), "--json",
               "--export", "out", "--no-record")  # fmt: skip
    assert done.code == 0, done.err
    summary = done.json()
    assert set(summary) >= SUMMARY_KEYS
    assert summary["bars"] > 0
    assert summary["orders_filled"] > 0
    equity = pl.read_parquet(tmp_path / "out" / "equity.parquet")
    assert summary["final_equity"] == equity["equity"][-1]
    assert summary["final_equity"] == summary["final_cash"] + equity["positions_value"][-1]


def test_vector_and_event_print_the_same_json(jts: Jts, files: Files) -> None:
    args = ("backtest", str(files.strategy), "--data", str(files.csv), "--json", "--no-record")
    vector, event = jts(*args).json(), jts(*args, "--engine", "event").json()
    assert event["engine"] == "event"
    for key in ("seconds", "bars_per_second", "engine", "path"):
        vector.pop(key), event.pop(key)
    assert vector == event


def test_report_and_export_write_their_files(jts: Jts, files: Files, tmp_path: Path) -> None:
    done = jts("backtest", str(files.strategy), "--data", str(files.csv), "--report", "r.html",
               "--export", "tables", "--param", "fast=4", "--no-record")  # fmt: skip
    assert done.code == 0, done.err
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    for name in ("orders", "fills", "equity", "trades"):
        assert (tmp_path / "tables" / f"{name}.parquet").is_file()
    assert "Sharpe" in done.out
    assert "KRW" in done.out
    assert "bars/s" in done.out
    assert "report: r.html" in done.out


def test_store_runs_are_recorded_and_listed(jts: Jts, files: Files) -> None:
    first, second = ParquetStore(files.store).symbols("bars/1m")
    done = jts("backtest", str(files.strategy), "--store", "--symbols", f"{first},12")
    assert done.code == 2
    assert "'12' is not a KRX short code" in done.err
    done = jts("backtest", str(files.strategy), "--store", "--symbols", f"{first},",
               "--symbols", second, "slow=25")  # fmt: skip
    assert done.code == 0, done.err
    assert "recorded: " in done.out
    listed = [json.loads(line) for line in jts("backtests", "--json").out.splitlines()]
    newest = listed[0]
    assert newest["params"]["slow"] == 25
    assert newest["options"]["symbols"] == [first, second]
    shown = jts("backtests", newest["run_id"]).json()
    assert shown["tables"] == ["equity", "fills", "orders", "trades"]


def test_a_sweep_writes_table_heatmap_best_report_and_export(
    jts: Jts, files: Files, tmp_path: Path
) -> None:
    done = jts("backtest", str(files.strategy), "--data", str(files.csv), "--sweep", "fast=3,5",
               "slow=15..20:5", "--jobs", "1", "--export", "ex", "--report", "r.html",
               "--no-record")  # fmt: skip
    assert done.code == 0, done.err
    table = pl.read_parquet(tmp_path / "ex" / "sweep.parquet")
    assert table.height == 4
    assert (tmp_path / "ex" / "sweep.csv").is_file()
    heatmap = (tmp_path / "r-sweep.html").read_text()
    assert "<script src=" not in heatmap
    assert "sharpe by fast and slow" in heatmap
    assert (tmp_path / "r.html").is_file()
    assert "4 parameter sets" in done.out


def test_sweep_json_lists_every_set_best_first(jts: Jts, files: Files) -> None:
    done = jts("backtest", str(files.strategy), "--data", str(files.csv), "--sweep", "fast=3..5",
               "--jobs", "1", "--json", "--no-record")  # fmt: skip
    result = done.json()
    assert result["grid_size"] == 3
    sharpe = [r["sharpe"] for r in result["results"] if r["sharpe"] is not None]
    assert sharpe == sorted(sharpe, reverse=True)


def test_walk_forward_json_has_folds_and_the_gap(jts: Jts, files: Files) -> None:
    done = jts("backtest", str(files.strategy), "--data", str(files.csv), "--sweep", "fast=3,6",
               "--walk-forward", "2", "--jobs", "1", "--json", "--no-record")  # fmt: skip
    assert done.code == 0, done.err
    result = done.json()
    assert [f["fold"] for f in result["folds"]] == [1, 2]
    assert {"in_sample_mean", "out_of_sample_mean", "gap"} <= set(result["summary"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--param", "fast"), "'fast' is not k=v"),
        (("--param", "fast=abc"), "'abc' is not a number"),
        (("--param", "fast=99"), "outside its range 3..10"),
        (("fast=3..5",), "add --sweep"),
        (("--fill", "bogus"), "'bogus' is not one of next_open, close, limit_touch"),
        (("--store",), "exactly one of --data PATH or --store"),
        (("--walk-forward", "2"), "needs --sweep"),
        (("--sweep", "nope=1..2"), "no such param"),
    ],
)
def test_user_errors_exit_2_with_one_clear_message(
    jts: Jts, files: Files, args: tuple[str, ...], message: str
) -> None:
    done = jts("backtest", str(files.strategy), "--data", str(files.csv), "--no-record", *args)
    assert done.code == 2
    assert message in done.err
    assert "Traceback" not in done.err


def test_neither_data_nor_store_is_refused(jts: Jts, files: Files) -> None:
    done = jts("backtest", str(files.strategy))
    assert done.code == 2
    assert "exactly one of --data PATH or --store" in done.err


def test_a_malformed_strategy_shows_line_and_caret(run_jts: RunJts, files: Files) -> None:
    bad = files.root / "bad.jts"
    bad.write_text(STRATEGY.replace("sma(close, slow)", "sma(close, slow"))
    done = run_jts("backtest", str(bad), "--data", str(files.csv), "--no-record")
    assert done.returncode == 2
    assert "bad.jts:9:" in done.stderr
    assert "^" in done.stderr
    assert "Traceback" not in done.stderr


PYTHON_STRATEGY = Path(__file__).parents[2] / "examples" / "strategies" / "python_mean_reversion.py"


def test_python_strategies_run_on_the_event_engine(jts: Jts, files: Files) -> None:
    done = jts("backtest", str(PYTHON_STRATEGY), "--store", "--json", "qty=3")
    assert done.code == 0, done.err
    summary = done.json()
    assert summary["engine"] == "event"
    assert summary["strategy"] == "python_mean_reversion"
    assert summary["params"]["qty"] == 3
    listed = jts("backtests", "--json")
    assert json.loads(listed.out.splitlines()[0])["strategy"] == "python_mean_reversion"
    refused = jts("backtest", str(PYTHON_STRATEGY), "--store", "--engine", "vector")
    assert refused.code == 2
    assert "use --engine event" in refused.err
    swept = jts("backtest", str(PYTHON_STRATEGY), "--store", "--sweep", "qty=1..3")
    assert swept.code == 2
    assert "sweeps and walk-forward run .jts programs" in swept.err


def test_ticks_need_the_event_engine_and_a_store_with_ticks(jts: Jts, files: Files) -> None:
    vector = jts("backtest", str(files.strategy), "--store", "--ticks", "--no-record")
    assert vector.code == 2
    assert "event engine" in vector.err
    missing = jts("backtest", str(files.strategy), "--store", "--engine", "event", "--ticks",
                  "--no-record")  # fmt: skip
    assert missing.code == 2
    assert "holds no ticks" in missing.err
