"""The wire protocol of `/ws`: what a client may send, the frames the server sends, close codes.

Everything is a JSON text frame (docs/realtime.md is the reference for client authors). Client
operations are msgspec Structs tagged by `op`, so decoding and validating one is a single call;
unknown fields are ignored, so that an older server tolerates a newer client. Server frames are
tagged by `type`. A message is encoded once when published (`encode_message`) and spliced into
every recipient's frame as `msgspec.Raw`, so fan-out to N clients costs no re-encoding.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Annotated, Any

import msgspec

__all__ = [
    "AuthOp",
    "ClientOp",
    "CloseCode",
    "ErrorCode",
    "PingOp",
    "ProtocolError",
    "SubscribeOp",
    "UnsubscribeOp",
    "batch_frame",
    "decode_op",
    "encode_frame",
    "encode_message",
]


class CloseCode(IntEnum):
    """WebSocket close codes the server uses (4000-4999 are ours)."""

    NORMAL = 1000
    GOING_AWAY = 1001  # the server is stopping: reconnect (elsewhere or later) and resume
    INTERNAL_ERROR = 1011  # authentication could not be checked
    TRY_AGAIN_LATER = 1013  # the realtime hub is not running yet
    UNAUTHORIZED = 4001  # bad or missing token, or none within the auth timeout
    IDLE = 4002  # the client sent nothing for the idle timeout
    SLOW_CONSUMER = 4008  # the client could not keep up: reconnect and resume


class ErrorCode(StrEnum):
    """`code` of an error frame; the connection stays open after every one of them."""

    BAD_REQUEST = "bad_request"  # not JSON, unknown op, missing or mistyped field
    UNKNOWN_CHANNEL = "unknown_channel"
    FORBIDDEN = "forbidden"
    TOO_MANY_CHANNELS = "too_many_channels"
    BAD_RESUME = "bad_resume"  # resume named a channel that is not reliable or not subscribed now
    SNAPSHOT_FAILED = "snapshot_failed"


class ProtocolError(Exception):
    """A client frame the server cannot act on; answered with an error frame."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# --- client -> server -------------------------------------------------------------------------

Seq = Annotated[int, msgspec.Meta(ge=0)]


class AuthOp(msgspec.Struct, tag_field="op", tag="auth"):
    token: str


class SubscribeOp(msgspec.Struct, tag_field="op", tag="subscribe"):
    """`resume` maps a reliable channel to the last `seq` the client saw of it; `epoch` is the
    server's epoch (from the ready frame) those numbers belong to."""

    channels: list[str]
    resume: dict[str, Seq] = {}
    epoch: str | None = None


class UnsubscribeOp(msgspec.Struct, tag_field="op", tag="unsubscribe"):
    channels: list[str]


class PingOp(msgspec.Struct, tag_field="op", tag="ping"):
    pass


ClientOp = AuthOp | SubscribeOp | UnsubscribeOp | PingOp
_decoder = msgspec.json.Decoder(ClientOp)


def decode_op(raw: str | bytes) -> ClientOp:
    """One client frame as an operation, or `ProtocolError(BAD_REQUEST)` saying what is wrong."""
    try:
        return _decoder.decode(raw)
    except msgspec.DecodeError as exc:
        raise ProtocolError(ErrorCode.BAD_REQUEST, str(exc)) from None


# --- server -> client -------------------------------------------------------------------------


class Message(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One published value: `key` when the channel has keys, `seq` on reliable channels."""

    channel: str
    key: str | None = None
    seq: int | None = None
    data: Any


class Ready(msgspec.Struct, tag_field="type", tag="ready", kw_only=True):
    user: str
    epoch: str
    heartbeat_s: float
    batch_ms: float


class Subscribed(msgspec.Struct, tag_field="type", tag="subscribed", omit_defaults=True):
    """`resumed`: reliable channel -> messages replayed; `seq`: reliable channel not resumed
    -> its seq now (the client's starting point for a later resume)."""

    channels: list[str]
    resumed: dict[str, int] = {}
    seq: dict[str, int] = {}


class Unsubscribed(msgspec.Struct, tag_field="type", tag="unsubscribed"):
    channels: list[str]


class Snapshot(msgspec.Struct, tag_field="type", tag="snapshot", kw_only=True):
    """The current state of newly subscribed channels; `reset` names reliable channels whose
    resume was impossible (the client must drop what it holds of them)."""

    ts: int
    messages: list[msgspec.Raw]
    reset: list[str] = []


class Batch(msgspec.Struct, tag_field="type", tag="batch"):
    ts: int
    messages: list[msgspec.Raw]


class Heartbeat(msgspec.Struct, tag_field="type", tag="heartbeat"):
    ts: int


class Pong(msgspec.Struct, tag_field="type", tag="pong"):
    ts: int


class Error(msgspec.Struct, tag_field="type", tag="error", omit_defaults=True):
    code: ErrorCode
    message: str
    channels: list[str] = []


Frame = Ready | Subscribed | Unsubscribed | Snapshot | Batch | Heartbeat | Pong | Error
_encoder = msgspec.json.Encoder()


def encode_message(channel: str, data: Any, key: str | None, seq: int | None) -> msgspec.Raw:
    """A published value encoded once, ready to be spliced into any number of frames."""
    return msgspec.Raw(_encoder.encode(Message(channel=channel, key=key, seq=seq, data=data)))


def encode_frame(frame: Frame) -> bytes:
    return _encoder.encode(frame)


def batch_frame(ts_ns: int, messages: list[msgspec.Raw]) -> bytes:
    return _encoder.encode(Batch(ts_ns, messages))
