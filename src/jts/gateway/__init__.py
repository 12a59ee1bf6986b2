"""The API gateway: HTTP (FastAPI) for the dashboard, bots and scripts."""

from jts.gateway.http import create_app
from jts.gateway.service import GatewayService

__all__ = ["GatewayService", "create_app"]
