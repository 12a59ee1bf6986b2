"""`jts data ...`: the market-data store (import, synthesize, query, inspect)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import msgspec
import pyarrow as pa
import pyarrow.csv as pacsv
import typer
from rich.table import Table

from jts.cli.data_import import export_bars, import_files
from jts.cli.data_synth import synthesize
from jts.cli.state import console, parse_date, state
from jts.core.clock import KST, from_ns
from jts.core.codes import normalize_symbol
from jts.core.errors import InvalidInput
from jts.marketdata.store import ParquetStore
from jts.marketdata.store.instruments import load_instrument_file
from jts.marketdata.synth import SynthSpec

app = typer.Typer(help="Market data: import files, generate a synthetic market, query with SQL.")

Output = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]


def open_store(ctx: typer.Context) -> ParquetStore:
    """The store under the configured data directory (`data_dir`, JTS_DATA_DIR)."""
    return ParquetStore(state(ctx).settings().data_dir)


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="CSV or Parquet files (docs/data.md).")],
    kind: Annotated[str, typer.Option(help="auto, bars or ticks.")] = "auto",
    interval: Annotated[str, typer.Option(help="Bar interval: 1m, 5m, 1d ... or auto.")] = "1m",
    strict: Annotated[
        bool, typer.Option("--strict", help="Reject a file with any problem (exit code 1).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
) -> None:
    """Validate and import bar or tick files; bad rows are reported and skipped."""
    code = import_files(
        open_store(ctx), paths, kind=kind, interval=interval, strict=strict, as_json=as_json
    )
    raise typer.Exit(code)


@app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="Output file, .csv or .parquet.")],
    symbols: Annotated[
        str | None, typer.Option(help="Comma-separated codes (default: all).")
    ] = None,
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (inclusive).")] = None,
    interval: Annotated[str, typer.Option(help="1m, 5m, 1d ... or ticks.")] = "1m",
) -> None:
    """Write stored bars or ticks in the import format (they import back unchanged)."""
    codes = [normalize_symbol(s) for s in symbols.split(",")] if symbols else None
    export_bars(open_store(ctx), out, symbols=codes, start=start, end=end, interval=interval)


@app.command("synth")
def synth(
    ctx: typer.Context,
    symbols: Annotated[int, typer.Option(help="Number of instruments.")] = 200,
    days: Annotated[int, typer.Option(help="Trading days of minute bars.")] = 60,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same market.")] = 1,
    start: Annotated[
        str | None, typer.Option(help="First day (default: ends on the last trading day).")
    ] = None,
    codes: Annotated[
        str | None, typer.Option(help="Comma-separated codes that must be in the universe.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Write one .parquet/.csv file instead of the store.")
    ] = None,
) -> None:
    """Generate a synthetic KRX market (deterministic by seed) into the store or a file."""
    spec = SynthSpec(
        symbols=symbols,
        days=days,
        seed=seed,
        start=parse_date(start) if start else None,
        codes=tuple(normalize_symbol(c) for c in codes.split(",")) if codes else (),
    )
    synthesize(None if out else open_store(ctx), spec, out)


@app.command("instruments")
def instruments(
    ctx: typer.Context,
    load: Annotated[
        Path | None, typer.Option(help="Add/replace instruments from a CSV or Parquet file.")
    ] = None,
    output: Output = "table",
) -> None:
    """Show the instrument master, or load one (symbol, name, market[, kind, ...])."""
    store = open_store(ctx)
    if load is not None:
        loaded = load_instrument_file(load)
        store.write_instruments(loaded)
        console.print(f"loaded {len(loaded):,} instruments from {load}")
        return
    rows = [msgspec.to_builtins(i) for i in store.instruments()]
    if not rows:
        console.print("No instruments yet: `jts data synth` or `jts data instruments --load FILE`.")
        return
    print_table(pa.Table.from_pylist(rows), output, limit=100)


@app.command("sql")
def sql(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help='SQL for DuckDB, e.g. "select * from bars limit 5".')
    ],
    output: Output = "table",
    limit: Annotated[int, typer.Option(help="Rows shown in table format.")] = 50,
) -> None:
    """Query the store with SQL. Views: bars (= bars_1m), bars_<interval>, ticks, instruments."""
    result = open_store(ctx).sql(query)
    print_table(result, output, limit=limit)


@app.command("coverage")
def coverage(ctx: typer.Context, output: Output = "table") -> None:
    """What the store holds: per dataset and symbol, first and last time and row count."""
    rows = [
        {
            "dataset": c.dataset,
            "symbol": c.symbol,
            "first": from_ns(c.first_ts, KST).isoformat(timespec="minutes"),
            "last": from_ns(c.last_ts, KST).isoformat(timespec="minutes"),
            "rows": c.rows,
            "files": c.partitions,
        }
        for c in open_store(ctx).coverage()
    ]
    if not rows:
        console.print("The store is empty: try `jts data synth` or `jts data import FILE`.")
        return
    print_table(pa.Table.from_pylist(rows), output, limit=200)


def print_table(table: pa.Table, output: str, *, limit: int) -> None:
    """Print an Arrow table for people (Rich), or as JSON lines or CSV for machines."""
    if output == "json":
        for row in table.to_pylist():
            typer.echo(json.dumps(row, default=str, ensure_ascii=False))
    elif output == "csv":
        sink = pa.BufferOutputStream()
        pacsv.write_csv(table, sink)
        sys.stdout.write(sink.getvalue().to_pybytes().decode("utf-8"))
    elif output == "table":
        _rich_table(table, limit)
    else:
        raise InvalidInput("--format", f"{output!r} is not table, json or csv")


def _rich_table(table: pa.Table, limit: int) -> None:
    view = Table(show_edge=False)
    for name in table.column_names:
        view.add_column(
            name, justify="right" if _numeric(table.schema.field(name).type) else "left"
        )
    for row in table.slice(0, limit).to_pylist():
        view.add_row(*(_cell(value) for value in row.values()))
    console.print(view)
    if table.num_rows > limit:
        console.print(f"… {table.num_rows - limit:,} more rows (use --limit or --format csv)")
    console.print(f"{table.num_rows:,} rows", style="dim")


def _numeric(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)
    )


def _cell(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


@app.command("kis-backfill")
def kis_backfill(
    ctx: typer.Context,
    codes: Annotated[str, typer.Option(help="Comma-separated codes, e.g. 005930,000660.")],
    mode: Annotated[
        str | None, typer.Option(help="paper or real (default: kis.mode of the config).")
    ] = None,
) -> None:
    """Today's 1-minute bars of `codes` from KIS ([kis] settings) into the store; prints one
    JSON line (rows written, rows replaced). Requests queue behind orders in the budget."""
    import asyncio

    from jts.core.errors import ConfigError
    from jts.venues.kis.config import KisConfig
    from jts.venues.kis.connection import KisConnection

    settings = state(ctx).settings()
    kis = settings.kis if mode is None else settings.kis.model_copy(update={"mode": mode})
    try:
        config = KisConfig.from_settings(kis)
        symbols = [normalize_symbol(code) for code in codes.split(",") if code.strip()]
    except (ConfigError, InvalidInput) as exc:
        raise typer.BadParameter(str(exc)) from None

    async def run() -> Any:
        connection = KisConnection.open(config)
        try:
            return await connection.backfill.backfill(symbols, settings.data_dir)
        finally:
            await connection.aclose()

    stats = asyncio.run(run())
    print(json.dumps({"symbols": len(symbols), **msgspec.to_builtins(stats)}))
