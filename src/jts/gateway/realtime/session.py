"""What the server does with each frame an authenticated client sends.

Kept apart from the socket (`ws.py`) so the protocol can be driven in tests without one. A bad
frame is answered with an error frame and the connection stays open: a client bug should cost
one request, not the stream of quotes and fills behind it.
"""

from __future__ import annotations

import asyncio
import time

from jts.gateway.realtime.connection import Connection
from jts.gateway.realtime.hub import RealtimeHub
from jts.gateway.realtime.protocol import (
    AuthOp,
    Error,
    ErrorCode,
    PingOp,
    Pong,
    ProtocolError,
    SubscribeOp,
    UnsubscribeOp,
    decode_op,
    encode_frame,
)

__all__ = ["handle_frame"]


def handle_frame(hub: RealtimeHub, conn: Connection, raw: str | bytes) -> None:
    """Apply one client frame; any frame, even a bad one, proves the client alive."""
    conn.last_received = asyncio.get_running_loop().time()
    try:
        op = decode_op(raw)
    except ProtocolError as exc:
        conn.control(encode_frame(Error(exc.code, exc.message)))
        return
    if isinstance(op, SubscribeOp):
        hub.subscribe(conn, op.channels, resume=op.resume, epoch=op.epoch)
    elif isinstance(op, UnsubscribeOp):
        hub.unsubscribe(conn, op.channels)
    elif isinstance(op, PingOp):
        conn.control(encode_frame(Pong(time.time_ns())))
    elif isinstance(op, AuthOp):
        conn.control(encode_frame(Error(ErrorCode.BAD_REQUEST, "already authenticated")))
