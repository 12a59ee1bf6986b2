"""Instruments (search by code or Korean name), latest quotes and the day's bars."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from jts.gateway.auth.guard import PrincipalDependency
from jts.gateway.auth.principal import Principal
from jts.gateway.desk import Desk
from jts.gateway.errors import ERROR_RESPONSES, not_found
from jts.gateway.routes.schemas import SYMBOL, Bar, Book, Instrument, Quote

Symbol = Annotated[str, Query(pattern=SYMBOL, description="KRX short code, e.g. 005930")]


def market_router(desk: Desk, reader: PrincipalDependency) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["market"], responses=ERROR_RESPONSES)

    @router.get("/instruments", response_model=list[Instrument])
    def instruments(
        _: Annotated[Principal, Depends(reader)],
        q: Annotated[str, Query(max_length=40, description="code prefix or part of the name")] = "",
        limit: Annotated[int, Query(ge=1, le=5000)] = 50,
    ) -> list[dict[str, Any]]:
        """Search instruments by code prefix or (Korean) name; all of them with no `q`."""
        return desk.instruments(q, limit)

    @router.get("/instruments/{symbol}", response_model=Instrument)
    def instrument(symbol: str, _: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
        """One instrument."""
        try:
            return desk.instrument(symbol)
        except KeyError:
            raise not_found("instrument", symbol) from None

    @router.get("/quotes", response_model=list[Quote])
    def quotes(
        _: Annotated[Principal, Depends(reader)],
        symbols: Annotated[
            str | None,
            Query(
                max_length=7_000,
                pattern=r"^[0-9A-Z,]*$",
                description="comma-separated codes (up to ~1,000); every symbol when absent",
            ),
        ] = None,
    ) -> list[dict[str, Any]]:
        """Latest quotes: last price, day range, volume, change, limits and VI state."""
        wanted = [s.strip() for s in symbols.split(",") if s.strip()] if symbols else None
        return desk.quotes(wanted)

    @router.get("/quotes/{symbol}", response_model=Quote)
    def quote(symbol: str, _: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
        """The latest quote of one symbol."""
        try:
            return desk.quote(symbol)
        except KeyError:
            raise not_found("symbol", symbol) from None

    @router.get("/bars/{symbol}", response_model=list[Bar])
    def bars(
        symbol: str,
        _: Annotated[Principal, Depends(reader)],
        tf: Annotated[str, Query(pattern=r"^(1m|5m|15m|30m|60m)$")] = "1m",
        limit: Annotated[int, Query(ge=1, le=1000)] = 500,
    ) -> list[dict[str, Any]]:
        """Today's bars of a symbol at a timeframe, oldest first."""
        try:
            return desk.bars(symbol, tf, limit)
        except KeyError:
            raise not_found("symbol", symbol) from None

    @router.get("/book/{symbol}", response_model=Book)
    def book(
        symbol: str,
        _: Annotated[Principal, Depends(reader)],
        levels: Annotated[int, Query(ge=1, le=10)] = 10,
    ) -> dict[str, Any]:
        """The order book: up to 10 price levels a side with their resting quantity."""
        try:
            return desk.book(symbol, levels)
        except KeyError:
            raise not_found("symbol", symbol) from None

    return router
