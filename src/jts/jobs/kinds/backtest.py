"""The `backtest` job: one strategy over stored or synthetic bars, as `jts backtest` runs it.

`jts.backtest.run_loaded` has no progress hook (a vector run is one compiled call), so the job
reports its phases — loading bars, running, writing the report, recording — and checks for a
cancel between them. The result is the run's summary (the CLI's `--json`: statistics,
params, what ran), the path of its HTML report, the id of its recorded run, the equity and
drawdown curve (`jts.backtest.curve`) and the last round trips, for the dashboard's chart and
trade list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from jts.backtest import run_loaded
from jts.backtest.curve import equity_curve, trade_rows
from jts.backtest.runs import record_run
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

__all__ = ["TRADES_SHOWN", "BacktestParams", "backtest_handler"]

TRADES_SHOWN = 500
"""Round trips the result lists (the last ones); the HTML report and `record` keep them all."""


class BacktestParams(RunParams, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """`RunParams` plus the engine and whether to write the HTML report."""

    engine: Literal["vector", "event"] = "vector"
    report: bool = True


def backtest_handler(config: KindsConfig) -> JobHandler:
    """The `backtest` kind on the folders of `config`."""

    def validate(params: Mapping[str, Any]) -> dict[str, Any]:
        spec = convert(params, BacktestParams)
        return check_run(spec, config, spec.engine)

    def run(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
        spec = convert(params, BacktestParams)
        program = program_of(spec, config)
        options = backtest_config(spec, config, spec.engine)
        ctx.progress(0.0, "loading bars")
        loaded = load(spec, program, config)
        ctx.check()
        ctx.progress(0.2, f"running on {len(loaded.bars):,} bars of {len(loaded.symbols)} symbols")
        result = run_loaded(program, loaded, options)
        ctx.check()
        out: dict[str, Any] = {
            "summary": result.summary(),
            "report": None,
            "run_id": None,
            "series": equity_curve(result.bars, result.fills, result.initial_cash),
            "trades": trade_rows(result.trades, limit=TRADES_SHOWN),
            "trades_total": len(result.trades),
        }
        if spec.report:
            ctx.progress(0.8, "writing the report")
            out["report"] = str(result.report(report_path(config, ctx.job_id)))
        if spec.record:
            ctx.progress(0.9, "recording the run")
            stored = record_run(config.data_dir, program, result=result, options=params)
            out["run_id"] = stored.run_id
        return out

    return JobHandler(
        kind="backtest",
        run=run,
        validate=validate,
        description="one strategy over stored or synthetic bars: statistics and an HTML report",
    )
