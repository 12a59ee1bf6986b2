"""The HTTP application (FastAPI): REST under /api/v1, the WebSocket at /ws, the dashboard's
static files at /, and the OpenAPI document at /api/openapi.json (browsable at /api/docs).

`create_app` takes `GatewayParts`: everything the routes call, built by `jts.app`. The gateway
never reaches into other services itself; a part left out (no trading desk, no job queue)
simply leaves its routes out. Every route but health and sign-in requires a credential
(`tests/gateway/test_route_guard.py` enumerates them).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import msgspec
from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

import jts
from jts.core.clock import Clock, LiveClock
from jts.core.lifecycle import Health
from jts.gateway.auth.guard import Authenticator
from jts.gateway.auth.principal import Principal, Scope
from jts.gateway.auth.routes import auth_router, users_router
from jts.gateway.brokers import CredentialStore, brokers_router
from jts.gateway.desk import Desk
from jts.gateway.errors import ERROR_RESPONSES, install_error_handlers
from jts.gateway.routes.market import market_router
from jts.gateway.routes.orders import orders_router
from jts.gateway.routes.portfolio import portfolio_router, risk_router
from jts.gateway.routes.strategies import TradingControl, running_router, strategies_router
from jts.storage.strategies import StrategyLibrary

HealthSource = Callable[[], Sequence[Health]]

PUBLIC_ROUTES = frozenset(
    {
        ("GET", "/api/v1/health"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/auth/refresh"),
        ("POST", "/api/v1/auth/passkeys/login/options"),
        ("POST", "/api/v1/auth/passkeys/login/verify"),
        ("GET", "/api/v1/push/vapid-public-key"),
    }
)
"""The only routes answering without a credential (the route-guard test holds them to it)."""


@dataclass
class GatewayParts:
    auth: Authenticator
    health_source: HealthSource
    clock: Clock = field(default_factory=LiveClock)
    extra: Callable[[], dict[str, Any]] | None = None
    """Adds fields to the health answer (today's market session)."""
    desk: Desk | None = None
    control: TradingControl | None = None
    library: StrategyLibrary | None = None
    credentials: CredentialStore | None = None
    status: Callable[[], dict[str, Any]] | None = None
    """The monitoring view (`GET /api/v1/system`): venues, push and limiter counters."""
    routers: list[APIRouter] = field(default_factory=list)
    """Further routers built by `jts.app` (jobs, alerts, passkeys, the WebSocket)."""
    web_dir: Path | None = None
    """The dashboard's static build (web/out), served at / when present."""


def create_app(parts: GatewayParts) -> FastAPI:
    app = FastAPI(
        title="JTS",
        summary="Automated trading for Korean equities: market data, orders, strategies, risk.",
        version=jts.__version__,
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    install_error_handlers(app)
    auth = parts.auth
    reader, trader, admin = (auth.requires(s) for s in (Scope.READ, Scope.TRADE, Scope.ADMIN))

    @app.get("/api/v1/health", tags=["system"])
    def health() -> dict[str, Any]:
        """Liveness and the state of every service; `status` is "ok" only when all are healthy."""
        services = [msgspec.to_builtins(item) for item in parts.health_source()]
        healthy = all(item["healthy"] for item in services)
        answer: dict[str, Any] = {
            "status": "ok" if healthy else "degraded",
            "version": jts.__version__,
            "services": services,
        }
        if parts.extra is not None:
            answer.update(parts.extra())
        return answer

    @app.get("/api/v1/system", tags=["system"], responses=ERROR_RESPONSES)
    def system(_: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
        """Monitoring: each service's health, the venues (connection, session, clock), the
        realtime push's counters (clients, frames, slow disconnects) and the job queue."""
        answer: dict[str, Any] = health()
        if parts.status is not None:
            answer.update(parts.status())
        return answer

    app.include_router(auth_router(auth))
    app.include_router(users_router(auth))
    if parts.desk is not None:
        app.include_router(market_router(parts.desk, reader))
        app.include_router(orders_router(parts.desk, reader, trader))
        app.include_router(portfolio_router(parts.desk, reader))
        app.include_router(risk_router(parts.desk, reader, trader, admin))
    if parts.library is not None:
        app.include_router(
            strategies_router(parts.library, parts.control, parts.clock, reader, trader)
        )
        if parts.control is not None:
            app.include_router(running_router(parts.library, parts.control, reader, trader))
    if parts.credentials is not None:
        app.include_router(brokers_router(parts.credentials, admin))
    for router in parts.routers:
        app.include_router(router)
    if parts.web_dir is not None and (parts.web_dir / "index.html").is_file():
        app.mount("/", StaticFiles(directory=parts.web_dir, html=True), name="web")
    return app
