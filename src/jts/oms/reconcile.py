"""Restart reconciliation: make the order manager agree with what the venue says happened.

Why: a process killed at any point (principle 6, "nothing is lost") restarts with its persisted
orders behind the venue by some suffix of events — fills not yet written, an acknowledgement
never received, an order sent whose record was lost, orders that ended while nobody listened.
The venue is the authority on what traded; the manager is the authority on what we *meant*.
`reconcile` takes the venue's answers as plain `jts.core` values (a `VenueSnapshot`, built by
`jts.trading.reconcile` from any `Venue`; `jts.oms` never imports `jts.venues`), repairs what
can be repaired through the manager's ordinary event methods (so listeners — persistence, the
dashboard — see every repair like any other event) and reports every difference it found.

The rules, in the order they run:

1. **Unknown venue orders are adopted.** A working order at the venue whose client order id the
   manager does not know (placed by hand, or its submit record was lost) is created with the
   venue's request and id (`submit`, then `on_accepted`). A client order id that appears only in
   the venue's fills is adopted from them: total quantity = shares filled + the last fill's
   `leaves_qty`, limit price = the worst fill price (the venue no longer says the real limit;
   the worst fill is the one price every fill is consistent with).
2. **Missed fills are applied**, oldest first, through `on_fill` (so a fill before the
   acknowledgement still counts as it). A fill the manager has with different content is a
   `FILL_MISMATCH` and is left alone: which one is right needs a person.
3. **Working orders are compared.** The venue works an order the manager holds as pending_new:
   the acknowledgement was missed (accepted with the venue's id). Pending_cancel: the cancel
   did not take effect (back to working; whoever wanted it cancelled must ask again).
   Pending_modify: modified to the venue's price and quantity if they differ, else back to
   working. Terminal here but working there, a different venue id, filled or total quantity,
   or limit price that differ are reported and not fixed.
4. **Orders open here but not working at the venue are closed.** Pending_new (no venue id: it
   may never have gone out) is rejected with `NOT_AT_VENUE` (`NEVER_SENT`). A pending order the
   venue *did* take is not lost by this: it is in the venue's open orders or fills, so steps 1-3
   already moved it on. Any other is closed with its remainder (`MISSING_AT_VENUE`): cancelled
   when a cancel or modify was pending, else expired. Orders the venue's fills completed were
   already filled in step 2 and are not open any more.
5. **Fills the venue does not confirm** (the manager's fills timed within the snapshot's window
   [`since_ns`, `taken_ns`] that the venue did not list) are reported (`FILL_NOT_AT_VENUE`).
6. **Positions are compared** by quantity per symbol after the repairs (`POSITION_MISMATCH`;
   never fixed by inventing fills).

Idempotent: a second run on the same snapshot finds every repair already made and changes
nothing; what could not be repaired is still there and is reported again, unchanged. One
failing repair (an event the state machine refuses) is reported with the error and the run
goes on, so one bad order never hides the others.

The caller chooses `since_ns` at or before the creation of the oldest order the manager still
holds open and the last fill it persisted (the start of the trading day is always safe), so
the venue's fills cover everything the manager may have missed. Events reconcile makes up
(acknowledgements, closes) are stamped `now_ns`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import msgspec

from jts.core.enums import OrderStatus, OrderType, Side
from jts.core.errors import JtsError
from jts.core.models import Fill, Order, OrderRequest, Position
from jts.oms.manager import OrderManager

__all__ = [
    "NOT_AT_VENUE",
    "VENUE_ID_PREFIX",
    "Discrepancy",
    "DiscrepancyKind",
    "ReconcileReport",
    "VenueSnapshot",
    "reconcile",
]

NOT_AT_VENUE = "not at venue after restart"
"""Reject reason of a pending order the venue never had (`DiscrepancyKind.NEVER_SENT`)."""

VENUE_ID_PREFIX = "venue:"
"""Client order id given to a venue order that has none (placed at the broker's own terminal):
this prefix + its venue order id, the same on every run."""

_replace = msgspec.structs.replace
_S = OrderStatus


class VenueSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    """What the venue says about the account at one moment (all `jts.core` values)."""

    open_orders: tuple[Order, ...]
    """Working orders: request (client order id, working price, total qty), venue id,
    filled_qty; the remainder is `remaining_qty`."""
    positions: tuple[Position, ...]
    """Holdings, shares per symbol."""
    fills: tuple[Fill, ...]
    """The account's fills with ts_ns at or after `since_ns`, oldest first."""
    since_ns: int
    taken_ns: int


class DiscrepancyKind(StrEnum):
    """What differed between the manager and the venue."""

    MISSED_FILL = "missed_fill"  # a venue fill the manager lacked
    FILL_MISMATCH = "fill_mismatch"  # same fill id, different content
    FILL_NOT_AT_VENUE = "fill_not_at_venue"  # a manager fill the venue does not list
    UNKNOWN_VENUE_ORDER = "unknown_venue_order"  # an order only the venue knew
    MISSING_AT_VENUE = "missing_at_venue"  # open here, no longer working there
    NEVER_SENT = "never_sent"  # pending_new here, the venue never had it
    STATUS_MISMATCH = "status_mismatch"  # working there, pending or terminal here
    VENUE_ID_MISMATCH = "venue_id_mismatch"  # the two name the order differently
    QTY_MISMATCH = "qty_mismatch"  # filled or total quantity differ
    PRICE_MISMATCH = "price_mismatch"  # limit price differs
    POSITION_MISMATCH = "position_mismatch"  # shares held differ after repairs


class Discrepancy(msgspec.Struct, frozen=True, kw_only=True):
    """One difference found; `repaired` says whether the manager now agrees with the venue."""

    kind: DiscrepancyKind
    client_order_id: str
    """The order concerned; "" for a position."""
    symbol: str
    detail: str
    repaired: bool

    def render(self) -> str:
        state = "repaired" if self.repaired else "UNREPAIRED"
        return (
            f"[{state}] {self.kind} {self.client_order_id or '-'} {self.symbol or '-'}: "
            f"{self.detail}"
        )


class ReconcileReport(msgspec.Struct, frozen=True, kw_only=True):
    """Everything one reconciliation found and did."""

    discrepancies: tuple[Discrepancy, ...] = ()
    applied_fills: int = 0
    adopted: int = 0
    closed: int = 0
    positions_match: bool = True

    @property
    def clean(self) -> bool:
        """Nothing differed: the manager already agreed with the venue."""
        return not self.discrepancies

    @property
    def unrepaired(self) -> tuple[Discrepancy, ...]:
        """What still differs: the reason to keep trading halted until a person looks."""
        return tuple(d for d in self.discrepancies if not d.repaired)

    def render(self) -> str:
        """A summary line, then one line per discrepancy."""
        fixed = sum(d.repaired for d in self.discrepancies)
        head = (
            f"reconciliation: {len(self.discrepancies)} discrepancies ({fixed} repaired), "
            f"{self.applied_fills} fills applied, {self.adopted} orders adopted, "
            f"{self.closed} closed; positions {'match' if self.positions_match else 'DIFFER'}"
        )
        return "\n".join([head, *(d.render() for d in self.discrepancies)])


def reconcile(manager: OrderManager, venue: VenueSnapshot, *, now_ns: int) -> ReconcileReport:
    """Repair `manager` from `venue` and report every difference (rules: module docstring)."""
    run = _Run(manager, _normalized(venue), now_ns)
    run.adopt_working_orders()
    run.adopt_filled_orders()
    run.apply_fills()
    for order in run.venue.open_orders:
        run.compare_working(order)
    run.close_missing()
    run.check_unconfirmed_fills()
    run.compare_positions()
    return run.report()


class _Run:
    """One reconciliation: the steps of `reconcile` and what they found."""

    def __init__(self, manager: OrderManager, venue: VenueSnapshot, now_ns: int) -> None:
        self.manager = manager
        self.venue = venue
        self.now = now_ns
        self.found: list[Discrepancy] = []
        self.applied = self.adopted = self.closed = 0
        self.working = {o.request.client_order_id: o for o in venue.open_orders}

    def note(
        self, kind: DiscrepancyKind, coid: str, symbol: str, detail: str, error: str | None
    ) -> None:
        """Record one discrepancy; `error` is why its repair failed (None: repaired)."""
        if error is not None:
            detail = f"{detail}; not repaired: {error}"
        self.found.append(
            Discrepancy(
                kind=kind,
                client_order_id=coid,
                symbol=symbol,
                detail=detail,
                repaired=error is None,
            )
        )

    # -- 1. adoption --------------------------------------------------------------------------

    def adopt_working_orders(self) -> None:
        for coid, order in self.working.items():
            if coid not in self.manager:
                error = _attempt(self._adopt, order)
                self.adopted += error is None
                detail = f"{_describe(order.request)} works at the venue as {order.venue_order_id}"
                self.note(
                    DiscrepancyKind.UNKNOWN_VENUE_ORDER,
                    coid,
                    order.request.symbol,
                    f"{detail}; adopted" if error is None else detail,
                    error,
                )

    def _adopt(self, order: Order) -> None:
        coid = order.request.client_order_id
        self.manager.submit(order.request)
        self.manager.on_accepted(coid, order.venue_order_id or "", self.now)

    def adopt_filled_orders(self) -> None:
        orphans: dict[str, list[Fill]] = {}
        for fill in self.venue.fills:
            coid = fill.client_order_id
            if coid and coid not in self.manager and coid not in self.working:
                orphans.setdefault(coid, []).append(fill)
        for coid, fills in orphans.items():
            request = _request_of(fills)
            error = _attempt(self.manager.submit, request)
            self.adopted += error is None
            detail = f"{_describe(request)} known only from {len(fills)} venue fill(s)"
            self.note(
                DiscrepancyKind.UNKNOWN_VENUE_ORDER,
                coid,
                request.symbol,
                f"{detail}; adopted" if error is None else detail,
                error,
            )

    # -- 2. fills -----------------------------------------------------------------------------

    def apply_fills(self) -> None:
        known = {fill.fill_id: fill for fill in self.manager.fills()}
        for fill in self.venue.fills:
            have = known.get(fill.fill_id)
            if have is not None:
                if have != fill:
                    fields = [
                        f for f in Fill.__struct_fields__ if getattr(have, f) != getattr(fill, f)
                    ]
                    self.note(
                        DiscrepancyKind.FILL_MISMATCH,
                        fill.client_order_id,
                        fill.symbol,
                        f"fill {fill.fill_id} differs from the venue's in {', '.join(fields)}",
                        "which one is right needs a person",
                    )
                continue
            error = _attempt(self.manager.on_fill, fill) if fill.client_order_id else "no order id"
            if error is None:
                self.applied += 1
                known[fill.fill_id] = fill
            self.note(
                DiscrepancyKind.MISSED_FILL,
                fill.client_order_id,
                fill.symbol,
                f"fill {fill.fill_id}: {fill.side} {fill.qty:,} @ {fill.price:,} KRW"
                + ("; applied" if error is None else ""),
                error,
            )

    # -- 3. orders working at the venue -------------------------------------------------------

    def compare_working(self, there: Order) -> None:
        coid = there.request.client_order_id
        if coid not in self.manager:
            return  # adoption failed and was reported
        here = self.manager.get(coid)
        if here.status.is_terminal:
            self.note(
                DiscrepancyKind.STATUS_MISMATCH,
                coid,
                here.request.symbol,
                f"{here.status} here, still working at the venue "
                f"({there.filled_qty:,} of {there.request.qty:,} filled)",
                "a finished order cannot reopen",
            )
            return
        if here.status in (_S.PENDING_NEW, _S.PENDING_CANCEL, _S.PENDING_MODIFY):
            self._settle_pending(here, there)
            here = self.manager.get(coid)
        self._compare_terms(here, there)

    def _settle_pending(self, here: Order, there: Order) -> None:
        manager, coid, now = self.manager, here.request.client_order_id, self.now
        request, theirs = here.request, there.request
        if here.status is _S.PENDING_NEW:
            vid = there.venue_order_id or ""
            error = _attempt(manager.on_accepted, coid, vid, now)
            detail = f"acknowledgement missed: accepted as {vid}"
        elif here.status is _S.PENDING_CANCEL:
            error = _attempt(manager.on_cancel_rejected, coid, now)
            detail = "cancel not in effect at the venue: working again (cancel again if wanted)"
        elif (theirs.price, theirs.qty) != (request.price, request.qty):
            error = _attempt(self._modified, coid, theirs)
            detail = f"modification in effect at the venue: {_terms(request)} -> {_terms(theirs)}"
        else:
            error = _attempt(manager.on_modify_rejected, coid, now)
            detail = "modification not in effect at the venue: working unchanged"
        self.note(
            DiscrepancyKind.STATUS_MISMATCH,
            coid,
            request.symbol,
            f"{here.status} here, {there.status} at the venue; {detail}",
            error,
        )

    def _modified(self, coid: str, theirs: OrderRequest) -> None:
        self.manager.on_modified(coid, self.now, price=theirs.price, qty=theirs.qty)

    def _compare_terms(self, here: Order, there: Order) -> None:
        coid, symbol = here.request.client_order_id, here.request.symbol
        unfixable = "reported only: the venue's numbers stand"
        if here.venue_order_id and there.venue_order_id != here.venue_order_id:
            self.note(
                DiscrepancyKind.VENUE_ID_MISMATCH,
                coid,
                symbol,
                f"venue id {here.venue_order_id} here, {there.venue_order_id} at the venue",
                unfixable,
            )
        if (here.filled_qty, here.request.qty) != (there.filled_qty, there.request.qty):
            self.note(
                DiscrepancyKind.QTY_MISMATCH,
                coid,
                symbol,
                f"filled {here.filled_qty:,} of {here.request.qty:,} here, "
                f"{there.filled_qty:,} of {there.request.qty:,} at the venue",
                unfixable,
            )
        if here.request.price != there.request.price:
            self.note(
                DiscrepancyKind.PRICE_MISMATCH,
                coid,
                symbol,
                f"limit {_price(here.request.price)} here, {_price(there.request.price)} "
                "at the venue",
                unfixable,
            )

    # -- 4. orders the venue no longer works --------------------------------------------------

    def close_missing(self) -> None:
        manager, now = self.manager, self.now
        for order in manager.open_orders():
            coid = order.request.client_order_id
            if coid in self.working:
                continue
            if order.status is _S.PENDING_NEW:
                kind = DiscrepancyKind.NEVER_SENT
                error = _attempt(manager.on_rejected, coid, NOT_AT_VENUE, now)
                detail = f"{_describe(order.request)} pending here, unknown to the venue; rejected"
            else:
                kind = DiscrepancyKind.MISSING_AT_VENUE
                cancelling = order.status in (_S.PENDING_CANCEL, _S.PENDING_MODIFY)
                close = manager.on_cancelled if cancelling else manager.on_expired
                error = _attempt(close, coid, now)
                detail = (
                    f"{order.status} here with {order.remaining_qty:,} of "
                    f"{order.request.qty:,} left, not working at the venue; "
                    f"closed as {'cancelled' if cancelling else 'expired'}"
                )
            self.closed += error is None
            self.note(kind, coid, order.request.symbol, detail, error)

    # -- 5. and 6. what only the manager has --------------------------------------------------

    def check_unconfirmed_fills(self) -> None:
        venue = self.venue
        listed = {fill.fill_id for fill in venue.fills}
        for fill in self.manager.fills():
            if venue.since_ns <= fill.ts_ns <= venue.taken_ns and fill.fill_id not in listed:
                self.note(
                    DiscrepancyKind.FILL_NOT_AT_VENUE,
                    fill.client_order_id,
                    fill.symbol,
                    f"fill {fill.fill_id}: {fill.side} {fill.qty:,} @ {fill.price:,} KRW "
                    "booked here, not listed by the venue",
                    "a booked fill is never removed",
                )

    def compare_positions(self) -> None:
        theirs: dict[str, int] = {}
        for position in self.venue.positions:
            theirs[position.symbol] = theirs.get(position.symbol, 0) + position.qty
        book = self.manager.positions
        for symbol in dict.fromkeys([*book.symbols(), *theirs]):
            here, there = book.qty(symbol), theirs.get(symbol, 0)
            if here != there:
                self.note(
                    DiscrepancyKind.POSITION_MISMATCH,
                    "",
                    symbol,
                    f"{here:,} shares here, {there:,} at the venue",
                    "positions change only by fills",
                )

    def report(self) -> ReconcileReport:
        return ReconcileReport(
            discrepancies=tuple(self.found),
            applied_fills=self.applied,
            adopted=self.adopted,
            closed=self.closed,
            positions_match=not any(
                d.kind is DiscrepancyKind.POSITION_MISMATCH for d in self.found
            ),
        )


def _attempt(action: Callable[..., object], *args: object) -> str | None:
    """Run one repair; the error's message if the manager refused it, else None."""
    try:
        action(*args)
    except JtsError as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _normalized(venue: VenueSnapshot) -> VenueSnapshot:
    """Give orders and fills without a client order id one derived from their venue id, so
    they can be adopted and matched the same way on every run."""
    orders = tuple(
        o
        if o.request.client_order_id or not o.venue_order_id
        else _replace(o, request=_replace(o.request, client_order_id=_key(o.venue_order_id)))
        for o in venue.open_orders
    )
    fills = tuple(
        f
        if f.client_order_id or not f.venue_order_id
        else _replace(f, client_order_id=_key(f.venue_order_id))
        for f in venue.fills
    )
    if orders == venue.open_orders and fills == venue.fills:
        return venue
    return _replace(venue, open_orders=orders, fills=fills)


def _key(venue_order_id: str) -> str:
    return VENUE_ID_PREFIX + venue_order_id


def _request_of(fills: list[Fill]) -> OrderRequest:
    """The request an order known only from its fills must have had (rule 1)."""
    first = fills[0]
    prices = [fill.price for fill in fills]
    return OrderRequest(
        client_order_id=first.client_order_id,
        account=first.account,
        symbol=first.symbol,
        side=first.side,
        qty=sum(fill.qty for fill in fills) + fills[-1].leaves_qty,
        order_type=OrderType.LIMIT,
        price=max(prices) if first.side is Side.BUY else min(prices),
        ts_ns=first.ts_ns,
    )


def _price(price: int | None) -> str:
    return f"{price:,} KRW" if price is not None else "none"


def _terms(request: OrderRequest) -> str:
    return f"{request.qty:,} @ {_price(request.price)}"


def _describe(request: OrderRequest) -> str:
    return f"{request.side} {_terms(request)} {request.symbol}"
