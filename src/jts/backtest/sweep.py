"""Parameter sweeps: one program over many parameter sets, on every core.

    grid = parse_sweep(["fast=3..10", "slow=15..40:5"], program)   # or parse_sweep([], program)
    table = sweep(program, loaded, config, grid)    # one row per set, best sharpe first

The bars are loaded once and `jts.backtest.run_loaded` runs once per parameter set, so a row
equals a single run with the same params to the won; `jts.backtest.walkforward` reuses the
runner over date windows.

How the work reaches the cores, and why not `fork`: polars (used to build every result)
keeps a thread pool, and a child forked after that pool started waits forever for threads
that were not copied (measured: every fork worker hung in `DataFrame.sort`). Workers are
therefore started by a `forkserver` (a clean process that has imported only this module; `spawn`
where there is none), and the bars reach them the way `fork` would have shared them: each
column is written once to a `.npy` file and memory-mapped read-only by every worker, so N
workers share one copy in the page cache and no task pickles bars. A task carries only its
params and date window; a worker returns only the run's statistics. One worker or one task:
everything runs in this process, with the same code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import multiprocessing
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import polars as pl

from jts.backtest.api import run_loaded
from jts.backtest.config import BacktestConfig
from jts.backtest.data import LoadedBars
from jts.backtest.marks import kst_day_numbers
from jts.core.errors import InvalidInput, JtsError
from jts.marketdata.frames import BarFrame, SymbolCodes
from jts.strategy.lang import Diagnostic, DslParamError, Program
from jts.strategy.lang.ast import ParamValue

__all__ = [
    "MAX_GRID",
    "RESULT_COLUMNS",
    "GridRunner",
    "Progress",
    "Window",
    "check_grid",
    "cut_window",
    "default_jobs",
    "param_schema",
    "parse_sweep",
    "sweep",
    "write_heatmap",
]

MAX_GRID: Final = 10_000
"""Most parameter sets one sweep runs: beyond it a typo (`slow=1..100000`) would run for days."""

_RESULT_SCHEMA: Final[dict[str, type[pl.DataType]]] = {
    **dict.fromkeys(("total_return", "sharpe", "max_drawdown", "win_rate"), pl.Float64),
    **dict.fromkeys(("trades", "final_equity", "total_costs"), pl.Int64),
    "seconds": pl.Float64,
}
RESULT_COLUMNS: Final = tuple(_RESULT_SCHEMA)
"""The statistics a sweep row keeps of each run (`BacktestResult.stats` keys)."""

Grid = list[dict[str, ParamValue]]
Window = tuple[int, int] | None
"""First and last KST day number (days since 1970-01-01), inclusive; None: every bar."""
Progress = Callable[[int, int], None]
"""Called with (done, total) after each finished parameter set."""

_SPEC = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S.*?)\s*$")
_FORMS = "k=LOW..HIGH, k=LOW..HIGH:STEP or k=V1,V2,..."
_EPOCH: Final = dt.date(1970, 1, 1)
_BROKEN: Final = (
    "a sweep worker process died (out of memory, or started from a script without"
    ' `if __name__ == "__main__":` around the sweep: workers import the main module); jobs=1'
    " runs in this process"
)
_COLUMNS: Final = ("ts", "open", "high", "low", "close", "volume", "value")


# -- the grid ---------------------------------------------------------------------------------


def parse_sweep(specs: Sequence[str], program: Program) -> Grid:
    """The parameter sets of `--sweep` specs; no specs: the program's declared ranges.

    `fast=3..10` (step 1), `slow=15..40:5`, `k=0.5..2.0:0.5`, `sl=1%..3%:0.5%` (fractions),
    `fast=3,5,8` (a list), `qty=20` (one value: fixed for the sweep). Steps are exact decimals,
    like the language's own `step`. Every value is bound once here, so a name the program does
    not declare or a value outside a param's range fails now, as `DslParamError` pointing at
    the param, before any run starts. More than `MAX_GRID` sets is an `InvalidInput`.
    """
    if not specs:
        return _declared_grid(program)
    axes: dict[str, list[Decimal]] = {}
    for spec in specs:
        name, values = _parse_spec(spec)
        if name in axes:
            raise InvalidInput("sweep", f"{name} is given twice")
        axes[name] = values
    _check_size(math.prod(len(v) for v in axes.values()))
    typed = _bind_axes(program, axes)
    return [dict(zip(typed, combo, strict=True)) for combo in itertools.product(*typed.values())]


def _declared_grid(program: Program) -> Grid:
    ranged = [p for p in program.params if p.ranged]
    if not ranged:
        raise InvalidInput(
            "sweep",
            f'strategy "{program.name}" declares no param ranges (param fast = 5 in 3..10);'
            " give them, e.g. --sweep fast=3..10",
        )
    _check_size(math.prod(p.sweep_count() for p in ranged))
    axes = [p.sweep_values() for p in ranged]
    names = [p.name for p in ranged]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]


def _parse_spec(spec: str) -> tuple[str, list[Decimal]]:
    found = _SPEC.match(spec)
    if found is None:
        raise InvalidInput("sweep", f"{spec!r} is not {_FORMS}")
    name, body = found.group(1), found.group(2)
    if ".." not in body:
        return name, [_number(part, spec) for part in body.split(",")]
    low_text, _, rest = body.partition("..")
    high_text, _, step_text = rest.partition(":")
    low, high = _number(low_text, spec), _number(high_text, spec)
    step = _number(step_text, spec) if step_text else Decimal(1)
    if step <= 0:
        raise InvalidInput("sweep", f"{spec!r}: the step must be positive")
    if low > high:
        raise InvalidInput("sweep", f"{spec!r}: {low} is above {high}")
    count = int((high - low) // step) + 1
    _check_size(count)
    return name, [low + i * step for i in range(count)]


def _number(text: str, spec: str) -> Decimal:
    """An exact decimal: `5`, `1_000`, `0.5`, `2%` (0.02); anything else names the spec."""
    raw = text.strip()
    percent = raw.endswith("%")
    try:
        value = Decimal(raw.removesuffix("%").strip())
    except InvalidOperation:
        raise InvalidInput("sweep", f"{spec!r}: {raw!r} is not a number ({_FORMS})") from None
    if not value.is_finite():
        raise InvalidInput("sweep", f"{spec!r}: {raw!r} is not a finite number")
    return value / 100 if percent else value


def _check_size(count: int) -> None:
    if count > MAX_GRID:
        raise InvalidInput(
            "sweep",
            f"{count:,} parameter sets exceed the limit of {MAX_GRID:,};"
            " narrow the ranges or take larger steps",
        )


def _bind_axes(program: Program, axes: Mapping[str, list[Decimal]]) -> dict[str, list[ParamValue]]:
    """Each axis value as the param takes it (int params: ints), checked by `Program.bind`;
    all bad params are reported together, one diagnostic each."""
    typed: dict[str, list[ParamValue]] = {}
    problems: list[Diagnostic] = []
    for name, values in axes.items():
        out: list[ParamValue] = []
        for value in values:
            number: ParamValue = int(value) if value == value.to_integral_value() else float(value)
            try:
                out.append(program.bind({name: number}).param_values[name])
            except DslParamError as exc:
                problems.extend(exc.diagnostics)
                break
        typed[name] = out
    if problems:
        raise DslParamError(problems)
    return typed


# -- sweeping ---------------------------------------------------------------------------------


def sweep(
    program: Program,
    loaded: LoadedBars,
    config: BacktestConfig,
    grid: Sequence[Mapping[str, ParamValue]],
    *,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """One row per parameter set: the params, then `RESULT_COLUMNS`; best sharpe first
    (undefined sharpe last, ties in grid order). `jobs`: worker processes (None: all cores)."""
    names = check_grid(program, grid)
    with GridRunner(program, loaded, config, jobs=jobs, tasks=len(grid)) as runner:
        stats = runner.run([(params, None) for params in grid], progress)
    rows = [
        {**params, **{key: s.get(key) for key in RESULT_COLUMNS}}
        for params, s in zip(grid, stats, strict=True)
    ]
    table = pl.DataFrame(rows, schema=param_schema(grid, names) | _RESULT_SCHEMA)
    return table.sort("sharpe", descending=True, nulls_last=True, maintain_order=True)


def check_grid(program: Program, grid: Sequence[Mapping[str, ParamValue]]) -> list[str]:
    """The swept names; every set must name the same params and bind (`DslParamError`)."""
    if not grid:
        raise InvalidInput("sweep", "the grid has no parameter sets")
    names = list(grid[0])
    clash = sorted(set(names) & {*RESULT_COLUMNS, "fold"})
    if clash:
        raise InvalidInput("sweep", f"param {clash[0]} has the name of a result column")
    for params in grid:
        if set(params) != set(names):
            raise InvalidInput("sweep", f"{dict(params)} does not set exactly {', '.join(names)}")
        program.bind(params)
    return names


def param_schema(
    grid: Sequence[Mapping[str, ParamValue]], names: Sequence[str]
) -> dict[str, type[pl.DataType]]:
    """Int64 for a param whose values are all whole ints, else Float64."""
    return {
        name: pl.Int64 if all(isinstance(p[name], int) for p in grid) else pl.Float64
        for name in names
    }


def default_jobs() -> int:
    """The cores this process may use (the affinity mask on Linux, not the machine's count)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity is not None else os.cpu_count() or 1


# -- dates ------------------------------------------------------------------------------------


def cut_window(loaded: LoadedBars, days: npt.NDArray[np.int64], window: Window) -> LoadedBars:
    """`loaded` cut to a window, given each bar's KST day number (`kst_day_numbers`)."""
    if window is None:
        return loaded
    keep = (days >= window[0]) & (days <= window[1])
    bars = loaded.bars.take(keep)
    if not len(bars):
        first, last = (_EPOCH + dt.timedelta(days=d) for d in window)
        raise InvalidInput("data", f"no bars from {first} to {last}")
    symbols = bars.symbols()
    return dataclasses.replace(
        loaded,
        bars=bars,
        symbols=symbols,
        instruments={s: loaded.instruments[s] for s in symbols if s in loaded.instruments},
        defaulted=tuple(s for s in loaded.defaulted if s in symbols),
        source=f"{loaded.source} [{_EPOCH + dt.timedelta(days=window[0])}"
        f"..{_EPOCH + dt.timedelta(days=window[1])}]",
    )


# -- the runner -------------------------------------------------------------------------------


class _Context:
    """What one process needs to run any task: the program, all bars, their KST day numbers
    and the last window cut (tasks of one walk-forward fold arrive together)."""

    def __init__(self, program: Program, loaded: LoadedBars, config: BacktestConfig) -> None:
        self.program = program
        self.loaded = loaded
        self.config = config
        self.days = kst_day_numbers(loaded.bars["ts"])
        self._cut: tuple[Window, LoadedBars] = (None, loaded)

    def run(self, params: Mapping[str, ParamValue], window: Window) -> dict[str, Any]:
        if self._cut[0] != window:
            self._cut = (window, cut_window(self.loaded, self.days, window))
        result = run_loaded(self.program.bind(params), self._cut[1], self.config)
        return dict(result.stats)


_WORKER: _Context | None = None


class GridRunner:
    """Runs (params, window) tasks in this process or a pool; use as a context manager so the
    pool and the shared bar files are released. The pool starts on the first `run` and serves
    every later one (walk-forward runs its in-sample and out-of-sample phases on one pool)."""

    def __init__(
        self,
        program: Program,
        loaded: LoadedBars,
        config: BacktestConfig,
        *,
        jobs: int | None = None,
        tasks: int = 1,
    ) -> None:
        if jobs is not None and jobs < 1:
            raise InvalidInput("jobs", f"{jobs} is not a positive number of processes")
        self.workers = max(1, min(jobs or default_jobs(), tasks))
        self._program, self._loaded, self._config = program, loaded, config
        self._local: _Context | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._folder: Path | None = None

    def __enter__(self) -> GridRunner:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=exc is None, cancel_futures=True)
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def run(
        self,
        tasks: Sequence[tuple[Mapping[str, ParamValue], Window]],
        progress: Progress | None = None,
    ) -> list[dict[str, Any]]:
        """Each task's run statistics (`BacktestResult.stats`), in task order."""
        if self.workers == 1:
            if self._local is None:
                self._local = _Context(self._program, self._loaded, self._config)
            out = []
            for done, (params, window) in enumerate(tasks, 1):
                out.append(self._local.run(params, window))
                if progress is not None:
                    progress(done, len(tasks))
            return out
        return self._run_pool(tasks, progress)

    def _run_pool(
        self,
        tasks: Sequence[tuple[Mapping[str, ParamValue], Window]],
        progress: Progress | None,
    ) -> list[dict[str, Any]]:
        pool = self._pool or self._start()
        futures: dict[Future[tuple[dict[str, Any] | None, str, bool]], int] = {
            pool.submit(_work, dict(params), window): i for i, (params, window) in enumerate(tasks)
        }
        results: list[dict[str, Any]] = [{} for _ in tasks]
        for done, future in enumerate(as_completed(futures), 1):
            index = futures[future]
            try:
                stats, error, invalid = future.result()
            except BrokenProcessPool:
                raise JtsError(_BROKEN) from None
            if stats is None:
                for other in futures:
                    other.cancel()
                raise _task_error(tasks[index][0], error, invalid)
            results[index] = stats
            if progress is not None:
                progress(done, len(tasks))
        return results

    def _start(self) -> ProcessPoolExecutor:
        self._folder = Path(tempfile.mkdtemp(prefix="jts-sweep-"))
        meta = _share(self._loaded, self._folder)
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=_mp_context(),
            initializer=_init_worker,
            initargs=(str(self._folder), meta, self._program, self._config),
        )
        return self._pool


def _mp_context() -> multiprocessing.context.BaseContext:
    """`forkserver` where it exists (a clean parent with this module imported: fast starts, no
    inherited polars threads), else `spawn`. Never `fork` (module docstring)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def _share(loaded: LoadedBars, folder: Path) -> dict[str, Any]:
    """Write the bar columns as `.npy` files for the workers to memory-map; what else a
    worker needs to rebuild `loaded` (small, pickled once per worker)."""
    bars = loaded.bars
    for name in _COLUMNS:
        np.save(folder / f"{name}.npy", np.ascontiguousarray(bars[name]))
    symbol = bars["symbol"]  # sorted by symbol: runs of one code become (codes, values)
    starts = np.flatnonzero(np.r_[True, symbol[1:] != symbol[:-1]])
    lengths = np.diff(np.r_[starts, len(symbol)]).astype(np.int64)
    np.save(folder / "codes.npy", np.repeat(np.arange(len(starts), dtype=np.int32), lengths))
    np.save(folder / "values.npy", np.asarray(symbol[starts]))
    fields = {f.name: getattr(loaded, f.name) for f in dataclasses.fields(loaded)}
    return {**{k: v for k, v in fields.items() if k != "bars"}, "interval_s": bars.interval_s}


def _init_worker(
    folder: str, meta: dict[str, Any], program: Program, config: BacktestConfig
) -> None:
    global _WORKER  # one context per worker process, built once
    root = Path(folder)
    columns: dict[str, Any] = {n: np.load(root / f"{n}.npy", mmap_mode="r") for n in _COLUMNS}
    codes = np.load(root / "codes.npy", mmap_mode="r")
    columns["symbol"] = SymbolCodes(np.asarray(codes), np.load(root / "values.npy"))
    fields = dict(meta)
    bars = BarFrame(columns, fields.pop("interval_s"))
    _WORKER = _Context(program, LoadedBars(bars=bars, **fields), config)


def _work(params: dict[str, ParamValue], window: Window) -> tuple[dict[str, Any] | None, str, bool]:
    """Run one task in a worker: (stats, "", False), or (None, error text, was InvalidInput).
    Errors travel as text: JTS errors take two arguments and do not unpickle."""
    assert _WORKER is not None, "worker not initialised"
    try:
        return _WORKER.run(params, window), "", False
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}", isinstance(exc, InvalidInput)


def _task_error(params: Mapping[str, ParamValue], error: str, invalid: bool) -> JtsError:
    shown = ", ".join(f"{k}={v}" for k, v in params.items())
    if invalid:
        return InvalidInput("sweep", f"params {shown}: {error}")
    return JtsError(f"sweep: the run with params {shown} failed: {error}")


# -- the picture ------------------------------------------------------------------------------


def write_heatmap(
    table: pl.DataFrame, path: str | os.PathLike[str], metric: str = "sharpe"
) -> Path:
    """A self-contained HTML chart (plotly.js inline) of `metric` over the first two swept
    params, the others held at the best row's values; one swept param: a line. The path."""
    import plotly.graph_objects as go  # only sweeps that draw pay for plotly's import

    params = [c for c in table.columns if c not in RESULT_COLUMNS]
    if not params:
        raise InvalidInput("sweep", "the table has no param columns to draw")
    best = table.sort(metric, descending=True, nulls_last=True, maintain_order=True).row(
        0, named=True
    )
    fixed = {name: best[name] for name in params[2:]}
    view = table.filter(*(pl.col(k) == v for k, v in fixed.items())) if fixed else table
    held = ", ".join(f"{k}={v}" for k, v in fixed.items())
    title = f"{metric} by {' and '.join(params[:2])}" + (f" ({held})" if held else "")
    if len(params) == 1:
        line = view.sort(params[0])
        trace: Any = go.Scatter(
            x=line[params[0]].to_list(), y=line[metric].to_list(), mode="lines+markers"
        )
        figure = go.Figure(trace).update_layout(xaxis_title=params[0], yaxis_title=metric)
    else:
        x_name, y_name = params[0], params[1]
        xs, ys = sorted(view[x_name].unique().to_list()), sorted(view[y_name].unique().to_list())
        cells = {(r[x_name], r[y_name]): r[metric] for r in view.iter_rows(named=True)}
        z = [[cells.get((x, y)) for x in xs] for y in ys]
        trace = go.Heatmap(
            x=[str(x) for x in xs],
            y=[str(y) for y in ys],
            z=z,
            colorscale="RdYlGn",
            colorbar={"title": metric},
            hovertemplate=f"{x_name}=%{{x}}<br>{y_name}=%{{y}}"
            f"<br>{metric}=%{{z:.3f}}<extra></extra>",
        )
        figure = go.Figure(trace).update_layout(xaxis_title=x_name, yaxis_title=y_name)
    figure.update_layout(title=title, template="none")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.write_html(target, include_plotlyjs=True, full_html=True)
    return target
