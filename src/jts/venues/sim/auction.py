"""Single-price call auctions (단일가매매): the uncross price and who fills at it (KRX.md §6).

The open, the close, the first price after a halt, a VI or a circuit breaker all collect
orders and then execute everything crossable at one price. This module is the arithmetic of
that moment and nothing else: it reads resting `WorkingOrder`s in priority order (bids price
descending then `seq`, asks price ascending then `seq`), picks the clearing price, updates
`leaves` / `filled` and returns the `Execution`s. Removing filled orders from the book,
events, and deciding *when* an auction runs belong to the exchange.

Prices are `int` KRW, quantities `int` shares. Market orders carry their side's daily limit
as `price` (see `orders.py`), so here they are limit orders at the limit, ranked by time.

Clearing price, for executable volume ``V(p) = min(bids priced >= p, asks priced <= p)``:

1. Only prices with the maximum `V` count, and of those only the ones meeting KRX's
   condition: every bid above the price and every ask below it fills completely (at the
   price itself the smaller side then fills completely too). These form one interval of
   prices whose ends are order prices.
2. If the reference (the previous price; the base price for the open) lies in that
   interval, it is the price. Otherwise the end nearest to it.
3. A reference off the tick grid (possible only when a caller passes `tick_of`) is replaced
   by the nearer grid price inside the interval; when both grid neighbours are equally near
   the LOWER one wins. KRX does not document this tie (unverified); lower was chosen because
   it is simple, deterministic and never makes a buyer pay more than a documented rule would.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple

from jts.core.models import BookLevel
from jts.venues.sim.orders import Execution, WorkingOrder, auction_execution

__all__ = ["SIZE_ROUNDS", "TickOf", "Uncross", "allocate", "clearing_price", "expected"]

TickOf = Callable[[int], int]
"""The tick in KRW of a price in KRW, e.g. ``functools.partial(ticks.tick_of, table)``."""

SIZE_ROUNDS: Final[tuple[int, ...]] = (100, 500, 1_000, 2_000)
"""Lots each order at the limit receives per round of a size-round allocation (동시호가).

Additive reading: every round gives *up to this many more* lots on top of earlier rounds
(an order of 5,000 shares at lot 1 can hold 100, 600, 1,600, 3,600 after the four rounds).
KRX.md §6 lists the amounts without saying which reading applies (unverified); broker
explainers show the additive one.
"""


class Uncross(NamedTuple):
    """The outcome of an auction before allocation: what trades, at what price, against what."""

    price: int
    """Clearing price, KRW."""
    qty: int
    """Shares executed at `price`: ``min(bid_qty, ask_qty)``."""
    bid_qty: int
    """Buy interest priced at or above `price` (shares)."""
    ask_qty: int
    """Sell interest priced at or below `price` (shares)."""


def clearing_price(
    bids: Sequence[WorkingOrder],
    asks: Sequence[WorkingOrder],
    reference: int,
    *,
    tick_of: TickOf | None = None,
) -> Uncross | None:
    """The auction's uncross, or None when no bid meets an ask.

    `reference` is the previous price (KRW), the base price for the open. Rules in the
    module docstring. Without `tick_of` the reference is trusted to be a valid price (it is
    a former trade or base price); with it an off-grid reference is moved onto the grid.
    Orders with no `leaves` are ignored. O(n + k log k) for n orders at k distinct prices.
    """
    return _uncross(_aggregate(bids), _aggregate(asks), reference, tick_of)


def expected(
    bids: Sequence[WorkingOrder],
    asks: Sequence[WorkingOrder],
    reference: int,
    *,
    levels: int = 3,
    tick_of: TickOf | None = None,
) -> tuple[Uncross | None, tuple[BookLevel, ...], tuple[BookLevel, ...]]:
    """What KRX publishes during intake: the would-be uncross and the best `levels` per side.

    Levels aggregate `leaves` (shares) by price over the whole collected book, best first
    on each side (bids highest first, asks lowest first); market orders show at their limit.
    Called on every intake message, so each side is aggregated once for both answers.
    """
    bid_at = _aggregate(bids)
    ask_at = _aggregate(asks)
    best_bids = heapq.nlargest(levels, bid_at)
    best_asks = heapq.nsmallest(levels, ask_at)
    return (
        _uncross(bid_at, ask_at, reference, tick_of),
        tuple(BookLevel(price=p, qty=bid_at[p]) for p in best_bids),
        tuple(BookLevel(price=p, qty=ask_at[p]) for p in best_asks),
    )


def allocate(
    bids: Sequence[WorkingOrder],
    asks: Sequence[WorkingOrder],
    uncross: Uncross,
    *,
    size_rounds: bool = False,
    lot: int = 1,
) -> list[Execution]:
    """Fill the crossing orders at `uncross.price` and pair them into executions.

    Eligible: buys priced >= the price, sells <= it, with `leaves`. The side with less
    interest fills completely; the other fills in price-time priority, or, with
    `size_rounds`, its orders strictly better than the price first and then the orders AT
    the price by size rounds (`SIZE_ROUNDS`, then half of each balance, then the rest).
    The caller sets `size_rounds` only when KRX requires it: an opening price (or the first
    price after a halt or circuit breaker) at the upper or lower daily limit. `lot` is the
    trading unit in shares (1 for stocks; round sizes are counted in lots).

    Updates `leaves` / `filled` of every order touched and returns executions at the
    clearing price, buys and sells each walked in priority order. Removes nothing from any
    book: the caller drops the orders left with no `leaves`.
    """
    price = uncross.price
    buys = _by_priority([o for o in bids if o.leaves > 0 and o.price >= price], buy=True)
    sells = _by_priority([o for o in asks if o.leaves > 0 and o.price <= price], buy=False)
    qty = min(uncross.qty, _total(buys), _total(sells))
    if qty <= 0:
        return []
    buy_fills = _side_fills(buys, qty, price, size_rounds, lot)
    sell_fills = _side_fills(sells, qty, price, size_rounds, lot)
    executions = _pair(buys, buy_fills, sells, sell_fills, price)
    for orders, fills in ((buys, buy_fills), (sells, sell_fills)):
        for order, fill in zip(orders, fills, strict=True):
            order.leaves -= fill
            order.filled += fill
    return executions


# --- clearing price ------------------------------------------------------------------------


def _aggregate(orders: Sequence[WorkingOrder]) -> dict[int, int]:
    """Working shares by price (KRW -> shares), skipping orders with nothing left."""
    at: dict[int, int] = {}
    for order in orders:
        if order.leaves > 0:
            at[order.price] = at.get(order.price, 0) + order.leaves
    return at


def _uncross(
    bid_at: dict[int, int], ask_at: dict[int, int], reference: int, tick_of: TickOf | None
) -> Uncross | None:
    """Clearing price and volumes from per-price bid and ask totals (shares)."""
    if not bid_at or not ask_at or max(bid_at) < min(ask_at):
        return None
    low, high = _qualifying_range(bid_at, ask_at)
    price = _nearest(low, high, reference, tick_of)
    bid_qty = sum(q for p, q in bid_at.items() if p >= price)
    ask_qty = sum(q for p, q in ask_at.items() if p <= price)
    return Uncross(price, min(bid_qty, ask_qty), bid_qty, ask_qty)


def _qualifying_range(bid_at: dict[int, int], ask_at: dict[int, int]) -> tuple[int, int]:
    """Lowest and highest order price with maximum volume that meet KRX's fill condition.

    One ascending pass with running sums. Volume is quasi-concave in price and the
    condition cuts it from both sides, so the qualifying prices form one interval; its ends
    are order prices (volume and condition change only at order prices), so scanning order
    prices finds both ends. The caller has checked that some bid meets some ask.
    """
    bids_total = sum(bid_at.values())
    bids_below = 0  # bid shares priced below the current price
    asks_upto = 0  # ask shares priced at or below the current price
    best, low, high = 0, 0, 0
    for price in sorted(bid_at.keys() | ask_at.keys()):
        bid_here = bid_at.get(price, 0)
        ask_here = ask_at.get(price, 0)
        asks_upto += ask_here
        bids_from = bids_total - bids_below
        bids_below += bid_here
        volume = min(bids_from, asks_upto)
        if volume < best or volume == 0:
            continue
        if volume > best:
            best, low, high = volume, 0, 0
        if bids_from - bid_here <= volume and asks_upto - ask_here <= volume:
            low = low or price
            high = price
    return low, high


def _nearest(low: int, high: int, reference: int, tick_of: TickOf | None) -> int:
    """The price in [low, high] KRW nearest to `reference`, on the grid; ties go lower."""
    if reference <= low:
        return low
    if reference >= high:
        return high
    if tick_of is None:
        return reference
    tick = tick_of(reference)
    down = reference - reference % tick
    if down == reference:
        return reference
    up = min(down + tick, high)
    down = max(down, low)
    return up if up - reference < reference - down else down


# --- allocation ----------------------------------------------------------------------------


def _by_priority(orders: list[WorkingOrder], *, buy: bool) -> list[WorkingOrder]:
    """Orders best price first, then earliest `seq` (stable, whatever order they came in)."""
    if buy:
        return sorted(orders, key=lambda o: (-o.price, o.seq))
    return sorted(orders, key=lambda o: (o.price, o.seq))


def _total(orders: Sequence[WorkingOrder]) -> int:
    return sum(o.leaves for o in orders)


def _side_fills(
    orders: list[WorkingOrder], qty: int, price: int, size_rounds: bool, lot: int
) -> list[int]:
    """Shares each order (priority order) receives when its side supplies or takes `qty`."""
    if _total(orders) <= qty:
        return [o.leaves for o in orders]
    fills = [0] * len(orders)
    if not size_rounds:
        _grant(orders, fills, range(len(orders)), qty, _whole)
        return fills
    better = [i for i, o in enumerate(orders) if o.price != price]
    at_price = [i for i, o in enumerate(orders) if o.price == price]
    left = _grant(orders, fills, better, qty, _whole)
    return _size_rounds(orders, fills, at_price, left, lot)


def _size_rounds(
    orders: list[WorkingOrder], fills: list[int], members: list[int], supply: int, lot: int
) -> list[int]:
    """Share `supply` shares among `orders[members]` (all at the limit) by KRX size rounds.

    Within each round the largest orders (by `leaves` when the auction runs) go first, ties
    in time order, so a round that runs out of supply favours size. Then each balance gets
    half of itself, rounded down to a lot but at least one lot; then the rest goes in
    priority (time) order.
    """
    by_size = sorted(members, key=lambda i: (-orders[i].leaves, orders[i].seq))
    for lots in SIZE_ROUNDS:
        supply = _grant(orders, fills, by_size, supply, _at_most(lots * lot))
    supply = _grant(orders, fills, by_size, supply, _half(lot))
    _grant(orders, fills, members, supply, _whole)
    return fills


def _grant(
    orders: list[WorkingOrder],
    fills: list[int],
    indices: Sequence[int],
    supply: int,
    share: Callable[[int], int],
) -> int:
    """One pass over `indices` giving each order ``share(balance)`` shares; returns leftover.

    `balance` is what the order still wants (its `leaves` minus what earlier passes gave);
    no order ever gets more than its balance, and the pass stops when `supply` runs out.
    """
    for i in indices:
        if supply <= 0:
            break
        balance = orders[i].leaves - fills[i]
        if balance <= 0:
            continue
        given = min(share(balance), balance, supply)
        fills[i] += given
        supply -= given
    return supply


def _whole(balance: int) -> int:
    """Share rule: the whole balance (priority order fills)."""
    return balance


def _at_most(shares: int) -> Callable[[int], int]:
    """Share rule: a fixed round size in shares (capped at the balance by `_grant`)."""
    return lambda _balance: shares


def _half(lot: int) -> Callable[[int], int]:
    """Share rule: half the balance rounded down to a lot, but never less than one lot."""
    return lambda balance: max(lot, balance // 2 // lot * lot)


def _pair(
    buys: list[WorkingOrder],
    buy_fills: list[int],
    sells: list[WorkingOrder],
    sell_fills: list[int],
    price: int,
) -> list[Execution]:
    """Executions matching buy fills against sell fills, both walked in priority order."""
    executions: list[Execution] = []
    sell_queue = [(o, f) for o, f in zip(sells, sell_fills, strict=True) if f > 0]
    j, sell_left = 0, sell_queue[0][1] if sell_queue else 0
    for buy, buy_left in zip(buys, buy_fills, strict=True):
        while buy_left > 0 and j < len(sell_queue):
            qty = min(buy_left, sell_left)
            executions.append(auction_execution(buy, sell_queue[j][0], qty, price))
            buy_left -= qty
            sell_left -= qty
            if sell_left == 0:
                j += 1
                sell_left = sell_queue[j][1] if j < len(sell_queue) else 0
    return executions
