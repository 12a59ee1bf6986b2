"""Start and stop the whole KIS simulator in-process: REST (uvicorn) and WebSocket servers on
one simulated market.

    async with KisSimulator.start(config) as sim:
        sim.rest_url, sim.ws_url      # http://127.0.0.1:PORT, ws://127.0.0.1:PORT
        sim.accounts                  # the AccountSpec of each customer
        sim.clock                     # simulated KST time; sim.advance(seconds) moves it
        sim.market                    # exchange, tape, brokers (for assertions)

Ports 0 pick free ones. With `speed > 0` a background task keeps the market in step with the
clock (every 50 ms of wall time); with `speed == 0` it moves only on `advance` and requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator

import uvicorn
from websockets.asyncio.server import Server, serve

from jts.venues.kis.protocol import Env
from jts.venues.kis.server.auth import AuthBook
from jts.venues.kis.server.clock import SimClock
from jts.venues.kis.server.config import AccountSpec, KisSimConfig
from jts.venues.kis.server.market import KisMarket
from jts.venues.kis.server.rest import RestState, build_rest_app
from jts.venues.kis.server.ws import WsHub

__all__ = ["KisSimulator"]

STEP_S = 0.05


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: whoever runs the simulator decides when it stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class KisSimulator:
    """A running simulator (see the module docstring); build it with `start`."""

    def __init__(self, config: KisSimConfig) -> None:
        self.config = config
        self.env: Env = config.env
        self.market = KisMarket(config)
        self.auth = AuthBook(config, self.market.clock)
        self.rest_state = RestState(config.env, self.market, self.auth)
        self.hub = WsHub(config.env, self.market, self.auth)
        self.rest_url = ""
        self.ws_url = ""

    @property
    def accounts(self) -> tuple[AccountSpec, ...]:
        return self.config.accounts

    @property
    def clock(self) -> SimClock:
        return self.market.clock

    def advance(self, seconds: float) -> None:
        """Move simulated time (and the market, and the streams) forward."""
        self.market.advance(seconds)

    @classmethod
    @contextlib.asynccontextmanager
    async def start(cls, config: KisSimConfig) -> AsyncIterator[KisSimulator]:
        """Serve until the block ends; the market is built in a worker thread first."""
        sim = await asyncio.to_thread(cls, config)
        async with sim._serving():
            yield sim

    @contextlib.asynccontextmanager
    async def _serving(self) -> AsyncIterator[None]:
        app = build_rest_app(self.rest_state)
        server = _EmbeddedServer(
            uvicorn.Config(
                app,
                host=self.config.host,
                port=self.config.rest_port,
                log_level="warning",
                lifespan="off",
                access_log=False,
            )
        )
        rest_task = asyncio.create_task(server.serve())
        ws_server: Server | None = None
        driver: asyncio.Task[None] | None = None
        try:
            while not server.started:
                if rest_task.done():
                    rest_task.result()  # raises the bind error
                    raise OSError("the REST server stopped before it started")
                await asyncio.sleep(0.01)
            rest_port = server.servers[0].sockets[0].getsockname()[1]
            self.rest_url = f"http://{self.config.host}:{rest_port}"
            ws_server = await serve(
                self.hub.serve, self.config.host, self.config.ws_port, ping_interval=None
            )
            ws_port = next(iter(ws_server.sockets)).getsockname()[1]
            self.ws_url = f"ws://{self.config.host}:{ws_port}"
            if self.config.speed > 0:
                driver = asyncio.create_task(self._drive())
            yield
        finally:
            if driver is not None:
                driver.cancel()
            if ws_server is not None:
                ws_server.close()
                await ws_server.wait_closed()
            server.should_exit = True
            with contextlib.suppress(asyncio.CancelledError):
                await rest_task

    async def _drive(self) -> None:
        while True:
            try:
                self.market.sync()
            except Exception:  # a bad step must not silence the whole simulator
                logging.getLogger(__name__).exception("KIS simulator market step failed")
            await asyncio.sleep(STEP_S)
