"""Durable order flow: risk → order manager → journal → store, with each order on disk before
it is sent and each fill on disk before it is acknowledged.

    .venv/bin/python bench/oms_durable.py [--orders N] [--repeat R] [--dir PATH] [--pg URL]
                                          [--no-pg] [--json] [--profile]

One round trip = `RiskEngine.check` + `OrderManager.submit` (the journal records the order) +
`flush` (persist before send) + `on_accepted` (the venue's ack) + `on_fill` (the journal records
fill and order) + `flush` (persist before the fill is acknowledged). Group commit: N orders are
checked and submitted, one flush; then their acks and fills, one flush — so a flush commits N
orders (or N fills) at once. Scenarios:

* ``memory``            `MemoryStore` (what backtests use), N = 1: flush is free
* ``no journal``        the same loop without a journal: what journaling adds in memory
* ``sqlite N=…``        `SqlOrderStore` on SQLite, WAL, synchronous=FULL (fsync per commit)
* ``postgresql N=…``    the same on the local PostgreSQL server (a database made for the run,
                        dropped after; synchronous_commit as the server has it)

Latency of one durable order: check + submit + flush at N=1, µs, p50 and p99 (per order).
The SQLite file lives in `--dir` (default: a new temporary directory; it should be on the
disk the data would live on — tmpfs makes fsync free and the figure meaningless).
Requests and fills are built before timing. Orders rotate over 128 symbols in blocks of 256
buys then 256 sells of 10 shares, so a batch never sells what it has not yet bought.
Goals (issue 8): ≥ 200,000 round trips/s in memory; ≥ 20,000/s durable on SQLite.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine

from jts.core import Fill, OrderRequest, Side
from jts.oms import Journal, MemoryStore, OrderManager, OrderStore, PositionBook
from jts.risk import RiskEngine
from jts.storage import SqlOrderStore, open_database
from oms_risk import Context, limits, machine

ACCOUNT = "bench"
SYMBOLS = tuple(f"{n:06d}" for n in range(128))
BLOCK = 256  # orders per side before the stream turns; every batch size divides it
BATCHES = (1, 16, 256)
GOAL_MEMORY = 200_000
GOAL_DURABLE = 20_000
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"


def make_orders(count: int, run: int) -> tuple[list[OrderRequest], list[Fill]]:
    requests, fills = [], []
    for n in range(count):
        symbol = SYMBOLS[n % len(SYMBOLS)]
        side = Side.BUY if (n // BLOCK) % 2 == 0 else Side.SELL
        price = 70_000 + 100 * (n % 7)
        coid, ts = f"r{run}-{n}", n * 1_000_000
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
                venue_order_id=coid,
                commission=10,
                tax=0 if side is Side.BUY else 1_400,
            )
        )
    return requests, fills


Step = Callable[..., None]


def round_trips(
    store: OrderStore | None,
    requests: Sequence[OrderRequest],
    fills: Sequence[Fill],
    batch: int,
    latencies: list[int] | None = None,
) -> tuple[float, float]:
    """(wall, CPU) seconds for every request's round trip in batches of `batch`; `store=None`
    runs the loop without a journal. `latencies` gets ns per batch from check to flushed."""
    manager = OrderManager(ACCOUNT, positions=PositionBook(ACCOUNT))
    flush = Journal(manager, store).flush if store is not None else _nothing
    ctx = Context(manager, dict.fromkeys(SYMBOLS, 70_300))
    check = RiskEngine(limits()).check
    steps = (check, manager.submit, flush, manager.on_accepted, manager.on_fill)
    start, start_cpu = time.perf_counter(), time.process_time()
    if batch == 1 and latencies is None:  # the in-memory headline: no batching machinery
        one_at_a_time(steps, ctx, requests, fills)
    else:
        batched(steps, ctx, requests, fills, batch, latencies)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    assert not manager.open_orders()
    assert len(manager) == len(requests)
    return elapsed, cpu


def one_at_a_time(
    steps: tuple[Step, ...], ctx: Context, requests: Sequence[OrderRequest], fills: Sequence[Fill]
) -> None:
    check, submit, flush, on_accepted, on_fill = steps
    for request, fill in zip(requests, fills, strict=True):
        if check(request, ctx) is not None:
            raise AssertionError(check(request, ctx))
        submit(request)
        flush()  # durable before it is sent
        on_accepted(request.client_order_id, request.client_order_id, request.ts_ns)
        on_fill(fill)
        flush()  # durable before the fill is acknowledged


def batched(
    steps: tuple[Step, ...],
    ctx: Context,
    requests: Sequence[OrderRequest],
    fills: Sequence[Fill],
    batch: int,
    latencies: list[int] | None,
) -> None:
    check, submit, flush, on_accepted, on_fill = steps
    clock = time.perf_counter_ns
    for first in range(0, len(requests), batch):
        chunk = requests[first : first + batch]
        began = clock()
        for request in chunk:
            if check(request, ctx) is not None:
                raise AssertionError(check(request, ctx))
            submit(request)
        flush()  # every order of the batch is durable before any is sent
        if latencies is not None:
            latencies.append(clock() - began)
        for request, fill in zip(chunk, fills[first : first + batch], strict=True):
            on_accepted(request.client_order_id, request.client_order_id, request.ts_ns)
            on_fill(fill)
        flush()  # every fill is durable before any is acknowledged


def _nothing() -> None:
    return None


@contextmanager
def sqlite_engine(directory: Path) -> Iterator[Engine]:
    path = directory / f"orders-{uuid.uuid4().hex[:8]}.db"
    engine = open_database(f"sqlite:///{path}", synchronous="FULL")
    try:
        yield engine
    finally:
        engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def postgres_engine(admin_dsn: str) -> Iterator[Engine]:
    name = f"jts_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        info = admin.info
        url = f"postgresql://{info.user}@{info.host}:{info.port}/{name}"
        engine = open_database(url)
        try:
            yield engine
        finally:
            engine.dispose()
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def durable(
    engine_of: Callable[[], Any], count: int, run: int, batch: int, latencies: list[int] | None
) -> tuple[float, float]:
    """(wall, CPU) µs per round trip through a `SqlOrderStore` on a fresh database."""
    requests, fills = make_orders(count, run)
    with engine_of() as engine:
        store = SqlOrderStore(engine)
        gc.collect()
        wall, cpu = round_trips(store, requests, fills, batch, latencies)
        store.close()
    return wall * 1e6 / count, cpu * 1e6 / count


def orders_for(batch: int, orders: int) -> int:
    """Fewer orders where each commit is an fsync: ~1,000 commits per run at batch 1."""
    return min(orders, max(2 * BLOCK, 1_000 * batch))


def measure(args: argparse.Namespace, directory: Path, pg: str | None) -> dict[str, Any]:
    best: dict[str, tuple[float, float]] = {}
    latency: dict[str, list[int]] = {}

    def keep(name: str, us: tuple[float, float]) -> None:
        old = best.get(name, us)
        best[name] = (min(old[0], us[0]), min(old[1], us[1]))

    for run in range(args.repeat):
        for name, store in (("memory", MemoryStore()), ("no journal", None)):
            requests, fills = make_orders(args.orders, run)
            gc.collect()
            wall, cpu = round_trips(store, requests, fills, 1)
            keep(name, (wall * 1e6 / args.orders, cpu * 1e6 / args.orders))
        backends: list[tuple[str, Callable[[], Any]]] = [
            ("sqlite", lambda: sqlite_engine(directory))
        ]
        if pg is not None:
            backends.append(("postgresql", lambda: postgres_engine(pg)))
        for backend, engine_of in backends:
            for batch in BATCHES:
                samples = latency.setdefault(backend, []) if batch == 1 else None
                count = orders_for(batch, args.orders)
                keep(f"{backend} N={batch}", durable(engine_of, count, run, batch, samples))
    return {"us": best, "latency": latency}


def percentiles(samples: list[int]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50_us": round(cuts[49] / 1_000, 1), "p99_us": round(cuts[98] / 1_000, 1)}


def postgres_available(dsn: str) -> str | None:
    try:
        with psycopg.connect(dsn, connect_timeout=3):
            return dsn
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL scenarios skipped: {dsn} unreachable ({exc})")
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, help="directory of the SQLite file")
    parser.add_argument("--pg", default=PG_ADMIN, help="libpq DSN of a database to CREATE from")
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL scenarios")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    parser.add_argument("--profile", action="store_true", help="cProfile SQLite N=256 instead")
    args = parser.parse_args()
    own_dir = args.dir is None
    directory = Path(tempfile.mkdtemp(prefix="jts-bench-")) if own_dir else args.dir
    try:
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(durable, lambda: sqlite_engine(directory), 20_000, 0, 256, None)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)
            return
        pg = None if args.no_pg else postgres_available(args.pg)
        figures = measure(args, directory, pg)
    finally:
        if own_dir:
            shutil.rmtree(directory, ignore_errors=True)
    report(args, figures, directory)


def report(args: argparse.Namespace, figures: dict[str, Any], directory: Path) -> None:
    us: dict[str, tuple[float, float]] = figures["us"]
    rates = {name: 1e6 / wall for name, (wall, _) in us.items()}
    latency = {name: percentiles(s) for name, s in figures["latency"].items() if s}
    best_sqlite = max(rate for name, rate in rates.items() if name.startswith("sqlite"))
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "orders": args.orders,
        "sqlite_dir": str(directory),
        "round_trips_per_s": {name: round(rate) for name, rate in rates.items()},
        "us_per_round_trip": {name: round(wall, 2) for name, (wall, _) in us.items()},
        "cpu_us_per_round_trip": {name: round(cpu, 2) for name, (_, cpu) in us.items()},
        "durable_order_latency_n1": latency,
        "goal_memory": GOAL_MEMORY,
        "goal_memory_met": rates["memory"] >= GOAL_MEMORY,
        "goal_durable": GOAL_DURABLE,
        "goal_durable_met": best_sqlite >= GOAL_DURABLE,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.orders:,} orders in memory; SQLite in {directory}")
    print(f"{'scenario':<18}{'round trips/s':>15}{'µs each':>10}{'CPU µs':>10}")
    for name, (wall, cpu) in us.items():
        print(f"{name:<18}{rates[name]:>15,.0f}{wall:>10.2f}{cpu:>10.2f}")
    for name, cut in latency.items():
        print(f"one durable order on {name} (N=1): p50 {cut['p50_us']} µs, p99 {cut['p99_us']} µs")
    for goal, met in (("memory", "goal_memory_met"), ("durable", "goal_durable_met")):
        print(f"goal {goal}: {'met' if result[met] else 'NOT met'}")


if __name__ == "__main__":
    main()
