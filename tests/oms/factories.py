"""Small builders of requests and fills for the oms and risk tests."""

from __future__ import annotations

import itertools
from typing import Any

from jts.core import Fill, OrderRequest, OrderType, Side

ACCOUNT = "acct-1"
SYMBOL = "005930"
_fill_ids = itertools.count(1)


def request(
    coid: str = "o-1",
    side: Side = Side.BUY,
    qty: int = 100,
    price: int | None = 70_000,
    symbol: str = SYMBOL,
    **changes: Any,
) -> OrderRequest:
    order_type = OrderType.LIMIT if price is not None else OrderType.MARKET
    fields: dict[str, Any] = {
        "client_order_id": coid,
        "account": ACCOUNT,
        "symbol": symbol,
        "side": side,
        "qty": qty,
        "price": price,
        "order_type": order_type,
        "ts_ns": 1_000,
    }
    return OrderRequest(**(fields | changes))


def fill(
    coid: str = "o-1",
    qty: int = 100,
    price: int = 70_000,
    side: Side = Side.BUY,
    symbol: str = SYMBOL,
    fill_id: str | None = None,
    **changes: Any,
) -> Fill:
    fields: dict[str, Any] = {
        "fill_id": fill_id or f"f-{next(_fill_ids)}",
        "client_order_id": coid,
        "account": ACCOUNT,
        "symbol": symbol,
        "side": side,
        "qty": qty,
        "price": price,
        "ts_ns": 2_000,
    }
    return Fill(**(fields | changes))
