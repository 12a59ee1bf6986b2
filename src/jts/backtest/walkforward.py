"""Walk-forward analysis: is the sweep's best parameter set still good on days it never saw?

    table = walk_forward(program, loaded, config, grid, folds=4)
    walk_forward_summary(table)  # {"in_sample_mean": ..., "out_of_sample_mean": ..., "gap": ...}

The trading days (KST dates with bars) are split into `folds` + 1 consecutive blocks of
(nearly) equal length. Fold k (1-based) optimises on its in-sample days, picks the parameter
set with the best `metric`, and runs that set alone on block k+1, the out-of-sample block.

**Anchored in-sample windows** (the default): fold k optimises on blocks 1..k, all the history
before its test block. Each fold re-optimises as a trader would with the data then available,
and later folds choose on more days, so their choice is less noise. `anchored=False` gives
rolling windows (block k only): they follow a changing market faster but choose on a single
block, which for short histories is mostly noise.

Each window is its own backtest with fresh cash, exactly as `jts backtest --start --end` over
those dates would run it: the out-of-sample run sees only its block's bars, so indicators warm
up inside the block and the first day has no base price for the daily limits (as at the start
of any backtest). No information from the test block reaches the choice.

The gap between the in-sample and the out-of-sample mean of `metric` measures overfitting: a
large gap says the sweep's best values were fitted to noise.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import polars as pl

from jts.backtest.config import BacktestConfig
from jts.backtest.data import LoadedBars
from jts.backtest.marks import kst_day_numbers
from jts.backtest.metrics import METRIC_KEYS
from jts.backtest.sweep import (
    GridRunner,
    Progress,
    Window,
    check_grid,
    cut_window,
    param_schema,
)
from jts.core.errors import InvalidInput
from jts.strategy.lang import Program
from jts.strategy.lang.ast import ParamValue

__all__ = [
    "LOWER_IS_BETTER",
    "Fold",
    "bars_between",
    "fold_windows",
    "trading_days",
    "walk_forward",
    "walk_forward_summary",
]

LOWER_IS_BETTER: Final = frozenset(
    {
        "volatility",
        "max_drawdown",
        "max_drawdown_duration_days",
        "turnover",
        "total_costs",
        "commission",
        "tax",
    }
)
"""Metrics a walk-forward minimises; every other metric is maximised."""

_EPOCH: Final = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class Fold:
    """One fold's windows, KST dates, both ends inclusive."""

    number: int
    in_sample: tuple[dt.date, dt.date]
    out_of_sample: tuple[dt.date, dt.date]
    in_sample_days: int
    out_of_sample_days: int


def fold_windows(days: Sequence[dt.date], folds: int, *, anchored: bool = True) -> list[Fold]:
    """The folds over `days` (ascending trading days): `folds` + 1 consecutive blocks, fold k
    trains on blocks 1..k (anchored) or block k (rolling) and tests on block k+1."""
    if isinstance(folds, bool) or folds < 1:
        raise InvalidInput("walk_forward", f"{folds!r} folds: give at least 1")
    if len(days) < folds + 1:
        raise InvalidInput(
            "walk_forward",
            f"{len(days)} trading day(s) cannot make {folds + 1} blocks for {folds} fold(s)",
        )
    blocks = [list(b) for b in np.array_split(np.asarray(days, dtype=object), folds + 1)]
    out = []
    for k in range(folds):
        train = [d for b in blocks[0 if anchored else k : k + 1] for d in b]
        test = blocks[k + 1]
        out.append(Fold(k + 1, (train[0], train[-1]), (test[0], test[-1]), len(train), len(test)))
    return out


def walk_forward(
    program: Program,
    loaded: LoadedBars,
    config: BacktestConfig,
    grid: Sequence[Mapping[str, ParamValue]],
    folds: int,
    *,
    jobs: int | None = None,
    metric: str = "sharpe",
    anchored: bool = True,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """One row per fold: its windows, the chosen params, `metric` in and out of sample and the
    out-of-sample return (module docstring). Every in-sample run of every fold shares one pool
    of `jobs` processes (None: all cores); `progress(done, total)` counts all runs."""
    if metric not in METRIC_KEYS:
        raise InvalidInput("metric", f"{metric!r} is not one of {', '.join(METRIC_KEYS)}")
    names = check_grid(program, grid)
    plan = fold_windows(trading_days(loaded), folds, anchored=anchored)
    total = len(plan) * (len(grid) + 1)
    train = [(params, _window(f.in_sample)) for f in plan for params in grid]
    with GridRunner(program, loaded, config, jobs=jobs, tasks=len(train)) as runner:
        in_sample = runner.run(train, _offset(progress, 0, total))
        best = [_best(in_sample[i * len(grid) : (i + 1) * len(grid)], metric) for i in range(folds)]
        test = [(grid[b], _window(f.out_of_sample)) for f, b in zip(plan, best, strict=True)]
        out_of_sample = runner.run(test, _offset(progress, len(train), total))
    rows = []
    for i, fold in enumerate(plan):
        chosen = in_sample[i * len(grid) + best[i]]
        rows.append(
            {
                "fold": fold.number,
                "in_sample_start": fold.in_sample[0],
                "in_sample_end": fold.in_sample[1],
                "out_of_sample_start": fold.out_of_sample[0],
                "out_of_sample_end": fold.out_of_sample[1],
                **grid[best[i]],
                f"in_sample_{metric}": chosen.get(metric),
                f"out_of_sample_{metric}": out_of_sample[i].get(metric),
                "in_sample_return": chosen.get("total_return"),
                "out_of_sample_return": out_of_sample[i].get("total_return"),
            }
        )
    return pl.DataFrame(rows, schema=_schema(grid, names, metric))


def walk_forward_summary(table: pl.DataFrame, metric: str = "sharpe") -> dict[str, Any]:
    """Means over the folds (undefined values left out) and the overfitting gap
    (in-sample mean − out-of-sample mean of `metric`); `out_of_sample_return` compounds the
    test blocks, i.e. the return of trading each fold's choice through its block in turn."""
    inside = _mean(table[f"in_sample_{metric}"].to_list())
    outside = _mean(table[f"out_of_sample_{metric}"].to_list())
    compounded = 1.0
    for value in table["out_of_sample_return"].to_list():
        compounded *= 1.0 + (value or 0.0)
    return {
        "metric": metric,
        "folds": table.height,
        "in_sample_mean": inside,
        "out_of_sample_mean": outside,
        "gap": None if inside is None or outside is None else inside - outside,
        "in_sample_return_mean": _mean(table["in_sample_return"].to_list()),
        "out_of_sample_return_mean": _mean(table["out_of_sample_return"].to_list()),
        "out_of_sample_return": compounded - 1.0,
    }


def trading_days(loaded: LoadedBars) -> list[dt.date]:
    """The KST dates that have at least one bar, ascending."""
    days = np.unique(kst_day_numbers(loaded.bars["ts"]))
    return [_EPOCH + dt.timedelta(days=int(d)) for d in days]


def bars_between(loaded: LoadedBars, first: dt.date, last: dt.date) -> LoadedBars:
    """`loaded` cut to the KST dates first..last (inclusive): the bars a run over just that
    window sees, as if loaded with --start/--end."""
    return cut_window(loaded, kst_day_numbers(loaded.bars["ts"]), _window((first, last)))


def _best(stats: Sequence[Mapping[str, Any]], metric: str) -> int:
    """Index of the best run by `metric`: undefined values never win; ties go to the first."""
    sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
    best, best_value = 0, None
    for i, s in enumerate(stats):
        value = s.get(metric)
        if value is not None and (best_value is None or sign * value > sign * best_value):
            best, best_value = i, value
    return best


def _window(dates: tuple[dt.date, dt.date]) -> Window:
    return (dates[0] - _EPOCH).days, (dates[1] - _EPOCH).days


def _offset(progress: Progress | None, before: int, total: int) -> Progress | None:
    if progress is None:
        return None
    report = progress
    return lambda done, _: report(before + done, total)


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return statistics.fmean(known) if known else None


def _schema(
    grid: Sequence[Mapping[str, ParamValue]], names: Sequence[str], metric: str
) -> dict[str, type[pl.DataType]]:
    dates: dict[str, type[pl.DataType]] = dict.fromkeys(
        ("in_sample_start", "in_sample_end", "out_of_sample_start", "out_of_sample_end"), pl.Date
    )
    figures: dict[str, type[pl.DataType]] = dict.fromkeys(
        (f"in_sample_{metric}", f"out_of_sample_{metric}", "in_sample_return"), pl.Float64
    )
    figures["out_of_sample_return"] = pl.Float64
    return {"fold": pl.Int64} | dates | param_schema(grid, names) | figures
