"""Throughput of the in-process bus, next to the raw-call ceiling measured in the same run.

    .venv/bin/python bench/bus_inproc.py [--events N] [--repeat R] [--json] [--profile]

Scenarios (each the best of R runs, events pre-built so that only delivery is timed):

* ``baseline``      a bare loop calling one handler directly: the ceiling on this machine
* ``sync x1/x8``    `publish` with 1 or 8 SYNC subscribers (events/s published)
* ``block x1``      `await publish_wait` to one BLOCK subscriber (capacity 1024), until drained
* ``conflate x1``   `publish` of quotes over 2,000 symbols to one CONFLATE subscriber, yielding
                    to the loop every 1,000 events as a feed reader would; until drained

The goal set for the bus is 1,000,000 events/s with one SYNC subscriber. `--profile` prints
where the time of that scenario goes (cProfile).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import platform
import pstats
import time
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any

import msgspec

from jts.bus import InProcBus, Policy

GOAL_EVENTS_PER_S = 1_000_000
SYMBOLS = tuple(f"{n:06d}" for n in range(2_000))


class Tick(msgspec.Struct, frozen=True):
    symbol: str
    price: int  # KRW
    qty: int  # shares
    ts_ns: int


class Counter:
    """The handler of every scenario: as little work as a real handler could do."""

    def __init__(self) -> None:
        self.n = 0

    def on_event(self, event: object) -> None:
        self.n += 1


def make_events(count: int) -> tuple[list[Tick], list[str]]:
    pool = [Tick(s, 70_000 + n, 10, n) for n, s in enumerate(SYMBOLS * 5)]
    events = [pool[n % len(pool)] for n in range(count)]
    return events, [e.symbol for e in events]


def run_baseline(events: Sequence[Tick], keys: Sequence[str]) -> float:
    handler = Counter().on_event
    start = time.perf_counter()
    for event, _key in zip(events, keys, strict=True):
        handler(event)
    return time.perf_counter() - start


async def run_sync(events: Sequence[Tick], keys: Sequence[str], subscribers: int) -> float:
    bus = InProcBus()
    counters = [Counter() for _ in range(subscribers)]
    for counter in counters:
        bus.subscribe("md.tick", counter.on_event)
    await bus.start()
    publish = bus.publish
    start = time.perf_counter()
    for event, key in zip(events, keys, strict=True):
        publish("md.tick", event, key)
    elapsed = time.perf_counter() - start
    await bus.stop()
    assert all(c.n == len(events) for c in counters)
    return elapsed


async def run_block(events: Sequence[Tick], keys: Sequence[str]) -> float:
    bus = InProcBus(drain_timeout_s=60)
    counter = Counter()
    bus.subscribe("oms.fill", counter.on_event, policy=Policy.BLOCK, capacity=1_024)
    await bus.start()
    publish_wait = bus.publish_wait
    start = time.perf_counter()
    for event, key in zip(events, keys, strict=True):
        await publish_wait("oms.fill", event, key)
    await bus.stop()  # drains
    elapsed = time.perf_counter() - start
    assert counter.n == len(events), (counter.n, len(events))
    return elapsed


async def run_conflate(events: Sequence[Tick], keys: Sequence[str]) -> float:
    bus = InProcBus(drain_timeout_s=60)
    counter = Counter()
    bus.subscribe("md.quote", counter.on_event, policy=Policy.CONFLATE)
    await bus.start()
    publish = bus.publish
    start = time.perf_counter()
    for n, (event, key) in enumerate(zip(events, keys, strict=True)):
        publish("md.quote", event, key)
        if n % 1_000 == 999:
            await asyncio.sleep(0)
    await bus.stop()
    elapsed = time.perf_counter() - start
    stats = bus.stats()
    assert stats.delivered + stats.conflated == len(events)
    return elapsed


def best_of(repeat: int, run: Callable[[], float]) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        times.append(run())
    return min(times)


def measure(count: int, repeat: int) -> dict[str, float]:
    """Seconds per scenario (best of `repeat`)."""
    events, keys = make_events(count)

    def on_loop(make: Callable[[], Coroutine[Any, Any, float]]) -> Callable[[], float]:
        return lambda: asyncio.run(make())

    return {
        "baseline": best_of(repeat, lambda: run_baseline(events, keys)),
        "sync x1": best_of(repeat, on_loop(lambda: run_sync(events, keys, 1))),
        "sync x8": best_of(repeat, on_loop(lambda: run_sync(events, keys, 8))),
        "block x1": best_of(repeat, on_loop(lambda: run_block(events, keys))),
        "conflate x1": best_of(repeat, on_loop(lambda: run_conflate(events, keys))),
    }


def machine() -> dict[str, str | int]:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(ln.split(":", 1)[1].strip() for ln in cpuinfo if "model name" in ln)
    except (OSError, StopIteration):
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count() or 0,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def report(count: int, seconds: dict[str, float]) -> dict[str, Any]:
    baseline = count / seconds["baseline"]
    rows = {
        name: {
            "events_per_s": round(count / s),
            "ratio_to_baseline": round(count / s / baseline, 3),
        }
        for name, s in seconds.items()
    }
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "events": count,
        "results": rows,
        "goal_events_per_s": GOAL_EVENTS_PER_S,
        "goal_met": rows["sync x1"]["events_per_s"] >= GOAL_EVENTS_PER_S,
    }


def print_table(result: dict[str, Any]) -> None:
    cpu = result["machine"]
    print(
        f"{result['events']:,} events; {cpu['cpu']}, {cpu['cores']} cores, Python {cpu['python']}"
    )
    print(f"{'scenario':<14}{'events/s':>14}{'x baseline':>12}")
    for name, row in result["results"].items():
        print(f"{name:<14}{row['events_per_s']:>14,}{row['ratio_to_baseline']:>12.3f}")
    verdict = "met" if result["goal_met"] else "NOT met"
    print(f"goal {GOAL_EVENTS_PER_S:,} events/s with one SYNC subscriber: {verdict}")


def profile(count: int) -> None:
    events, keys = make_events(count)
    profiler = cProfile.Profile()
    profiler.enable()
    asyncio.run(run_sync(events, keys, 1))
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events per scenario")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario; best is kept")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--profile", action="store_true", help="cProfile the sync x1 scenario")
    args = parser.parse_args()
    if args.profile:
        profile(args.events)
        return
    result = report(args.events, measure(args.events, args.repeat))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
