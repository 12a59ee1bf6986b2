"""Runs the HTTP application under uvicorn inside the process's event loop, as a `Service`."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

from jts.core.errors import ServiceError
from jts.core.lifecycle import Service


class GatewayService(Service):
    """Serves `app` on host:port; start returns once the socket is listening."""

    def __init__(self, app: FastAPI, *, host: str, port: int, serve: ASGIApp | None = None) -> None:
        """`serve`: what the server runs when `app` is wrapped in middleware (rate limits)."""
        super().__init__("gateway")
        self._app = app
        self._serve: ASGIApp = serve if serve is not None else app
        self._host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def app(self) -> FastAPI:
        return self._app

    @property
    def served(self) -> ASGIApp:
        """What the server runs: the app inside its middleware."""
        return self._serve

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def port(self) -> int:
        """The bound port (differs from the configured one when that was 0)."""
        if self._server is not None and self._server.servers:
            sockets = self._server.servers[0].sockets
            if sockets:
                return int(sockets[0].getsockname()[1])
        return self._port

    async def _on_start(self) -> None:
        _check_port_free(self._host, self._port)
        config = uvicorn.Config(
            self._serve, host=self._host, port=self._port, log_config=None, access_log=False
        )
        self._server = _EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve(), name="gateway")
        while not self._server.started:
            if self._task.done():
                raise ServiceError(f"HTTP server on {self._host}:{self._port} did not start")
            await asyncio.sleep(0.01)

    async def _on_stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _is_healthy(self) -> bool:
        return self._task is not None and not self._task.done()

    def _health_details(self) -> dict[str, Any]:
        return {"url": self.url}


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handling: `jts.app` owns SIGINT/SIGTERM for all services."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _check_port_free(host: str, port: int) -> None:
    """Fail with a clear message instead of uvicorn's exit when the port is taken."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServiceError(
                f"cannot listen on {host}:{port} ({exc.strerror}); "
                "set server.port in jts.toml or JTS_SERVER__PORT, or pass --port"
            ) from None
