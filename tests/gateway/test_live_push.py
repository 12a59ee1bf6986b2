"""The assembled system pushes what happens: `jts.app.build_app` with paper trading on a real
port; a WebSocket client signs in with the access token from login, gets quote snapshots and
updates, the order it placed over REST on `orders`, P&L and positions, its job's progress
on `jobs`, and a price alert on `alerts`."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from jts.app import JtsApp, build_app
from jts.config import load_settings
from jts.gateway.service import GatewayService
from jts.trading.service import PaperConfig, PaperTrading


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def system(tmp_path: Path) -> AsyncIterator[tuple[str, dict[str, str]]]:
    passwords: list[str] = []
    settings = load_settings(server={"host": "127.0.0.1", "port": _free_port()})
    paper = PaperTrading(PaperConfig(day=date(2026, 11, 27), symbols=5, speed=60))
    app: JtsApp = build_app(settings, trading=paper, var=tmp_path, announce=passwords.append)
    await app.start()
    gateway = next(s for s in app.services if isinstance(s, GatewayService))
    async with httpx.AsyncClient(base_url=gateway.url) as http:
        login = await http.post(
            "/api/v1/auth/login", json={"username": "admin", "password": passwords[0]}
        )
    yield gateway.url, {"Authorization": f"Bearer {login.json()['access_token']}"}
    await app.stop()


_held: dict[int, list[dict[str, Any]]] = {}


async def _next(ws: ClientConnection, channel: str, timeout: float = 10.0) -> dict[str, Any]:
    """The next message on `channel` from batch or snapshot frames (a frame carries several
    channels: the others are held for later calls)."""
    held = _held.setdefault(id(ws), [])
    async with asyncio.timeout(timeout):
        while True:
            for i, message in enumerate(held):
                if message["channel"] == channel:
                    return held.pop(i)
            frame = json.loads(await ws.recv())
            held.extend(frame.get("messages", ()))


async def test_quotes_orders_pnl_and_positions_are_pushed(
    system: tuple[str, dict[str, str]],
) -> None:
    url, headers = system
    token = headers["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=url, headers=headers) as http:
        quote: dict[str, Any] = {}
        for _ in range(200):
            priced = [q for q in (await http.get("/api/v1/quotes")).json() if q["last"]]
            if priced:
                quote = priced[0]
                break
            await asyncio.sleep(0.05)
        symbol = quote["symbol"]
        async with connect(url.replace("http", "ws") + "/ws") as ws:
            await ws.send(json.dumps({"op": "auth", "token": token}))
            ready = json.loads(await ws.recv())
            assert ready["type"] == "ready"
            channels = [f"quotes:{symbol}", "orders", "pnl", "positions", "system"]
            await ws.send(json.dumps({"op": "subscribe", "channels": channels}))
            first = await _next(ws, f"quotes:{symbol}")  # the snapshot of the last quote
            assert first["data"]["symbol"] == symbol
            assert first["data"]["last"] > 0
            pnl = await _next(ws, "pnl")
            assert pnl["data"]["account"] == "paper"
            placed = await http.post(
                "/api/v1/orders",
                json={"symbol": symbol, "side": "buy", "qty": 2, "price": quote["lower_limit"]},
            )
            assert placed.status_code == 201
            coid = placed.json()["client_order_id"]
            snapshot = await _next(ws, "orders")  # the open orders at subscription
            assert isinstance(snapshot["data"], list)
            seen = await _next(ws, "orders")
            while seen["data"]["client_order_id"] != coid:
                seen = await _next(ws, "orders")
            assert seen["data"]["status"] in ("pending_new", "accepted")
            assert seen["seq"] >= 1
            await http.delete(f"/api/v1/orders/{coid}")
            while seen["data"]["status"] != "cancelled":
                seen = await _next(ws, "orders")


async def test_job_progress_reaches_its_owner(system: tuple[str, dict[str, str]]) -> None:
    url, headers = system
    token = headers["Authorization"].removeprefix("Bearer ")
    async with connect(url.replace("http", "ws") + "/ws?token=" + token) as ws:
        assert json.loads(await ws.recv())["type"] == "ready"
        await ws.send(json.dumps({"op": "subscribe", "channels": ["jobs"]}))
        async with httpx.AsyncClient(base_url=url, headers=headers) as http:
            synth = {"source": "synth", "symbols": 2, "days": 2, "seed": 1, "start": "2025-11-03"}
            job = await http.post("/api/v1/backtests", json={"strategy": _SMA, "data": synth})
            assert job.status_code == 202, job.text
        statuses = []
        while "succeeded" not in statuses and "failed" not in statuses:
            message = await _next(ws, "jobs", timeout=120)
            assert message["data"]["job_id"] == job.json()["job_id"]
            statuses.append(message["data"]["status"])
        assert statuses[-1] == "succeeded"


async def test_a_price_alert_reaches_the_dashboard(system: tuple[str, dict[str, str]]) -> None:
    url, headers = system
    token = headers["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=url, headers=headers) as http:
        quote: dict[str, Any] = {}
        for _ in range(200):
            priced = [q for q in (await http.get("/api/v1/quotes")).json() if q["last"]]
            if priced:
                quote = priced[0]
                break
            await asyncio.sleep(0.05)
        async with connect(url.replace("http", "ws") + "/ws") as ws:
            await ws.send(json.dumps({"op": "auth", "token": token}))
            await ws.recv()
            await ws.send(json.dumps({"op": "subscribe", "channels": ["alerts"]}))
            rule = await http.post(
                "/api/v1/alerts",
                json={"kind": "price_above", "symbol": quote["symbol"],
                      "params": {"price": quote["lower_limit"]}},
            )  # fmt: skip
            assert rule.status_code == 201, rule.text
            alert = await _next(ws, "alerts", timeout=20)
            assert alert["data"]["symbol"] == quote["symbol"]
            assert alert["data"]["rule_id"] == rule.json()["id"]


_SMA = """\
strategy "sma"
universe all
timeframe 1m
let m = sma(close, 5)
when position == 0 and close > m: buy 1 shares at market
when position > 0 and close < m: sell all at market
"""


async def test_the_monitoring_view_names_venues_push_and_limits(
    system: tuple[str, dict[str, str]],
) -> None:
    url, headers = system
    async with httpx.AsyncClient(base_url=url) as http:
        assert (await http.get("/api/v1/system")).status_code == 401
        status = (await http.get("/api/v1/system", headers=headers)).json()
    assert status["status"] == "ok"
    venue = status["venues"][0]
    assert (venue["name"], venue["account"], venue["connected"]) == ("sim", "paper", True)
    assert {"clients", "frames_sent", "slow_disconnects"} <= set(status["realtime"])
    assert status["rate_limit"]["refusals"] == 0
    assert {s["name"] for s in status["services"]} >= {"paper", "realtime", "jobs", "gateway"}
