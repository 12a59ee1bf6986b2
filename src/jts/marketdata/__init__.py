"""Market data: columnar bars and ticks, the store, import and validation, the synthetic market,
bar aggregation and feed quality checks.

Import paths: `jts.marketdata.store` (ParquetStore), `jts.marketdata.synth` (synthetic market),
`jts.marketdata.aggregate` (tick → bar), `jts.marketdata.quality` (feed monitor),
`jts.marketdata.importer` / `jts.marketdata.ingest` (user files). The names below are the ones
most callers need.
"""

from jts.marketdata.aggregate import BarAggregator, BarPublisher, Halt, aggregate_ticks
from jts.marketdata.frames import BarFrame, TickFrame
from jts.marketdata.importer import ImportResult, import_file, iter_import
from jts.marketdata.ingest import IngestOutcome, ingest_file
from jts.marketdata.quality import FeedQualityMonitor
from jts.marketdata.report import ValidationReport
from jts.marketdata.schema import BAR_SCHEMA, TICK_SCHEMA, interval_name, interval_seconds
from jts.marketdata.store import Coverage, MarketDataStore, ParquetStore, WriteStats

__all__ = [
    "BAR_SCHEMA",
    "TICK_SCHEMA",
    "BarAggregator",
    "BarFrame",
    "BarPublisher",
    "Coverage",
    "FeedQualityMonitor",
    "Halt",
    "ImportResult",
    "IngestOutcome",
    "MarketDataStore",
    "ParquetStore",
    "TickFrame",
    "ValidationReport",
    "WriteStats",
    "aggregate_ticks",
    "import_file",
    "ingest_file",
    "interval_name",
    "interval_seconds",
    "iter_import",
]
