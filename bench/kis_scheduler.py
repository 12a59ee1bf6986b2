"""The KIS subscription scheduler over a trading day: staleness of polled symbols, rate-limit
errors, token issuances and the REST budget left free, with 1 and 3 app keys.

    .venv/bin/python bench/kis_scheduler.py [--symbols 1800] [--keys 1,3] [--mode model,server]
        [--model-hours 6.5] [--server-minutes 15] [--speed 2] [--seed 0] [--limit 20]

Two ways to run the same day (workload, scheduler, poller, the adapter's `Throttle`):

* ``model`` — the whole continuous session on virtual time (`VirtualTime`), no sockets: each
  request takes a log-normal latency (median 25 ms, σ 0.6, capped at 2 s) and is checked
  against a model of KIS's limit (a sliding 1 s window of `--limit` requests per key: what
  would have been EGW00201). 6.5 simulated hours take a minute or two.
* ``server`` — against the KIS simulator (`jts.venues.kis.server`, in a child process so that
  its market and our client use separate cores) over real sockets, through the adapter's
  `KisRest` (token store, throttle, envelope parsing). Time-compressed: the simulator's clock
  runs `--speed` times faster than the wall and its per-key limit counts simulated seconds;
  our side (pacing, throttle, staleness) reads that same clock, so request rates and
  staleness scale together. Wall delays (HTTP, Python, a busy machine) stretch by the same
  factor, so the figures are pessimistic; rate-limit errors too (arrival jitter ×speed).

Staleness of a polled symbol: just before each refresh lands, how old the held quote is
(answer time minus the send time of the previous refresh); per symbol its worst and p95.
Workload (seeded): 10 held positions (tier HELD, with book streams), 20 symbols a strategy
trades (tier STRATEGY, an activity bonus that random-walks every 30 s), a dashboard page of
8 symbols that changes every 60 s, one position swapped every 10 min; re-plan every 5 s.
Orders and account queries share the throttle at their priorities: 0.5 requests/s at ORDER
and one every 5 s at ORDER_STATUS (inquire-price stands in for both against the simulator).
Prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import multiprocessing
import random
import sys
import tempfile
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx
import structlog

from jts.core.clock import NS_PER_SECOND, Clock
from jts.core.errors import RateLimited
from jts.venues.kis.auth import KisAuth
from jts.venues.kis.config import AppKey, KisConfig
from jts.venues.kis.protocol import TOKEN_PATH, Env, Tr
from jts.venues.kis.rest import KisRest, new_http_client
from jts.venues.kis.server.config import AccountSpec, KisSimConfig, demo_account
from jts.venues.kis.server.simulator import KisSimulator
from jts.venues.kis.subscriptions import (
    AppKeyBudget,
    Poller,
    PollLane,
    Priority,
    SchedulerConfig,
    StalenessTracker,
    SubscriptionScheduler,
    Tier,
)
from jts.venues.kis.subscriptions.config import MAX_BONUS
from jts.venues.kis.subscriptions.virtual_time import VirtualTime
from jts.venues.kis.throttle import BucketSpec, Throttle
from jts.venues.kis.throttle import Priority as Urgency
from jts.venues.kis.tokens import TokenStore
from machine_info import machine

OPEN_NS = 0  # 09:00 KST of the simulated day, as the model's origin
REPLAN_S = 5.0
ORDERS_PER_S = 0.5
BALANCE_EVERY_S = 5.0

Sleep = Callable[[float], Awaitable[None]]
Fetch = Callable[[Sequence[str]], Awaitable[Mapping[str, int]]]


class Workload:
    """Who is watched how, over the day: positions, a strategy, a dashboard (seeded)."""

    def __init__(self, codes: Sequence[str], seed: int) -> None:
        self._rng = random.Random(seed)
        self._codes = list(codes)
        picks = self._rng.sample(self._codes, 38)
        self.held = picks[:10]
        self.strategy = {code: self._rng.randrange(MAX_BONUS + 1) for code in picks[10:30]}
        self.page = picks[30:38]
        self._next = {"bonus": 30.0, "page": 60.0, "swap": 600.0}

    def priorities(self) -> dict[str, Priority]:
        out = {code: Priority(Tier.DASHBOARD) for code in self.page}
        out |= {code: Priority(Tier.STRATEGY, bonus) for code, bonus in self.strategy.items()}
        out |= {code: Priority(Tier.HELD) for code in self.held}
        return out

    def advance(self, elapsed_s: float) -> bool:
        """Apply the changes due by `elapsed_s` into the day; True if any happened."""
        changed = False
        while self._next["bonus"] <= elapsed_s:
            for code, bonus in self.strategy.items():
                step = self._rng.randint(-60, 60)
                self.strategy[code] = min(MAX_BONUS, max(0, bonus + step))
            self._next["bonus"] += 30.0
            changed = True
        while self._next["page"] <= elapsed_s:
            self.page = self._rng.sample(self._codes, 8)
            self._next["page"] += 60.0
            changed = True
        while self._next["swap"] <= elapsed_s:
            self.held[self._rng.randrange(len(self.held))] = self._rng.choice(self._codes)
            self._next["swap"] += 600.0
            changed = True
        return changed


@dataclass
class Counters:
    """What the run counts besides staleness."""

    rate_limited: int = 0
    token_issued: int = 0
    token_refused: int = 0
    requests: dict[str, int] = field(default_factory=dict)  # per key, all priorities
    poll_requests: int = 0
    peak_1s: dict[str, int] = field(default_factory=dict)  # most requests of a key in 1 s
    replans: int = 0
    registration_changes: int = 0
    most_in_flight: int = 0  # poll requests of one key in flight at once, at most
    rate_limited_at: list[float] = field(default_factory=list)  # s into the run


class WindowCounter:
    """Requests per key in a sliding 1 s window; `hit` says whether KIS would have refused."""

    def __init__(self, limit: int, counters: Counters) -> None:
        self._limit = limit
        self._counters = counters
        self._recent: dict[str, deque[int]] = {}

    def hit(self, key: str, now_ns: int) -> bool:
        recent = self._recent.setdefault(key, deque())
        while recent and recent[0] <= now_ns - NS_PER_SECOND:
            recent.popleft()
        refused = len(recent) >= self._limit
        if not refused:
            recent.append(now_ns)
            self._counters.requests[key] = self._counters.requests.get(key, 0) + 1
        peak = self._counters.peak_1s
        peak[key] = max(peak.get(key, 0), len(recent))
        return refused


@dataclass(frozen=True)
class Link:
    """How the day reaches KIS (the model or the simulator) and its time."""

    clock: Clock
    sleep: Sleep
    fetch: Fetch
    order_call: Callable[[Urgency], Awaitable[None]]
    wait_until: Callable[[int], Awaitable[None]]


async def drive_day(
    codes: Sequence[str],
    budgets: Sequence[AppKeyBudget],
    link: Link,
    duration_s: float,
    seed: int,
    counters: Counters,
) -> tuple[StalenessTracker, SubscriptionScheduler]:
    """Run the scheduler, its poller and the order traffic for `duration_s` of the day."""
    clock, sleep = link.clock, link.sleep
    start = clock.now_ns()
    workload = Workload(codes, seed)
    scheduler = SubscriptionScheduler(budgets, SchedulerConfig(), codes)
    scheduler.set_priorities(workload.priorities())
    tracker = StalenessTracker()

    async def no_acquire(_: Urgency) -> None:
        return None  # `fetch` goes through the throttle itself, as KisRest does

    async def counted_fetch(group: Sequence[str]) -> Mapping[str, int]:
        counters.poll_requests += 1
        return await link.fetch(group)

    lanes = [
        PollLane(
            b.name,
            fetch=counted_fetch,
            acquire=no_acquire,
            priority=Urgency.QUOTE,
            clock=clock,
            tracker=tracker,
            sleep=sleep,
        )
        for b in budgets
    ]
    poller = Poller(lanes, tracker)

    async def replanner() -> None:
        while True:
            now = clock.now_ns()
            if workload.advance((now - start) / NS_PER_SECOND):
                scheduler.set_priorities(workload.priorities())
            change = scheduler.replan(now)
            counters.replans += 1
            counters.registration_changes += len(change.subscribe) + len(change.unsubscribe)
            poller.apply(change.plan, now)
            await sleep(REPLAN_S)

    async def orders() -> None:
        rng = random.Random(seed + 1)
        next_balance = 0.0
        elapsed = 0.0
        while True:
            gap = rng.expovariate(ORDERS_PER_S)
            await sleep(gap)
            elapsed += gap
            await link.order_call(Urgency.ORDER)
            if elapsed >= next_balance:
                await link.order_call(Urgency.ORDER_STATUS)
                next_balance = elapsed + BALANCE_EVERY_S

    tasks = [asyncio.create_task(replanner()), asyncio.create_task(orders())]
    await asyncio.sleep(0)
    tasks.append(asyncio.create_task(poller.run()))
    await link.wait_until(start + round(duration_s * NS_PER_SECOND))
    counters.most_in_flight = max(lane.most_in_flight for lane in lanes)
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, RateLimited):
            await task
    return tracker, scheduler


async def run_model(
    codes: Sequence[str], n_keys: int, hours: float, seed: int, limit: int
) -> dict[str, Any]:
    """The whole day on virtual time against a model of KIS (module docstring)."""
    vt = VirtualTime(OPEN_NS)
    budgets = _budgets(n_keys, limit)
    counters = Counters()
    window = WindowCounter(limit, counters)
    throttle = Throttle([b.name for b in budgets], limit, clock=vt.clock, sleep=vt.sleep)
    rng = random.Random(seed + 2)
    mu = math.log(0.025)

    async def request(urgency: Urgency) -> None:
        key = await throttle.acquire(urgency)
        if window.hit(key, vt.now_ns()):
            counters.rate_limited += 1
            raise RateLimited("EGW00201", retry_after=1.0)
        await vt.sleep(min(2.0, rng.lognormvariate(mu, 0.6)))

    async def fetch(group: Sequence[str]) -> Mapping[str, int]:
        await request(Urgency.QUOTE)
        return dict.fromkeys(group, 1)

    wall = time.perf_counter()
    link = Link(vt.clock, vt.sleep, fetch, request, vt.run_until)
    tracker, scheduler = await drive_day(codes, budgets, link, hours * 3600, seed, counters)
    figures = _figures(tracker, scheduler, counters, budgets, hours * 3600, limit)
    return {"mode": "model", "keys": n_keys, "wall_s": round(time.perf_counter() - wall, 1)} | (
        figures
    )


@dataclass(frozen=True)
class SimHandle:
    """What the simulator process tells us: where it listens, its codes, and one reading of
    its clock (simulated ns at a `time.monotonic()` instant) to follow it from here."""

    rest_url: str
    codes: list[str]
    sim_ns: int
    mono: float
    speed: float


class FollowClock:
    """The simulator's clock, read in this process: linear in the shared monotonic clock."""

    def __init__(self, handle: SimHandle) -> None:
        self._handle = handle

    def now_ns(self) -> int:
        h = self._handle
        return h.sim_ns + round((time.monotonic() - h.mono) * h.speed * NS_PER_SECOND)


def _sim_config(n_symbols: int, n_keys: int, speed: float, seed: int, limit: int) -> KisSimConfig:
    accounts = tuple(demo_account(seed * 10 + n, env=Env.REAL) for n in range(n_keys))
    return KisSimConfig(
        accounts=accounts,
        env=Env.REAL,
        symbols=n_symbols,
        seed=seed,
        speed=speed,
        rate_limit=limit,
        start_time=dt.time(9, 0, 30),
    )


def _simulator_process(args: tuple[int, int, float, int, int], conn: Connection) -> None:
    """Child process: serve the simulator until the parent says stop."""

    async def serve() -> None:
        async with KisSimulator.start(_sim_config(*args)) as sim:
            sim.market.sync()  # catch up with the clock, which ran while the market was built
            sim_ns, mono = sim.clock.now_ns(), time.monotonic()
            codes = list(sim.market.instruments)
            conn.send(SimHandle(sim.rest_url, codes, sim_ns, mono, args[2]))
            await asyncio.to_thread(conn.recv)

    asyncio.run(serve())


def run_server(args: argparse.Namespace, n_keys: int) -> dict[str, Any]:
    """`--server-minutes` of the day against the KIS simulator at `--speed` (module
    docstring). It runs in its own process: its market and our client use separate cores."""
    sim_args = (args.symbols, n_keys, args.speed, args.seed, args.limit)
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    child = multiprocessing.get_context("spawn").Process(
        target=_simulator_process, args=(sim_args, theirs)
    )
    built = time.perf_counter()
    child.start()
    try:
        handle: SimHandle = ours.recv()
        built_s = time.perf_counter() - built
        result = asyncio.run(_against(handle, _sim_config(*sim_args).accounts, args))
    finally:
        ours.send("stop")
        child.join(30)
    head = {"mode": "server", "keys": n_keys, "speed": args.speed, "sim_build_s": round(built_s, 1)}
    return head | {"bucket_rate": args.bucket_rate or None} | result


async def _against(
    sim: SimHandle, accounts: Sequence[AccountSpec], args: argparse.Namespace
) -> dict[str, Any]:
    """Drive the day through `KisRest` against the simulator at `sim.rest_url`; a non-zero
    `bucket_rate` replaces the throttle's default bucket (limit − 2 per second, burst 2)."""
    clock, speed, n_keys, limit = FollowClock(sim), sim.speed, len(accounts), args.limit
    codes, minutes, bucket_rate = sim.codes[: args.symbols], args.server_minutes, args.bucket_rate
    began = clock.now_ns()
    counters = Counters()
    window = WindowCounter(10**9, counters)  # counts per key and peaks; the server refuses

    async def scaled(seconds: float) -> None:
        await asyncio.sleep(seconds / speed)

    async def on_response(response: httpx.Response) -> None:
        await response.aread()
        path = response.request.url.path
        if path == TOKEN_PATH:
            counters.token_issued += response.status_code == 200
            counters.token_refused += b"EGW00133" in response.content
            return
        window.hit(response.request.headers.get("appkey", "")[:8], clock.now_ns())
        if b"EGW00201" in response.content:
            counters.rate_limited += 1
            counters.rate_limited_at.append(round((clock.now_ns() - began) / NS_PER_SECOND, 1))

    keys = tuple(AppKey(a.appkey, a.appsecret) for a in accounts)
    with tempfile.TemporaryDirectory(prefix="jts-kis-bench-") as tmp:
        config = KisConfig(
            mode=Env.REAL,
            app_keys=keys,
            account=accounts[0].account,
            rest_url=sim.rest_url,
            requests_per_second=limit,
            token_dir=Path(tmp),
        )
        http = new_http_client()
        http.event_hooks["response"] = [on_response]
        spec = BucketSpec(rate=bucket_rate, burst=2) if bucket_rate else None
        throttle = Throttle([k.key_id for k in keys], limit, clock=clock, sleep=scaled, spec=spec)
        tokens = TokenStore(
            Path(tmp), KisAuth(config, http, clock=clock), clock=clock, sleep=scaled
        )
        rest = KisRest(config, tokens, throttle, http=http, sleep=scaled)

        async def fetch(group: Sequence[str]) -> Mapping[str, int]:
            params = {}
            for n, code in enumerate(group, 1):
                params[f"FID_COND_MRKT_DIV_CODE_{n}"] = "J"
                params[f"FID_INPUT_ISCD_{n}"] = code
            answer = await rest.get(Tr.MULTI_PRICE, params, priority=Urgency.QUOTE)
            return {row["inter_shrn_iscd"]: int(row["inter2_prpr"]) for row in answer.output}

        async def order_call(urgency: Urgency) -> None:
            params = {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": codes[0]}
            await rest.get(Tr.PRICE, params, priority=urgency)

        async def wait_until(end_ns: int) -> None:
            while clock.now_ns() < end_ns:
                await asyncio.sleep(min(1.0, (end_ns - clock.now_ns()) / NS_PER_SECOND / speed))

        budgets = _budgets(n_keys, limit)
        wall = time.perf_counter()
        try:
            link = Link(clock, scaled, fetch, order_call, wait_until)
            duration_s = minutes * 60
            tracker, scheduler = await drive_day(
                codes, budgets, link, duration_s, args.seed, counters
            )
        finally:
            await http.aclose()
        wall_s = time.perf_counter() - wall
    counters.peak_1s.clear()  # our answer times say little about the server's windows
    figures = _figures(tracker, scheduler, counters, budgets, minutes * 60, limit)
    return {"wall_s": round(wall_s, 1)} | figures


def _budgets(n_keys: int, limit: int) -> list[AppKeyBudget]:
    """The first key's session carries the execution notice: one registration less."""
    return [
        AppKeyBudget(name=f"key{n}", reserved_slots=int(n == 0), rest_per_s=float(limit))
        for n in range(n_keys)
    ]


def _figures(
    tracker: StalenessTracker,
    scheduler: SubscriptionScheduler,
    counters: Counters,
    budgets: Sequence[AppKeyBudget],
    duration_s: float,
    limit: int,
) -> dict[str, Any]:
    plan = scheduler.plan
    assert plan is not None
    per_symbol = [s for code in plan.symbols if (s := tracker.stats(code)) and s.samples]
    pooled = tracker.pooled()
    capacity = limit * len(budgets) * duration_s
    used = sum(counters.requests.values())
    return {
        "symbols": len(plan.symbols),
        "streamed": len(plan.streamed()),
        "polled": len(plan.polled()),
        "groups": len(plan.groups),
        "planned_bound_s": round(max((g.period_s for g in plan.groups), default=0.0), 3),
        "polled_worst_s": round(pooled.worst_s, 3),
        "polled_p95_pooled_s": pooled.p95_s,
        "polled_p95_max_symbol_s": max((s.p95_s for s in per_symbol), default=0.0),
        "samples": pooled.samples,
        "rate_limit_errors": counters.rate_limited,
        "rate_limited_at_s": counters.rate_limited_at[:20],
        "most_in_flight": counters.most_in_flight,
        "token_issued": counters.token_issued,
        "token_refused": counters.token_refused,
        "poll_requests": counters.poll_requests,
        "requests": used,
        "peak_1s_per_key": max(counters.peak_1s.values(), default=None),
        "budget_free_planned": round(min(plan.budget_free.values()), 3),
        "budget_free_poll": round(1 - counters.poll_requests / capacity, 3),
        "budget_free_all": round(1 - used / capacity, 3),
        "replans": counters.replans,
        "registration_changes": counters.registration_changes,
        "sim_s": duration_s,
    }


def main() -> None:
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(sys.stderr))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbols", type=int, default=1800)
    parser.add_argument("--keys", default="1,3", help="app-key counts to run, comma-separated")
    parser.add_argument("--mode", default="model,server")
    parser.add_argument("--model-hours", type=float, default=6.5)
    parser.add_argument("--server-minutes", type=float, default=15.0)
    parser.add_argument("--speed", type=float, default=2.0)
    parser.add_argument("--limit", type=int, default=20, help="KIS requests/s per key")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--bucket-rate", type=float, default=0.0, help="throttle refill req/s (0: its default)"
    )
    args = parser.parse_args()
    modes = args.mode.split(",")
    for n_keys in (int(k) for k in args.keys.split(",")):
        if "model" in modes:
            codes = [f"{n:06d}" for n in range(args.symbols)]
            result = asyncio.run(run_model(codes, n_keys, args.model_hours, args.seed, args.limit))
            _print(result)
        if "server" in modes:
            result = run_server(args, n_keys)
            _print(result)


def _print(result: dict[str, Any]) -> None:
    stamp = {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "machine": machine()}
    print(json.dumps(stamp | result), flush=True)


if __name__ == "__main__":
    main()
