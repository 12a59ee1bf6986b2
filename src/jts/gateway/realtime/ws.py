"""`/ws`: the realtime push over one native WebSocket per client (FastAPI / Starlette).

A thin adapter: it authenticates the client, hands the socket to the hub as a `Sink`, and feeds
every frame the client sends to `session.handle_frame`. The token comes from the first frame
(`{"op":"auth","token":...}`) or, for clients that cannot send one first, from `?token=`; the
first frame is preferred because URLs end up in proxy and access logs. How a token becomes a
`Principal` is the caller's business (`authenticate`), so JWTs and API keys plug in later
without touching this module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.types import Message

from jts.gateway.auth.principal import Principal
from jts.gateway.realtime.connection import Connection
from jts.gateway.realtime.hub import RealtimeHub
from jts.gateway.realtime.protocol import AuthOp, CloseCode, ProtocolError, decode_op
from jts.gateway.realtime.session import handle_frame

__all__ = ["Authenticate", "websocket_router"]

_log = structlog.get_logger(__name__)

Authenticate = Callable[[str], Awaitable[Principal | None]]
"""token -> its principal, or None when the token is not valid."""


class _SocketSink:
    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket

    async def send(self, frame: bytes) -> None:
        await self._websocket.send_text(frame.decode())

    async def close(self, code: int, reason: str) -> None:
        await self._websocket.close(code, reason)


class _AuthFailed(Exception):
    pass


def websocket_router(
    hub: RealtimeHub, authenticate: Authenticate, *, path: str = "/ws"
) -> APIRouter:
    """A router with the realtime endpoint at `path`, pushing from `hub`."""
    router = APIRouter()

    @router.websocket(path)
    async def realtime(websocket: WebSocket) -> None:
        """Authenticate, then serve subscriptions until either side closes (docs/realtime.md)."""
        await websocket.accept()
        if not hub.accepting:
            await _try_later(websocket)
            return
        principal = await _authenticate(websocket, authenticate, hub.config.auth_timeout_s)
        if principal is None:
            return
        if not hub.accepting:  # stopped while the client authenticated
            await _try_later(websocket)
            return
        await _serve(hub, hub.connect(principal, _SocketSink(websocket)), websocket)

    return router


async def _try_later(websocket: WebSocket) -> None:
    await websocket.close(CloseCode.TRY_AGAIN_LATER, "realtime push not running")


async def _authenticate(
    websocket: WebSocket, authenticate: Authenticate, timeout_s: float
) -> Principal | None:
    """The caller's principal, or None after closing the socket (4001 for a bad, missing or
    late token; 1011 when `authenticate` itself failed)."""
    reason = "invalid token"
    try:
        token = websocket.query_params.get("token")
        if token is None:
            token = await _first_token(websocket, timeout_s)
        principal = await authenticate(token)
    except WebSocketDisconnect:
        return None
    except _AuthFailed as exc:
        principal, reason = None, str(exc)
    except Exception as exc:
        _log.error("realtime.authenticate_failed", exc_info=exc)
        await websocket.close(CloseCode.INTERNAL_ERROR, "authentication unavailable")
        return None
    if principal is None:
        await websocket.close(CloseCode.UNAUTHORIZED, reason)
    return principal


async def _first_token(websocket: WebSocket, timeout_s: float) -> str:
    try:
        async with asyncio.timeout(timeout_s):
            message = await websocket.receive()
    except TimeoutError:
        raise _AuthFailed(f"no auth within {timeout_s:g} s") from None
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    try:
        op = decode_op(_payload(message))
    except ProtocolError:
        op = None
    if not isinstance(op, AuthOp):
        raise _AuthFailed('expected {"op":"auth","token":...} first')
    return op.token


async def _serve(hub: RealtimeHub, conn: Connection, websocket: WebSocket) -> None:
    """Read the client's frames until it leaves or the hub closes the connection."""
    reader = asyncio.create_task(_read(hub, conn, websocket), name="realtime-reader")
    reader.add_done_callback(lambda _: hub.disconnect(conn))
    try:
        await conn.wait_closed()
    finally:
        reader.cancel()
        await asyncio.wait([reader])
        hub.disconnect(conn)
    exc = None if reader.cancelled() else reader.exception()
    if exc is not None and not isinstance(exc, WebSocketDisconnect):
        _log.error("realtime.reader_failed", user=conn.principal.username, exc_info=exc)


async def _read(hub: RealtimeHub, conn: Connection, websocket: WebSocket) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        handle_frame(hub, conn, _payload(message))


def _payload(message: Message) -> str | bytes:
    """The text (or, from clients that send binary frames, the bytes) of an ASGI message."""
    text = message.get("text")
    return text if text is not None else (message.get("bytes") or b"")
