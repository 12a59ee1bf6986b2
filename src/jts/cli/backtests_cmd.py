"""`jts backtests [RUN_ID]`: the recorded backtest runs (`jts.backtest.runs`), and the table
printer the backtest commands share."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from jts.cli.state import console, state

if TYPE_CHECKING:
    import polars as pl

__all__ = ["backtests", "print_frame"]

Opt = typer.Option


def backtests(
    ctx: typer.Context,
    run_id: Annotated[str | None, typer.Argument(help="One run: print its run.json.")] = None,
    limit: Annotated[int, Opt(help="Newest N runs.")] = 20,
    as_json: Annotated[bool, Opt("--json", help="One JSON object per run and line.")] = False,
) -> None:
    """The recorded runs, newest first; with RUN_ID, that run (what ran, on what, results)."""
    import polars as pl

    from jts.backtest.runs import list_runs, load_run

    data_dir = state(ctx).settings().data_dir
    if run_id is not None:
        stored = load_run(data_dir, run_id)
        typer.echo(json.dumps(stored.meta | {"folder": str(stored.folder)}, indent=2, default=str))
        return
    runs = list_runs(data_dir, limit=limit)
    if as_json:
        for meta in runs:
            typer.echo(json.dumps(meta, ensure_ascii=False, default=str))
        return
    if not runs:
        console.print("No recorded runs yet: `jts backtest STRATEGY --store`.")
        return
    rows = []
    for meta in runs:
        stats, data = meta.get("stats") or {}, meta.get("data") or {}
        best = stats.get("best") or stats  # a sweep lists its best set
        rows.append(
            {
                "run": str(meta.get("run_id")),
                "kind": str(meta.get("kind", meta.get("error"))),
                "strategy": str(meta.get("strategy", "")),
                "params": " ".join(f"{k}={v}" for k, v in (meta.get("params") or {}).items()),
                "days": f"{data.get('start')}..{data.get('end')}",
                **{k: best.get(k) for k in ("total_return", "sharpe", "trades")},
            }
        )
    print_frame(pl.DataFrame(rows, infer_schema_length=None), f"{len(rows)} newest runs")


def print_frame(table: pl.DataFrame, title: str) -> None:
    view = Table(title=title, show_edge=False, title_justify="left")
    for name, dtype in table.schema.items():
        short = name.replace("out_of_sample_", "OOS ").replace("in_sample_", "IS ")
        short = short.removeprefix("total_")
        view.add_column(short.replace("_", " "), justify="right" if dtype.is_numeric() else "left")
    for row in table.iter_rows(named=True):
        view.add_row(*(_cell(name, value) for name, value in row.items()))
    console.print(view)


def _cell(name: str, value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        percent = name.endswith(("return", "drawdown", "win_rate"))
        return f"{value * 100:,.2f}%" if percent else f"{value:,.3f}"
    return f"{value:,}" if isinstance(value, int) else str(value)
