"""`jts backtest STRATEGY ...`: backtest a strategy file, sweep its params, walk forward.

    jts backtest s.jts --store                              one run on the configured store
    jts backtest s.jts --data bars.csv --json --report r.html
    jts backtest s.jts --store --sweep fast=3..10 slow=15..40:5 [--walk-forward 4]

`k=v` words after STRATEGY set params (like `--param k=v`); with `--sweep` they are sweep
ranges, and `--sweep` alone sweeps the ranges the program declares. Every run is recorded
under `<data_dir>/runs/` unless `--no-record` (`jts.backtest.runs`).

The recorded runs are listed by a command of their own, `jts backtests [RUN_ID]`, not by a
`jts backtest runs` subcommand: a Click group reads its first word as a subcommand *or* as an
argument, never both, so `backtest runs` would be ambiguous with a strategy file named `runs`.
The backtester is imported inside the commands: `jts --help` stays fast.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from jts.cli.backtests_cmd import backtests, print_frame
from jts.cli.state import console, err_console, parse_date, state
from jts.core.codes import normalize_symbol
from jts.core.errors import InvalidInput

if TYPE_CHECKING:
    import polars as pl

    from jts.backtest import BacktestConfig, BacktestResult, LoadedBars
    from jts.backtest.api import Loaded
    from jts.backtest.runs import StoredRun


_ROWS: tuple[tuple[str, str, str], ...] = (
    ("total_return", "Total return", "pct"),
    ("annualized_return", "Annualized return", "pct"),
    ("sharpe", "Sharpe", "ratio"),
    ("sortino", "Sortino", "ratio"),
    ("max_drawdown", "Max drawdown", "pct"),
    ("trades", "Round trips", "count"),
    ("win_rate", "Win rate", "pct"),
    ("profit_factor", "Profit factor", "ratio"),
    ("exposure", "Exposure", "pct"),
    ("turnover", "Turnover per year", "ratio"),
    ("final_equity", "Final equity", "krw"),
    ("final_cash", "Final cash", "krw"),
    ("total_costs", "Costs (commission + tax)", "krw"),
)


@dataclass
class _Run:
    """One invocation: the options as given, and what they produced."""

    given: dict[str, Any]
    program: Loaded
    loaded: LoadedBars
    config: BacktestConfig
    record_dir: Path | None
    as_json: bool = False
    report: Path | None = None
    export: Path | None = None
    jobs: int | None = None
    notes: list[str] = field(default_factory=list)


Opt = typer.Option


def backtest(  # one parameter per option: Typer reads the signature
    ctx: typer.Context,
    strategy: Annotated[
        Path, typer.Argument(help="Strategy file: .jts, or .py with one Strategy class.")
    ],
    assignments: Annotated[
        list[str] | None, typer.Argument(help="k=v params; with --sweep k=3..10, k=1,3,7 ...")
    ] = None,
    data: Annotated[Path | None, Opt(help="Import-format CSV/Parquet file or folder.")] = None,
    store: Annotated[bool, Opt("--store", help="Bars from the configured store.")] = False,
    symbols: Annotated[list[str] | None, Opt(help="Codes (commas or repeated).")] = None,
    start: Annotated[str | None, Opt(help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, Opt(help="Last day, YYYY-MM-DD (inclusive).")] = None,
    engine: Annotated[
        str | None, Opt(help="vector (fast; .jts default) or event (the live path; .py).")
    ] = None,
    fill: Annotated[str, Opt(help="next_open, close or limit_touch.")] = "next_open",
    costs: Annotated[str, Opt(help="krx (commission and tax) or none.")] = "krx",
    cash: Annotated[int, Opt(help="Initial cash, KRW.")] = 100_000_000,
    param: Annotated[list[str] | None, Opt(help="k=v, repeatable.")] = None,
    as_json: Annotated[bool, Opt("--json", help="Print one JSON object.")] = False,
    report: Annotated[Path | None, Opt(help="Write the HTML report here.")] = None,
    timeframe: Annotated[str | None, Opt(help="Bars of this length: 5m, day ...")] = None,
    slippage_ticks: Annotated[int, Opt(help="KRX ticks against each fill.")] = 0,
    participation: Annotated[float | None, Opt(help="Max share of a bar's volume.")] = None,
    commission_rate: Annotated[str | None, Opt(help="Default: krx.commission_rate.")] = None,
    settlement: Annotated[bool, Opt(help="Spend sale proceeds once settled (T+2).")] = False,
    export: Annotated[Path | None, Opt(help="Write Parquet tables into this folder.")] = None,
    sweep: Annotated[bool, Opt("--sweep", help="Sweep k=... ranges (or the declared).")] = False,
    walk_forward: Annotated[int | None, Opt(help="Folds (needs --sweep).")] = None,
    jobs: Annotated[int | None, Opt(help="Processes for sweeps (default: all cores).")] = None,
    no_record: Annotated[bool, Opt("--no-record", help="Do not record the run.")] = False,
    ticks: Annotated[
        bool, Opt("--ticks", help="Exits on the store's ticks between bars (event engine).")
    ] = False,
) -> None:
    """Backtest STRATEGY on stored or given bars: summary, report, export, sweeps."""
    from jts.strategy.lang import DslError

    given = {name: value for name, value in locals().items() if name != "ctx"}
    try:
        _dispatch(ctx, given)
    except DslError as exc:
        typer.echo(exc.render(str(strategy)), err=True)
        raise typer.Exit(2) from None


def _dispatch(ctx: typer.Context, given: dict[str, Any]) -> None:
    words, sweep, folds = list(given["assignments"] or []), given["sweep"], given["walk_forward"]
    if folds is not None and not sweep:
        raise InvalidInput("--walk-forward", "needs --sweep (the parameter sets to choose from)")
    if folds is not None and given["report"] is not None:
        raise InvalidInput("--report", "is for single runs and sweeps, not --walk-forward")
    from jts.backtest.sweep import parse_sweep
    from jts.strategy.lang import Program

    params = _params([*(given["param"] or []), *([] if sweep else words)])
    program = _program(given["strategy"], params)
    if not isinstance(program, Program) and sweep:
        raise InvalidInput("--sweep", "sweeps and walk-forward run .jts programs")
    grid = parse_sweep(words, program) if isinstance(program, Program) and sweep else []
    run = _prepare(ctx, program, given)
    if folds is not None:
        _walk_forward(run, grid, folds)
    elif sweep:
        _sweep(run, grid)
    else:
        _single(run)


def register(root: typer.Typer) -> None:
    """Add `jts backtest` and `jts backtests` to the root command."""
    root.command("backtest")(backtest)
    root.command("backtests")(backtests)


# -- inputs -----------------------------------------------------------------------------------


def _options(given: dict[str, Any]) -> dict[str, Any]:
    """The options as given, JSON-safe, for run.json."""
    out = {k: str(v) if isinstance(v, Path) else v for k, v in given.items()}
    return out | {"symbols": _symbols(given["symbols"])}


def _params(words: list[str]) -> dict[str, int | float]:
    """`k=v` words as numbers (int when whole-looking, `2%` as 0.02); bad form: InvalidInput."""
    out: dict[str, int | float] = {}
    for word in words:
        name, sep, text = (part.strip() for part in word.partition("="))
        if not sep or not name or not text:
            raise InvalidInput("--param", f"{word!r} is not k=v (e.g. fast=5)")
        if ".." in text or "," in text:
            raise InvalidInput("--param", f"{word!r} is a range: add --sweep to sweep it")
        out[name] = _number(name, text)
    return out


def _number(name: str, text: str) -> int | float:
    raw = text.removesuffix("%")
    try:
        value: int | float = int(raw)
    except ValueError:
        try:
            value = float(raw)
        except ValueError:
            raise InvalidInput("--param", f"{name}={text}: {text!r} is not a number") from None
    return value / 100 if text.endswith("%") else value


def _symbols(given: list[str] | None) -> list[str] | None:
    codes = [c for item in given or [] for c in item.split(",") if c.strip()]
    return [normalize_symbol(c) for c in codes] or None


def _program(path: Path, params: dict[str, int | float]) -> Loaded:
    """The compiled program, or the Python strategy of a `.py` file (`file.py:Class` names
    one of several); Python params are checked when it runs."""
    from jts.backtest.api import python_strategy
    from jts.strategy.lang import compile_program

    name, _, cls = str(path).partition(":") if str(path).count(":") == 1 else (str(path), "", "")
    if name.endswith(".py"):
        if not Path(name).is_file():
            raise InvalidInput("strategy", f"{name} does not exist")
        return python_strategy(Path(name), cls or None)
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate a BOM from Windows editors
    except (OSError, UnicodeDecodeError) as exc:
        problem = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise InvalidInput("strategy", f"cannot read {path}: {problem}") from None
    return compile_program(text, params=params or None)


def _prepare(ctx: typer.Context, program: Loaded, given: dict[str, Any]) -> _Run:
    """Validate the options (before any data is read), then load the bars once."""
    from jts.backtest import BacktestConfig, FillModel, load_bars
    from jts.strategy.lang import Program

    python = not isinstance(program, Program)
    engine = given["engine"] or ("event" if python else "vector")
    if python and engine != "event":
        raise InvalidInput("--engine", "a Python strategy runs bar by bar: use --engine event")
    if given["ticks"] and (python or engine != "event"):
        raise InvalidInput("--ticks", "tick exits run on the event engine, for .jts programs")

    data, store = given["data"], given["store"]
    if (data is None) == (not store):
        raise InvalidInput("data", "give exactly one of --data PATH or --store")
    settings = state(ctx).settings()
    rate = _rate(given["commission_rate"])
    config = BacktestConfig(
        engine=engine,
        fill=FillModel(given["fill"], given["slippage_ticks"], given["participation"]),
        costs=given["costs"],
        commission_rate=settings.krx.commission_rate if rate is None else rate,
        cash=given["cash"],
        settlement=given["settlement"],
    )
    if given["jobs"] is not None and given["jobs"] < 1:
        raise InvalidInput("--jobs", f"{given['jobs']} is not a positive number of processes")
    source = data if data is not None else _store_dir(Path(settings.data_dir))
    loaded = load_bars(
        source,
        program=program if isinstance(program, Program) else None,
        symbols=_symbols(given["symbols"]),
        start=parse_date(given["start"]) if given["start"] else None,
        end=parse_date(given["end"]) if given["end"] else None,
        timeframe=given["timeframe"],
        strategy_dir=Path(str(given["strategy"]).partition(":")[0]).parent,
    )
    if given["ticks"]:
        from jts.backtest.api import load_ticks

        given = given | {"_ticks": load_ticks(True, source, loaded)}
    record_dir = None if given["no_record"] else Path(settings.data_dir)
    outputs = (given["as_json"], given["report"], given["export"], given["jobs"])
    return _Run(given, program, loaded, config, record_dir, *outputs)


def _store_dir(root: Path) -> Path:
    from jts.marketdata.store import ParquetStore

    if not ParquetStore(root).datasets():
        raise InvalidInput(
            "--store", f"the store {root} holds no bars: `jts data synth` or `jts data import`"
        )
    return root


def _rate(text: str | None) -> Decimal | None:
    try:
        rate = None if text is None else Decimal(text)
    except InvalidOperation:
        rate = Decimal("NaN")
    if rate is not None and not (rate.is_finite() and 0 <= rate < 1):
        raise InvalidInput("--commission-rate", f"{text!r} is not a fraction in [0, 1)")
    return rate


# -- one run ----------------------------------------------------------------------------------


def _single(run: _Run) -> None:
    from jts.backtest import run_loaded
    from jts.strategy.lang import Program

    python = not isinstance(run.program, Program)
    params = _params([*(run.given["param"] or []), *(run.given["assignments"] or [])])
    result = run_loaded(
        run.program,
        run.loaded,
        run.config,
        python_params=params if python else None,
        ticks=run.given.get("_ticks"),
    )
    if run.report is not None:
        run.notes.append(f"report: {result.report(run.report)}")
    if run.export is not None:
        run.notes.append(f"export: {result.to_parquet(run.export)}")
    stored = _record(run, "backtest", result=result)
    if run.as_json:
        typer.echo(json.dumps(result.summary(), indent=2, ensure_ascii=False, default=str))
        return
    _print_single(run, result, stored)


def _print_single(run: _Run, result: BacktestResult, stored: StoredRun | None) -> None:
    stats = result.stats
    _print_header(run, result.params)
    table = Table(show_header=False, show_edge=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column(justify="right")
    for key, label, kind in _ROWS:
        table.add_row(label, _format(stats.get(key), kind))
    console.print(table)
    console.print(
        f"orders {stats['orders']:,} (filled {stats['orders_filled']:,}, rejected"
        f" {stats['orders_rejected']:,}), {stats['round_trips']:,} round trips"
    )
    speed = stats.get("bars_per_second")
    console.print(
        f"{stats['bars']:,} bars of {stats['symbols']:,} symbols in {stats['seconds']:.2f} s"
        + (f" ({speed:,} bars/s, {stats['engine']} engine)" if speed else "")
    )
    _print_notes(run, stored)


def _print_header(run: _Run, shown: dict[str, Any] | None = None) -> None:
    from jts.backtest.api import strategy_source
    from jts.strategy.lang import Program

    program, loaded = run.program, run.loaded
    if shown is None:
        shown = dict(program.param_values if isinstance(program, Program) else {})
    params = " ".join(f"{k}={v}" for k, v in shown.items()) or "no params"
    name = strategy_source(program)[0]
    console.print(f"[bold]{escape(name)}[/] {escape(params)}", highlight=False)
    console.print(f"data: {escape(loaded.source)}", style="dim", highlight=False)
    for warning in loaded.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)


def _print_notes(run: _Run, stored: StoredRun | None) -> None:
    recorded = [f"recorded: {stored.run_id} ({stored.folder})"] if stored is not None else []
    for note in [*run.notes, *recorded]:
        console.print(escape(note), highlight=False)


def _format(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "pct":
        return f"{value * 100:,.2f}%"
    if kind == "krw":
        return f"{int(value):,} KRW"
    if kind == "count":
        return f"{int(value):,}"
    return f"{value:,.2f}"


# -- sweeps -----------------------------------------------------------------------------------


def _sweep(run: _Run, grid: list[dict[str, int | float]]) -> None:
    from jts.backtest import run_loaded
    from jts.backtest.sweep import default_jobs, sweep, write_heatmap
    from jts.strategy.lang import Program

    program = run.program
    assert isinstance(program, Program)  # _dispatch refuses sweeps of Python strategies
    started = time.perf_counter()
    with _progress("sweep", len(grid)) as update:
        table = sweep(program, run.loaded, run.config, grid, jobs=run.jobs, progress=update)
    seconds = time.perf_counter() - started
    chart = _chart_path(run)
    if chart is not None:
        run.notes.append(f"heatmap: {write_heatmap(table, chart)}")
    best = table.row(0, named=True)
    if run.report is not None:
        chosen = program.bind({k: best[k] for k in grid[0]})
        path = run_loaded(chosen, run.loaded, run.config).report(run.report)
        run.notes.append(f"report of the best set: {path}")
    _export(run, "sweep", table)
    jobs = max(1, min(run.jobs or default_jobs(), len(grid)))
    about = {"grid_size": len(grid), "seconds": round(seconds, 3), "jobs": jobs}
    stored = _record(run, "sweep", tables={"sweep": table}, stats=about | {"best": best})
    if run.as_json:
        typer.echo(json.dumps(about | {"results": table.to_dicts()}, indent=2, default=str))
        return
    _print_header(run)
    print_frame(table.head(20), f"best {min(20, table.height)} of {table.height:,} by sharpe")
    console.print(
        f"{len(grid):,} parameter sets × {len(run.loaded.bars):,} bars in {seconds:.1f} s"
        f" on {about['jobs']} process(es)"
    )
    _print_notes(run, stored)


def _walk_forward(run: _Run, grid: list[dict[str, int | float]], folds: int) -> None:
    from jts.backtest.walkforward import walk_forward, walk_forward_summary
    from jts.strategy.lang import Program

    program = run.program
    assert isinstance(program, Program)  # _dispatch refuses walk-forward of Python strategies
    started = time.perf_counter()
    with _progress("walk-forward", folds * (len(grid) + 1)) as update:
        table = walk_forward(
            program, run.loaded, run.config, grid, folds, jobs=run.jobs, progress=update
        )
    summary = walk_forward_summary(table) | {"seconds": round(time.perf_counter() - started, 3)}
    _export(run, "walk_forward", table)
    stored = _record(run, "walk_forward", tables={"walk_forward": table}, stats=summary)
    if run.as_json:
        typer.echo(
            json.dumps({"folds": table.to_dicts(), "summary": summary}, indent=2, default=str)
        )
        return
    _print_header(run)
    print_frame(table, f"walk-forward, {folds} fold(s), anchored in-sample windows")
    console.print(
        f"out-of-sample sharpe mean {_format(summary['out_of_sample_mean'], 'ratio')} vs"
        f" in-sample {_format(summary['in_sample_mean'], 'ratio')}: gap"
        f" {_format(summary['gap'], 'ratio')}; out-of-sample return"
        f" {_format(summary['out_of_sample_return'], 'pct')} over {folds} block(s)"
        f" ({summary['seconds']:.1f} s)"
    )
    _print_notes(run, stored)


@contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar with ETA on stderr, gone when done; yields the update callback."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, of: bar.update(task, completed=done, total=of)


def _chart_path(run: _Run) -> Path | None:
    if run.report is not None:
        return run.report.with_name(f"{run.report.stem}-sweep.html")
    return run.export / "sweep.html" if run.export is not None else None


def _export(run: _Run, name: str, table: pl.DataFrame) -> None:
    if run.export is None:
        return
    run.export.mkdir(parents=True, exist_ok=True)
    table.write_parquet(run.export / f"{name}.parquet")
    table.write_csv(run.export / f"{name}.csv")
    run.notes.append(f"export: {run.export / name}.parquet and .csv")


# -- recording --------------------------------------------------------------------------------


def _record(
    run: _Run,
    kind: str,
    *,
    result: BacktestResult | None = None,
    tables: dict[str, pl.DataFrame] | None = None,
    stats: dict[str, Any] | None = None,
) -> StoredRun | None:
    from jts.backtest.runs import record_run
    from jts.backtest.walkforward import trading_days

    if run.record_dir is None:
        return None
    days, loaded = trading_days(run.loaded), run.loaded
    data = {"source": loaded.source, "timeframe": loaded.timeframe, "symbols": len(loaded.symbols)}
    return record_run(
        run.record_dir,
        run.program,
        kind=kind,
        result=result,
        tables=tables,
        data=data | {"start": str(days[0]), "end": str(days[-1])},
        options=_options(run.given),
        stats=stats,
        strategy_file=str(run.given["strategy"]),
    )
