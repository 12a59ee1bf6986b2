"""The `sweep` job: one program over many parameter sets (`jts.backtest.sweep`).

The grid is parsed and bound at submit (`parse_sweep`), so a name the program does not
declare, a value out of range or a grid over `MAX_GRID` is a 422, not a failed job. The sweep
reports after every finished parameter set; the same callback checks for a cancel, which
stops the sweep between sets (and shuts its process pool down, when it has one). The result
keeps the `top` rows by Sharpe ratio, the best row, and the path of a heatmap of the grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import msgspec
import polars as pl

from jts.backtest import LoadedBars
from jts.backtest.runs import record_run
from jts.backtest.sweep import parse_sweep, sweep, write_heatmap
from jts.backtest.walkforward import trading_days
from jts.jobs.context import JobContext
from jts.jobs.kinds.config import KindsConfig
from jts.jobs.kinds.inputs import (
    RunParams,
    backtest_config,
    check_run,
    convert,
    load,
    program_of,
    report_path,
)
from jts.jobs.registry import JobHandler
from jts.strategy.lang import Program

__all__ = ["SweepParams", "sweep_handler"]


class SweepParams(RunParams, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`RunParams` plus the grid: `sweep` specs as `jts backtest --sweep` takes them
    (`["fast=3..10", "slow=15..40:5"]`; empty: the ranges the program declares)."""

    sweep: list[str] = msgspec.field(default_factory=list)
    top: Annotated[int, msgspec.Meta(ge=1, le=1_000)] = 20
    """Rows of the result table kept in the job's result (best Sharpe first)."""
    heatmap: bool = True


def sweep_handler(config: KindsConfig) -> JobHandler:
    """The `sweep` kind on the folders of `config`."""

    def validate(params: Mapping[str, Any]) -> dict[str, Any]:
        spec = convert(params, SweepParams)
        clean = check_run(spec, config)
        parse_sweep(spec.sweep, program_of(spec, config))
        return clean

    def run(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
        spec = convert(params, SweepParams)
        program = program_of(spec, config)
        grid = parse_sweep(spec.sweep, program)
        ctx.progress(0.0, "loading bars")
        loaded = load(spec, program, config)
        ctx.check()

        def progress(done: int, total: int) -> None:
            ctx.check()
            ctx.progress(0.05 + 0.85 * done / total, f"{done}/{total} parameter sets")

        ctx.progress(0.05, f"0/{len(grid)} parameter sets")
        options = backtest_config(spec, config)
        jobs = config.sweep_processes
        table = sweep(program, loaded, options, grid, jobs=jobs, progress=progress)
        best = table.row(0, named=True)
        out: dict[str, Any] = {"grid_size": len(grid), "best": best, "heatmap": None}
        out |= {"results": table.head(spec.top).to_dicts(), "run_id": None}
        if spec.heatmap:
            ctx.progress(0.9, "drawing the heatmap")
            out["heatmap"] = str(write_heatmap(table, report_path(config, ctx.job_id, "-heatmap")))
        if spec.record:
            out["run_id"] = _record(config, program, loaded, table, params, out)
        return out

    return JobHandler(
        kind="sweep",
        run=run,
        validate=validate,
        description="a parameter sweep of one program: a table by Sharpe ratio and a heatmap",
    )


def _record(
    config: KindsConfig,
    program: Program,
    loaded: LoadedBars,
    table: pl.DataFrame,
    params: dict[str, Any],
    out: dict[str, Any],
) -> str:
    """Record the sweep under `<data_dir>/runs/` as `jts backtest --sweep` does; its run id."""
    days = trading_days(loaded)
    about: dict[str, Any] = {"source": loaded.source, "timeframe": loaded.timeframe}
    about |= {"symbols": len(loaded.symbols), "start": str(days[0]), "end": str(days[-1])}
    stored = record_run(
        config.data_dir,
        program,
        kind="sweep",
        tables={"sweep": table},
        data=about,
        options=params,
        stats={"grid_size": out["grid_size"], "best": out["best"]},
    )
    return stored.run_id
