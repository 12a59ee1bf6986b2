"""Cost of one order's trip through risk and the order manager, as the backtester drives it.

    .venv/bin/python bench/oms_risk.py [--orders N] [--repeat R] [--json] [--profile]

One cycle = `RiskEngine.check` + `OrderManager.submit` + `on_accepted` + `on_fill` (which also
books the fill in the `PositionBook`). Scenarios, interleaved within each round:

* ``every limit``          every limit set, so every check runs: the headline figure
* ``every limit, gc off``  the same with the cyclic garbage collector off (its share)
* ``default limits``       `RiskLimits()`: only the always-on checks
* ``oms only``             no risk check
* ``baseline``             the bare loop with four empty calls: the floor of any Python
                           implementation, and the figure to compare machines by

Requests and fills are built before timing (the strategy's and the simulated venue's work).
Orders rotate over 100 symbols, buying and then selling 10 shares so positions stay bounded;
the risk context answers from the manager, the book and two dicts, as a backtest's would.
Figures are µs per cycle, wall clock and CPU time of the process (which a busy shared machine
disturbs less), best of R runs; the goal is 5 µs.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from jts.core import Fill, Order, OrderRequest, Side
from jts.krx.ticks import STOCK_TICKS, tick_of
from jts.oms import OrderManager, PositionBook
from jts.risk import RiskEngine, RiskLimits
from machine_info import machine

GOAL_US = 5.0
ACCOUNT = "bench"
SYMBOLS = tuple(f"{n:06d}" for n in range(100))
CASH = 10_000_000_000


class Context:
    """A `RiskContext` made of lookups, like the one the backtester will build.

    Questions that are plain lookups are answered by bound methods of the book, the manager
    and dicts stored as attributes (a callable attribute satisfies the protocol): one Python
    call per question instead of two.
    """

    __slots__ = ("book", "last_price", "open_orders", "position", "price_limits")

    def __init__(self, manager: OrderManager, last: dict[str, int]) -> None:
        self.book = manager.positions
        limits = {symbol: (price * 7 // 10, price * 13 // 10) for symbol, price in last.items()}
        self.position: Callable[[str], int] = self.book.qty
        self.open_orders: Callable[[str], Sequence[Order]] = manager.open_orders
        self.last_price: Callable[[str], int | None] = last.get
        self.price_limits: Callable[[str], tuple[int, int] | None] = limits.get

    def available_cash(self) -> int:
        return CASH + self.book.cash_flow

    def tick_valid(self, symbol: str, price: int) -> bool:
        return price > 0 and price % tick_of(STOCK_TICKS, price) == 0

    def gross_exposure(self) -> int:
        return self.book.gross_cost

    def daily_pnl(self) -> int:
        return self.book.realized

    def session_open(self, symbol: str) -> bool:
        return True


def limits() -> RiskLimits:
    return RiskLimits(
        max_order_qty=10_000,
        max_order_value=1_000_000_000,
        max_position_qty=1_000_000,
        max_gross_exposure=100_000_000_000,
        fat_finger_pct=10.0,
        max_orders_per_second=1_000_000,
        max_orders_per_minute=10_000_000,
        daily_loss_limit=1_000_000_000,
    )


def make_orders(count: int, run: int) -> tuple[list[OrderRequest], list[Fill]]:
    requests, fills = [], []
    for n in range(count):
        symbol = SYMBOLS[n % len(SYMBOLS)]
        side = Side.BUY if (n // len(SYMBOLS)) % 2 == 0 else Side.SELL
        price = 70_000 + 100 * (n % 7)
        coid = f"r{run}-{n}"
        ts = n * 1_000_000
        requests.append(
            OrderRequest(
                client_order_id=coid,
                account=ACCOUNT,
                symbol=symbol,
                side=side,
                qty=10,
                price=price,
                ts_ns=ts,
            )
        )
        fills.append(
            Fill(
                fill_id=f"f{run}-{n}",
                client_order_id=coid,
                account=ACCOUNT,
                symbol=symbol,
                side=side,
                qty=10,
                price=price,
                ts_ns=ts + 500,
                commission=10,
                tax=0 if side is Side.BUY else 1_400,
            )
        )
    return requests, fills


def run_cycles(
    requests: Sequence[OrderRequest], fills: Sequence[Fill], risk: RiskLimits | None
) -> tuple[float, float]:
    """One cycle per order; `risk=None` leaves the risk check out (the OMS alone)."""
    manager = OrderManager(ACCOUNT, positions=PositionBook(ACCOUNT))
    ctx = Context(manager, dict.fromkeys(SYMBOLS, 70_300))
    check = RiskEngine(risk).check if risk is not None else None
    submit, on_accepted, on_fill = manager.submit, manager.on_accepted, manager.on_fill
    start, start_cpu = time.perf_counter(), time.process_time()
    for request, fill in zip(requests, fills, strict=True):
        if check is not None and check(request, ctx) is not None:
            raise AssertionError(check(request, ctx))
        coid = request.client_order_id
        submit(request)
        on_accepted(coid, coid, request.ts_ns)
        on_fill(fill)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    assert not manager.open_orders()
    assert len(manager) == len(requests)
    return elapsed, cpu


def run_cycles_gc_off(
    requests: Sequence[OrderRequest], fills: Sequence[Fill], risk: RiskLimits | None
) -> tuple[float, float]:
    """`run_cycles` with the cyclic garbage collector off: how much of a cycle is GC."""
    gc.disable()
    try:
        return run_cycles(requests, fills, risk)
    finally:
        gc.enable()


def run_baseline(
    requests: Sequence[OrderRequest], fills: Sequence[Fill], risk: RiskLimits | None
) -> tuple[float, float]:
    """The same loop with four empty calls: the ceiling of any Python implementation."""

    def nothing(*args: object) -> None:
        return None

    start, start_cpu = time.perf_counter(), time.process_time()
    for request, fill in zip(requests, fills, strict=True):
        nothing(request, None)
        nothing(request)
        nothing(request.client_order_id, request.client_order_id, request.ts_ns)
        nothing(fill)
    return time.perf_counter() - start, time.process_time() - start_cpu


Scenario = tuple[str, Callable[..., tuple[float, float]], RiskLimits | None]
SCENARIOS: tuple[Scenario, ...] = (
    ("every limit", run_cycles, limits()),
    ("every limit, gc off", run_cycles_gc_off, limits()),
    ("default limits", run_cycles, RiskLimits()),
    ("oms only", run_cycles, None),
    ("baseline", run_baseline, None),
)
"""See the module docstring. `every limit, gc off` shows what the collector costs: every
retained Order, OrderRequest and Fill is GC-tracked, so full collections grow with the run."""


def measure(repeat: int, count: int) -> dict[str, tuple[float, float]]:
    """Best (wall, CPU) µs per order of each scenario; scenarios interleave within a round so
    that a noisy neighbour disturbs them alike."""
    best: dict[str, tuple[float, float]] = {}
    for run in range(repeat):
        for name, runner, risk in SCENARIOS:
            requests, fills = make_orders(count, run)
            gc.collect()
            wall, cpu = (s * 1e6 / count for s in runner(requests, fills, risk))
            old = best.get(name, (wall, cpu))
            best[name] = (min(old[0], wall), min(old[1], cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--profile", action="store_true", help="cProfile one run instead")
    args = parser.parse_args()
    if args.profile:
        requests, fills = make_orders(args.orders, 0)
        profiler = cProfile.Profile()
        profiler.runcall(run_cycles, requests, fills, limits())
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
        return
    best = measure(args.repeat, args.orders)
    headline_wall, headline_cpu = best["every limit"]
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "orders": args.orders,
        "us_per_order": {name: round(wall, 3) for name, (wall, _) in best.items()},
        "cpu_us_per_order": {name: round(cpu, 3) for name, (_, cpu) in best.items()},
        "goal_us": GOAL_US,
        "goal_met": headline_wall <= GOAL_US,
        "goal_met_cpu": headline_cpu <= GOAL_US,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    cpu = result["machine"]
    print(f"{args.orders:,} orders; {cpu['cpu']}, {cpu['cores']} cores, Python {cpu['python']}")
    print(f"{'µs per order':<22}{'wall':>8}{'CPU':>8}")
    for name, (wall, cpu_us) in best.items():
        print(f"{name:<22}{wall:>8.2f}{cpu_us:>8.2f}")
    verdict = "met" if result["goal_met"] else "NOT met"
    print(f"goal {GOAL_US} µs per check + submit + accept + fill (every limit): {verdict}")


if __name__ == "__main__":
    main()
