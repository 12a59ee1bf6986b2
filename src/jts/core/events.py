"""Normalized venue events beside `Tick` and `BookUpdate`: auction indications, symbol and
market trading status, and order updates.

Every venue (the simulated exchange, KIS, Creon) translates its own messages into these, so the
order manager, market data and the dashboard never see a venue's wire format. Prices are int
KRW, quantities int shares, timestamps int ns UTC.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from jts.core.enums import OrderStatus, Side
from jts.core.models import BookLevel


class HaltStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A symbol's trading status changed at `ts_ns`: halted (VI triggered, trading halt) or
    trading again (`halted=False`: the resumption auction uncrossed)."""

    symbol: str
    ts_ns: int
    halted: bool
    reason: str = ""


class ExpectedPrice(msgspec.Struct, frozen=True, kw_only=True):
    """During a call auction: the price and volume that would clear if it uncrossed now.

    `price` is 0 and `qty` 0 while nothing would execute. `bids`/`asks` are the best levels of
    the collected orders (KRX publishes a few levels per side during intake).
    """

    symbol: str
    ts_ns: int
    price: int
    qty: int
    bids: tuple[BookLevel, ...] = ()
    asks: tuple[BookLevel, ...] = ()


class SymbolState(StrEnum):
    """What one symbol's market is doing, beside the day's session phase."""

    CLOSED = "closed"  # no session accepts orders now
    CALL = "call"  # collecting orders for a scheduled call auction (open, close, after-hours)
    CONTINUOUS = "continuous"  # continuous matching
    VI = "vi"  # volatility interruption: a 2-minute call auction
    HALTED = "halted"  # trading halt (disclosure, CB): no matching, cancels only
    OVERHEATED = "overheated"  # 단기과열: call auctions every 30 minutes
    CLOSING_PRICE = "closing_price"  # closing-price session: fills only at the reference close


class SymbolStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A symbol's trading state changed at `ts_ns`.

    `reason` says why in a few words (`"static_vi"`, `"dynamic_vi"`, `"halt"`, `"cb_stage1"`,
    `"resume"`); `until_ns` is the scheduled end of a VI auction or halt (0 when open-ended);
    `reference` is the price a VI was measured from, `trigger` the price that tripped it.
    """

    symbol: str
    ts_ns: int
    state: SymbolState
    reason: str = ""
    until_ns: int = 0
    reference: int = 0
    trigger: int = 0

    @property
    def halted(self) -> bool:
        """No continuous matching (VI auction or halt): bar builders fold the gap."""
        return self.state in (SymbolState.VI, SymbolState.HALTED)


class MarketControl(StrEnum):
    CB_STAGE1 = "cb_stage1"
    CB_STAGE2 = "cb_stage2"
    CB_STAGE3 = "cb_stage3"
    CB_RESUME = "cb_resume"  # the 20-min halt ended; a 10-min call auction sets first prices
    SIDECAR = "sidecar"
    SIDECAR_RELEASE = "sidecar_release"
    PHASE = "phase"  # the session phase changed (`detail` names the new phase)


class MarketStatus(msgspec.Struct, frozen=True, kw_only=True):
    """A market-wide event: circuit breaker stages, sidecar, session phase changes."""

    market: str
    ts_ns: int
    control: MarketControl
    detail: str = ""
    until_ns: int = 0


class OrderUpdate(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """A venue's word on one order: accepted, modified, cancelled, expired or rejected.

    Fills travel as `Fill` events; this carries every other state change. `reject_code` is
    the venue's own code, kept verbatim (the simulator's codes are `RejectCode` values);
    `price` is the order's working price after the change (0 for a market order).
    """

    venue_order_id: str
    client_order_id: str
    account: str
    symbol: str
    side: Side
    ts_ns: int
    status: OrderStatus
    price: int = 0
    qty: int = 0
    filled_qty: int = 0
    leaves_qty: int = 0
    reject_code: str = ""
    message: str = ""
