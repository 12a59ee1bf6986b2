"""The built-in kinds end to end on small synthetic markets (a few symbols, a few days).

Backtests here read no downloaded data: either the job makes its own synthetic market
(`data: {"source": "synth"}`) or a `backfill` job writes one into a store first.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jts.backtest.runs import load_run
from jts.core.errors import InvalidInput
from jts.jobs import InProcJobs, JobCancelled, JobContext, JobStatus, SqlJobStore
from jts.jobs.kinds import BacktestParams, KindsConfig, builtin_handlers
from jts.jobs.kinds.inputs import backtest_config, convert
from jts.marketdata.frames import BarFrame
from jts.marketdata.store import ParquetStore
from jts.marketdata.synth import make_universe, minute_bars
from jts.marketdata.writers import write_csv
from jts.storage import open_database
from tests.jobs.conftest import Recorder, fast_config

EXAMPLES = Path(__file__).parents[2] / "examples" / "strategies"
START = "2025-11-03"
SYNTH = {"source": "synth", "symbols": 3, "days": 3, "seed": 7, "start": START}
SMA = (EXAMPLES / "sma_cross.jts").read_text(encoding="utf-8")


@pytest.fixture
def config(tmp_path: Path) -> KindsConfig:
    (tmp_path / "inbox").mkdir()
    return KindsConfig(
        data_dir=tmp_path / "data",
        reports_dir=tmp_path / "reports",
        strategy_dir=EXAMPLES,
        import_dir=tmp_path / "inbox",
    )


@pytest.fixture
async def jobs(config: KindsConfig, tmp_path: Path) -> AsyncIterator[tuple[InProcJobs, Recorder]]:
    engine = open_database(f"sqlite:///{tmp_path / 'jobs.db'}")
    queue = InProcJobs(builtin_handlers(config), SqlJobStore(engine), fast_config())
    recorder = Recorder()
    queue.listen(recorder)
    await queue.start()
    yield queue, recorder
    await queue.stop()
    engine.dispose()


async def result_of(queue: InProcJobs, job_id: str) -> dict[str, Any]:
    result = await queue.result(job_id)
    assert isinstance(result, dict)
    return result


def handler_run(config: KindsConfig, kind: str, params: dict[str, Any], ctx: JobContext) -> Any:
    """Validate and run one kind directly, on this thread (no queue)."""
    handler = next(h for h in builtin_handlers(config) if h.kind == kind)
    return handler.run(handler.validate(params), ctx)


def cancelling_context(when: str) -> tuple[JobContext, list[str]]:
    """A context that asks to cancel once a progress message starts with `when`."""
    seen: list[str] = []
    holder: list[JobContext] = []

    def deliver(fraction: float, message: str) -> None:
        seen.append(message)
        if message.startswith(when):
            holder[0].cancel()

    holder.append(JobContext("j1", deliver, lambda delay, flush: None, interval_ns=0))
    return holder[0], seen


async def test_a_backtest_job_runs_on_a_synthetic_market_and_keeps_report_and_run(
    jobs: tuple[InProcJobs, Recorder], config: KindsConfig
) -> None:
    queue, recorder = jobs
    params = {"example": "sma_cross", "data": SYNTH, "params": {"fast": 4}}
    info = await queue.submit("backtest", params, owner="kim")
    assert info.params["engine"] == "vector"  # defaults filled in at submit
    final = await recorder.done(info.job_id)
    assert final.status is JobStatus.SUCCEEDED, final.error
    messages = [e.message for e in recorder.of(info.job_id)]
    assert "loading bars" in messages
    assert "writing the report" in messages
    result = await result_of(queue, info.job_id)
    summary = result["summary"]
    assert summary["strategy"] == "sma_cross"
    assert summary["params"]["fast"] == 4
    assert summary["symbols"] == 3
    assert summary["orders_filled"] > 0
    report = Path(result["report"])
    assert report == config.reports_dir / f"{info.job_id}.html"
    assert "sma_cross" in report.read_text(encoding="utf-8")
    recorded = load_run(config.data_dir, result["run_id"])
    assert recorded.meta["stats"]["final_equity"] == summary["final_equity"]
    series = result["series"]  # the chart's curve ends where the statistics do
    assert len(series["ts_ns"]) == len(series["equity"]) == len(series["drawdown"]) > 1
    assert series["ts_ns"] == sorted(series["ts_ns"])
    assert series["equity"][-1] == summary["final_equity"]
    assert result["trades_total"] == summary["trades"] >= len(result["trades"]) > 0
    assert {"symbol", "entry_ts", "exit_ts", "pnl"} <= set(result["trades"][0])
    json.dumps(result, allow_nan=False)  # strict JSON: what an HTTP response may carry


@pytest.mark.parametrize(
    ("params", "field", "text"),
    [
        ({"example": "sma_cross", "csh": 1}, "params", "unknown field `csh`"),
        ({"example": "sma_cross", "cash": 0}, "cash", ">= 1"),
        ({"example": "no_such"}, "example", "known: "),
        ({"example": "../secrets"}, "example", "not a strategy name"),
        ({"strategy": SMA, "example": "sma_cross"}, "strategy", "exactly one"),
        ({"strategy": 'strategy "x"\nwhen close >: buy 1 shares\n'}, "strategy", ""),
        ({"example": "sma_cross", "params": {"fast": 99}}, "strategy", "fast"),
        ({"example": "sma_cross", "fill": "teleport"}, "fill", "teleport"),
        ({"example": "sma_cross", "start": "2025-11-05", "end": "2025-11-03"}, "start", "after"),
        ({"example": "sma_cross", "symbols": ["not a code"]}, "symbol", ""),
        ({"example": "sma_cross", "data": {"source": "synth", "days": 999}}, "data.days", "<="),
        ({"example": "sma_cross", "data": {"source": "csv"}}, "data.source", "csv"),
    ],
)
async def test_bad_backtest_requests_are_refused_at_submit_naming_the_field(
    jobs: tuple[InProcJobs, Recorder], params: dict[str, Any], field: str, text: str
) -> None:
    queue, _ = jobs
    with pytest.raises(InvalidInput) as caught:
        await queue.submit("backtest", params, owner="kim")
    assert caught.value.field == field
    assert text in caught.value.problem
    assert await queue.list() == []


async def test_a_backfill_fills_the_store_symbol_by_symbol_then_a_backtest_reads_it(
    jobs: tuple[InProcJobs, Recorder], config: KindsConfig
) -> None:
    queue, recorder = jobs
    fill = {"symbols": 3, "days": 2, "seed": 3, "start": START, "codes": ["A005930"]}
    info = await queue.submit("backfill", fill, owner="kim")
    assert info.params["source"] == "synth"
    assert info.params["codes"] == ["005930"]
    final = await recorder.done(info.job_id)
    assert final.status is JobStatus.SUCCEEDED, final.error
    per_symbol = [e.message for e in recorder.of(info.job_id) if "symbols" in e.message]
    assert [m.split(": ")[1] for m in per_symbol] == ["1/3 symbols", "2/3 symbols", "3/3 symbols"]
    store = ParquetStore(config.data_dir)
    assert "005930" in store.symbols()
    assert len(store.symbols()) == 3
    assert len(store.symbols("bars/1d")) == 3
    result = await result_of(queue, info.job_id)
    assert result["minute_bars"] == len(store.read_bars(None, None, None, "1m"))

    run = {"strategy": SMA, "symbols": ["005930"], "report": False, "record": False}
    backtest = await queue.submit("backtest", run, owner="kim")
    done = await recorder.done(backtest.job_id)
    assert done.status is JobStatus.SUCCEEDED, done.error
    out = await result_of(queue, backtest.job_id)
    assert out["summary"]["symbols"] == 1
    assert (out["report"], out["run_id"]) == (None, None)


async def test_a_backtest_on_an_empty_store_fails_saying_to_backfill(
    jobs: tuple[InProcJobs, Recorder],
) -> None:
    queue, recorder = jobs
    info = await queue.submit("backtest", {"example": "sma_cross"}, owner="kim")
    final = await recorder.done(info.job_id)
    assert final.status is JobStatus.FAILED
    assert final.error is not None
    assert "holds no bars: backfill first" in final.error


async def test_a_sweep_reports_each_parameter_set_and_keeps_the_best(
    jobs: tuple[InProcJobs, Recorder], config: KindsConfig
) -> None:
    queue, recorder = jobs
    params = {"example": "sma_cross", "data": SYNTH, "sweep": ["fast=3..4", "slow=15..20:5"]}
    info = await queue.submit("sweep", params | {"top": 3}, owner="kim")
    final = await recorder.done(info.job_id)
    assert final.status is JobStatus.SUCCEEDED, final.error
    sets = [e.message for e in recorder.of(info.job_id) if "parameter sets" in e.message]
    assert sets == [f"{n}/4 parameter sets" for n in range(5)]
    result = await result_of(queue, info.job_id)
    assert result["grid_size"] == 4
    assert len(result["results"]) == 3
    assert result["best"] == result["results"][0]
    assert Path(result["heatmap"]).is_file()
    assert load_run(config.data_dir, result["run_id"]).meta["kind"] == "sweep"


async def test_a_sweep_grid_is_checked_at_submit(jobs: tuple[InProcJobs, Recorder]) -> None:
    queue, _ = jobs
    with pytest.raises(InvalidInput, match="nope"):
        await queue.submit("sweep", {"example": "sma_cross", "sweep": ["nope=1..3"]}, "kim")
    with pytest.raises(InvalidInput, match="exceed the limit"):
        await queue.submit("sweep", {"example": "sma_cross", "sweep": ["fast=1..100000"]}, "kim")


def test_a_sweep_stops_between_parameter_sets_when_cancelled(config: KindsConfig) -> None:
    ctx, seen = cancelling_context("1/")
    params = {"example": "sma_cross", "data": SYNTH, "sweep": ["fast=3..6"], "record": False}
    with pytest.raises(JobCancelled):
        handler_run(config, "sweep", params, ctx)
    assert seen[-1] == "1/4 parameter sets"


def test_a_backtest_stops_after_loading_when_cancelled(config: KindsConfig) -> None:
    ctx, seen = cancelling_context("loading")
    with pytest.raises(JobCancelled):
        handler_run(config, "backtest", {"example": "sma_cross", "data": SYNTH}, ctx)
    assert seen == ["loading bars"]
    assert not config.reports_dir.exists()


def test_a_cancelled_backfill_keeps_the_symbols_it_finished(config: KindsConfig) -> None:
    ctx, seen = cancelling_context("")
    params = {"symbols": 3, "days": 1, "start": START}
    with pytest.raises(JobCancelled):
        handler_run(config, "backfill", params, ctx)
    assert len(seen) == 1
    assert len(ParquetStore(config.data_dir).symbols()) == 1


def test_a_files_backfill_imports_from_the_import_folder_only(config: KindsConfig) -> None:
    assert config.import_dir is not None
    universe = make_universe(2, seed=5)
    bars = BarFrame.concat(list(minute_bars(universe, dt.date(2025, 11, 3), days=1, seed=5)))
    write_csv(bars, config.import_dir / "day.csv")
    ctx, _ = cancelling_context("never")
    result = handler_run(config, "backfill", {"source": "files", "paths": ["day.csv"]}, ctx)
    assert result["files"][0]["rows_written"] == len(bars)
    assert result["files"][0]["path"] == "day.csv"
    assert sorted(ParquetStore(config.data_dir).symbols()) == sorted(i.symbol for i in universe)
    for escape in ("../jobs.db", "/etc/passwd"):
        with pytest.raises(InvalidInput, match="outside the import folder"):
            handler_run(config, "backfill", {"source": "files", "paths": [escape]}, ctx)
    with pytest.raises(InvalidInput, match="not a file"):
        handler_run(config, "backfill", {"source": "files", "paths": ["missing.csv"]}, ctx)


def test_file_backfills_are_off_without_an_import_folder(tmp_path: Path) -> None:
    config = KindsConfig(data_dir=tmp_path / "d", reports_dir=tmp_path / "r")
    ctx, _ = cancelling_context("never")
    with pytest.raises(InvalidInput, match="no import folder"):
        handler_run(config, "backfill", {"source": "files", "paths": ["a.csv"]}, ctx)
    with pytest.raises(InvalidInput, match="no strategy folder"):
        handler_run(config, "backtest", {"example": "sma_cross"}, ctx)


def test_the_configured_commission_rate_is_the_default_and_a_request_may_override_it(
    tmp_path: Path,
) -> None:
    config = KindsConfig(data_dir=tmp_path, reports_dir=tmp_path, commission_rate=Decimal("1e-4"))
    given = convert({"strategy": SMA}, BacktestParams)
    assert backtest_config(given, config).commission_rate == Decimal("1e-4")
    override = convert({"strategy": SMA, "commission_rate": 0.0}, BacktestParams)
    assert backtest_config(override, config).commission_rate == Decimal("0.0")
