"""`jts data synth`: generate the synthetic KRX market into the store or one file."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from jts.cli.state import console, err_console
from jts.krx import trading_days
from jts.marketdata.store import ParquetStore
from jts.marketdata.synth import SynthSpec, daily_bars, generate
from jts.marketdata.writers import FrameFileWriter


def synthesize(store: ParquetStore | None, spec: SynthSpec, out: Path | None) -> None:
    """Write minute bars (and daily bars and the instrument master into a store) of `spec`."""
    universe, chunks = generate(spec)
    first = spec.first_day()
    days = _days(first, spec.days)
    total = len(universe) * len(days) * 382  # estimate for the progress bar (bars per day)
    started = time.perf_counter()
    rows = 0
    columns = (
        TextColumn("[bold]synth"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:,.0f} bars"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("bars", total=total)
        if out is not None:
            with FrameFileWriter(out) as writer:
                for chunk in chunks:
                    writer.write(chunk)
                    rows += len(chunk)
                    bar.update(task, completed=rows)
        else:
            assert store is not None
            store.write_instruments(universe)
            for chunk in chunks:
                store.write_bars(chunk, interval="1m")
                rows += len(chunk)
                bar.update(task, completed=rows)
            store.write_bars(
                daily_bars(universe, first, days=spec.days, seed=spec.seed), interval="1d"
            )
    seconds = time.perf_counter() - started
    where = out if out is not None else (store.root if store else "")
    console.print(
        f"{len(universe):,} symbols × {len(days)} trading days ({days[0]} … {days[-1]}): "
        f"{rows:,} minute bars in {seconds:.1f} s ({rows / seconds:,.0f} bars/s) → {where}"
    )


def _days(first: dt.date, count: int) -> list[dt.date]:
    window = trading_days(first, first + dt.timedelta(days=count * 2 + 30))
    return window[:count]
