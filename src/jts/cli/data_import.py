"""`jts data import` and `jts data export`: files in and out of the store."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from jts.cli.state import console, err_console, parse_date
from jts.core.errors import InvalidInput
from jts.marketdata.ingest import IngestOutcome, ingest_file
from jts.marketdata.store import ParquetStore
from jts.marketdata.writers import write_csv, write_parquet


def import_files(
    store: ParquetStore,
    paths: list[Path],
    *,
    kind: str,
    interval: str,
    strict: bool,
    as_json: bool,
) -> int:
    """Import each file; returns the exit code (1 when any file was rejected or unreadable)."""
    outcomes: list[IngestOutcome] = []
    failed = False
    for path in paths:
        try:
            outcome = _import_one(store, path, kind, interval, strict, quiet=as_json)
        except InvalidInput as exc:
            err_console.print(f"[bold red]cannot import {path}:[/] {exc}", highlight=False)
            failed = True
            continue
        outcomes.append(outcome)
        failed = failed or outcome.rejected
        if not as_json:
            _print_outcome(outcome)
    if as_json:
        typer.echo(json.dumps([_outcome_dict(o) for o in outcomes], default=str, indent=2))
    return 1 if failed else 0


def _import_one(
    store: ParquetStore, path: Path, kind: str, interval: str, strict: bool, *, quiet: bool
) -> IngestOutcome:
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:,.0f} rows"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True, disable=quiet) as bar:
        task = bar.add_task(path.name, total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        return ingest_file(
            store, path, kind=kind, interval=interval, strict=strict, progress=progress
        )


def _print_outcome(outcome: IngestOutcome) -> None:
    console.print(outcome.report.render())
    if outcome.rejected:
        console.print(f"[bold red]rejected[/] {outcome.path} (--strict): nothing was imported")
        return
    seconds = sum(w.seconds for w in outcome.writes)
    rate = f", {outcome.rows_written / seconds:,.0f} rows/s written" if seconds else ""
    what = f"{outcome.kind}" + (f" ({outcome.interval})" if outcome.interval else "")
    console.print(f"[green]imported[/] {outcome.rows_written:,} {what} from {outcome.path}{rate}")


def _outcome_dict(outcome: IngestOutcome) -> dict[str, object]:
    return {
        "path": str(outcome.path),
        "kind": outcome.kind,
        "interval": outcome.interval,
        "rejected": outcome.rejected,
        "rows_written": outcome.rows_written,
        "report": outcome.report.to_dict(),
    }


def export_bars(
    store: ParquetStore,
    out: Path,
    *,
    symbols: list[str] | None,
    start: str | None,
    end: str | None,
    interval: str,
) -> int:
    """Write stored bars (or ticks with interval "ticks") to CSV or Parquet by file suffix."""
    lo = parse_date(start) if start else None
    hi = parse_date(end) if end else None
    frame = (
        store.read_ticks(symbols, lo, hi)
        if interval == "ticks"
        else store.read_bars(symbols, lo, hi, interval)
    )
    if out.suffix.lower() == ".parquet":
        write_parquet(frame, out)
    elif out.suffix.lower() == ".csv":
        write_csv(frame, out)
    else:
        raise InvalidInput("out", f"{out.name}: use a .csv or .parquet file name")
    console.print(f"wrote {len(frame):,} rows to {out}")
    return 0
