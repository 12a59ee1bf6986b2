"""Response models shared by the REST routes: they make the OpenAPI document exact."""

from __future__ import annotations

from pydantic import BaseModel, Field

SYMBOL = r"^[0-9A-Z]{6}$"


class Instrument(BaseModel):
    symbol: str
    name: str
    market: str
    kind: str
    lot_size: int


class Quote(BaseModel):
    symbol: str
    name: str
    last: int
    open: int
    high: int
    low: int
    volume: int
    value: int
    prev_close: int
    change: int
    change_pct: float
    upper_limit: int
    lower_limit: int
    state: str = Field(description="closed, call, continuous, vi, halted, ...")
    vi: bool
    ts_ns: int


class Bar(BaseModel):
    symbol: str
    ts_ns: int = Field(description="start of the bar, ns since the epoch (UTC)")
    interval_s: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    value: int


class Level(BaseModel):
    price: int
    qty: int


class Book(BaseModel):
    symbol: str
    bids: list[Level] = Field(description="best (highest) first")
    asks: list[Level] = Field(description="best (lowest) first")
    ts_ns: int


class Order(BaseModel):
    client_order_id: str
    account: str
    symbol: str
    side: str
    qty: int
    order_type: str
    price: int | None
    tif: str
    strategy: str | None
    status: str
    venue_order_id: str | None
    filled_qty: int
    remaining_qty: int
    avg_fill_price: float
    reject_reason: str | None
    created_ns: int
    updated_ns: int


class Fill(BaseModel):
    fill_id: str
    client_order_id: str
    symbol: str
    side: str
    qty: int
    price: int
    commission: int
    tax: int
    ts_ns: int


class CancelAll(BaseModel):
    cancelled: int
    orders: list[Order]


class Position(BaseModel):
    symbol: str
    name: str
    qty: int
    avg_price: float
    last: int
    market_value: int
    unrealized_pnl: int
    realized_pnl: int
    fees: int
    taxes: int


class Pnl(BaseModel):
    account: str
    equity: int
    cash: int
    market_value: int
    unrealized_pnl: int
    realized_pnl: int
    daily_pnl: int
    gross_exposure: int
    positions: int
    ts_ns: int


class EquityPoint(BaseModel):
    ts_ns: int
    equity: int
    daily_pnl: int


class RiskLimitsModel(BaseModel):
    max_order_qty: int | None = None
    max_order_value: int | None = None
    max_position_qty: int | None = None
    max_gross_exposure: int | None = None
    fat_finger_pct: float | None = None
    max_orders_per_second: int | None = None
    max_orders_per_minute: int | None = None
    daily_loss_limit: int | None = None
    check_cash: bool = True
    allow_short: bool = False
    prevent_self_cross: bool = True
    block_identical_orders: bool = False


class RiskState(BaseModel):
    state: str = Field(description="active, reduce_only or halted")
    reason: str
    limits: RiskLimitsModel
    killed: str = Field(description="the kill switch's reason while it holds, else empty")


class KillAnswer(BaseModel):
    halted: bool
    cancelled: int
    reason: str
