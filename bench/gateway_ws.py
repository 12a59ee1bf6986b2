"""Tick → WebSocket client latency of the realtime push (issue goal: p99 ≤ 20 ms on loopback,
1,800 symbols updating, 20 clients).

    .venv/bin/python bench/gateway_ws.py [--symbols 1800] [--clients 20] [--rate 5000]
                                         [--seconds 20] [--warmup 3] [--procs 2]
                                         [--scenario NAME ...] [--json]

The server is this process: a FastAPI app under uvicorn (`GatewayService`) on 127.0.0.1, port
0, with the realtime hub at `/ws`, plus a producer on the same event loop (as in `jts run`,
where market data and the gateway share a loop) that publishes `--rate` quotes per second,
each on a symbol drawn uniformly at random from `--symbols` (seeded), in 1 ms steps. Each
quote is a realistic dict (symbol, price, change, volume, bid, ask, ts) plus `t`, the
publisher's `time.monotonic_ns()`.

The clients run in `--procs` other processes (one asyncio loop each, `websockets` client
library), `--clients` connections in all, every one subscribed to the quotes of every symbol
(the worst case: the dashboard's watch lists will usually hold fewer). Each client stamps every
message it decodes with its own `time.monotonic_ns()` (CLOCK_MONOTONIC is one clock for all
processes of a Linux machine): publish → client latency, including the batching wait, the
server's send, the loopback and the client's decode. Messages published during the first
`--warmup` seconds are not counted. Client and server share this machine's cores, as the
dashboard's browser would on one desktop.

Scenarios, each a fresh server and fresh client processes, in the same run:

* ``batched 10 ms``      the hub as `/ws` runs it (`HubConfig()`): the headline figure
* ``hub, unbatched``     the hub with `batch_ms=0`: a frame whenever a client's writer runs
* ``per-message frames`` baseline: every quote its own frame to every client, sent by a
                         per-client queue and writer (no batching, no conflation): what a
                         naive push, or python-socketio, does
* ``echo round trip``    floor: one client sends a stamped frame to an echo endpoint and
                         waits for it, 2,000 times; half the round trip is a one-way trip

`goal_met` (top level) is the headline scenario's p99 against `GOAL_P99_MS`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing as mp
import os
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.synchronize import Event as MpEvent
from typing import Any

import msgspec
import numpy as np
import structlog
from fastapi import FastAPI, WebSocket
from websockets.asyncio.client import connect

from jts.gateway import GatewayService
from jts.gateway.auth.principal import Principal, Role
from jts.gateway.realtime import HubConfig, RealtimeHub, websocket_router
from machine_info import machine

GOAL_P99_MS = 20.0
TOKEN = "bench-token"
BENCH = Principal(user_id=1, username="bench", role=Role.VIEWER)
SCENARIOS: dict[str, tuple[str, float, bool]] = {
    "batched 10 ms": ("ws", 10.0, True),
    "batched 10 ms, no compression": ("ws", 10.0, False),
    "hub, unbatched": ("ws", 0.0, True),
    "per-message frames": ("naive", 0.0, True),
    "echo round trip": ("echo", 0.0, True),
}
"""name -> (endpoint, the hub's batch_ms, whether clients offer permessage-deflate as browsers
do; uvicorn accepts it by default, so the server then compresses every frame)."""


# --- server -----------------------------------------------------------------------------------


class PerMessage:
    """The baseline fan-out: each quote encoded once, then one frame per client per quote."""

    def __init__(self) -> None:
        self.queues: list[asyncio.Queue[str | None]] = []
        self.frames = 0

    def publish(self, channel: str, data: Any) -> None:
        message = {"channel": channel, "data": data}
        frame = msgspec.json.encode({"type": "batch", "ts": time.time_ns(), "messages": [message]})
        text = frame.decode()
        for queue in self.queues:
            queue.put_nowait(text)

    async def serve(self, websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.receive_text()  # auth (not checked)
        await websocket.send_text('{"type":"ready"}')
        await websocket.receive_text()  # subscribe (to everything)
        await websocket.send_text('{"type":"subscribed","channels":[]}')
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.queues.append(queue)
        with contextlib.suppress(Exception):
            while (frame := await queue.get()) is not None:
                await websocket.send_text(frame)
                self.frames += 1
        self.queues.remove(queue)

    def stop(self) -> None:
        for queue in self.queues:
            queue.put_nowait(None)


async def authenticate(token: str) -> Principal | None:
    return BENCH if token == TOKEN else None


def build_app(hub: RealtimeHub, naive: PerMessage) -> FastAPI:
    app = FastAPI()
    app.include_router(websocket_router(hub, authenticate))
    app.add_api_websocket_route("/naive", naive.serve)

    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        with contextlib.suppress(Exception):
            while True:
                await websocket.send_text(await websocket.receive_text())

    app.add_api_websocket_route("/echo", echo)
    return app


def quotes(symbols: list[str], rate: int, seconds: float) -> tuple[list[str], list[int]]:
    """The channel names and the (seeded) symbol index of every quote to publish."""
    rng = np.random.default_rng(0)
    return [f"quotes:{s}" for s in symbols], rng.integers(
        0, len(symbols), int(rate * seconds)
    ).tolist()


async def produce(
    publish: Callable[[str, Any], None], symbols: list[str], rate: int, seconds: float
) -> int:
    """Publish `rate` quotes/s for `seconds`, each 1 ms step publishing those due by then."""
    channels, picks = quotes(symbols, rate, seconds)
    now, sent, total = time.monotonic_ns, 0, len(picks)
    start = now()
    while sent < total:
        due = min(total, (now() - start) * rate // 1_000_000_000)
        for n in range(sent, due):
            k = picks[n]
            p = 10_000 + (n % 41) * 10
            data = {"symbol": symbols[k], "price": p, "change": p - 10_200, "volume": n,
                    "bid": p - 10, "ask": p + 10, "ts": time.time_ns(), "t": now()}  # fmt: skip
            publish(channels[k], data)
        sent = due
        await asyncio.sleep(0.001)
    return sent


# --- clients (other processes) ----------------------------------------------------------------


class _Data(msgspec.Struct):
    t: int = 0


class _Message(msgspec.Struct):
    data: _Data


class _Frame(msgspec.Struct):
    type: str
    messages: list[_Message] = []


@dataclass
class _Tally:
    """What one client process saw: each message's publish time and latency (ns), frames."""

    stamps: array[int] = field(default_factory=lambda: array("q"))
    lags: array[int] = field(default_factory=lambda: array("q"))
    frames: int = 0


async def _client(url: str, deflate: bool, channels: list[str], tally: _Tally,
                  ready: Callable[[], None]) -> None:  # fmt: skip
    """Connect, subscribe, then stamp every message until cancelled."""
    stamps, lags = tally.stamps, tally.lags
    decode = msgspec.json.Decoder(_Frame).decode
    now = time.monotonic_ns
    compression = "deflate" if deflate else None
    async with connect(url, compression=compression, max_size=None, max_queue=None,
                       close_timeout=1) as ws:  # fmt: skip
        await ws.send(json.dumps({"op": "auth", "token": TOKEN}))
        await ws.recv()
        await ws.send(json.dumps({"op": "subscribe", "channels": channels}))
        while decode(await ws.recv()).type != "subscribed":
            pass
        ready()
        async for raw in ws:
            received = now()
            frame = decode(raw)
            tally.frames += 1
            if frame.type == "heartbeat":
                await ws.send('{"op":"ping"}')
            for message in frame.messages:
                stamps.append(message.data.t)
                lags.append(received - message.data.t)


async def _clients(url: str, deflate: bool, n: int, symbols: list[str], stop: MpEvent,
                   ready: Callable[[], None]) -> dict[str, Any]:  # fmt: skip
    """`n` clients on this process's loop until `stop` is set; their stamps and counts."""
    channels = [f"quotes:{s}" for s in symbols]
    tally = _Tally()
    waiting = [n]

    def one_ready() -> None:
        waiting[0] -= 1
        if not waiting[0]:
            ready()

    cpu = time.process_time()
    clients = [asyncio.create_task(_client(url, deflate, channels, tally, one_ready))
               for _ in range(n)]  # fmt: skip
    while not stop.is_set():
        await asyncio.sleep(0.05)
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    cpu = time.process_time() - cpu
    return {"stamps": tally.stamps.tobytes(), "lags": tally.lags.tobytes(),
            "frames": tally.frames, "cpu_s": cpu}  # fmt: skip


async def _echo(url: str, rounds: int) -> dict[str, Any]:
    trips = array("q")
    async with connect(url) as ws:
        for n in range(rounds + 100):
            sent = time.monotonic_ns()
            await ws.send(f'{{"t":{sent}}}')
            await ws.recv()
            if n >= 100:  # the first ones warm up
                trips.append(time.monotonic_ns() - sent)
    return {"trips": trips.tobytes()}


def client_main(url: str, deflate: bool, n: int, symbols: list[str], stop: MpEvent,
                results: Any) -> None:  # fmt: skip
    """One client process: `n` connections (or the echo client when `n` is 0)."""
    if n == 0:
        results.put(asyncio.run(_echo(url, 2_000)))
        return
    result = asyncio.run(_clients(url, deflate, n, symbols, stop, lambda: results.put("ready")))
    results.put(result)


# --- one scenario -----------------------------------------------------------------------------


async def scenario(name: str, args: argparse.Namespace) -> dict[str, Any]:
    symbols = [f"{n:06d}" for n in range(args.symbols)]
    path, batch_ms, deflate = SCENARIOS[name]
    hub = RealtimeHub(HubConfig(batch_ms=batch_ms))
    naive = PerMessage()
    service = GatewayService(build_app(hub, naive), host="127.0.0.1", port=0)
    await hub.start()
    await service.start()
    url = f"ws://127.0.0.1:{service.port}/{path}"
    ctx = mp.get_context("spawn")
    stop, results = ctx.Event(), ctx.Queue()
    shares = [0] if path == "echo" else _split(args.clients, args.procs)
    workers = [ctx.Process(target=client_main, args=(url, deflate, n, symbols, stop, results))
               for n in shares]  # fmt: skip
    for worker in workers:
        worker.start()
    try:
        if path == "echo":
            out = await asyncio.to_thread(results.get, True, 120)
            return _echo_figures(out)
        for _ in workers:
            assert await asyncio.to_thread(results.get, True, 120) == "ready"
        publish = naive.publish if path == "naive" else hub.publish
        cpu, wall = time.process_time(), time.monotonic_ns()
        published = await produce(publish, symbols, args.rate, args.seconds)
        cpu, elapsed = time.process_time() - cpu, (time.monotonic_ns() - wall) / 1e9
        await asyncio.sleep(0.5)  # the last batches land
        stop.set()
        outs = [await asyncio.to_thread(results.get, True, 120) for _ in workers]
    finally:
        stop.set()
        naive.stop()
        await hub.stop()
        await service.stop()
        for worker in workers:
            worker.join(30)
    stats = hub.stats()
    frames = stats["frames_sent"] if path == "ws" else naive.frames
    return _figures(outs, wall + int(args.warmup * 1e9), published, elapsed, cpu, frames, stats,
                    args)  # fmt: skip


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if k < total % parts else 0) for k in range(parts)]


def _percentiles_ms(values_ns: np.ndarray[Any, Any]) -> dict[str, float]:
    if not len(values_ns):
        return {"n": 0}
    cuts = np.percentile(values_ns, [50, 95, 99, 99.9]) / 1e6
    figures = dict(zip(("p50", "p95", "p99", "p99.9"), cuts.tolist(), strict=True))
    figures["max"] = float(values_ns.max()) / 1e6
    return {"n": len(values_ns), **{k: round(v, 2) for k, v in figures.items()}}


def _figures(outs: list[dict[str, Any]], counted_from: int, published: int, elapsed: float,
             cpu: float, frames: int, stats: dict[str, int],
             args: argparse.Namespace) -> dict[str, Any]:  # fmt: skip
    stamps = np.concatenate([np.frombuffer(o["stamps"], dtype=np.int64) for o in outs])
    lags = np.concatenate([np.frombuffer(o["lags"], dtype=np.int64) for o in outs])
    counted = lags[stamps >= counted_from]
    received = len(lags)
    return {
        "latency_ms": _percentiles_ms(counted),
        "published": published,
        "published_per_s": round(published / elapsed),
        "messages_received": received,
        "received_share_of_published_x_clients": round(received / (published * args.clients), 3),
        "frames_sent_per_s": round(frames / elapsed),
        "frames_received": sum(o["frames"] for o in outs),
        "conflated": stats["conflated"],
        "server_cpu_pct": round(100 * cpu / elapsed),
        "client_cpu_pct": round(100 * sum(o["cpu_s"] for o in outs) / elapsed),
    }


def _echo_figures(out: dict[str, Any]) -> dict[str, Any]:
    trips = np.frombuffer(out["trips"], dtype=np.int64)
    return {"round_trip_ms": _percentiles_ms(trips), "one_way_ms": _percentiles_ms(trips // 2)}


# --- report -----------------------------------------------------------------------------------


def ratios(scenarios: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    """The headline against each baseline of the same run: p99, frames/s and server CPU, as
    headline / baseline."""
    head = scenarios.get("batched 10 ms")
    out: dict[str, dict[str, float]] = {}
    for name in ("hub, unbatched", "per-message frames"):
        base = scenarios.get(name)
        if head is None or base is None or not base["latency_ms"].get("n"):
            continue
        out[name] = {
            "p99": round(head["latency_ms"]["p99"] / base["latency_ms"]["p99"], 4),
            "frames_per_s": round(head["frames_sent_per_s"] / base["frames_sent_per_s"], 3),
            "server_cpu": round(head["server_cpu_pct"] / max(1, base["server_cpu_pct"]), 2),
        }
    return out


def markdown(result: dict[str, Any]) -> str:
    s = result["scenarios"]
    lines = [
        f"Realtime push, tick → WebSocket client (`bench/gateway_ws.py`: {result['symbols']:,} "
        f"symbols, {result['rate']:,} quotes/s published, {result['clients']} clients each "
        f"subscribed to every symbol, in {result['procs']} client processes; "
        f"{result['seconds']:g} s per scenario, the first {result['warmup']:g} s not counted; "
        f"{result['machine']['cores']} cores shared by server and clients, load average "
        f"{result['load_average_1m'][0]:g} before and {result['load_average_1m'][1]:g} after, "
        f"{result['date']}):",
        "",
        "| scenario | p50 ms | p95 ms | p99 ms | max ms | messages received | frames/s sent "
        "| server CPU | clients CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, fig in s.items():
        if "latency_ms" not in fig:
            continue
        lat = fig["latency_ms"]
        lines.append(
            f"| {name} | {lat.get('p50', '-')} | {lat.get('p95', '-')} | {lat.get('p99', '-')} "
            f"| {lat.get('max', '-')} | {fig['messages_received']:,} "
            f"({fig['received_share_of_published_x_clients']:.0%}) | {fig['frames_sent_per_s']:,} "
            f"| {fig['server_cpu_pct']}% | {fig['client_cpu_pct']}% |"
        )
    if "echo round trip" in s:
        one_way = s["echo round trip"]["one_way_ms"]
        lines += ["", f"Loopback floor (echo, half a round trip): p50 {one_way['p50']} ms, "
                  f"p99 {one_way['p99']} ms."]  # fmt: skip
    if "batched 10 ms" in s:
        p99 = s["batched 10 ms"]["latency_ms"].get("p99")
        verdict = "met" if result["goal_met"] else "**not met**"
        lines += ["", f"Goal p99 ≤ {GOAL_P99_MS:g} ms (batched 10 ms): {p99} ms, {verdict}."]
    for name, r in result["ratios"].items():
        lines.append(f"Batched 10 ms / {name}: p99 ×{r['p99']:g}, frames/s ×{r['frames_per_s']:g}, "
                     f"server CPU ×{r['server_cpu']:g}.")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--symbols", type=int, default=1_800)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rate", type=int, default=5_000, help="quotes published per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="publishing time per scenario")
    parser.add_argument("--warmup", type=float, default=3.0, help="first seconds not counted")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS))
    parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    load_before = os.getloadavg()[0]
    scenarios = {name: asyncio.run(scenario(name, args)) for name in args.scenario or SCENARIOS}
    headline = scenarios.get("batched 10 ms", {}).get("latency_ms", {})
    result = {
        "benchmark": "gateway_ws",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **{k: getattr(args, k) for k in ("symbols", "clients", "rate", "seconds", "warmup")},
        "procs": args.procs,
        "load_average_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "scenarios": scenarios,
        "goal_p99_ms": GOAL_P99_MS,
        "goal_met": bool(headline) and headline.get("p99", 1e9) <= GOAL_P99_MS,
        "ratios": ratios(scenarios),
    }
    print(json.dumps(result) if args.json else markdown(result))


if __name__ == "__main__":
    main()
