"""The instrument master (codes, names, markets, kinds) as one Parquet file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from jts.core.enums import InstrumentKind, Market
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.marketdata.store.files import write_parquet_atomic

_FIELDS: list[pa.Field[Any]] = [
    pa.field("symbol", pa.string(), nullable=False),
    pa.field("name", pa.string(), nullable=False),
    pa.field("market", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("lot_size", pa.int64(), nullable=False),
    pa.field("nxt_eligible", pa.bool_(), nullable=False),
    pa.field("leverage", pa.int64(), nullable=False),
]
INSTRUMENT_SCHEMA = pa.schema(_FIELDS)


def instruments_table(instruments: Sequence[Instrument]) -> pa.Table:
    """The instrument master as an Arrow table (enums as their string values)."""
    rows = [msgspec.to_builtins(i) for i in instruments]
    return pa.Table.from_pylist(rows, schema=INSTRUMENT_SCHEMA)


def read_instruments(path: Path) -> list[Instrument]:
    if not path.exists():
        return []
    return [
        Instrument(
            symbol=row["symbol"],
            name=row["name"],
            market=Market(row["market"]),
            kind=InstrumentKind(row["kind"]),
            lot_size=row["lot_size"],
            nxt_eligible=row["nxt_eligible"],
            leverage=row["leverage"],
        )
        for row in pq.read_table(path).to_pylist()
    ]


def write_instruments(path: Path, instruments: Sequence[Instrument]) -> None:
    """Merge `instruments` into the master (same symbol: the new entry wins); atomic."""
    merged = {i.symbol: i for i in read_instruments(path)}
    merged.update({i.validate().symbol: i for i in instruments})
    ordered = [merged[symbol] for symbol in sorted(merged)]
    write_parquet_atomic(instruments_table(ordered), path)


_OPTIONAL_DEFAULTS: dict[str, Any] = {
    "kind": InstrumentKind.STOCK.value,
    "lot_size": 1,
    "nxt_eligible": False,
    "leverage": 1,
}


def load_instrument_file(path: Path) -> list[Instrument]:
    """Read an instrument list (CSV or Parquet: symbol, name, market, and optionally kind,
    lot_size, nxt_eligible, leverage); any bad row is an `InvalidInput` naming file and row."""
    table = _read_table(path)
    missing = [c for c in ("symbol", "name", "market") if c not in table.column_names]
    if missing:
        raise InvalidInput("instruments", f"{path.name}: missing column(s) {', '.join(missing)}")
    instruments = []
    for number, row in enumerate(table.to_pylist(), start=2):
        try:
            instruments.append(_instrument(row))
        except (InvalidInput, ValueError, TypeError) as exc:
            raise InvalidInput("instruments", f"{path.name} line {number}: {exc}") from None
    return instruments


def _read_table(path: Path) -> pa.Table:
    try:
        if path.suffix.lower() == ".parquet":
            return pq.read_table(path)
        options = pacsv.ConvertOptions(column_types={"symbol": pa.string()})
        return pacsv.read_csv(path, convert_options=options)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InvalidInput("instruments", f"cannot read {path}: {exc}") from None


def _instrument(row: dict[str, Any]) -> Instrument:
    values: dict[str, Any] = {
        k: row.get(k) for k in ("symbol", "name", "market", *_OPTIONAL_DEFAULTS)
    }
    for key, default in _OPTIONAL_DEFAULTS.items():
        if values[key] is None or values[key] == "":
            values[key] = default
    return Instrument(
        symbol=str(values["symbol"]).strip().upper(),
        name=str(values["name"]).strip(),
        market=Market(str(values["market"]).strip().upper()),
        kind=InstrumentKind(str(values["kind"]).strip().lower()),
        lot_size=int(values["lot_size"]),
        nxt_eligible=_bool(values["nxt_eligible"]),
        leverage=int(values["leverage"]),
    ).validate()


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "t", "yes", "y", "1"):
        return True
    if text in ("false", "f", "no", "n", "0", ""):
        return False
    raise ValueError(f"nxt_eligible: {value!r} is not true or false")
