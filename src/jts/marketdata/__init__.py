"""Market data: columnar bars and ticks, the store, import and validation, the synthetic market,
bar aggregation and feed quality checks."""

from jts.marketdata.frames import BarFrame, TickFrame
from jts.marketdata.schema import BAR_SCHEMA, TICK_SCHEMA, interval_name, interval_seconds

__all__ = [
    "BAR_SCHEMA",
    "TICK_SCHEMA",
    "BarFrame",
    "TickFrame",
    "interval_name",
    "interval_seconds",
]
