"""The instrument master (codes, names, markets, kinds) as one Parquet file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq

from jts.core.enums import InstrumentKind, Market
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


def instruments_to_arrow(instruments: Sequence[Instrument]) -> pa.Table:
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
    write_parquet_atomic(instruments_to_arrow(ordered), path)
