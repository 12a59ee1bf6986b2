"""One KIS customer at the simulated broker: its orders as KIS numbers them, and its notices.

The exchange and the account (`SimVenue` + `SimAccount`) do the trading; this class keeps
KIS's view of it. KIS numbers every request: a new order, and each modify or cancel, gets a
fresh 10-digit `ODNO` that refers to the original through `ORGN_ODNO`; fills after a modify
belong to the modify's number. Each change is also a 26-field notice (KIS.md §7.3) for the
customer's H0STCNI0/9 subscribers: receipt (CNTG_YN 1, ACPT_YN 1), one fill notice per
execution (CNTG_YN 2), modify/cancel confirmations (RCTF_CLS 1/2, OODER_NO), rejects
(RFUS_YN 1) and the cancelled remainder of IOC/FOK orders (ACPT_YN 3).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from jts.core.enums import OrderStatus, Side, TimeInForce
from jts.core.events import OrderUpdate
from jts.core.models import Fill, Instrument, OrderRequest
from jts.venues.kis.protocol import NOTICE_FIELDS, OrderDivision
from jts.venues.kis.server.clock import SimClock
from jts.venues.kis.server.config import AccountSpec
from jts.venues.kis.server.quotes import hhmmss
from jts.venues.sim.accounts import SimAccount
from jts.venues.sim.exchange import SimExchange
from jts.venues.sim.venue import SimVenue

__all__ = ["BRANCH", "Broker", "KisOrder", "OrderNumbers"]

BRANCH = "00950"
"""KRX_FWDG_ORD_ORGNO / BRNC_NO of every simulated order (the paper value KIS.md cites)."""

NoticeSink = Callable[[list[str]], None]
_ACCOUNT_REFUSALS = ("insufficient_cash", "insufficient_holdings")


class OrderNumbers:
    """The broker's 10-digit order numbers, shared by every customer of one simulator."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        self._last += 1
        return f"{self._last:010d}"


@dataclass(slots=True)
class KisOrder:
    """One numbered request as inquire-daily-ccld lists it. `kind` 0 new, 1 modify, 2 cancel.
    Quantities in shares, amounts KRW; `rmn_qty` is what still works under this number."""

    odno: str
    orgn_odno: str
    kind: int
    side: Side
    code: str
    name: str
    division: OrderDivision
    qty: int
    price: int
    ts_ns: int
    exchange_id: str = ""
    client_id: str = ""
    filled: int = 0
    amount: int = 0
    rmn_qty: int = 0
    cancelled: int = 0
    rejected: int = 0
    fills: list[tuple[int, int, int]] = field(default_factory=list)  # (qty, price, ts)

    @property
    def avg_price(self) -> int:
        return self.amount // self.filled if self.filled else 0


class Broker:
    """A customer's orders and notices over one `SimVenue`."""

    def __init__(
        self,
        spec: AccountSpec,
        exchange: SimExchange,
        instruments: Mapping[str, Instrument],
        numbers: OrderNumbers,
        clock: SimClock,
    ) -> None:
        self.spec = spec
        self.account = SimAccount(spec.account, spec.cash, holdings=spec.holdings)
        self.venue = SimVenue(exchange, self.account, instruments)
        self.exchange = exchange
        self.instruments = instruments
        self.numbers = numbers
        self.clock = clock
        self.orders: list[KisOrder] = []  # every numbered request, in order
        self._by_odno: dict[str, KisOrder] = {}
        self._live: dict[str, KisOrder] = {}  # exchange id -> the number that works it
        self._by_client: dict[str, KisOrder] = {}
        self.sinks: list[NoticeSink] = []
        self._busy = False
        self._held_fills: list[Fill] | None = None
        self.buy_amount = self.sell_amount = self.costs = 0
        exchange.add_listener(self._on_event)

    # -- requests -------------------------------------------------------------------------------

    def submit(
        self, side: Side, code: str, qty: int, price: int, division: OrderDivision
    ) -> tuple[KisOrder | None, OrderUpdate]:
        """Send a new order; (the numbered order, the exchange's answer). The order is None
        when the account refused it before it went out (cash, holdings)."""
        odno = self.numbers.next()
        order = KisOrder(
            odno, "", 0, side, code, self.instruments[code].name, division, qty, price,
            self.clock.now_ns(), client_id=f"K{odno}", rmn_qty=qty,
        )  # fmt: skip
        request = OrderRequest(
            client_order_id=order.client_id,
            account=self.spec.account,
            symbol=code,
            side=side,
            qty=qty,
            order_type=division.order_type,
            price=price if division.price else None,
            tif=division.tif,
            ts_ns=order.ts_ns,
        )
        self._by_client[order.client_id] = order
        self._record(order)
        update = self.venue.submit_now(request)
        if update.reject_code in _ACCOUNT_REFUSALS:  # the broker refused: no number, no notice
            del self._by_client[order.client_id]
            del self._by_odno[order.odno]
            self.orders.pop()
            return None, update
        return order, update

    def modify_or_cancel(
        self, original: KisOrder, *, cancel: bool, qty: int | None, price: int | None
    ) -> tuple[KisOrder | None, str]:
        """Modify (new price, optional qty) or cancel (`qty` shares, None: all) the order now
        working under `original`; (the new numbered request, "") or (None, reject code)."""
        working = self._live.get(original.exchange_id)
        if working is not original or original.rmn_qty <= 0:
            return None, "order_closed"
        size = original.rmn_qty if qty is None else qty
        if not 0 < size <= original.rmn_qty:
            return None, "not_modifiable"
        odno = self.numbers.next()
        request = KisOrder(
            odno, original.odno, 2 if cancel else 1, original.side, original.code, original.name,
            original.division, size, original.price if price is None else price,
            self.clock.now_ns(), exchange_id=original.exchange_id, client_id=original.client_id,
        )  # fmt: skip
        leaves = original.rmn_qty - size
        self._busy = True  # our own cancel's updates are booked here, not in _on_update
        self._held_fills = []  # a repriced order may trade at once: book that on the new ODNO
        try:
            if cancel:
                update = self.exchange.cancel(original.exchange_id, size)
            else:
                update = self._modify(original, price, leaves)
        finally:
            self._busy = False
            held, self._held_fills = self._held_fills, None
        if update.reject_code:
            self._book_fills(held)
            return None, update.reject_code
        self._record(request)
        original.rmn_qty = leaves if not cancel else original.rmn_qty - size
        if cancel:
            request.cancelled = size
            request.rmn_qty = 0
            self._notice(request, receipt=True, accepted="2")
        else:
            request.rmn_qty = size
            original.rmn_qty = 0
            self._live[original.exchange_id] = request
            self._notice(request, receipt=True, accepted="2")
        self._book_fills(held)  # after the modify's receipt, as KIS numbers them
        return request, ""

    def _book_fills(self, fills: list[Fill]) -> None:
        for fill in fills:
            self._on_fill(fill)

    def _modify(self, original: KisOrder, price: int | None, leaves: int) -> OrderUpdate:
        """A KIS modify changes the price of the remainder (all or part): a part changes
        price by cancelling the rest of the original first (the exchange keeps one order)."""
        if leaves:
            cut = self.exchange.cancel(original.exchange_id, leaves)
            if cut.reject_code:
                return cut
        return self.exchange.modify(original.exchange_id, price=price)

    def find(self, odno: str) -> KisOrder | None:
        return self._by_odno.get(odno.zfill(10)) if odno else None

    def _record(self, order: KisOrder) -> None:
        self.orders.append(order)
        self._by_odno[order.odno] = order

    # -- exchange events ------------------------------------------------------------------------

    def _on_event(self, event: object) -> None:
        if isinstance(event, Fill):
            if event.account == self.spec.account:
                self._on_fill(event)
        elif isinstance(event, OrderUpdate) and event.account == self.spec.account:
            self._on_update(event)

    def _on_update(self, update: OrderUpdate) -> None:
        order = self._by_client.get(update.client_order_id)
        if order is None or self._busy:
            return
        if not order.exchange_id:
            if update.status is OrderStatus.REJECTED:  # the exchange refused a numbered order
                order.rejected, order.rmn_qty = order.qty, 0
                self._notice(order, receipt=True, accepted="1")
                self._notice(order, receipt=True, accepted="1", refused=True)
            elif update.venue_order_id:
                order.exchange_id = update.venue_order_id
                self._live[order.exchange_id] = order
                self._notice(order, receipt=True, accepted="1")
            return
        live = self._live.get(order.exchange_id, order)
        if update.reject_code == "fok_unfillable":
            self._release_all(order.client_id)
        if update.status in (OrderStatus.CANCELLED, OrderStatus.EXPIRED) and live.rmn_qty:
            gone, live.rmn_qty = live.rmn_qty, 0
            live.cancelled += gone
            if live.division.tif is not TimeInForce.DAY:
                self._notice(live, receipt=True, accepted="3", qty=gone)

    def _release_all(self, client_id: str) -> None:
        """Give back what a killed FOK order still holds: `SimVenue` keeps the reservation of
        any update that carries a reject code, and a FOK kill is CANCELLED with one."""
        left = self.account.reserved_qty(client_id)
        if left:
            self.account.release(client_id, left)

    def _on_fill(self, fill: Fill) -> None:
        if self._held_fills is not None:
            self._held_fills.append(fill)
            return
        order = self._live.get(fill.venue_order_id or "")
        if order is None:
            return
        order.filled += fill.qty
        order.amount += fill.qty * fill.price
        order.rmn_qty = max(0, order.rmn_qty - fill.qty)
        order.fills.append((fill.qty, fill.price, fill.ts_ns))
        if fill.side is Side.BUY:
            self.buy_amount += fill.qty * fill.price
        else:
            self.sell_amount += fill.qty * fill.price
        self.costs += fill.commission + fill.tax
        self._notice(order, receipt=False, qty=fill.qty, price=fill.price, ts_ns=fill.ts_ns)

    # -- notices --------------------------------------------------------------------------------

    def _notice(
        self,
        order: KisOrder,
        *,
        receipt: bool,
        accepted: str = "2",
        refused: bool = False,
        qty: int | None = None,
        price: int | None = None,
        ts_ns: int | None = None,
    ) -> None:
        if not self.sinks:
            return
        values = {
            "CUST_ID": self.spec.hts_id,
            "ACNT_NO": self.spec.account.replace("-", ""),
            "ODER_NO": order.odno,
            "OODER_NO": order.orgn_odno,
            "SELN_BYOV_CLS": "01" if order.side is Side.SELL else "02",
            "RCTF_CLS": str(order.kind),
            "ODER_KIND": order.division.code,
            "ODER_COND": {TimeInForce.DAY: "0", TimeInForce.IOC: "1", TimeInForce.FOK: "2"}[
                order.division.tif
            ],
            "STCK_SHRN_ISCD": order.code,
            "CNTG_QTY": str(qty if qty is not None else (0 if receipt else order.qty)),
            "CNTG_UNPR": str(price if price is not None else 0),
            "STCK_CNTG_HOUR": hhmmss(ts_ns if ts_ns is not None else self.clock.now_ns()),
            "RFUS_YN": "1" if refused else "0",
            "CNTG_YN": "1" if receipt else "2",
            "ACPT_YN": accepted,
            "BRNC_NO": BRANCH,
            "ODER_QTY": str(order.qty),
            "ACNT_NAME": self.spec.name,
            "ORD_COND_PRC": "0",
            "ORD_EXG_GB": "1",
            "POPUP_YN": "Y",
            "FILLER": "",
            "CRDT_CLS": "10",
            "CRDT_LOAN_DATE": "",
            "CNTG_ISNM40": order.name,
            "ODER_PRC": str(order.price),
        }
        record = [values[name].replace("^", " ") for name in NOTICE_FIELDS]
        for sink in list(self.sinks):
            sink(record)
