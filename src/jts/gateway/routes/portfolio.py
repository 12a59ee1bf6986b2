"""Positions, P&L and the end-of-day statement; the risk state, limits and kill switch."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from jts.core.errors import ConfigError, InvalidInput
from jts.gateway.auth.guard import PrincipalDependency
from jts.gateway.auth.principal import Principal
from jts.gateway.desk import Desk
from jts.gateway.errors import ERROR_RESPONSES
from jts.gateway.routes.schemas import (
    EquityPoint,
    KillAnswer,
    Pnl,
    Position,
    RiskLimitsModel,
    RiskState,
)


class KillRequest(BaseModel):
    reason: str = Field(default="kill switch", min_length=1, max_length=200)


class ResumeRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=200, description="why trading may go on")


def portfolio_router(desk: Desk, reader: PrincipalDependency) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["portfolio"], responses=ERROR_RESPONSES)

    @router.get("/positions", response_model=list[Position])
    def positions(_: Annotated[Principal, Depends(reader)]) -> list[dict[str, Any]]:
        """Holdings, valued at the last price."""
        return desk.positions()

    @router.get("/pnl", response_model=Pnl)
    def pnl(_: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
        """Equity, cash, realized and unrealized P&L, today's P&L."""
        return desk.pnl()

    @router.get("/pnl/history", response_model=list[EquityPoint])
    def pnl_history(
        _: Annotated[Principal, Depends(reader)],
        since_ns: Annotated[int | None, Query(ge=0, le=2**62)] = None,
        limit: Annotated[int, Query(ge=1, le=5_000)] = 5_000,
    ) -> list[dict[str, Any]]:
        """The account's equity through the session, oldest first: one mark per 10 s of the
        venue's clock, after `since_ns` when given (what the live `pnl` channel did not
        deliver to a page that was closed)."""
        return desk.pnl_history(since_ns, limit)

    @router.get("/statements/{day}")
    def statement(day: date, _: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
        """The account statement at the close of `day` (YYYY-MM-DD): positions, P&L, costs,
        orders by status and unsettled cash."""
        return desk.statement(day)

    return router


def risk_router(
    desk: Desk,
    reader: PrincipalDependency,
    trader: PrincipalDependency,
    admin: PrincipalDependency,
) -> APIRouter:
    router = APIRouter(prefix="/api/v1/risk", tags=["risk"], responses=ERROR_RESPONSES)

    @router.get("", response_model=RiskState)
    def state(_: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
        """The trading state (active, reduce_only, halted), why, and the pre-trade limits."""
        return desk.risk()

    @router.put("/limits", response_model=RiskState)
    def set_limits(
        limits: RiskLimitsModel, _: Annotated[Principal, Depends(admin)]
    ) -> dict[str, Any]:
        """Replace the pre-trade limits (admin). Takes effect for the next order."""
        try:
            return desk.set_limits(limits.model_dump())
        except ConfigError as exc:
            raise InvalidInput(exc.key.rsplit(".", 1)[-1], exc.problem) from None

    @router.post("/kill-switch", response_model=KillAnswer)
    async def kill(
        request: KillRequest, _: Annotated[Principal, Depends(trader)]
    ) -> dict[str, Any]:
        """Halt all trading of the account and cancel every working order. Only an admin can
        lift it (`/risk/resume`)."""
        return await desk.kill_switch(request.reason)

    @router.post("/resume", response_model=RiskState)
    def resume(request: ResumeRequest, _: Annotated[Principal, Depends(admin)]) -> dict[str, Any]:
        """Lift a halt (kill switch or risk breach) and trade again (admin)."""
        return desk.resume_trading(request.reason)

    return router
