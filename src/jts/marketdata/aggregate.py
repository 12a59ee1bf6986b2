"""Tick → bar aggregation: where to import it from.

Two forms with identical results on the same ticks and halts (a property test holds them
together):

- live: `BarAggregator` (`jts.marketdata.bars_stream`), fed tick by tick, with `BarPublisher`
  (`jts.marketdata.bars_bus`) running it between the bus topics ``md.tick``/``md.halt`` and
  ``md.bar.<interval>``;
- batch: `aggregate_ticks` (`jts.marketdata.bars_batch`), a `TickFrame` to a `BarFrame` in NumPy.

The convention they share (grid anchored at the continuous-session start, bars cut at session
boundaries and halts, auction prints in bars of their own, daily bars at 00:00 KST, no bar for an
empty interval) is written down once, in `jts.marketdata.bar_grid`.
"""

from jts.core.events import HaltStatus
from jts.marketdata.bar_grid import (
    AUCTION_PRINT_GRACE_S,
    DAY_S,
    HALT_PRINT_GRACE_S,
    Halt,
)
from jts.marketdata.bars_batch import aggregate_ticks
from jts.marketdata.bars_bus import HALT_TOPIC, TICK_TOPIC, BarPublisher, bar_topic
from jts.marketdata.bars_stream import AggregatorStats, BarAggregator

__all__ = [
    "AUCTION_PRINT_GRACE_S",
    "DAY_S",
    "HALT_PRINT_GRACE_S",
    "HALT_TOPIC",
    "TICK_TOPIC",
    "AggregatorStats",
    "BarAggregator",
    "BarPublisher",
    "Halt",
    "HaltStatus",
    "aggregate_ticks",
    "bar_topic",
]
