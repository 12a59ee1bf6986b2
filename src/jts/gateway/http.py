"""The HTTP application (FastAPI). Today it serves health; the API gateway issue extends it.

`create_app` takes a function returning the health of every running service, so the gateway
never reaches into other services itself (it gets what `jts.app` hands it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from fastapi import FastAPI

import jts
from jts.core.lifecycle import Health
from jts.gateway.trading_routes import TradingControl, trading_router

HealthSource = Callable[[], Sequence[Health]]


def create_app(
    health_source: HealthSource,
    *,
    extra: Callable[[], dict[str, Any]] | None = None,
    trading: TradingControl | None = None,
) -> FastAPI:
    """Build the FastAPI app; `extra` adds fields to the health answer (e.g. today's session);
    `trading` enables the trading routes (kill switch, strategies; `trading_routes.py`)."""
    app = FastAPI(
        title="JTS",
        version=jts.__version__,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )

    @app.get("/api/v1/health", tags=["system"])
    def health() -> dict[str, Any]:
        """Liveness and the state of every service; `status` is "ok" only when all are healthy."""
        services = [msgspec.to_builtins(item) for item in health_source()]
        healthy = all(item["healthy"] for item in services)
        answer: dict[str, Any] = {
            "status": "ok" if healthy else "degraded",
            "version": jts.__version__,
            "services": services,
        }
        if extra is not None:
            answer.update(extra())
        return answer

    if trading is not None:
        app.include_router(trading_router(trading))

    return app
