"""The realtime push (`/ws`): quotes, bars, orders, fills, positions ... to the dashboard and bots.

`RealtimeHub` is the fan-out producers publish into; `websocket_router` serves it over one
native WebSocket per client. The protocol is in docs/realtime.md.
"""

from jts.gateway.realtime.channels import FAMILIES, Authorizer, Delivery, default_authorize
from jts.gateway.realtime.connection import Sink
from jts.gateway.realtime.hub import HubConfig, RealtimeHub, SnapshotProvider
from jts.gateway.realtime.protocol import CloseCode, ErrorCode
from jts.gateway.realtime.ws import Authenticate, websocket_router

__all__ = [
    "FAMILIES",
    "Authenticate",
    "Authorizer",
    "CloseCode",
    "Delivery",
    "ErrorCode",
    "HubConfig",
    "RealtimeHub",
    "Sink",
    "SnapshotProvider",
    "default_authorize",
    "websocket_router",
]
