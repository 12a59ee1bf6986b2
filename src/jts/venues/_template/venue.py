"""`TemplateVenue`: every method of `jts.venues.base.Venue`, each saying what to implement.

An adapter folder holds the same modules as its siblings (`venues/sim`, `venues/kis`,
`venues/creon`): `venue.py` (this class), `config.py` (frozen, keyword-only settings; secrets
from `JTS_*` variables), `errors.py` (the table from the venue's codes to JTS errors, keeping
the original code), and the feed / order clients it needs. Translate at the edge: nothing
outside the folder sees the venue's wire format. Prices int KRW, quantities int shares,
timestamps int ns UTC.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

from jts.core.events import OrderUpdate
from jts.core.models import Account, Fill, Order, OrderRequest, Position
from jts.venues.base import FeedKind, VenueCaps, VenueEvent

__all__ = ["TemplateVenue"]


class TemplateVenue:
    """Replace each `NotImplementedError` with the venue's own calls."""

    name = "template"
    caps = VenueCaps(name="template", paper=True)
    """Fill in the venue's real limits: rate, modify support, accepted order types."""

    async def connect(self) -> None:
        raise NotImplementedError("connect: log in, open feeds; raise VenueUnavailable on failure")

    async def close(self) -> None:
        raise NotImplementedError("close: release connections; must be idempotent")

    async def subscribe(self, symbols: Sequence[str], kinds: set[FeedKind]) -> None:
        raise NotImplementedError("subscribe: map each FeedKind to the venue's feed")

    def events(self) -> AsyncIterator[VenueEvent]:
        raise NotImplementedError("events: yield Tick/BookUpdate/.../OrderUpdate/Fill values")

    async def submit(self, order: OrderRequest) -> OrderUpdate:
        raise NotImplementedError("submit: send; map a refusal to OrderUpdate(REJECTED, code)")

    async def modify(
        self, venue_order_id: str, *, price: int | None = None, qty: int | None = None
    ) -> OrderUpdate:
        raise NotImplementedError("modify: change price/qty; refusals are REJECTED updates")

    async def cancel(self, venue_order_id: str, *, qty: int | None = None) -> OrderUpdate:
        raise NotImplementedError("cancel: whole remainder, or `qty` shares of it")

    async def open_orders(self) -> list[Order]:
        raise NotImplementedError("open_orders: working orders, earliest queue place first")

    async def positions(self) -> list[Position]:
        raise NotImplementedError("positions: non-zero holdings of the account")

    async def fills_since(self, ts_ns: int) -> list[Fill]:
        raise NotImplementedError("fills_since: fills at or after ts_ns, oldest first")

    async def account(self) -> Account:
        raise NotImplementedError("account: settled cash and net unsettled amount, KRW")
