"""The simulated market behind the KIS simulator: one `SimExchange` day with its background
agents, the tape, and one `Broker` per customer, all on the simulator's clock.

The exchange's time follows `SimClock` lazily: every request and every streaming step first
calls `sync`, which runs the agents and the exchange up to the clock's now. So with speed 0
nothing moves until a test calls `advance`, and at speed 1 the day unfolds in real time from
`start_time` whatever the real hour.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from jts.core.clock import LiveClock, kst_ns, kst_today, to_kst
from jts.core.models import Instrument
from jts.krx import is_trading_day, previous_trading_day
from jts.marketdata.synth import make_universe
from jts.venues.kis.server.broker import Broker, OrderNumbers
from jts.venues.kis.server.clock import SimClock
from jts.venues.kis.server.config import KisSimConfig
from jts.venues.kis.server.tape import Tape
from jts.venues.sim.day import open_day

__all__ = ["KisMarket"]


class KisMarket:
    """Exchange, agents, tape and customers of one simulated day."""

    def __init__(self, config: KisSimConfig) -> None:
        self.config = config
        self.day: date = config.day or _trading_day(kst_today())
        held = [code for spec in config.accounts for code in spec.holdings]
        self.codes = tuple(dict.fromkeys([*config.codes, *held]))
        size = max(config.symbols, len(self.codes))
        self.sim = open_day(size, config.seed, self.day, codes=self.codes)
        self.universe = make_universe(size, seed=config.seed, codes=self.codes)
        self.exchange = self.sim.exchange
        self.instruments: dict[str, Instrument] = {
            code: self.exchange.markets[code].rules.instrument for code in self.sim.symbols
        }
        start = config.start_time or to_kst(LiveClock().now_ns()).time()
        start_ns = max(self.sim.start_ns, kst_ns(self.day, start))
        self.clock = SimClock(start_ns, speed=config.speed)
        self.tape = Tape(self.exchange)
        numbers = OrderNumbers()
        self.brokers: dict[str, Broker] = {
            spec.appkey: Broker(spec, self.exchange, self.instruments, numbers, self.clock)
            for spec in config.accounts
        }
        self.after_sync: list[Callable[[], None]] = []
        self.sim.flow.run(start_ns)

    def sync(self) -> None:
        """Run the market up to the clock's now (never past the day's end)."""
        target = min(self.clock.now_ns(), self.sim.end_ns)
        if target > self.exchange.now_ns():
            self.sim.flow.run(target)
        for hook in self.after_sync:
            hook()

    def advance(self, seconds: float) -> None:
        """Move the clock (and the market) forward by `seconds` of simulated time."""
        self.clock.advance(seconds)
        self.sync()

    def broker_of_account(self, cano: str, product: str) -> Broker | None:
        for broker in self.brokers.values():
            if broker.spec.cano == cano and broker.spec.product == product:
                return broker
        return None


def _trading_day(today: date) -> date:
    """Today if it is a KRX trading day, else the last one before."""
    return today if is_trading_day(today) else previous_trading_day(today)
