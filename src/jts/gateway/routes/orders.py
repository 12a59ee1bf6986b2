"""Orders: list and filter, fills, manual submit (risk-checked), modify, cancel, cancel-all."""

from typing import Annotated, Any, Literal, Self

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field, model_validator

from jts.core.enums import OrderType, Side, TimeInForce
from jts.gateway.auth.guard import PrincipalDependency
from jts.gateway.auth.principal import Principal
from jts.gateway.desk import Desk
from jts.gateway.errors import ERROR_RESPONSES, not_found
from jts.gateway.routes.schemas import SYMBOL, CancelAll, Fill, Order

StatusFilter = Literal[
    "open", "closed", "pending_new", "accepted", "partially_filled", "filled",
    "pending_cancel", "pending_modify", "cancelled", "rejected", "expired",
]  # fmt: skip


class NewOrder(BaseModel):
    symbol: str = Field(pattern=SYMBOL, description="KRX short code")
    side: Side
    qty: int = Field(gt=0, le=100_000_000, description="shares")
    order_type: OrderType = OrderType.LIMIT
    price: int | None = Field(default=None, gt=0, le=100_000_000, description="KRW; limit types")
    tif: TimeInForce = TimeInForce.DAY

    @model_validator(mode="after")
    def _priced(self) -> Self:
        if self.order_type.needs_price and self.price is None:
            raise ValueError(f"a {self.order_type} order needs a price")
        if not self.order_type.needs_price and self.price is not None:
            raise ValueError(f"a {self.order_type} order takes no price")
        return self


class OrderChange(BaseModel):
    price: int | None = Field(default=None, gt=0, le=100_000_000, description="new limit price")
    qty: int | None = Field(default=None, gt=0, le=100_000_000, description="new total quantity")

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.price is None and self.qty is None:
            raise ValueError("give a new price, a new qty, or both")
        return self


def orders_router(
    desk: Desk, reader: PrincipalDependency, trader: PrincipalDependency
) -> APIRouter:
    router = APIRouter(prefix="/api/v1", tags=["orders"], responses=ERROR_RESPONSES)

    @router.get("/orders", response_model=list[Order])
    def orders(
        _: Annotated[Principal, Depends(reader)],
        status: StatusFilter | None = None,
        symbol: Annotated[str | None, Query(pattern=SYMBOL)] = None,
        strategy: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 200,
    ) -> list[dict[str, Any]]:
        """The account's orders of the day, newest first, filtered."""
        return desk.orders(status=status, symbol=symbol, strategy=strategy, limit=limit)

    @router.get("/orders/{client_order_id}", response_model=Order)
    def order(client_order_id: str, _: Annotated[Principal, Depends(reader)]) -> dict[str, Any]:
        """One order by its client order id."""
        try:
            return desk.order(client_order_id)
        except KeyError:
            raise not_found("order", client_order_id) from None

    @router.get("/fills", response_model=list[Fill])
    def fills(
        _: Annotated[Principal, Depends(reader)],
        symbol: Annotated[str | None, Query(pattern=SYMBOL)] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 200,
    ) -> list[dict[str, Any]]:
        """Executions, newest first."""
        return desk.fills(symbol=symbol, limit=limit)

    @router.post("/orders", response_model=Order, status_code=201)
    async def submit(request: NewOrder, _: Annotated[Principal, Depends(trader)]) -> dict[str, Any]:
        """Place an order by hand. It passes the same pre-trade risk checks as a strategy's;
        a refusal answers 422 with code `order_denied` and the limit in `details.reason`."""
        return await desk.submit(
            request.symbol, request.side, request.qty, request.order_type, request.price,
            request.tif,
        )  # fmt: skip

    @router.patch("/orders/{client_order_id}", response_model=Order)
    async def modify(
        client_order_id: str, request: OrderChange, _: Annotated[Principal, Depends(trader)]
    ) -> dict[str, Any]:
        """Change a working order's price and/or total quantity."""
        try:
            return await desk.modify(client_order_id, request.price, request.qty)
        except KeyError:
            raise not_found("order", client_order_id) from None

    @router.delete("/orders/{client_order_id}", response_model=Order)
    async def cancel(
        client_order_id: str, _: Annotated[Principal, Depends(trader)]
    ) -> dict[str, Any]:
        """Cancel what is left of a working order."""
        try:
            return await desk.cancel(client_order_id)
        except KeyError:
            raise not_found("order", client_order_id) from None

    @router.post("/orders/cancel-all", response_model=CancelAll)
    async def cancel_all(
        _: Annotated[Principal, Depends(trader)],
        symbol: Annotated[str | None, Query(pattern=SYMBOL)] = None,
    ) -> dict[str, Any]:
        """Cancel every working order (of one symbol when given)."""
        return await desk.cancel_all(symbol)

    return router
