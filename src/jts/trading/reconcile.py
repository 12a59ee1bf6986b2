"""Restart reconciliation against a live venue: ask it one consistent question, then let
`jts.oms.reconcile` repair the order manager from the answer.

Why here: `jts.oms` may not import `jts.venues` (layers point one way), so the oms rules take
the venue's answers as a plain `VenueSnapshot`; this module is the few lines that ask any
`Venue` for them.

A venue answers open orders, positions and fills in separate calls, and it keeps trading in
between: a fill landing between two calls makes the answers disagree (an order gone from the
open orders whose last fill is not in the fills yet would be closed as missing, and that fill
then lost). So the fills are asked for before *and* after the other two, and the round is
repeated while a fill arrived during it. Fills are always asked for last, so whatever the open
orders and positions reflect is in the fills: no fill is missed. If trading never pauses, the
last round is used as it is; its extra fills show up as quantity or position differences that
the next reconciliation clears.
"""

from __future__ import annotations

from jts.oms import OrderManager, ReconcileReport, VenueSnapshot, reconcile
from jts.venues.base import Venue

__all__ = ["SNAPSHOT_ROUNDS", "reconcile_with_venue", "venue_snapshot"]

SNAPSHOT_ROUNDS = 3
"""Rounds of questions `venue_snapshot` asks at most before using what it has."""


async def venue_snapshot(
    venue: Venue, since_ns: int, now_ns: int, *, rounds: int = SNAPSHOT_ROUNDS
) -> VenueSnapshot:
    """The venue's open orders, positions and fills since `since_ns` (ns, inclusive), taken
    so that no fill happened between the answers if that can be had in `rounds` tries;
    `now_ns` is when it was taken (the end of the window reconcile checks our fills in)."""
    fills = await venue.fills_since(since_ns)
    for _ in range(max(rounds, 1)):
        open_orders = await venue.open_orders()
        positions = await venue.positions()
        before, fills = fills, await venue.fills_since(since_ns)
        if [f.fill_id for f in fills] == [f.fill_id for f in before]:
            break
    return VenueSnapshot(
        open_orders=tuple(open_orders),
        positions=tuple(positions),
        fills=tuple(fills),
        since_ns=since_ns,
        taken_ns=now_ns,
    )


async def reconcile_with_venue(
    manager: OrderManager, venue: Venue, *, since_ns: int, now_ns: int
) -> ReconcileReport:
    """Snapshot `venue` and reconcile `manager` with it (see `jts.oms.reconcile`)."""
    snapshot = await venue_snapshot(venue, since_ns, now_ns)
    return reconcile(manager, snapshot, now_ns=now_ns)
