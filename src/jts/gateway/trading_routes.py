"""Trading controls over HTTP: the kill switch and run-time strategy control.

The gateway knows nothing of the trading runtime: `jts.app` hands it an object satisfying
`TradingControl` (the paper-trading service today, a live node later), and each route is a few
lines calling it. Refusals the control raises as `InvalidInput` become 422 answers naming what
is wrong; unknown strategies 404.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from jts.core.errors import InvalidInput

__all__ = ["TradingControl", "trading_router"]


class TradingControl(Protocol):
    async def kill_switch(self, reason: str) -> dict[str, Any]: ...
    def strategies(self) -> list[dict[str, Any]]: ...
    async def control_strategy(self, name: str, action: str) -> dict[str, Any]: ...
    def add_strategy(self, source: str, cash: int | None) -> dict[str, Any]: ...


class KillRequest(BaseModel):
    reason: str = Field(default="kill switch", min_length=1, max_length=200)


class StrategyRequest(BaseModel):
    source: str = Field(min_length=1, max_length=100_000, description="strategy-language text")
    cash: int | None = Field(default=None, gt=0, description="KRW allotted (default: all)")


class ActionRequest(BaseModel):
    action: Literal["pause", "resume", "stop"]


def trading_router(control: TradingControl) -> APIRouter:
    """Routes under /api/v1/trading for `control`."""
    router = APIRouter(prefix="/api/v1/trading", tags=["trading"])

    @router.post("/kill-switch")
    async def kill(request: KillRequest) -> dict[str, Any]:
        """Halt all trading of the account and cancel every working order."""
        return await control.kill_switch(request.reason)

    @router.get("/strategies")
    def strategies() -> list[dict[str, Any]]:
        """The running strategies: name, state (active / paused), symbols, orders."""
        return control.strategies()

    @router.post("/strategies", status_code=201)
    def add(request: StrategyRequest) -> dict[str, Any]:
        """Start a strategy from its source text."""
        try:
            return control.add_strategy(request.source, request.cash)
        except InvalidInput as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None

    @router.post("/strategies/{name}")
    async def act(name: str, request: ActionRequest) -> dict[str, Any]:
        """Pause (orders refused, state kept), resume, or stop (working orders cancelled)."""
        try:
            return await control.control_strategy(name, request.action)
        except KeyError:
            raise HTTPException(status_code=404, detail=f"no strategy {name!r}") from None

    return router
