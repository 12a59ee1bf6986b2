"""The built-in job kinds: `backtest`, `sweep` and `backfill` (params in docs/jobs.md).

    kinds = builtin_handlers(KindsConfig(data_dir=..., reports_dir=..., strategy_dir=...))
    jobs = InProcJobs(kinds, SqlJobStore(engine))

A package of its own, imported only by whoever assembles the application: importing the queue
(`jts.jobs`) does not import the backtester, numba and polars. Each kind is one small module
that checks its params at submit and then calls the same functions as the CLI command it
mirrors (`jts backtest`, `jts backtest --sweep`, `jts data synth` / `jts data import`).
"""

from jts.jobs.kinds.backfill import FileBackfill, SynthBackfill, backfill_handler
from jts.jobs.kinds.backtest import BacktestParams, backtest_handler
from jts.jobs.kinds.config import KindsConfig
from jts.jobs.kinds.inputs import MAX_SYNTH_DAYS, MAX_SYNTH_SYMBOLS, RunParams, SynthData
from jts.jobs.kinds.sweep import SweepParams, sweep_handler
from jts.jobs.registry import JobHandler

__all__ = [
    "MAX_SYNTH_DAYS",
    "MAX_SYNTH_SYMBOLS",
    "BacktestParams",
    "FileBackfill",
    "KindsConfig",
    "RunParams",
    "SweepParams",
    "SynthBackfill",
    "SynthData",
    "backfill_handler",
    "backtest_handler",
    "builtin_handlers",
    "sweep_handler",
]


def builtin_handlers(config: KindsConfig) -> list[JobHandler]:
    """The three built-in kinds, working in the folders of `config`."""
    return [backtest_handler(config), sweep_handler(config), backfill_handler(config)]
