"""Gap fill: what the notice feed missed while the WebSocket was down, read back from REST.

KIS does not replay notices, so after a reconnect (and once at start, for a process that
restarts mid-day) the day's orders are read with inquire-daily-ccld and each order's total
fill is compared with what the notices booked (`OrderTracker.catch_up`). Ticks missed while
down are gone for good; the book of each watched symbol is refreshed instead.

The one subtlety is a notice that arrives *while* the REST read is in flight: its execution
may or may not be in the answer. So a pass counts the notices received before sending and
after the answer; if any arrived in between, it reads again. Once a pass sees none, every
notice received up to its start is covered by the REST totals, and the caller skips the fills
of those notices (`GapResult.covered_upto`) instead of booking them a second time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import msgspec

from jts.core.clock import Clock, kst_date, kst_ns
from jts.core.enums import OrderStatus
from jts.core.events import OrderUpdate
from jts.core.models import BOOK_DEPTH, BookLevel, BookUpdate, Fill
from jts.venues.kis.account import KisAccount, OrderRow, kis_int
from jts.venues.kis.protocol.trs import Tr
from jts.venues.kis.rest import KisRest
from jts.venues.kis.throttle import Priority
from jts.venues.kis.tracking import OrderTracker

__all__ = ["GapFiller", "GapResult", "book_from_rest", "refresh_book"]

_log = logging.getLogger(__name__)


class GapResult(msgspec.Struct, frozen=True, kw_only=True):
    """What a gap fill found: fills booked from REST totals, orders KIS closed meanwhile
    (cancelled, expired or refused without a notice reaching us), and the arrival number of
    the last notice those totals already include."""

    fills: list[Fill]
    closed: list[OrderUpdate]
    covered_upto: int
    passes: int


class GapFiller:
    """Reads the day's orders and books what the notices missed."""

    def __init__(
        self,
        account: KisAccount,
        tracker: OrderTracker,
        clock: Clock,
        *,
        client_id_of: Callable[[str], str | None] = lambda odno: None,
        max_passes: int = 5,
    ) -> None:
        self._account = account
        self._tracker = tracker
        self._clock = clock
        self._client_id_of = client_id_of
        self._max_passes = max_passes

    async def run(self, notices_received: Callable[[], int]) -> GapResult:
        """Read until a pass sees no notice arrive during its REST read (at most
        `max_passes`; then the last pass's start bounds what is covered)."""
        fills: list[Fill] = []
        closed: list[OrderUpdate] = []
        covered = notices_received()
        passes = 0
        while passes < self._max_passes:
            passes += 1
            covered = notices_received()
            rows = await self._account.order_rows()
            fills.extend(self.apply(rows))
            closed.extend(self.close_ended(rows))
            if notices_received() == covered:
                break
        else:
            _log.warning("KIS notices kept arriving during %d gap-fill reads", passes)
        return GapResult(fills=fills, closed=closed, covered_upto=covered, passes=passes)

    def apply(self, rows: list[OrderRow]) -> list[Fill]:
        """Book the fills of `rows` (oldest first) that the tracker does not know yet."""
        now = self._clock.now_ns()
        booked = []
        for row in rows:
            if row.filled_qty <= 0:
                continue
            self._ensure_tracked(row)
            fill = self._tracker.catch_up(row.odno, row.filled_qty, row.filled_amount, now)
            if fill is not None:
                booked.append(fill)
        return booked

    def close_ended(self, rows: list[OrderRow]) -> list[OrderUpdate]:
        """Orders we think open whose current row KIS shows closed without a fill finishing
        them (a cancel or expiry whose notice never reached us): mark and report them."""
        now = self._clock.now_ns()
        updates = []
        for row in rows:
            order = self._tracker.get(row.odno)
            if order is None or order.odno != row.odno or not order.status.is_open:
                continue
            status = self._account.to_order(row).status
            if status in (OrderStatus.CANCELLED, OrderStatus.REJECTED, OrderStatus.EXPIRED):
                order.qty = order.filled
                order.status = status
                updates.append(self._tracker.update(order, status, now))
        return updates

    def _ensure_tracked(self, row: OrderRow) -> None:
        tracker = self._tracker
        if tracker.knows(row.odno):
            return
        if row.orgn_odno and tracker.link(row.odno, row.orgn_odno) is not None:
            return
        cid = self._client_id_of(row.odno)
        if cid is not None and tracker.by_client_id(cid) is not None:
            tracker.alias(row.odno, cid)
            return
        tracker.adopt(
            row.odno,
            symbol=row.symbol,
            side=row.side,
            qty=row.filled_qty + row.remaining,
            price=row.price,
            ts_ns=row.ts_ns,
        )


def _levels(output: dict[str, Any], price: str, qty: str) -> tuple[BookLevel, ...]:
    levels = []
    for i in range(1, BOOK_DEPTH + 1):
        level_price = kis_int(output.get(f"{price}{i}"))
        if level_price > 0:
            levels.append(BookLevel(level_price, kis_int(output.get(f"{qty}{i}"))))
    return tuple(levels)


def book_from_rest(symbol: str, output: Any, day: dt.date, now_ns: int) -> BookUpdate | None:
    """inquire-asking-price-exp-ccn `output1` (KIS.md §4.3) → a `BookUpdate` stamped with its
    `aspr_acpt_hour` (KST) or `now_ns`; None when the answer holds no level."""
    if not isinstance(output, dict):
        return None
    bids = _levels(output, "bidp", "bidp_rsqn")
    asks = _levels(output, "askp", "askp_rsqn")
    if not bids and not asks:
        return None
    ts_ns = now_ns
    hour = str(output.get("aspr_acpt_hour") or "").strip()
    if len(hour) == 6 and hour.isdigit():
        at = dt.time(int(hour[:2]) % 24, int(hour[2:4]), int(hour[4:]))
        ts_ns = kst_ns(day, at)
    return BookUpdate(symbol=symbol, ts_ns=ts_ns, bids=bids, asks=asks)


async def refresh_book(rest: KisRest, symbol: str, clock: Clock) -> BookUpdate | None:
    """The current 10-level book of `symbol` from REST (after a reconnect: the quote the
    missed frames would have left)."""
    answer = await rest.get(
        Tr.ASKING_PRICE,
        {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": symbol},
        priority=Priority.ORDER_STATUS,
    )
    now = clock.now_ns()
    return book_from_rest(symbol, answer.output1, kst_date(now), now)
