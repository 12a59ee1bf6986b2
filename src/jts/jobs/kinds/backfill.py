"""The `backfill` job: minute bars into the market-data store, synthesized or imported.

- `{"source": "synth", ...}` (the default source): the synthetic KRX market of
  `jts data synth`, generated and written one symbol at a time so progress and cancel work
  per symbol. A symbol's bars do not depend on which others are generated with it (the
  generator keys its random streams by the symbol's place in the universe), so the store ends
  up exactly as `jts data synth` with the same arguments would leave it; the daily bars and
  the instrument master are written too.
- `{"source": "files", "paths": [...]}`: import-format CSV/Parquet files (docs/data.md) from
  the configured import folder, validated and written as `jts data import` does, one file at
  a time; progress follows the rows read. Paths are relative to that folder and may not leave
  it: the request comes over the network, and the server's other files are not its to read.

One backfill writes a store at a time (a partition is rewritten by read, merge, rename, and two
writers of one partition could lose rows); a second one waits, and can be cancelled while it
does. A cancelled backfill keeps the symbols (or files) it finished; a file import cancelled
midway writes nothing of that file (the importer writes only after reading the whole file).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Final, Literal

import msgspec

from jts.core.codes import normalize_symbol
from jts.core.errors import InvalidInput
from jts.jobs.context import JobContext
from jts.jobs.kinds.config import KindsConfig
from jts.jobs.kinds.inputs import invalid
from jts.jobs.registry import JobHandler
from jts.marketdata.ingest import ingest_file
from jts.marketdata.store import ParquetStore
from jts.marketdata.synth import SynthSpec, daily_bars, make_universe, minute_bars
from jts.marketdata.synth.instruments import max_universe_size

__all__ = ["FileBackfill", "SynthBackfill", "backfill_handler"]

_WAIT_S: Final = 0.2
"""How often a backfill waiting for the store checks for a cancel, seconds."""


class SynthBackfill(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="synth",
    tag_field="source",
):  # fmt: skip
    """`jts data synth` as a job: `symbols` instruments (`codes` among them), `days` trading
    days from `start` (default: ending on the last trading day before today), `seed`."""

    symbols: Annotated[int, msgspec.Meta(ge=1)] = 20
    days: Annotated[int, msgspec.Meta(ge=1, le=5_000)] = 20
    seed: Annotated[int, msgspec.Meta(ge=0)] = 1
    start: dt.date | None = None
    codes: list[str] = msgspec.field(default_factory=list)


class FileBackfill(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="files",
    tag_field="source",
):  # fmt: skip
    """`jts data import` as a job: `paths` inside the import folder."""

    paths: Annotated[list[str], msgspec.Meta(min_length=1, max_length=1_000)]
    kind: Literal["auto", "bars", "ticks"] = "auto"
    interval: str = "1m"
    strict: bool = False


Backfill = SynthBackfill | FileBackfill


def backfill_handler(config: KindsConfig) -> JobHandler:
    """The `backfill` kind writing the store under `config.data_dir`."""
    lock = threading.Lock()

    def validate(params: Mapping[str, Any]) -> dict[str, Any]:
        spec = _spec(params)
        if isinstance(spec, SynthBackfill):
            synth = _synth(spec)
            synth.first_day()  # the days must fit the calendar
            spec = msgspec.structs.replace(spec, codes=list(synth.codes))
        else:
            _files(spec, config)
        out: dict[str, Any] = msgspec.to_builtins(spec)
        return out

    def run(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
        spec = _spec(params)
        with _store_lock(lock, ctx):
            store = ParquetStore(config.data_dir)
            if isinstance(spec, SynthBackfill):
                return _synthesize(store, spec, ctx)
            return _import(store, spec, _files(spec, config), ctx)

    return JobHandler(
        kind="backfill",
        run=run,
        validate=validate,
        description="minute bars into the market-data store: synthesized or imported files",
    )


def _spec(params: Mapping[str, Any]) -> Backfill:
    try:  # `convert` takes one struct type; a tagged union is converted here
        spec: Backfill = msgspec.convert({"source": "synth", **params}, Backfill)
    except msgspec.ValidationError as exc:
        raise invalid(exc) from None
    return spec


def _synth(spec: SynthBackfill) -> SynthSpec:
    if spec.symbols > max_universe_size():
        raise InvalidInput("symbols", f"{spec.symbols} is more than {max_universe_size()}")
    codes = tuple(dict.fromkeys(normalize_symbol(code) for code in spec.codes))
    if len(codes) > spec.symbols:
        raise InvalidInput("codes", f"{len(codes)} codes do not fit in {spec.symbols} symbols")
    return SynthSpec(
        symbols=spec.symbols, days=spec.days, seed=spec.seed, start=spec.start, codes=codes
    )


def _files(spec: FileBackfill, config: KindsConfig) -> list[Path]:
    """The files to import, each inside the import folder and present."""
    if config.import_dir is None:
        raise InvalidInput("source", "file imports are off: no import folder is configured")
    root = config.import_dir.resolve()
    found: list[Path] = []
    for name in spec.paths:
        path = (root / name).resolve()
        if not path.is_relative_to(root):
            raise InvalidInput("paths", f"{name!r} is outside the import folder")
        if not path.is_file():
            raise InvalidInput("paths", f"{name!r} is not a file in the import folder")
        found.append(path)
    return found


@contextmanager
def _store_lock(lock: threading.Lock, ctx: JobContext) -> Iterator[None]:
    """Hold the store's writer lock; while waiting, say so and honour a cancel."""
    while not lock.acquire(timeout=_WAIT_S):
        ctx.progress(0.0, "waiting for another backfill to finish")
        ctx.check()
    try:
        yield
    finally:
        lock.release()


def _synthesize(store: ParquetStore, spec: SynthBackfill, ctx: JobContext) -> dict[str, Any]:
    synth = _synth(spec)
    first = synth.first_day()
    universe = make_universe(synth.symbols, seed=synth.seed, codes=synth.codes)
    store.write_instruments(universe)
    total, rows = len(universe), 0
    for done, instrument in enumerate(universe, 1):
        ctx.check()
        symbol = [instrument.symbol]
        for chunk in minute_bars(universe, first, days=synth.days, seed=synth.seed, symbols=symbol):
            rows += store.write_bars(chunk, interval="1m").rows
        ctx.progress(0.95 * done / total, f"{instrument.symbol}: {done}/{total} symbols")
    ctx.progress(0.95, "writing daily bars")
    store.write_bars(daily_bars(universe, first, days=synth.days, seed=synth.seed), interval="1d")
    return {
        "source": "synth",
        "symbols": total,
        "days": synth.days,
        "first_day": first.isoformat(),
        "minute_bars": rows,
        "store": str(store.root),
    }


def _import(
    store: ParquetStore, spec: FileBackfill, paths: list[Path], ctx: JobContext
) -> dict[str, Any]:
    files: list[dict[str, Any]] = []
    for index, (name, path) in enumerate(zip(spec.paths, paths, strict=True)):
        ctx.check()

        def progress(done: int, total: int | None, index: int = index, name: str = name) -> None:
            ctx.check()
            share = done / total if total else 0.0
            ctx.progress((index + share) / len(paths), f"{name}: {done:,} rows read")

        outcome = ingest_file(
            store, path, kind=spec.kind, interval=spec.interval, strict=spec.strict,
            progress=progress,
        )  # fmt: skip
        report = outcome.report
        files.append(
            {"path": name, "kind": outcome.kind, "interval": outcome.interval}
            | {"rows_written": outcome.rows_written, "rejected": outcome.rejected}
            | {"errors": report.error_count, "summary": report.summary()}
        )
        ctx.progress((index + 1) / len(paths), f"{name}: {outcome.rows_written:,} rows written")
    return {"source": "files", "files": files, "store": str(store.root)}
