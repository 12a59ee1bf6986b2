"""Operations per second of one simulated-exchange order book under a realistic order flow.

    .venv/bin/python bench/sim_book.py [--ops N] [--repeat R] [--json] [--profile]

The flow (fixed seed, built before timing) is one symbol quoted around 70,000 KRW (tick 100):

* ~60% passive adds: a limit order 1-10 ticks behind the opposite best (more often near the
  top), sizes from 1 to 100 shares
* ~30% cancels of a random resting order
* ~10% crossing orders: priced up to 2 ticks through the opposite best for 10-150 shares; they
  sweep the book at the resting prices, and their remainder rests as a limit order would

With these proportions the book settles at about a thousand resting orders over some 25
levels, a few dozen orders deep near the top: cancels pay for the queue scans they would pay
at a busy symbol.

The flow is built by driving a scratch book, so every cancel hits a resting order; the timed
run replays it on fresh orders and must end with the same book. One operation is one `add`,
one `remove`, or one `match` (plus the `add` of its remainder); a crossing order's executions
are counted but not as operations. Scenarios, interleaved within each round:

* ``book``          the flow as described: the headline figure
* ``book, gc off``  the same with the cyclic garbage collector off (its share)
* ``baseline``      the replay loop with empty calls: the floor of the loop itself

Figures are operations per second (wall clock and process CPU time), best of R runs; the goal
is 1,000,000 so that the book stays a small part of the exchange's 200,000 events a second.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from jts.core import Side
from jts.venues.sim.book import OrderBook
from jts.venues.sim.orders import Execution, WorkingOrder
from machine_info import machine

GOAL_OPS = 1_000_000
SYMBOL = "005930"
MID, TICK = 70_000, 100
LO, HI = 49_000, 91_000  # daily limits around the mid: the band never stops the flow here
ADD, CANCEL, CROSS = 0, 1, 2
SIZES = (1, 1, 2, 5, 10, 10, 20, 30, 50, 100)
STEPS = (1, 1, 1, 2, 2, 3, 4, 5, 7, 10)  # ticks behind the opposite best, near the top often

Spec = tuple[bool, int, int]  # is_buy, qty (shares), price (KRW)
Flow = tuple[list[Spec], list[tuple[int, int]], int]  # specs, (kind, spec index), final size


def _passive(rng: random.Random, book: OrderBook) -> Spec:
    is_buy = rng.random() < 0.5
    steps = rng.choice(STEPS)
    if is_buy:
        ask = book.best_ask() or max(book.best_bid(), MID) + TICK
        price = max(LO, ask - steps * TICK)
    else:
        bid = book.best_bid() or min(book.best_ask() or MID, MID) - TICK
        price = min(HI, bid + steps * TICK)
    return is_buy, rng.choice(SIZES), price


def _crossing(rng: random.Random, book: OrderBook) -> Spec | None:
    is_buy = rng.random() < 0.5
    best = book.best_ask() if is_buy else book.best_bid()
    if not best:
        return None
    through = rng.randint(0, 2) * TICK
    price = min(HI, best + through) if is_buy else max(LO, best - through)
    return is_buy, rng.randint(10, 150), price


def make_flow(count: int, seed: int = 1) -> Flow:
    """The operations, built by running them once on a scratch book (see the docstring)."""
    rng = random.Random(seed)
    book = OrderBook(SYMBOL)
    specs: list[Spec] = []
    ops: list[tuple[int, int]] = []
    live: list[WorkingOrder] = []  # resting orders; order_id is the spec index
    where: dict[int, int] = {}  # spec index -> position in `live`
    out: list[Execution] = []

    def forget(order: WorkingOrder) -> None:
        slot, last = where.pop(int(order.order_id)), live.pop()
        if last is not order:
            live[slot] = last
            where[int(last.order_id)] = slot

    def rest(order: WorkingOrder) -> None:
        book.add(order)
        where[int(order.order_id)] = len(live)
        live.append(order)

    while len(ops) < count:
        draw = rng.random()
        if 0.6 <= draw < 0.9 and live:
            target = live[rng.randrange(len(live))]
            book.remove(target)
            forget(target)
            ops.append((CANCEL, int(target.order_id)))
            continue
        spec = _crossing(rng, book) if draw >= 0.9 else None
        kind = CROSS if spec is not None else ADD
        spec = spec or _passive(rng, book)
        order = _order(len(specs), spec)
        specs.append(spec)
        ops.append((kind, len(specs) - 1))
        if kind == CROSS:
            out.clear()
            book.match(order, LO, HI, out)
            for execution in out:
                if not execution.resting.leaves:
                    forget(execution.resting)
        if order.leaves:
            rest(order)
    return specs, ops, len(book)


def _order(index: int, spec: Spec) -> WorkingOrder:
    is_buy, qty, price = spec
    return WorkingOrder(str(index), SYMBOL, Side.BUY if is_buy else Side.SELL, qty, price)


Replay = Callable[[Sequence[tuple[int, WorkingOrder]], OrderBook], int]


def replay(ops: Sequence[tuple[int, WorkingOrder]], book: OrderBook) -> int:
    """Run the flow on `book`; returns the number of executions."""
    add, remove, match = book.add, book.remove, book.match
    out: list[Execution] = []
    executions = 0
    for kind, order in ops:
        if kind == ADD:
            add(order)
        elif kind == CANCEL:
            remove(order)
        else:
            match(order, LO, HI, out)
            if order.leaves:
                add(order)
            executions += len(out)
            out.clear()
    return executions


def replay_baseline(ops: Sequence[tuple[int, WorkingOrder]], book: OrderBook) -> int:
    """The same loop and branches with calls that do nothing."""

    def nothing(*args: object) -> bool:
        return False

    add = remove = match = nothing
    out: list[Execution] = []
    for kind, order in ops:
        if kind == ADD:
            add(order)
        elif kind == CANCEL:
            remove(order)
        else:
            match(order, LO, HI, out)
            if order.leaves:
                add(order)
            out.clear()
    return 0


def run(flow: Flow, runner: Replay, gc_off: bool = False) -> tuple[float, float, int]:
    """(wall s, CPU s, executions) of one replay on fresh orders and a fresh book."""
    specs, ops, final = flow
    orders = [_order(index, spec) for index, spec in enumerate(specs)]
    bound = [(kind, orders[index]) for kind, index in ops]
    book = OrderBook(SYMBOL)
    gc.collect()
    if gc_off:
        gc.disable()
    try:
        start, start_cpu = time.perf_counter(), time.process_time()
        executions = runner(bound, book)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    finally:
        gc.enable()
    if runner is replay and len(book) != final:
        raise AssertionError(f"replay ended with {len(book)} resting orders, expected {final}")
    return elapsed, cpu, executions


SCENARIOS: tuple[tuple[str, Replay, bool], ...] = (
    ("book", replay, False),
    ("book, gc off", replay, True),
    ("baseline", replay_baseline, False),
)


def measure(flow: Flow, repeat: int) -> tuple[dict[str, tuple[float, float]], int]:
    """Best (wall, CPU) operations per second of each scenario, and the executions per run."""
    count = len(flow[1])
    best: dict[str, tuple[float, float]] = {}
    executions = 0
    for _ in range(repeat):
        for name, runner, gc_off in SCENARIOS:
            wall, cpu, fills = run(flow, runner, gc_off)
            executions = max(executions, fills)
            old = best.get(name, (0.0, 0.0))
            best[name] = (max(old[0], count / wall), max(old[1], count / cpu))
    return best, executions


def describe(flow: Flow) -> dict[str, int]:
    """How many of each operation, and the book's mean size (orders, levels) along the flow."""
    specs, ops, _ = flow
    orders = [_order(index, spec) for index, spec in enumerate(specs)]
    bound = [(kind, orders[index]) for kind, index in ops]
    book = OrderBook(SYMBOL)
    resting = levels = samples = 0
    for start in range(0, len(bound), 1_000):
        replay(bound[start : start + 1_000], book)
        bids, asks = book.depth(10_000)
        resting, levels, samples = resting + len(book), levels + len(bids) + len(asks), samples + 1
    kinds = [kind for kind, _ in ops]
    return {
        "adds": kinds.count(ADD),
        "cancels": kinds.count(CANCEL),
        "crossing": kinds.count(CROSS),
        "mean_resting": resting // max(samples, 1),
        "mean_levels": levels // max(samples, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ops", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the result as indented JSON")
    parser.add_argument("--profile", action="store_true", help="cProfile one run instead")
    args = parser.parse_args()
    flow = make_flow(args.ops)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(run, flow, replay)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        return
    best, executions = measure(flow, args.repeat)
    wall, cpu = best["book"]
    result: dict[str, Any] = {
        "bench": "sim_book",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "ops": args.ops,
        "flow": describe(flow) | {"executions": executions},
        "ops_per_second": {name: round(w) for name, (w, _) in best.items()},
        "cpu_ops_per_second": {name: round(c) for name, (_, c) in best.items()},
        "goal_ops_per_second": GOAL_OPS,
        "goal_met": wall >= GOAL_OPS,
        "goal_met_cpu": cpu >= GOAL_OPS,
    }
    print(json.dumps(result, indent=2 if args.json else None))


if __name__ == "__main__":
    main()
