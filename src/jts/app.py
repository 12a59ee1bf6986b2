"""Wires the services of one JTS process and runs them (`jts run`).

This is the one place that chooses backends and plugs parts together (STYLE.md: backtest, paper
and live differ only in what is plugged in here). Services start in order and stop in reverse;
if one fails to start, those already started are stopped again before the error surfaces.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import structlog

from jts.bus import InProcBus
from jts.config import Settings
from jts.config.settings import DatabaseSettings
from jts.core.clock import Clock, LiveClock, kst_today, to_kst
from jts.core.lifecycle import Health, Lifecycle
from jts.gateway import GatewayParts, GatewayService, create_app
from jts.gateway.auth.guard import Authenticator
from jts.gateway.auth.tokens import TokenService
from jts.gateway.auth.users import UserStore
from jts.gateway.bootstrap import ensure_cli_key, first_admin
from jts.gateway.brokers import CredentialStore, SecretBox
from jts.gateway.keyfile import load_or_create_key
from jts.krx import phase_at, sessions
from jts.storage import open_database
from jts.storage.strategies import StrategyLibrary
from jts.trading.service import PaperTrading
from jts.trading.views import TradingViews

log = structlog.get_logger(__name__)


class JtsApp:
    """An ordered set of services with one start, one stop and one health view."""

    def __init__(self, settings: Settings, services: Sequence[Lifecycle]) -> None:
        self.settings = settings
        self.services = list(services)
        self._started: list[Lifecycle] = []

    async def start(self) -> None:
        for service in self.services:
            log.info("service.starting", service=service.name)
            try:
                await service.start()
            except Exception:
                await self.stop()
                raise
            self._started.append(service)
        log.info("jts.started", services=[s.name for s in self._started])

    async def stop(self) -> None:
        while self._started:
            service = self._started.pop()
            try:
                await service.stop()
            except Exception as exc:  # keep stopping the others
                log.error("service.stop_failed", service=service.name, error=str(exc))
            else:
                log.info("service.stopped", service=service.name)

    def health(self) -> list[Health]:
        return [service.health() for service in self.services]

    async def run_until_signalled(self, stop: asyncio.Event | None = None) -> None:
        """Start, wait for SIGINT/SIGTERM (or `stop` being set), then stop everything."""
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await self.start()
        try:
            await stop.wait()
        finally:
            log.info("jts.stopping")
            await self.stop()


def market_status(clock: Clock) -> dict[str, Any]:
    """Today's KRX phase and schedule, for the health answer and the start-up banner."""
    now = clock.now_ns()
    today = kst_today(clock)
    schedule = sessions(today)
    return {
        "market": {
            "date": today.isoformat(),
            "trading_day": bool(schedule),
            "phase": str(phase_at(to_kst(now))),
            "sessions": [
                {"phase": str(s.phase), "start": s.start.isoformat(), "end": s.end.isoformat()}
                for s in schedule
            ],
        }
    }


def gateway_database_url(settings: Settings, var: Path) -> str:
    """The database of users, strategies and jobs: `database.url` when configured, else the
    paper session's SQLite file in `var` (one file for a one-machine install)."""
    url = settings.database.url.get_secret_value()
    if url == DatabaseSettings().url.get_secret_value():
        return f"sqlite:///{(var / 'jts.db').resolve()}"
    return url


def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    paper: PaperTrading | None = None,
    var: Path | None = None,
    announce: Callable[[str], None] | None = None,
) -> JtsApp:
    """The all-in-one process on embedded defaults; `paper` adds paper trading on the
    simulated KRX exchange (the demo of `jts run`). `var` holds the database and keys (a
    temporary directory when None); `announce` shows the first start's admin password."""
    clock = clock or LiveClock()
    var = var if var is not None else Path(tempfile.mkdtemp(prefix="jts-var-"))
    bus = InProcBus()
    services: list[Lifecycle] = [bus]
    if paper is not None:
        services.append(paper)
    views = TradingViews(lambda: paper.node if paper is not None else None)
    if paper is not None:
        services.append(views)
    engine = open_database(gateway_database_url(settings, var))
    users = UserStore(engine, clock=clock)
    tokens = TokenService(
        load_or_create_key(var / "secrets" / "jwt.key", env="JTS_JWT_SECRET"), clock=clock
    )
    password = first_admin(users)
    if password is not None and announce is not None:
        announce(password)
    ensure_cli_key(users, var)
    box = SecretBox(load_or_create_key(var / "secrets" / "master.key", env="JTS_SECRET_KEY"))
    parts = GatewayParts(
        auth=Authenticator(users, tokens),
        health_source=lambda: [service.health() for service in services],
        clock=clock,
        extra=lambda: market_status(clock),
        desk=views.desk if paper is not None else None,
        control=paper,
        library=StrategyLibrary(engine),
        credentials=CredentialStore(engine, box, clock),
        web_dir=WEB_DIR,
    )
    http = create_app(parts)
    services.append(GatewayService(http, host=settings.server.host, port=settings.server.port))
    return JtsApp(settings, services)


WEB_DIR = Path(__file__).resolve().parents[2] / "web" / "out"
"""The dashboard's static build in a source checkout (`make run` builds it when Node is there)."""
