"""A tiny HTTP/1.1 server on a free port that answers each request with the next canned
response: for answers the simulator never gives (a proxy's HTML 502, the token endpoint's
error shape on a TR call)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

_REASONS = {200: "OK", 403: "Forbidden", 500: "Internal Server Error", 502: "Bad Gateway"}


class CannedServer:
    def __init__(self, responses: list[tuple[int, Any]]) -> None:
        """`responses`: (status, body) in order; a dict or list body is sent as JSON, bytes
        as they are. The last one repeats."""
        self.responses = responses
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.url = ""
        self._handlers: set[asyncio.Task[None]] = set()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[CannedServer]:
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        try:
            yield self
        finally:
            server.close()
            for task in self._handlers:
                task.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            await server.wait_closed()

    def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._answer(reader, writer))
        self._handlers.add(task)
        task.add_done_callback(self._handlers.discard)

    async def _answer(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(
            ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError
        ):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                line, *fields = head.decode("latin-1").split("\r\n")
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (f.partition(":") for f in fields if f)
                }
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append((line, headers, body))
                index = min(len(self.requests), len(self.responses)) - 1
                status, payload = self.responses[index]
                raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                writer.write(
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'X')}\r\n"
                    f"content-type: application/json\r\ncontent-length: {len(raw)}\r\n"
                    f"tr_cont: \r\n\r\n".encode()
                    + raw
                )
                await writer.drain()
        writer.close()
