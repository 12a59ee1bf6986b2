"""Order events per second through the whole simulated exchange (issue goal: >= 200,000).

    .venv/bin/python bench/sim_exchange.py [--events N] [--symbols S] [--repeat R] [--json]
                                           [--profile]

One event is one `SimExchange.submit` or `SimExchange.cancel`: order checks (session, order
type, lot, tick, limits), the symbol's matching with the volatility band, the acknowledgement
`OrderUpdate`, fills and trade prints. The flow (fixed seed, built before timing) spreads over
`S` symbols quoted around 50,000 KRW (tick 100) during continuous trading:

* ~60% passive limit orders 1-8 ticks behind the opposite best
* ~30% cancels of a random resting order
* ~10% marketable limit orders up to 2 ticks through the best (IOC one time in three)

Prices stay within 2% of the base, so no volatility interruption stops the flow. Scenarios,
interleaved within each round:

* ``exchange, listener``  a listener receives every event (OrderUpdate, Fill, Tick, BookUpdate
                          conflated per second): what a paper-trading session pays
* ``exchange``            no listener: events are still built for the caller's answers
* ``baseline``            the replay loop with empty calls: the floor of the loop itself

Figures are events per second (wall clock and process CPU), best of R runs.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from datetime import time as clock_time
from typing import Any

from jts.core.clock import SimulatedClock, kst_ns
from jts.core.enums import Market, Side, TimeInForce
from jts.core.models import Instrument, OrderRequest
from jts.venues.sim.exchange import SimConfig, SimExchange

GOAL = 200_000
DAY = date(2026, 11, 30)
BASE = 50_000
TICK = 100

Step = tuple[int, Any]  # (0, OrderRequest) submit, (1, index of an earlier submit) cancel


def build_flow(events: int, symbols: list[str], seed: int = 7) -> list[Step]:
    """The order flow, with cancels naming the submit (by position) they cancel."""
    rng = random.Random(seed)
    resting: dict[str, list[int]] = {s: [] for s in symbols}
    flow: list[Step] = []
    submits = 0
    for n in range(events):
        symbol = symbols[rng.randrange(len(symbols))]
        roll = rng.random()
        if roll < 0.3 and resting[symbol]:
            queue = resting[symbol]
            flow.append((1, queue.pop(rng.randrange(len(queue)))))
            continue
        side = Side.BUY if rng.random() < 0.5 else Side.SELL
        sign = 1 if side is Side.BUY else -1
        if roll > 0.9:
            price = BASE + sign * TICK * rng.randint(1, 3)
            tif = TimeInForce.IOC if rng.random() < 0.33 else TimeInForce.DAY
        else:
            price = BASE - sign * TICK * rng.randint(1, 8)
            tif = TimeInForce.DAY
            resting[symbol].append(submits)
        request = OrderRequest(client_order_id=f"b{n}", account="bench", symbol=symbol,
                               side=side, qty=rng.randint(1, 50), price=price, tif=tif)  # fmt: skip
        flow.append((0, request))
        submits += 1
    return flow


def exchange(symbols: list[str], *, listener: bool) -> SimExchange:
    instruments = [Instrument(symbol=s, name=s, market=Market.KOSPI) for s in symbols]
    clock = SimulatedClock(kst_ns(DAY, clock_time(10, 0)))
    venue = SimExchange(instruments, DAY, base_prices=dict.fromkeys(symbols, BASE), clock=clock,
                        config=SimConfig(book_interval_ms=1_000))  # fmt: skip
    if listener:
        seen: list[int] = [0]

        def count(_event: object) -> None:
            seen[0] += 1

        venue.add_listener(count)
    return venue


def replay(flow: list[Step], venue: SimExchange | None) -> int:
    """Run the flow; returns the number of events. `venue` None = empty calls (baseline)."""
    ids: list[str] = []
    if venue is None:
        noop: Callable[..., object] = lambda *_: None  # noqa: E731
        submit = cancel = noop
        for kind, payload in flow:
            if kind == 0:
                submit(payload)
                ids.append("")
            else:
                cancel(ids[payload])
        return len(flow)
    submit_order, cancel_order = venue.submit, venue.cancel
    for kind, payload in flow:
        if kind == 0:
            ids.append(submit_order(payload).venue_order_id)
        else:
            cancel_order(ids[payload])
    return len(flow)


def timed(flow: list[Step], symbols: list[str], scenario: str) -> tuple[float, float]:
    venue = None if scenario == "baseline" else exchange(symbols, listener="listener" in scenario)
    wall, cpu = time.perf_counter(), time.process_time()
    replay(flow, venue)
    return time.perf_counter() - wall, time.process_time() - cpu


SCENARIOS = ("exchange, listener", "exchange", "baseline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--symbols", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    symbols = [f"{100_000 + n:06d}" for n in range(args.symbols)]
    flow = build_flow(args.events, symbols)
    if args.profile:
        venue = exchange(symbols, listener=True)
        profile = cProfile.Profile()
        profile.runcall(replay, flow, venue)
        pstats.Stats(profile).sort_stats("tottime").print_stats(20)
        return
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        for scenario in SCENARIOS:
            wall, cpu = timed(flow, symbols, scenario)
            old = best.get(scenario, (float("inf"), float("inf")))
            best[scenario] = (min(old[0], wall), min(old[1], cpu))
    rates = {s: {"events_per_s": round(len(flow) / w), "cpu_events_per_s": round(len(flow) / c)}
             for s, (w, c) in best.items()}  # fmt: skip
    result = {
        "benchmark": "sim_exchange",
        "events": len(flow),
        "symbols": args.symbols,
        "goal_events_per_s": GOAL,
        "scenarios": rates,
        "machine": f"{platform.machine()} {os.cpu_count()} CPU, Python {platform.python_version()}",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if args.json:
        print(json.dumps(result))
        return
    for scenario, rate in rates.items():
        wall, cpu = rate["events_per_s"], rate["cpu_events_per_s"]
        print(f"{scenario:<20} {wall:>12,} events/s  (cpu {cpu:,})")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
