"""Parameter sweeps and walk-forward: the grid parser, rows equal single runs, the process pool
equals one process, folds never overlap and test only their own block."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from jts.backtest import BacktestConfig, LoadedBars, load_bars, run_loaded
from jts.backtest.sweep import MAX_GRID, RESULT_COLUMNS, parse_sweep, sweep, write_heatmap
from jts.backtest.walkforward import (
    bars_between,
    fold_windows,
    trading_days,
    walk_forward,
    walk_forward_summary,
)
from jts.core.errors import InvalidInput
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth import make_universe, minute_bars
from jts.strategy.lang import DslError, DslParamError, Program, compile_program

STRATEGY = """\
strategy "sweep_test"
universe all
timeframe 1m
param fast = 5 in 3..10
param slow = 20 in 10..40 step 5
param k = 1.0 in 0.5..2.0 step 0.5
param sl = 2% in 1%..3% step 0.5%
param qty = 10
let f = sma(close, fast)
let s = sma(close, slow)
when position == 0 and crosses_above(f * k, s): buy qty shares at market
when position > 0 and crosses_below(f, s): sell all at market
stop loss sl
"""
CONFIG = BacktestConfig()


@pytest.fixture(scope="module")
def program() -> Program:
    return compile_program(STRATEGY)


@pytest.fixture(scope="module")
def loaded(program: Program) -> LoadedBars:
    universe = make_universe(2, seed=5)
    bars = BarFrame.concat(list(minute_bars(universe, dt.date(2025, 11, 3), days=6, seed=5)))
    return load_bars(bars.sorted(), program=program)


# -- parse_sweep ------------------------------------------------------------------------------


def test_an_integer_range_steps_by_one(program: Program) -> None:
    assert parse_sweep(["fast=3..6"], program) == [{"fast": v} for v in (3, 4, 5, 6)]


def test_ranges_with_steps_combine_in_spec_order(program: Program) -> None:
    grid = parse_sweep(["fast=3..4", "slow=15..25:5"], program)
    assert grid == [{"fast": f, "slow": s} for f in (3, 4) for s in (15, 20, 25)]


def test_float_and_percent_ranges_step_in_exact_decimals(program: Program) -> None:
    grid = parse_sweep(["k=0.5..2.0:0.5", "sl=1%..2%:0.5%"], program)
    assert sorted({g["k"] for g in grid}) == [0.5, 1.0, 1.5, 2.0]
    assert sorted({g["sl"] for g in grid}) == [0.01, 0.015, 0.02]
    assert all(isinstance(g["k"], float) for g in grid)


def test_a_list_and_a_single_value(program: Program) -> None:
    grid = parse_sweep(["fast=3,7,9", "qty=20"], program)
    assert grid == [{"fast": f, "qty": 20} for f in (3, 7, 9)]


def test_whole_values_bind_as_ints_for_int_params(program: Program) -> None:
    assert parse_sweep(["fast=3.0..4.0"], program) == [{"fast": 3}, {"fast": 4}]


def test_no_specs_sweep_the_declared_ranges(program: Program) -> None:
    grid = parse_sweep([], program)
    assert len(grid) == program.grid_size() == 8 * 7 * 4 * 5
    assert set(grid[0]) == {"fast", "slow", "k", "sl"}


def test_no_declared_ranges_is_a_clear_error() -> None:
    flat = compile_program('strategy "x"\nuniverse all\ntimeframe 1m\nwhen close > 0: buy 1 shares')
    with pytest.raises(InvalidInput, match="declares no param ranges"):
        parse_sweep([], flat)


def test_an_unknown_param_points_at_the_params(program: Program) -> None:
    with pytest.raises(DslParamError, match="no such param"):
        parse_sweep(["nope=1..3"], program)


def test_values_outside_the_declared_range_are_refused(program: Program) -> None:
    with pytest.raises(DslParamError) as caught:
        parse_sweep(["fast=8..12", "slow=5..10"], program)
    assert len(caught.value.diagnostics) == 2
    assert "outside its range 3..10" in caught.value.render()
    assert "param fast = 5 in 3..10" in caught.value.render()


@pytest.mark.parametrize(
    "spec",
    [
        "fast",
        "fast=",
        "=3..4",
        "fast=a..b",
        "fast=3..x",
        "fast=5..3",
        "fast=1..5:0",
        "fast=3..4:-1",
    ],
)
def test_malformed_specs_are_invalid_input(program: Program, spec: str) -> None:
    with pytest.raises(InvalidInput, match="sweep") as caught:
        parse_sweep([spec], program)
    assert not isinstance(caught.value, DslError)


def test_a_param_given_twice_is_refused(program: Program) -> None:
    with pytest.raises(InvalidInput, match="fast is given twice"):
        parse_sweep(["fast=3..4", "fast=5"], program)


def test_the_grid_size_is_capped_before_anything_is_built(program: Program) -> None:
    with pytest.raises(InvalidInput, match=f"exceed the limit of {MAX_GRID:,}"):
        parse_sweep(["fast=3..10", "slow=10..40:0.01"], program)


# -- sweep ------------------------------------------------------------------------------------


def test_rows_equal_single_runs_with_the_same_params(program: Program, loaded: LoadedBars) -> None:
    grid = parse_sweep(["fast=3,6", "slow=15"], program)
    table = sweep(program, loaded, CONFIG, grid, jobs=1)
    assert table.columns == ["fast", "slow", *RESULT_COLUMNS]
    for row in table.iter_rows(named=True):
        single = run_loaded(program.bind({"fast": row["fast"], "slow": 15}), loaded, CONFIG).stats
        assert row["final_equity"] == single["final_equity"]
        assert row["total_costs"] == single["total_costs"]
        assert row["sharpe"] == single["sharpe"]


def test_rows_are_sorted_by_sharpe_best_first(program: Program, loaded: LoadedBars) -> None:
    table = sweep(program, loaded, CONFIG, parse_sweep(["fast=3..5"], program), jobs=1)
    sharpe = table["sharpe"].drop_nulls().to_list()
    assert sharpe == sorted(sharpe, reverse=True)


def test_the_process_pool_gives_what_one_process_gives(
    program: Program, loaded: LoadedBars
) -> None:
    grid = parse_sweep(["fast=3..4", "slow=15..20:5"], program)
    seen: list[tuple[int, int]] = []
    pooled = sweep(program, loaded, CONFIG, grid, jobs=2, progress=lambda d, t: seen.append((d, t)))
    alone = sweep(program, loaded, CONFIG, grid, jobs=1)
    assert pooled.drop("seconds").equals(alone.drop("seconds"))
    assert seen == [(i, 4) for i in range(1, 5)]


def test_a_grid_set_that_does_not_bind_fails_before_running(
    program: Program, loaded: LoadedBars
) -> None:
    with pytest.raises(DslParamError, match="fast: 99"):
        sweep(program, loaded, CONFIG, [{"fast": 5}, {"fast": 99}], jobs=1)


def test_the_heatmap_is_self_contained_html(tmp_path: Path) -> None:
    table = pl.DataFrame(
        {"fast": [3, 3, 4, 4], "slow": [15, 20, 15, 20], "sharpe": [0.1, 0.5, None, -0.2]}
    )
    text = write_heatmap(table, tmp_path / "h.html").read_text()
    assert "<script src=" not in text
    assert "sharpe by fast and slow" in text


# -- walk-forward -----------------------------------------------------------------------------


def _days(n: int) -> list[dt.date]:
    return [dt.date(2025, 1, 1) + dt.timedelta(days=i) for i in range(n)]


def test_folds_test_consecutive_blocks_that_never_overlap_their_training() -> None:
    days = _days(10)
    folds = fold_windows(days, 3)
    assert [f.out_of_sample for f in folds] == [
        (days[3], days[5]),
        (days[6], days[7]),
        (days[8], days[9]),
    ]
    for fold in folds:
        assert fold.in_sample[0] == days[0]  # anchored
        assert fold.in_sample[1] < fold.out_of_sample[0]
        assert days.index(fold.out_of_sample[0]) == days.index(fold.in_sample[1]) + 1


def test_rolling_folds_train_on_the_previous_block_only() -> None:
    days = _days(8)
    folds = fold_windows(days, 3, anchored=False)
    assert [f.in_sample for f in folds] == [
        (days[0], days[1]),
        (days[2], days[3]),
        (days[4], days[5]),
    ]


def test_too_few_days_for_the_folds_is_refused() -> None:
    with pytest.raises(InvalidInput, match="3 trading day"):
        fold_windows(_days(3), 3)


def test_out_of_sample_runs_see_only_their_block(program: Program, loaded: LoadedBars) -> None:
    grid = parse_sweep(["fast=3,6"], program)
    table = walk_forward(program, loaded, CONFIG, grid, 2, jobs=1)
    assert table["fold"].to_list() == [1, 2]
    days = trading_days(loaded)
    for row in table.iter_rows(named=True):
        block = [d for d in days if row["out_of_sample_start"] <= d <= row["out_of_sample_end"]]
        window = bars_between(loaded, row["out_of_sample_start"], row["out_of_sample_end"])
        assert trading_days(window) == block
        alone = load_bars(
            loaded.bars,
            program=program,
            start=row["out_of_sample_start"],
            end=row["out_of_sample_end"],
        )
        stats = run_loaded(program.bind({"fast": row["fast"]}), alone, CONFIG).stats
        assert row["out_of_sample_return"] == stats["total_return"]
        assert row["out_of_sample_sharpe"] == stats["sharpe"]


def test_the_summary_measures_the_gap() -> None:
    table = pl.DataFrame(
        {
            "in_sample_sharpe": [2.0, 1.0],
            "out_of_sample_sharpe": [0.5, None],
            "in_sample_return": [0.1, 0.1],
            "out_of_sample_return": [0.1, -0.1],
        }
    )
    summary = walk_forward_summary(table)
    assert summary["in_sample_mean"] == 1.5
    assert summary["out_of_sample_mean"] == 0.5
    assert summary["gap"] == 1.0
    assert summary["out_of_sample_return"] == pytest.approx(1.1 * 0.9 - 1)


def test_an_unknown_metric_is_refused(program: Program, loaded: LoadedBars) -> None:
    with pytest.raises(InvalidInput, match="metric"):
        walk_forward(program, loaded, CONFIG, [{"fast": 5}], 2, metric="luck")
