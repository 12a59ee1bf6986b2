"""Tick → strategy → risk → order submitted, in process (issue goal: p99 <= 1 ms at 20,000
ticks/s spread over 1,800 symbols).

    .venv/bin/python bench/tick_to_order.py [--symbols 1800] [--rate 20000] [--minutes 5]
                                            [--scenario NAME ...] [--profile]

The rig: a `SimExchange` at 10:00 KST with `--symbols` synthetic instruments
(`make_universe(n, seed=0)`), every base price 10,000 KRW, and a market maker resting
10,000,000 shares at 9,990 and 10,010 KRW in each book (no agents, so nothing else moves the
exchange); a `SimAccount` + `SimVenue` with 10^11 KRW; a `TradingNode` on that venue running
one strategy-language program on every symbol:

    when position == 0: buy 10 shares at market
    stop loss 0.5%          # entry 10,010 -> exits at <= 9,959.95
    take profit 0.5%        # entry 10,010 -> exits at >= 10,060.05

The feed: `--rate` ticks per second of simulated time, each on a symbol drawn at random
(seeded), handed to `node.handle(Tick)` directly, with the exchange advanced, the event loop
let run once (the node's consumer takes the venue's fills) and `node.on_clock` called at every
simulated second. Prices jitter between 9,990 and 10,010 KRW, except in the even minutes from
10:02 on, when from second 3 + (k % 55) the k-th symbol prints 10,070 (even k) or 9,950 (odd
k): the first such print after the node knows the position (its entry bar fed at second 2)
is a stop-loss or take-profit exit decided on the tick. So each symbol buys at an even
minute's bar and exits on a tick two minutes later, and the tick orders spread over each
even minute.

Timed with `time.perf_counter_ns` (wall clock):

* tick → order: from the start of `node.handle(tick)` to the return of `venue.submit` (the
  venue's `submit` is wrapped) for every tick whose handling queued an order
* per tick without order: `node.handle(tick)` alone
* on_clock: the once-a-second block (exchange advanced, loop let run, `on_clock`), which
  feeds a minute's 1,800 bars and sends their orders once a minute — a stall the ticks of
  that moment queue behind
* sustained ticks/s: ticks / the node's busy time (ticks + on_clock blocks), one core

Scenarios (each a fresh rig; the node sends a tick-triggered order at once, inside `handle`):

* ``every limit``                every `RiskLimits` limit is set (generously), so every check
                                 runs: the headline figure
* ``default limits``             the same with `RiskLimits()`
* ``python strategy, ...``       the same strategy written with the Python strategy API
                                 (`TickExits`: its `on_tick` closes the position), every limit

`goal_met` (top level) is the first scenario's p99 tick → order against `GOAL_P99_US`. The
bench journals to memory (`persist` is a no-op): a durable journal's flush, which `send`
calls before submitting, is not in these figures.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as wall_time
from typing import Any

import numpy as np

from jts.core.clock import SimulatedClock, kst_ns
from jts.core.enums import Side
from jts.core.events import OrderUpdate
from jts.core.models import Bar, Instrument, OrderRequest, Tick
from jts.marketdata.synth import make_universe
from jts.risk import RiskLimits
from jts.strategy.api import Strategy, StrategyContext
from jts.strategy.lang.ast import Program
from jts.strategy.lang.compiler import compile_program
from jts.trading.node import TradingNode
from jts.trading.orders import LiveOrders
from jts.venues.sim.accounts import SimAccount
from jts.venues.sim.exchange import SimExchange
from jts.venues.sim.venue import SimVenue
from machine_info import machine

GOAL_P99_US = 1_000.0
DAY = date(2026, 11, 30)
NS = 1_000_000_000
BASE, BID, ASK, DEPTH = 10_000, 9_990, 10_010, 10_000_000
JITTER = (9_990, 10_000, 10_010)
UP, DOWN = 10_070, 9_950
CASH = 100_000_000_000
PROGRAM = """\
strategy "tick_exits"
description "Benchmark: buy 10 shares when flat; 0.5% stop loss and take profit on ticks"
universe all
timeframe 1m
when position == 0: buy 10 shares at market
stop loss 0.5%
take profit 0.5%
"""


def every_limit() -> RiskLimits:
    """Every limit set, none binding here: each check does its full work."""
    return RiskLimits(
        max_order_qty=10_000,
        max_order_value=1_000_000_000,
        max_position_qty=1_000_000,
        max_gross_exposure=10_000_000_000_000,
        fat_finger_pct=10.0,
        max_orders_per_second=1_000_000,
        max_orders_per_minute=10_000_000,
        daily_loss_limit=10_000_000_000,
        block_identical_orders=True,
    )


class TickExits(Strategy):
    """`PROGRAM` through the Python strategy API: buy 10 shares when flat at a bar's close,
    close the position on the first tick 0.5% or more away from the entry price."""

    API_VERSION = 1

    def __init__(self) -> None:
        self.exiting: set[str] = set()  # symbols whose close is on its way (answered next bar)

    def on_bar(self, ctx: StrategyContext, bar: Bar) -> None:
        if ctx.position(bar.symbol) == 0:
            self.exiting.discard(bar.symbol)
            ctx.buy(bar.symbol, 10)

    def on_tick(self, ctx: StrategyContext, tick: Tick) -> None:
        entry = ctx.entry_price(tick.symbol)
        if entry is None or tick.symbol in self.exiting:
            return
        if abs(tick.price - entry) >= entry * 0.005 and ctx.close(tick.symbol) is not None:
            self.exiting.add(tick.symbol)


def program() -> Program:
    return compile_program(PROGRAM)


StrategyFactory = Callable[[], Program | Strategy]
SCENARIOS: dict[str, tuple[bool, Callable[[], RiskLimits], StrategyFactory]] = {
    "every limit": (True, every_limit, program),
    "default limits": (True, RiskLimits, program),
    "python strategy, every limit": (True, every_limit, TickExits),
}
"""name -> (tick orders sent at once: always, since the node does it; risk limits; the
strategy)."""


@dataclass
class Rig:
    exchange: SimExchange
    venue: SimVenue
    node: TradingNode
    orders: LiveOrders
    symbols: list[str]
    start_ns: int
    submitted: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """client order id -> (wall ns when `venue.submit` was called, when it returned, exchange
    time ns then)."""


def build(symbols: int, limits: RiskLimits, strategy: Program | Strategy) -> Rig:
    """The exchange with its market maker, the account, its venue and the node (not started)."""
    universe = make_universe(symbols, seed=0)
    instruments: dict[str, Instrument] = {i.symbol: i for i in universe}
    bases = dict.fromkeys(instruments, BASE)
    start = kst_ns(DAY, wall_time(10, 0))
    exchange = SimExchange(universe, DAY, base_prices=bases, clock=SimulatedClock(start))
    for n, symbol in enumerate(instruments):
        for side, price in ((Side.SELL, ASK), (Side.BUY, BID)):
            maker = OrderRequest(client_order_id=f"mm-{n}-{side.value}", account="MM",
                                 symbol=symbol, side=side, qty=DEPTH, price=price)  # fmt: skip
            exchange.submit(maker)
    venue = SimVenue(exchange, SimAccount("bench", CASH), instruments)
    node = TradingNode(venue, "bench", instruments, bases, DAY, limits=limits)
    node.add_strategy("tick_exits", strategy, CASH)
    orders = node.strategies["tick_exits"].orders
    rig = Rig(exchange, venue, node, orders, list(instruments), start)
    submit = venue.submit

    async def timed_submit(request: OrderRequest) -> OrderUpdate:
        called = time.perf_counter_ns()
        update = await submit(request)
        returned = time.perf_counter_ns()
        rig.submitted[request.client_order_id] = (called, returned, exchange.now_ns())
        return update

    venue.submit = timed_submit  # type: ignore[method-assign,assignment]
    return rig


def prices_of(second: int) -> Callable[[int, int], int]:
    """The price rule of one simulated second (module docstring): (symbol index, n) -> KRW."""
    minute, in_minute = divmod(second, 60)
    spiking = minute >= 2 and minute % 2 == 0

    def price(k: int, n: int) -> int:
        if spiking and in_minute >= 3 + k % 55:
            return UP if k % 2 == 0 else DOWN
        return JITTER[n % 3]

    return price


def ticks_of(second: int, rate: int, symbols: list[str], rng: np.random.Generator) -> list[Tick]:
    """The ticks of one simulated second, evenly spaced in time, on random symbols (built
    before timing: turning a feed message into a `Tick` is the venue adapter's work)."""
    start = kst_ns(DAY, wall_time(10, 0)) + second * NS
    step = NS // rate
    chosen = rng.integers(0, len(symbols), rate).tolist()
    price = prices_of(second)
    return [
        Tick(symbol=symbols[k], ts_ns=start + n * step + 7, price=price(k, n), qty=1 + n % 9)
        for n, k in enumerate(chosen)
    ]


@dataclass
class Measures:
    tick_ns: list[int] = field(default_factory=list)
    """`handle` time of each tick that queued no order, ns."""
    order_start: dict[str, tuple[int, int]] = field(default_factory=dict)
    """client order id -> (wall ns at the start of its tick's handling, the tick's ts ns)."""
    clock_ns: list[int] = field(default_factory=list)
    """Each once-a-second block (exchange advanced, loop let run, `on_clock`), ns."""
    busy_ns: int = 0
    cpu_s: float = 0.0
    gc_ns: dict[int, list[int]] = field(default_factory=lambda: {0: [], 1: [], 2: []})
    """Pauses of the cyclic garbage collector by generation, ns."""
    baseline_ns: float = 0.0
    """The same tick loop around an empty handler, ns per tick: the floor of the loop."""


async def drive(rig: Rig, seconds: int, rate: int, *, send_on_tick: bool) -> Measures:
    """Feed `seconds` simulated seconds of ticks at `rate`; the timings (module docstring)."""
    node, exchange = rig.node, rig.exchange
    handle, now = node.handle, time.perf_counter_ns
    await node.start()
    rng = np.random.default_rng(0)
    out = Measures()
    out.baseline_ns = await baseline(ticks_of(0, rate, rig.symbols, np.random.default_rng(1)))
    tick_ns, order_start = out.tick_ns, out.order_start
    submitted = rig.submitted
    gc_began = [0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_began[0] = now()
        else:
            out.gc_ns[info["generation"]].append(now() - gc_began[0])

    gc.callbacks.append(on_gc)
    cpu = time.process_time()
    for second in range(seconds):
        ticks = ticks_of(second, rate, rig.symbols, rng)
        began = now()
        for tick in ticks:
            sent = len(submitted)
            start = now()
            await handle(tick)  # the node sends a tick-triggered order itself, at once
            if len(submitted) > sent:
                order_start[next(reversed(submitted))] = (start, tick.ts_ns)
            else:
                tick_ns.append(now() - start)
        tick_end = rig.start_ns + (second + 1) * NS
        clock_began = now()
        exchange.advance_to(tick_end)
        await asyncio.sleep(0)  # the node's consumer takes the venue's answers
        await node.on_clock(tick_end)
        ended = now()
        out.clock_ns.append(ended - clock_began)
        out.busy_ns += ended - began
    out.cpu_s = time.process_time() - cpu
    gc.callbacks.remove(on_gc)
    await node.stop()
    return out


async def baseline(ticks: list[Tick]) -> float:
    """ns per tick of `drive`'s loop around an empty handler (same clock reads and checks)."""
    queue: list[str] = []
    spent: list[int] = []
    now = time.perf_counter_ns

    async def nothing(tick: Tick) -> None:
        return None

    began = now()
    for tick in ticks:
        queued = len(queue)
        start = now()
        await nothing(tick)
        if len(queue) > queued:
            raise AssertionError("an empty handler queued an order")
        spent.append(now() - start)
    return (now() - began) / len(ticks)


def percentiles(values_ns: list[int], scale: int = 1_000) -> dict[str, float]:
    """n, mean, p50, p99, max of `values_ns` divided by `scale` (µs by default)."""
    if not values_ns:
        return {"n": 0, "mean": 0.0, "p50": 0.0, "p99": 0.0, "max": 0.0}
    a = np.asarray(values_ns, dtype=np.float64) / scale
    p50, p99 = np.percentile(a, [50, 99])
    figures = {"mean": a.mean(), "p50": p50, "p99": p99, "max": a.max()}
    return {"n": len(a), **{k: round(float(v), 2) for k, v in figures.items()}}


def summarize(rig: Rig, m: Measures, ticks: int, *, send_on_tick: bool) -> dict[str, Any]:
    latency, decide, venue, delay = [], [], [], []
    for coid, (start, ts) in m.order_start.items():
        sent = rig.submitted.get(coid)
        if sent is not None:
            called, returned, sim_ns = sent
            latency.append(returned - start)
            decide.append(called - start)
            venue.append(returned - called)
            delay.append(sim_ns - ts)
    stats = rig.node.stats
    result: dict[str, Any] = {
        "tick_orders": len(m.order_start),
        "tick_orders_sent": len(latency),
        "orders": stats.orders,
        "fills": stats.fills,
        "risk_rejects": stats.risk_rejects,
        "venue_rejects": stats.venue_rejects,
        "errors": len(stats.errors),
        "tick_to_order_us": percentiles(latency),
        "tick_to_submit_call_us": percentiles(decide),
        "venue_submit_us": percentiles(venue),
        "no_order_tick_us": percentiles(m.tick_ns),
        "baseline_tick_us": round(m.baseline_ns / 1_000, 3),
        "on_clock_ms": percentiles(m.clock_ns, 1_000_000),
        "gc_pauses_ms": {f"gen{g}": percentiles(p, 1_000_000) for g, p in m.gc_ns.items()},
        "sustained_ticks_per_s": round(ticks / (m.busy_ns / NS)),
        "cpu_ticks_per_s": round(ticks / m.cpu_s),
    }
    result["goal_met"] = bool(latency) and result["tick_to_order_us"]["p99"] <= GOAL_P99_US
    if not send_on_tick:  # sent by the next on_clock that feeds a minute: the wait
        result["sim_delay_ms"] = percentiles(delay, 1_000_000)
    return result


def run(symbols: int, rate: int, seconds: int, scenario: str) -> dict[str, Any]:
    send_on_tick, limits, strategy = SCENARIOS[scenario]
    rig = build(symbols, limits(), strategy())
    measures = asyncio.run(drive(rig, seconds, rate, send_on_tick=send_on_tick))
    return summarize(rig, measures, seconds * rate, send_on_tick=send_on_tick)


def profile(symbols: int, rate: int, seconds: int) -> None:
    """cProfile the headline scenario's drive (the rig is built outside the profile)."""
    rig = build(symbols, every_limit(), program())
    profiler = cProfile.Profile()
    profiler.runcall(lambda: asyncio.run(drive(rig, seconds, rate, send_on_tick=True)))
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbols", type=int, default=1_800)
    parser.add_argument("--rate", type=int, default=20_000, help="ticks per simulated second")
    parser.add_argument("--minutes", type=int, default=5, help="simulated minutes per scenario")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--profile", action="store_true", help="cProfile the headline instead")
    args = parser.parse_args()
    seconds = args.minutes * 60
    if args.profile:
        profile(args.symbols, args.rate, seconds)
        return
    scenarios = {name: run(args.symbols, args.rate, seconds, name)
                 for name in args.scenario or SCENARIOS}  # fmt: skip
    result = {
        "benchmark": "tick_to_order",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "symbols": args.symbols,
        "ticks_per_s": args.rate,
        "sim_seconds": seconds,
        "ticks": seconds * args.rate,
        "scenarios": scenarios,
        "goal_p99_us": GOAL_P99_US,
        "goal_met": next(iter(scenarios.values()))["goal_met"],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
