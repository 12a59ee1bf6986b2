"""`KisOrders`: submit, modify and cancel through order-cash / order-rvsecncl (KIS.md §5).

A `jts` order becomes an UPPERCASE, all-string body: the side picks the TR (sell 0011U, buy
0012U), the order type and time in force pick `ORD_DVSN` (`order_division`), the configured
exchange fills `EXCG_ID_DVSN_CD` (KRX, or NXT/SOR on a real account). KIS's refusal is an
`OrderUpdate` with status REJECTED and KIS's own code in `reject_code`.

**An order is never sent twice blindly.** When a submit's outcome is unknown (`SubmitUncertain`:
the connection broke after the request left, or the server failed without a KIS answer), the
day's orders are inquired for one this object has not seen yet that matches symbol, side,
quantity and price and was placed since just before the send. If one is there, that is our
order; if none is, and only then, the order is sent once more. A second unknown outcome is
raised to the caller (the OMS reconciles).

KIS numbers a modification or cancellation as a new order (a new ODNO referring to the
original); this object remembers which ODNOs belong to which client order id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final

import msgspec
import structlog

from jts.core.clock import NS_PER_SECOND, Clock, LiveClock, to_kst
from jts.core.enums import OrderStatus, OrderType, Side, TimeInForce
from jts.core.errors import RateLimited
from jts.core.events import OrderUpdate
from jts.core.models import OrderRequest
from jts.venues.kis.account import KisAccount, OrderRow
from jts.venues.kis.config import KisConfig
from jts.venues.kis.errors import KisRefused, KisUnavailable, SubmitUncertain
from jts.venues.kis.protocol.codes import ORDER_DIVISIONS
from jts.venues.kis.protocol.trs import Tr
from jts.venues.kis.rest import KisResponse, KisRest
from jts.venues.sim.orders import RejectCode

__all__ = ["KisOrders", "KnownOrder", "follow_modifications", "order_body", "order_division"]

_log = structlog.get_logger(__name__)

Sleep = Callable[[float], Awaitable[None]]

_NOT_ON: Final[dict[str, frozenset[str]]] = {
    "KRX": frozenset(),
    "NXT": frozenset({"01", "02", "05", "06", "07"}),
    "SOR": frozenset({"02", "05", "06", "07"}),
}
"""ORD_DVSN codes each exchange does not take (KIS.md §5.3)."""

_MATCH_EARLY_S: Final = 5.0
"""How long before our send an order found by inquiry may be stamped (clocks differ)."""


def order_division(order_type: OrderType, tif: TimeInForce, *, now_ns: int) -> str | None:
    """The ORD_DVSN code of a JTS order type and time in force; None if KIS has none.
    A closing-price order is the pre-open session's (05) before 09:00 KST, else post-close (06).
    """
    if order_type is OrderType.CLOSING_PRICE:
        return "05" if to_kst(now_ns).hour < 9 else "06"
    for code, division in ORDER_DIVISIONS.items():
        if code != "07" and division.order_type is order_type and division.tif is tif:
            return code
    return None


def order_body(config: KisConfig, order: OrderRequest, division: str) -> dict[str, str]:
    """The order-cash body (KIS.md §5.1): keys UPPERCASE, every value a string."""
    body = {
        "CANO": config.cano,
        "ACNT_PRDT_CD": config.product_code,
        "PDNO": order.symbol,
        "ORD_DVSN": division,
        "ORD_QTY": str(order.qty),
        "ORD_UNPR": str(order.price) if ORDER_DIVISIONS[division].price else "0",
        "EXCG_ID_DVSN_CD": config.exchange,
    }
    if order.side is Side.SELL:
        body["SLL_TYPE"] = "01"
    return body


class KnownOrder(msgspec.Struct, kw_only=True):
    """What we know of one of our orders at KIS."""

    client_order_id: str
    odno: str
    branch: str
    """`KRX_FWDG_ORD_ORGNO`, quoted by every modify/cancel of the order."""
    symbol: str
    side: Side
    qty: int
    price: int
    division: str

    @classmethod
    def of_row(cls, client_order_id: str, row: OrderRow) -> KnownOrder:
        """The order as the day's order inquiry lists it."""
        return cls(
            client_order_id=client_order_id, odno=row.odno, branch=row.branch, symbol=row.symbol,
            side=row.side, qty=row.qty, price=row.price, division=row.division,
        )  # fmt: skip


class KisOrders:
    """Order entry for the configured account."""

    def __init__(
        self,
        rest: KisRest,
        config: KisConfig,
        account: KisAccount,
        *,
        clock: Clock | None = None,
        sleep: Sleep = asyncio.sleep,
        inquiry_attempts: int = 3,
        inquiry_delay_s: float = 1.0,
    ) -> None:
        """`inquiry_delay_s`: pause before each inquiry into an unknown outcome, doubled per
        attempt, so an order still in flight at KIS has time to appear."""
        self._rest = rest
        self._config = config
        self._account = account
        self._clock: Clock = clock if clock is not None else LiveClock()
        self._sleep = sleep
        self._inquiry_attempts = inquiry_attempts
        self._inquiry_delay_s = inquiry_delay_s
        self._known: dict[str, KnownOrder] = {}
        account.client_id_of = self.client_id_of

    def client_id_of(self, odno: str) -> str | None:
        """The client order id of KIS order `odno` (also of a modification's new ODNO)."""
        known = self._known.get(odno)
        return known.client_order_id if known else None

    def known(self, odno: str) -> KnownOrder | None:
        return self._known.get(odno)

    def remember(self, order: KnownOrder) -> None:
        """Adopt an order (after a restart the OMS tells which ODNO is which client order)."""
        self._known[order.odno] = order

    # -- submit ---------------------------------------------------------------------------------

    async def submit(self, order: OrderRequest) -> OrderUpdate:
        """Send `order`: ACCEPTED with KIS's ODNO, or REJECTED with KIS's code. Raises
        `SubmitUncertain` only when even inquiry cannot tell whether KIS has it."""
        division = order_division(order.order_type, order.tif, now_ns=self._clock.now_ns())
        if division is None or division in _NOT_ON[self._config.exchange]:
            return self._local_reject(order, RejectCode.WRONG_SESSION, "no KIS order division")
        if ORDER_DIVISIONS[division].price and not order.price:
            return self._local_reject(order, RejectCode.PRICE_REQUIRED, "a price is needed")
        body = order_body(self._config, order, division)
        tr = Tr.ORDER_SELL if order.side is Side.SELL else Tr.ORDER_BUY
        for attempt in range(2):
            sent_ns = self._clock.now_ns()
            try:
                answer = await self._rest.post(tr, body)
            except KisRefused as exc:
                return self._reject(order, exc)
            except SubmitUncertain:
                _log.warning("kis.order.uncertain", client_order_id=order.client_order_id)
                found = await self._find_sent(order, division, sent_ns)
                if found is not None:
                    return self._adopt(order, found)
                if attempt == 1:
                    raise
                continue
            return self._accepted(order, division, answer)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _find_sent(self, order: OrderRequest, division: str, sent_ns: int) -> OrderRow | None:
        """Our order among the day's, if it reached KIS: same symbol, side, qty and price,
        placed since just before `sent_ns`, and not an ODNO we already know."""
        price = order.price if ORDER_DIVISIONS[division].price else 0
        earliest = sent_ns - int(_MATCH_EARLY_S * NS_PER_SECOND)
        for attempt in range(self._inquiry_attempts):
            await self._sleep(self._inquiry_delay_s * 2**attempt)
            try:
                rows = await self._account.order_rows(symbol=order.symbol, side=order.side)
            except (KisUnavailable, RateLimited):
                continue
            matches = [
                row
                for row in rows
                if row.odno not in self._known
                and not row.orgn_odno.strip("0")
                and (row.qty, row.price) == (order.qty, price or row.price)
                and row.ts_ns >= earliest
            ]
            return matches[0] if matches else None
        raise SubmitUncertain("INQUIRY", f"{order.client_order_id}: outcome unknown")

    def _accepted(self, order: OrderRequest, division: str, answer: KisResponse) -> OrderUpdate:
        output = _upper(answer.output)
        known = KnownOrder(
            client_order_id=order.client_order_id,
            odno=output.get("ODNO", ""),
            branch=output.get("KRX_FWDG_ORD_ORGNO", ""),
            symbol=order.symbol,
            side=order.side,
            qty=order.qty,
            price=order.price or 0,
            division=division,
        )
        self._known[known.odno] = known
        return self._update(known, OrderStatus.ACCEPTED, leaves=order.qty)

    def _adopt(self, order: OrderRequest, row: OrderRow) -> OrderUpdate:
        known = KnownOrder.of_row(order.client_order_id, row)
        self._known[row.odno] = known
        status = OrderStatus.PARTIALLY_FILLED if row.filled_qty else OrderStatus.ACCEPTED
        return self._update(known, status, leaves=row.remaining, filled=row.filled_qty)

    # -- modify / cancel ------------------------------------------------------------------------

    async def modify(
        self, venue_order_id: str, *, price: int | None = None, qty: int | None = None
    ) -> OrderUpdate:
        """Reduce the remainder to `qty` (a partial cancel: keeps the queue place) and/or move
        the whole remainder to `price` (a new ODNO, behind the queue). Like every order
        request it is never resent blindly: an unknown outcome raises `SubmitUncertain`."""
        row = await self._row(venue_order_id)
        if row is None:
            return self._unknown(venue_order_id)
        if qty is not None and qty < row.remaining:
            reduced = await self.cancel(venue_order_id, qty=row.remaining - qty)
            if price is None or reduced.status is OrderStatus.REJECTED:
                return reduced
        if price is None:
            return self._update(self._known_of(row), OrderStatus.ACCEPTED, leaves=row.remaining)
        known = self._known_of(row)
        body = self._revise_body(known, row, modify=True, price=price, qty=None)
        try:
            answer = await self._rest.post(Tr.ORDER_MODIFY_CANCEL, body)
        except KisRefused as exc:
            return self._reject_known(known, exc)
        new = msgspec.structs.replace(
            known, odno=_upper(answer.output).get("ODNO", ""), price=price, division="00"
        )
        self._known[new.odno] = new
        leaves = qty if qty is not None and qty < row.remaining else row.remaining
        return self._update(new, OrderStatus.ACCEPTED, leaves=leaves, filled=row.filled_qty)

    async def cancel(self, venue_order_id: str, *, qty: int | None = None) -> OrderUpdate:
        """Cancel the whole remainder, or `qty` shares of it (`SubmitUncertain` when the
        outcome is unknown: look at `open_orders` before asking again)."""
        row = await self._row(venue_order_id)
        if row is None:
            return self._unknown(venue_order_id)
        known = self._known_of(row)
        partial = qty is not None and qty < row.remaining
        body = self._revise_body(known, row, modify=False, price=None, qty=qty if partial else None)
        try:
            await self._rest.post(Tr.ORDER_MODIFY_CANCEL, body)
        except KisRefused as exc:
            return self._reject_known(known, exc)
        if partial and qty is not None:
            return self._update(
                known, OrderStatus.ACCEPTED, leaves=row.remaining - qty, filled=row.filled_qty
            )
        return self._update(known, OrderStatus.CANCELLED, leaves=0, filled=row.filled_qty)

    def _revise_body(
        self, known: KnownOrder, row: OrderRow, *, modify: bool, price: int | None, qty: int | None
    ) -> dict[str, str]:
        """The order-rvsecncl body (KIS.md §5.2); `qty` None means the whole remainder."""
        return {
            "CANO": self._config.cano,
            "ACNT_PRDT_CD": self._config.product_code,
            "KRX_FWDG_ORD_ORGNO": known.branch or row.branch,
            "ORGN_ODNO": row.odno,
            "ORD_DVSN": "00" if modify else (row.division or known.division or "00"),
            "RVSE_CNCL_DVSN_CD": "01" if modify else "02",
            "ORD_QTY": str(qty if qty is not None else row.remaining),
            "ORD_UNPR": str(price) if price is not None else "0",
            "QTY_ALL_ORD_YN": "N" if qty is not None else "Y",
            "EXCG_ID_DVSN_CD": row.exchange if row.exchange in ("KRX", "NXT", "SOR") else "KRX",
        }

    async def _row(self, odno: str) -> OrderRow | None:
        """The row that works the order now (remainder, org number), from the day's inquiry.
        After a price change KIS works the remainder under the modification's number: a
        caller still holding the original number is led to it."""
        if not odno.isdigit():
            return None
        rows = await self._account.order_rows(odno=odno)
        row = next((r for r in rows if r.odno == odno), None)
        if row is None or row.is_open:
            return row
        same_symbol = await self._account.order_rows(symbol=row.symbol, side=row.side)
        return follow_modifications(row, same_symbol)

    def _known_of(self, row: OrderRow) -> KnownOrder:
        known = self._known.get(row.odno)
        if known is None:
            client_id = self._account.client_id_of(row.odno) or f"kis-{row.odno}"
            known = KnownOrder.of_row(client_id, row)
            self._known[row.odno] = known
        return known

    # -- answers --------------------------------------------------------------------------------

    def _update(
        self, known: KnownOrder, status: OrderStatus, *, leaves: int, filled: int = 0
    ) -> OrderUpdate:
        return OrderUpdate(
            venue_order_id=known.odno,
            client_order_id=known.client_order_id,
            account=self._config.account,
            symbol=known.symbol,
            side=known.side,
            ts_ns=self._clock.now_ns(),
            status=status,
            price=known.price,
            qty=known.qty,
            filled_qty=filled,
            leaves_qty=leaves,
        )

    def _reject(self, order: OrderRequest, exc: KisRefused) -> OrderUpdate:
        return self._rejected(order, exc.code, f"{exc.message} ({exc.reason})")

    def _local_reject(self, order: OrderRequest, code: RejectCode, message: str) -> OrderUpdate:
        return self._rejected(order, str(code), message)

    def _rejected(self, order: OrderRequest, code: str, message: str) -> OrderUpdate:
        return OrderUpdate(
            venue_order_id="",
            client_order_id=order.client_order_id,
            account=order.account,
            symbol=order.symbol,
            side=order.side,
            ts_ns=self._clock.now_ns(),
            status=OrderStatus.REJECTED,
            price=order.price or 0,
            qty=order.qty,
            reject_code=code,
            message=message,
        )

    def _reject_known(self, known: KnownOrder, exc: KisRefused) -> OrderUpdate:
        update = self._update(known, OrderStatus.REJECTED, leaves=0)
        return msgspec.structs.replace(
            update, reject_code=exc.code, message=f"{exc.message} ({exc.reason})"
        )

    def _unknown(self, venue_order_id: str) -> OrderUpdate:
        known = self._known.get(venue_order_id)
        return OrderUpdate(
            venue_order_id=venue_order_id,
            client_order_id=known.client_order_id if known else "",
            account=self._config.account,
            symbol=known.symbol if known else "",
            side=known.side if known else Side.BUY,
            ts_ns=self._clock.now_ns(),
            status=OrderStatus.REJECTED,
            reject_code=str(RejectCode.UNKNOWN_ORDER),
            message=f"KIS has no order {venue_order_id!r} today",
        )


def follow_modifications(row: OrderRow, rows: list[OrderRow]) -> OrderRow:
    """The last price modification of `row` among `rows` (itself when it was not modified):
    each modification refers to the number it replaced (`orgn_odno`); cancels are not followed.
    """
    replaced_by = {r.orgn_odno: r for r in rows if r.orgn_odno and not r.cancelled}
    seen = {row.odno}
    while row.odno in replaced_by and replaced_by[row.odno].odno not in seen:
        row = replaced_by[row.odno]
        seen.add(row.odno)
    return row


def _upper(output: object) -> dict[str, str]:
    """An order answer's `output` with UPPERCASE keys (the portal lists some in lowercase)."""
    if not isinstance(output, dict):
        return {}
    return {str(k).upper(): str(v) for k, v in output.items()}
