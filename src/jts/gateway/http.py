"""The HTTP application (FastAPI). Today it serves health; the API gateway issue extends it.

`create_app` takes a function returning the health of every running service, so the gateway
never reaches into other services itself (it gets what `jts.app` hands it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import msgspec
from fastapi import FastAPI
from pydantic import BaseModel, Field

import jts
from jts.core.lifecycle import Health

HealthSource = Callable[[], Sequence[Health]]


class KillRequest(BaseModel):
    reason: str = Field(default="kill switch", min_length=1, max_length=200)


def create_app(
    health_source: HealthSource,
    *,
    extra: Callable[[], dict[str, Any]] | None = None,
    kill_switch: Callable[[str], Awaitable[dict[str, Any]]] | None = None,
) -> FastAPI:
    """Build the FastAPI app; `extra` adds fields to the health answer (e.g. today's session);
    `kill_switch` (halt trading and cancel every working order) enables
    `POST /api/v1/trading/kill-switch`."""
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

    if kill_switch is not None:
        switch = kill_switch

        @app.post("/api/v1/trading/kill-switch", tags=["trading"])
        async def kill(request: KillRequest) -> dict[str, Any]:
            """Halt all trading of the account and cancel every working order."""
            return await switch(request.reason)

    return app
