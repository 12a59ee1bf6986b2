"""`jts sim ...`: the simulated KRX exchange with background order flow.

    jts sim day --symbols 50 --seed 0 --out var/sim/day1          as fast as it goes
    jts sim day --symbols 5 --date 2026-11-27 --pace-seconds 60 --out var/sim/slow

`day` writes trades.parquet (tick import format) and books.parquet under --out and prints one
JSON line (`jts.venues.sim.day.DaySummary`). The simulator is imported inside the command so
that `jts --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import msgspec
import typer

from jts.core.clock import kst_today
from jts.core.errors import InvalidInput
from jts.krx import is_trading_day
from jts.krx.calendar import previous_trading_day

app = typer.Typer(help="The simulated KRX exchange: whole trading days with background agents.")


@app.callback()
def _sim() -> None:
    """Simulated KRX trading days (market makers, noise and momentum traders)."""


@app.command("day")
def day(
    out: Annotated[
        Path, typer.Option("--out", help="Directory for trades.parquet and books.parquet.")
    ],
    symbols: Annotated[
        int, typer.Option("--symbols", min=1, help="Synthetic instruments to simulate.")
    ] = 50,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of market and agents.")] = 0,
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="Trading day YYYY-MM-DD (default: the last one before today, KST)."
        ),
    ] = None,
    pace_seconds: Annotated[
        float | None,
        typer.Option(
            "--pace-seconds",
            min=0.001,
            help="Spread the day over this many wall seconds (default: as fast as possible).",
        ),
    ] = None,
) -> None:
    """Run one compressed trading day with agents; print its summary as one JSON line."""
    from jts.venues.sim.day import run_day

    summary = run_day(symbols, seed, _trading_day(date), out, pace_seconds=pace_seconds)
    typer.echo(msgspec.json.encode(summary).decode())


def _trading_day(text: str | None) -> dt.date:
    """The --date value as a KRX trading day; a usage error naming --date otherwise."""
    if text is None:
        return previous_trading_day(kst_today())
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date like 2026-11-27", param_hint="'--date'"
        ) from None
    try:
        trading = is_trading_day(day)
    except InvalidInput as exc:  # outside the calendar's range
        raise typer.BadParameter(exc.problem, param_hint="'--date'") from None
    if not trading:
        raise typer.BadParameter(f"{day} is not a KRX trading day", param_hint="'--date'")
    return day
