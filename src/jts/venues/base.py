"""The venue contract: what the simulated exchange, KIS and Creon each implement, on one screen.

A venue turns JTS orders into its own requests and its own messages into `jts.core` events, so
nothing above `jts.venues` ever sees a wire format or asks which venue it talks to. What differs
between venues is data (`VenueCaps`), not `if venue == ...` branches. A venue's *refusal* of
an order is data too: `submit`/`modify`/`cancel` answer with an `OrderUpdate` whose status is
`REJECTED` and whose `reject_code` is the venue's own code, verbatim. They raise only when the
venue cannot answer at all: `VenueUnavailable` (retry with backoff), `RateLimited` (wait).

Units: prices and cash int KRW, quantities int shares, timestamps int ns UTC.
`tests/venues/contract.py` holds the scenarios every implementation must pass;
`venues/_template/` is the skeleton to copy for a new adapter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from enum import StrEnum
from typing import Protocol, TypeAlias, runtime_checkable

import msgspec

from jts.core.enums import OrderType
from jts.core.errors import ConfigError
from jts.core.events import ExpectedPrice, MarketStatus, OrderUpdate, SymbolStatus
from jts.core.models import Account, BookUpdate, Fill, Order, OrderRequest, Position, Tick

__all__ = ["FeedKind", "Venue", "VenueCaps", "VenueEvent"]


class FeedKind(StrEnum):
    """What a subscription asks for; each kind maps to the venue's own feed (KIS TR, Creon
    event, simulator topic)."""

    TRADES = "trades"  # `Tick` prints
    BOOK = "book"  # `BookUpdate` 10-level snapshots
    EXPECTED = "expected"  # `ExpectedPrice` indications during call auctions
    STATUS = "status"  # `SymbolStatus` (VI, halts) and `MarketStatus` (CB, sidecar, phase)
    ORDERS = "orders"  # `OrderUpdate` and `Fill` of the connected account (symbols ignored)


VenueEvent: TypeAlias = (
    Tick | BookUpdate | ExpectedPrice | SymbolStatus | MarketStatus | OrderUpdate | Fill
)
"""Everything `Venue.events()` yields."""


class VenueCaps(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How one venue differs from the others, as data the OMS and risk read (never a branch on
    the venue's name). Unknown keys are rejected when built from configuration."""

    name: str
    """The venue's name as it appears in `Account.venue` and the logs ("sim", "kis", ...)."""
    orders_per_second: float = 0.0
    """Order requests (submit, modify, cancel) the venue allows per second; 0 = unlimited."""
    supports_modify: bool = True
    """Whether price modification exists; without it the OMS cancels and resubmits."""
    supports_ioc_fok: bool = True
    """Whether IOC/FOK conditions are accepted (`TimeInForce`)."""
    order_types: frozenset[OrderType] = frozenset(OrderType)
    """Order types the venue accepts (default: every KRX type)."""
    sessions: str = ""
    """Free-text note on session quirks (e.g. "no NXT", "after-hours only via TR xyz")."""
    paper: bool = False
    """True for a paper (simulated money) account: the app warns loudly when this is False."""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ConfigError("venue.caps.name", "must not be empty")
        if self.orders_per_second < 0:
            raise ConfigError(
                "venue.caps.orders_per_second", f"must be >= 0, got {self.orders_per_second}"
            )


@runtime_checkable
class Venue(Protocol):
    """One connection to a venue for one account (the account the venue was configured with)."""

    name: str
    caps: VenueCaps

    async def connect(self) -> None:
        """Log in and open the feeds; idempotent. Raises `VenueUnavailable` if it cannot."""
        ...

    async def close(self) -> None:
        """Release connections; idempotent. Working orders stay at the venue."""
        ...

    async def subscribe(self, symbols: Sequence[str], kinds: set[FeedKind]) -> None:
        """Start the feeds of `kinds` for `symbols`; `ORDERS` needs no symbols."""
        ...

    def events(self) -> AsyncIterator[VenueEvent]:
        """The one stream of subscribed events, in the venue's order. With `ORDERS`, every
        change of the account's orders appears here, including those `submit`/`modify`/
        `cancel` also returned, so a consumer of the stream alone sees the whole history."""
        ...

    async def submit(self, order: OrderRequest) -> OrderUpdate:
        """Send a new order: ACCEPTED (fills follow as `Fill` events) or REJECTED with the
        venue's `reject_code`. Never raises for a refusal."""
        ...

    async def modify(
        self, venue_order_id: str, *, price: int | None = None, qty: int | None = None
    ) -> OrderUpdate:
        """Change an open order's working price (KRW) and/or reduce its remainder to `qty`
        shares. A price change loses time priority; a reduction keeps it. The answer may carry
        a new `venue_order_id` (KIS numbers a modification as a new order); the client order
        id stays."""
        ...

    async def cancel(self, venue_order_id: str, *, qty: int | None = None) -> OrderUpdate:
        """Cancel the remainder, or only `qty` shares of it (partial cancel keeps priority).
        Cancelling a closed or unknown order answers REJECTED with a code."""
        ...

    async def open_orders(self) -> list[Order]:
        """Working orders of the account, earliest queue place first: a price change moves an
        order behind those that kept their place."""
        ...

    async def positions(self) -> list[Position]:
        """Non-zero holdings of the account."""
        ...

    async def fills_since(self, ts_ns: int) -> list[Fill]:
        """The account's fills with `ts_ns` at or after the given time, oldest first
        (inclusive, so reconciliation never misses one; callers drop repeats by `fill_id`)."""
        ...

    async def account(self) -> Account:
        """Cash of the account: settled `cash` and the net `unsettled` amount (T+2)."""
        ...
