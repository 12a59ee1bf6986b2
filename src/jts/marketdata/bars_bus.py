"""Bars on the bus: a `BarAggregator` fed from the tick and halt topics, publishing its bars.

Ticks arrive on ``md.tick`` and trading-status changes (`HaltStatus`) on ``md.halt``; completed
bars go to ``md.bar.<interval>`` (``md.bar.1m``, ``md.bar.1d`` ...), keyed by symbol. With a
clock, a task flushes every `flush_every_s` so that a bar is published `flush_lag_s` after its
end even when its symbol trades no more; the lag is the latency allowed to slow prints, which
would otherwise be rejected as late (see `jts.marketdata.bars_stream`).
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from jts.bus.base import Bus
from jts.bus.worker import BusWorker
from jts.core.clock import NS_PER_SECOND, Clock
from jts.core.events import HaltStatus
from jts.core.models import Bar, Tick
from jts.marketdata.bars_stream import BarAggregator
from jts.marketdata.schema import interval_name

TICK_TOPIC: Final = "md.tick"
HALT_TOPIC: Final = "md.halt"


def bar_topic(interval_s: int) -> str:
    """The topic of `interval_s` bars: ``md.bar.1m`` for 60, ``md.bar.1d`` for 86,400."""
    return f"md.bar.{interval_name(interval_s)}"


class BarPublisher(BusWorker):
    """Subscribes to ticks and halts, publishes `interval_s` bars; one instance per interval."""

    def __init__(
        self,
        bus: Bus,
        interval_s: int,
        *,
        clock: Clock | None = None,
        flush_every_s: float = 1.0,
        flush_lag_s: float = 2.0,
        tick_topic: str = TICK_TOPIC,
        halt_topic: str = HALT_TOPIC,
        topic: str | None = None,
    ) -> None:
        self.topic = topic or bar_topic(interval_s)
        period = flush_every_s if clock is not None else None
        super().__init__(f"bars.{self.topic}", bus, (tick_topic, halt_topic), period_s=period)
        self.aggregator = BarAggregator(interval_s, on_bar=self._publish)
        self._publisher, self._clock = bus, clock
        self._lag_ns = round(flush_lag_s * NS_PER_SECOND)
        self._ignored = 0

    def on_event(self, event: object) -> None:
        """Route one bus event: a `Tick`, a `HaltStatus`; anything else is counted and ignored."""
        if isinstance(event, Tick):
            self.aggregator.on_tick(event)
        elif isinstance(event, HaltStatus):
            if event.halted:
                self.aggregator.on_halt(event.symbol, event.ts_ns)
            else:
                self.aggregator.on_resume(event.symbol, event.ts_ns)
        else:
            self._ignored += 1

    def flush(self, until_ts_ns: int) -> int:
        """Publish the bars that end by `until_ts_ns`; returns how many."""
        return self.aggregator.flush(until_ts_ns)

    def close_day(self) -> int:
        """Publish every open bar (after the last session of the day); returns how many."""
        return self.aggregator.close_day()

    def _periodic(self) -> None:
        if self._clock is not None:
            self.flush(self._clock.now_ns() - self._lag_ns)

    def _publish(self, bar: Bar) -> None:
        self._publisher.publish(self.topic, bar, key=bar.symbol)

    def _health_details(self) -> dict[str, Any]:
        details: dict[str, Any] = msgspec.structs.asdict(self.aggregator.stats())
        details["ignored_events"] = self._ignored
        return details
