"""A TCP proxy in front of the simulator's REST port that loses one order on purpose.

`lose="answer"`: the order reaches the simulator (it is executed) but the connection is cut
before the answer gets back. `lose="request"`: the connection is cut once the request has
arrived, before anything is forwarded (the order never reaches KIS). Either way the client
sees a transport error after sending: the uncertain case of `KisOrders.submit`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Literal
from urllib.parse import urlsplit

Lose = Literal["answer", "request"]
MARKER = b"/trading/order-cash"


class LossyProxy:
    def __init__(self, upstream: str, lose: Lose, times: int = 1) -> None:
        parts = urlsplit(upstream)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self.lose = lose
        self.remaining = times
        self.url = ""
        self.orders_seen = 0

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[LossyProxy]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        try:
            yield self
        finally:
            server.close()
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self._host, self._port)
        doomed = asyncio.Event()
        try:
            await asyncio.gather(
                self._client_to_upstream(reader, up_writer, writer, doomed),
                self._upstream_to_client(up_reader, writer, doomed),
            )
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            for w in (writer, up_writer):
                w.close()

    async def _client_to_upstream(
        self,
        reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
        writer: asyncio.StreamWriter,
        doomed: asyncio.Event,
    ) -> None:
        while chunk := await reader.read(65_536):
            if MARKER in chunk:
                self.orders_seen += 1
                if self.remaining > 0:
                    self.remaining -= 1
                    if self.lose == "request":
                        writer.transport.abort()
                        up_writer.close()
                        return
                    doomed.set()
            up_writer.write(chunk)
            await up_writer.drain()
        up_writer.close()

    async def _upstream_to_client(
        self, up_reader: asyncio.StreamReader, writer: asyncio.StreamWriter, doomed: asyncio.Event
    ) -> None:
        while chunk := await up_reader.read(65_536):
            if doomed.is_set():  # the order was executed upstream: lose its answer
                writer.transport.abort()
                return
            writer.write(chunk)
            await writer.drain()
        writer.close()
