"""Market-data stores: the Protocol and the embedded Parquet + DuckDB store."""

from jts.marketdata.store.base import Coverage, MarketDataStore, TimeBound, WriteStats
from jts.marketdata.store.parquet import ParquetStore

__all__ = ["Coverage", "MarketDataStore", "ParquetStore", "TimeBound", "WriteStats"]
