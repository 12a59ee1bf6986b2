"""The API gateway: REST, WebSocket push, auth and rate limits (FastAPI) for the dashboard,
bots and scripts."""

from jts.gateway.http import GatewayParts, create_app
from jts.gateway.service import GatewayService

__all__ = ["GatewayParts", "GatewayService", "create_app"]
