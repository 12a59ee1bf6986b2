"""`/ws` end to end: a FastAPI app under uvicorn on 127.0.0.1 (port 0), real WebSocket clients."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from jts.gateway import GatewayService
from jts.gateway.auth.principal import Principal
from jts.gateway.realtime import CloseCode, HubConfig, RealtimeHub, websocket_router
from tests.gateway.realtime.conftest import ALICE

Serve = Callable[..., Awaitable[tuple[RealtimeHub, str]]]


async def authenticate(token: str) -> Principal | None:
    if token == "explode":
        raise ConnectionError("user database unreachable")
    return ALICE if token == "good-token" else None


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    """Start a hub (config fields as keywords) and the app serving it; yields (hub, ws url)."""
    running: list[tuple[RealtimeHub, GatewayService]] = []

    async def start(*, run_hub: bool = True, **fields: Any) -> tuple[RealtimeHub, str]:
        config = {"batch_ms": 10, "heartbeat_s": 60, "idle_timeout_s": 0, **fields}
        hub = RealtimeHub(HubConfig(**config))
        app = FastAPI()
        app.include_router(websocket_router(hub, authenticate))
        service = GatewayService(app, host="127.0.0.1", port=0)
        if run_hub:
            await hub.start()
        await service.start()
        running.append((hub, service))
        return hub, f"ws://127.0.0.1:{service.port}/ws"

    yield start
    for hub, service in running:
        await hub.stop()
        await service.stop()


async def frame(ws: ClientConnection, kind: str, *, timeout: float = 2.0) -> dict[str, Any]:
    """The next frame of type `kind`, skipping others (heartbeats, batches ...)."""
    async with asyncio.timeout(timeout):
        while True:
            received = json.loads(await ws.recv())
            if received["type"] == kind:
                return received  # type: ignore[no-any-return]


async def login(url: str) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await connect(url)
    await ws.send(json.dumps({"op": "auth", "token": "good-token"}))
    return ws, await frame(ws, "ready")


async def subscribe(ws: ClientConnection, *channels: str, **extra: Any) -> dict[str, Any]:
    await ws.send(json.dumps({"op": "subscribe", "channels": list(channels), **extra}))
    return await frame(ws, "subscribed")


async def read_all(ws: ClientConnection) -> None:
    async with asyncio.timeout(2.0):
        while True:
            await ws.recv()


async def closed_with(ws: ClientConnection) -> tuple[int, str]:
    """The close code and reason the server sent, once the frames before them are read."""
    with pytest.raises(ConnectionClosed) as caught:
        await read_all(ws)
    assert caught.value.rcvd is not None
    return caught.value.rcvd.code, caught.value.rcvd.reason


async def test_auth_by_first_message_then_quotes_arrive_batched(serve: Serve) -> None:
    hub, url = await serve()
    ws, ready = await login(url)
    assert (ready["user"], ready["epoch"], ready["batch_ms"]) == ("alice", hub.epoch, 10)
    assert (await subscribe(ws, "quotes:005930", "quotes:000660"))["channels"] == [
        "quotes:005930",
        "quotes:000660",
    ]
    for price in range(100):
        hub.publish("quotes:005930", {"price": price})
        hub.publish("quotes:000660", {"price": -price})
    latest: dict[str, int] = {}
    batches = 0
    while latest != {"quotes:005930": 99, "quotes:000660": -99}:
        batch = await frame(ws, "batch")
        batches += 1
        latest.update({m["channel"]: m["data"]["price"] for m in batch["messages"]})
    assert batches == 1
    await ws.close()


async def test_a_token_in_the_query_string_also_authenticates(serve: Serve) -> None:
    _, url = await serve()
    async with connect(f"{url}?token=good-token") as ws:
        assert (await frame(ws, "ready"))["user"] == "alice"


@pytest.mark.parametrize(
    ("first", "reason"),
    [
        ({"op": "auth", "token": "bad-token"}, "invalid token"),
        ({"op": "ping"}, 'expected {"op":"auth","token":...} first'),
        (None, "no auth within 0.3 s"),
    ],
)
async def test_a_bad_missing_or_late_token_closes_with_4001(
    serve: Serve, first: dict[str, str] | None, reason: str
) -> None:
    _, url = await serve(auth_timeout_s=0.3)
    async with connect(url) as ws:
        if first is not None:
            await ws.send(json.dumps(first))
        assert await closed_with(ws) == (CloseCode.UNAUTHORIZED, reason)


async def test_a_bad_token_in_the_query_string_closes_with_4001(serve: Serve) -> None:
    _, url = await serve()
    async with connect(f"{url}?token=nope") as ws:
        assert await closed_with(ws) == (CloseCode.UNAUTHORIZED, "invalid token")


async def test_an_authentication_backend_failure_closes_with_1011(serve: Serve) -> None:
    _, url = await serve()
    async with connect(f"{url}?token=explode") as ws:
        assert await closed_with(ws) == (CloseCode.INTERNAL_ERROR, "authentication unavailable")


async def test_unsubscribe_stops_the_quotes(serve: Serve) -> None:
    hub, url = await serve()
    ws, _ = await login(url)
    await subscribe(ws, "quotes:005930", "system")
    hub.publish("quotes:005930", {"price": 1})
    assert (await frame(ws, "batch"))["messages"][0]["data"] == {"price": 1}
    await ws.send(json.dumps({"op": "unsubscribe", "channels": ["quotes:005930"]}))
    assert (await frame(ws, "unsubscribed"))["channels"] == ["quotes:005930"]
    hub.publish("quotes:005930", {"price": 2})
    hub.publish("system", {"feed": "up"})
    assert (await frame(ws, "batch"))["messages"] == [{"channel": "system", "data": {"feed": "up"}}]
    await ws.close()


async def test_malformed_messages_get_error_frames_and_the_connection_survives(
    serve: Serve,
) -> None:
    _, url = await serve()
    ws, _ = await login(url)
    await ws.send("{not json")
    assert (await frame(ws, "error"))["code"] == "bad_request"
    await ws.send(json.dumps({"op": "subscribe", "channels": ["quotes:XYZ", "orders"]}))
    assert (await frame(ws, "error"))["channels"] == ["quotes:XYZ"]
    assert (await frame(ws, "subscribed"))["channels"] == ["orders"]
    await ws.send(json.dumps({"op": "auth", "token": "good-token"}))
    assert (await frame(ws, "error"))["message"] == "already authenticated"
    await ws.send(json.dumps({"op": "ping"}))
    assert (await frame(ws, "pong"))["ts"] > 0
    await ws.close()


async def test_heartbeats_arrive_at_the_configured_interval(serve: Serve) -> None:
    _, url = await serve(heartbeat_s=0.1)
    ws, ready = await login(url)
    assert ready["heartbeat_s"] == 0.1
    first = await frame(ws, "heartbeat", timeout=0.5)
    second = await frame(ws, "heartbeat", timeout=0.5)
    assert 0.05e9 < second["ts"] - first["ts"] < 0.3e9
    await ws.close()


async def test_a_reconnecting_client_resumes_exactly_where_it_left_off(serve: Serve) -> None:
    hub, url = await serve()
    ws, ready = await login(url)
    await subscribe(ws, "fills")
    for n in range(3):
        hub.publish("fills", {"n": n})
    seen = (await frame(ws, "batch"))["messages"]
    while len(seen) < 3:
        seen += (await frame(ws, "batch"))["messages"]
    await ws.close()
    for n in range(3, 6):
        hub.publish("fills", {"n": n})
    ws, _ = await login(url)
    resume = {"fills": seen[-1]["seq"]}
    acknowledged = await subscribe(ws, "fills", resume=resume, epoch=ready["epoch"])
    assert acknowledged["resumed"] == {"fills": 3}
    assert [m["data"]["n"] for m in (await frame(ws, "batch"))["messages"]] == [3, 4, 5]
    await ws.close()


def small_window_socket(url: str) -> socket.socket:
    """A connected socket that buffers little on receipt, so a client not reading soon stops
    the server's sends (the kernel would otherwise take tens of MB on loopback)."""
    host, port = url.removeprefix("ws://").split("/")[0].split(":")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4_096)
    sock.connect((host, int(port)))
    sock.setblocking(False)
    return sock


async def test_a_client_that_stops_reading_is_dropped_and_the_others_get_everything(
    serve: Serve,
) -> None:
    hub, url = await serve(max_pending_reliable=50, history_size=50)
    fast, _ = await login(url)
    await subscribe(fast, "fills")
    stuck = await connect(url, sock=small_window_socket(url), compression=None, max_queue=1)
    await stuck.send(json.dumps({"op": "auth", "token": "good-token"}))
    await stuck.send(json.dumps({"op": "subscribe", "channels": ["fills"]}))
    await asyncio.sleep(0.1)  # from here on it reads nothing
    seen: list[int] = []

    async def read_fast() -> None:
        while len(seen) < 500:
            seen.extend(m["data"]["n"] for m in (await frame(fast, "batch"))["messages"])

    reader = asyncio.create_task(read_fast())
    for n in range(500):  # 10 MB in all, incompressible: more than the socket buffers hold
        hub.publish("fills", {"n": n, "pad": os.urandom(10_000).hex()})
        if n % 5 == 0:
            await asyncio.sleep(0.01)  # 500 a second: the reading client keeps up
    await asyncio.wait_for(reader, 10)
    assert seen == list(range(500))
    assert hub.stats()["slow_disconnects"] == 1
    assert hub.stats()["clients"] == 1
    await fast.close()
    stuck.transport.abort()


async def test_stopping_the_hub_closes_clients_as_going_away(serve: Serve) -> None:
    hub, url = await serve()
    ws, _ = await login(url)
    await subscribe(ws, "orders")
    await hub.stop()
    assert await closed_with(ws) == (CloseCode.GOING_AWAY, "server stopping")


async def test_a_hub_that_is_not_running_asks_clients_to_try_again_later(serve: Serve) -> None:
    _, url = await serve(run_hub=False)
    async with connect(url) as ws:
        assert (await closed_with(ws))[0] == CloseCode.TRY_AGAIN_LATER
