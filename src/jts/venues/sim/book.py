"""One symbol's limit order book at the simulated exchange: queues in price-time priority.

The book holds resting `WorkingOrder`s and does continuous matching (KRX.md §6): an incoming
order meets the opposite side best price first, then earliest `seq`, and every trade prints at
the *resting* order's price. It knows nothing of sessions, validation or events: the exchange
decides what may enter, whether a remainder rests (limit) or dies (IOC), and turns the
`Execution`s it gets back into fills. Call auctions use the book only as a store: `add` never
matches, so orders collected during intake may leave it crossed until the auction uncrosses it.

Every order is priced. Market orders carry the daily limit of their side (orders.py), so a
market order sweeps no further than the limit and its remainder ranks with the limit orders
at that price by time (KRX.md §3, §12 item 9). The band `[lo, hi]` given to `match` is the
volatility-interruption band: matching stops before the first execution outside it and
`match` says so, so that the exchange can switch the symbol to a call auction (§7).

Priority rules (KRX.md §3, §12 item 12): a partial cancel (`reduce`) keeps the order's place;
a price change (`reprice`) or a quantity increase (`requeue`) sends it to the back of its
level with a new `seq`. `seq` comes from one counter per book, so it orders all arrivals, and
it is 0 whenever the order is not resting: the book sets it when the order takes a place and
clears it when the order leaves (cancel, fill, `clear`).

Self-trades are allowed: KRX has no exchange-level self-trade prevention in our rules, so two
orders of the same account match like any others and the exchange reports both fills. Keeping
an account from trading with itself is the job of the risk engine, before the venue.

Layout, chosen for speed (the exchange must handle 200,000 order events a second, and agents
can stack thousands of orders on one price): per side a dict price -> `_Level` and a sorted
list of level keys with the best level at the *end*, so the hot paths touch `keys[-1]` and
`keys.pop()`. Bids are keyed by price, asks by -price, which makes "better" mean "larger key"
on both sides and lets one loop match either side. A level is a deque of `(seq, order)`
entries in time order with the total leaves (shares) and count of its live orders. Cancels
and price changes are O(1): they only clear or renew the order's `seq`, which turns its old
entry into a tombstone that matching skips and that a level drops when tombstones outnumber
live entries. Levels are created and dropped as they fill and empty.

Units: prices are int KRW, quantities int shares. An order rests in at most one book, and only
that book may be asked to remove, reduce, reprice or requeue it (a book trusts a nonzero `seq`
to be its own); callers change `price`, `leaves` and `seq` of a resting order only through
this class, since the level totals and the tombstones depend on it.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Callable

from jts.core.models import BookLevel
from jts.venues.sim.orders import Execution, WorkingOrder

__all__ = ["OrderBook"]

_SLACK = 8
"""Tombstones a level may hold beyond its live entries before it is compacted."""


class _Level(deque[tuple[int, WorkingOrder]]):
    """Entries `(seq, order)` at one price in time order; live when `order.seq == seq`.

    `qty` is the total leaves (shares) and `live` the number of the live entries.
    """

    __slots__ = ("live", "qty")
    live: int
    qty: int

    def compact(self) -> None:
        """Drop the tombstones. Callers do it once they outnumber the live entries by
        `_SLACK`, so that the O(entries) cost is amortised O(1) per cancel."""
        entries = [entry for entry in self if entry[1].seq == entry[0]]
        self.clear()
        self.extend(entries)


class _Side:
    """One side of the book: levels by price and their keys (`sign` * price) ascending.

    The best level has the largest key: bids use sign +1, asks sign -1.
    """

    __slots__ = ("keys", "levels", "sign")

    def __init__(self, sign: int) -> None:
        self.sign = sign
        self.levels: dict[int, _Level] = {}
        self.keys: list[int] = []

    def open(self, price: int) -> _Level:
        """A new, empty level at `price` KRW."""
        level = self.levels[price] = _Level()
        level.qty = level.live = 0
        insort(self.keys, self.sign * price)
        return level

    def drop(self, price: int) -> None:
        """Forget the level at `price` KRW (it has no live orders left)."""
        del self.levels[price]
        keys = self.keys
        del keys[bisect_left(keys, self.sign * price)]

    def orders(self) -> list[WorkingOrder]:
        """Every resting order of this side, best price first, then by `seq`."""
        levels, sign = self.levels, self.sign
        return [
            order
            for key in reversed(self.keys)
            for seq, order in levels[sign * key]
            if order.seq == seq
        ]

    def depth(self, count: int) -> tuple[BookLevel, ...]:
        """The best `count` levels as (price KRW, total shares), best first."""
        if count <= 0:
            return ()
        levels, sign = self.levels, self.sign
        return tuple(
            BookLevel(sign * key, levels[sign * key].qty) for key in reversed(self.keys[-count:])
        )


def _sweep(
    level: _Level,
    incoming: WorkingOrder,
    left: int,
    price: int,
    emit: Callable[[Execution], None],
) -> int:
    """Fill up to `left` shares of `incoming` from `level` at `price` KRW; return what is left.

    Live orders are taken from the front, tombstones on the way are dropped; a resting order
    that is done leaves the level (its `seq` cleared), a partly filled one stays first with its
    `seq`. The level's totals are updated here; the incoming order's counters are the caller's
    (it may sweep several levels), as is dropping the level once nothing live is left.
    """
    start = left
    while left and level.live:
        seq, resting = level[0]
        if resting.seq != seq:
            level.popleft()
            continue
        qty = resting.leaves
        if qty > left:
            resting.leaves = qty - left
            resting.filled += left
            emit(Execution(resting, incoming, left, price))
            left = 0
            break
        resting.leaves = 0
        resting.filled += qty
        resting.seq = 0
        emit(Execution(resting, incoming, qty, price))
        level.popleft()
        level.live -= 1
        left -= qty
    level.qty -= start - left
    return left


class OrderBook:
    """The resting orders of one symbol (any 6-character code, e.g. "005930" or "0037T0")."""

    __slots__ = ("_asks", "_bids", "_count", "_seq", "symbol")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self._bids = _Side(1)
        self._asks = _Side(-1)
        self._seq = 0
        self._count = 0

    # -- placing and taking out ---------------------------------------------------------

    def add(self, order: WorkingOrder) -> None:
        """Rest `order` at the back of its price level and give it the next `seq`.

        No matching happens here, so this also collects orders during call auctions, when
        the book may be crossed. `order` must have leaves and not be resting already.
        """
        if order.leaves <= 0 or order.seq:
            raise ValueError(
                f"{order.order_id}: cannot rest (leaves={order.leaves}, seq={order.seq})"
            )
        side = self._bids if order.is_buy else self._asks
        level = side.levels.get(order.price)
        if level is None:
            level = side.open(order.price)
        self._seq = seq = self._seq + 1
        order.seq = seq
        level.append((seq, order))
        level.qty += order.leaves
        level.live += 1
        self._count += 1

    def remove(self, order: WorkingOrder) -> bool:
        """Cancel `order`'s remainder: take it out of the book; False if it was not resting.

        The order keeps its `leaves` (the cancelled quantity, for the exchange's report).
        """
        if not order.seq:
            return False
        side = self._bids if order.is_buy else self._asks
        level = side.levels.get(order.price)
        if level is None:
            return False
        order.seq = 0
        self._count -= 1
        level.live -= 1
        if not level.live:
            side.drop(order.price)
            return True
        level.qty -= order.leaves
        if len(level) > 2 * level.live + _SLACK:
            level.compact()
        return True

    def reduce(self, order: WorkingOrder, leaves: int) -> None:
        """Partial cancel: lower the resting `order` to `leaves` shares, keeping its place.

        KRX treats a quantity reduction as a partial cancel, which keeps time priority.
        `leaves` must be positive (use `remove` to cancel all) and not above the current one.
        """
        if not 0 < leaves <= order.leaves:
            raise ValueError(f"{order.order_id}: cannot reduce {order.leaves} to {leaves}")
        level = self._level_of(order)
        level.qty -= order.leaves - leaves
        order.leaves = leaves

    def reprice(self, order: WorkingOrder, price: int) -> None:
        """Move the resting `order` to `price` KRW at the back of that level (new `seq`).

        A price change loses time priority (KRX.md §3). The book does not match here: in
        continuous trading a new price that crosses is the exchange's to match first.
        """
        if not self.remove(order):
            raise ValueError(f"{order.order_id}: not resting in {self.symbol}")
        order.price = price
        self.add(order)

    def requeue(self, order: WorkingOrder) -> None:
        """Send the resting `order` to the back of its level after a quantity increase.

        Call it after raising `order.leaves` (and `qty`): an increase loses time priority
        (KRX.md §3). The level's total is recounted from its orders (O(orders there)).
        """
        level = self._level_of(order)
        self._seq = seq = self._seq + 1
        order.seq = seq
        level.append((seq, order))
        level.qty = sum(resting.leaves for place, resting in level if resting.seq == place)
        if len(level) > 2 * level.live + _SLACK:
            level.compact()

    def clear(self) -> list[WorkingOrder]:
        """Empty the book (day end); return what rested, bids then asks, each in priority."""
        rested = self._bids.orders() + self._asks.orders()
        for order in rested:
            order.seq = 0
        self._bids = _Side(1)
        self._asks = _Side(-1)
        self._count = 0
        return rested

    def _level_of(self, order: WorkingOrder) -> _Level:
        side = self._bids if order.is_buy else self._asks
        level = side.levels.get(order.price)
        if level is None or not order.seq:
            raise ValueError(f"{order.order_id}: not resting in {self.symbol}")
        return level

    # -- continuous matching ------------------------------------------------------------

    def match(self, incoming: WorkingOrder, lo: int, hi: int, out: list[Execution]) -> bool:
        """Match `incoming` (not resting) against the opposite side; append to `out`.

        Levels are taken best first and each at the resting price, while that price crosses
        `incoming.price` (a buy takes asks <= price, a sell bids >= price) and lies inside
        `[lo, hi]` KRW. Both orders' `leaves`/`filled` are updated and finished resting
        orders leave the book; the incoming remainder is left to the caller (rest it, or
        cancel it for IOC). Returns True when matching stopped only because the next price
        that would execute lies outside `[lo, hi]` with shares still to fill: the exchange
        then triggers a volatility interruption. False otherwise.
        """
        side = self._asks if incoming.is_buy else self._bids
        keys, levels, sign = side.keys, side.levels, side.sign
        limit = sign * incoming.price
        want = left = incoming.leaves
        emit = out.append
        outside = False
        while left and keys:
            key = keys[-1]
            if key < limit:
                break
            price = sign * key
            if price < lo or price > hi:
                outside = True
                break
            level = levels[price]
            live = level.live
            left = _sweep(level, incoming, left, price, emit)
            self._count -= live - level.live
            if not level.live:
                keys.pop()
                del levels[price]
        incoming.leaves = left
        incoming.filled += want - left
        return outside

    def fillable(self, incoming: WorkingOrder, lo: int, hi: int) -> int:
        """Shares `match` would execute for `incoming` now, changing nothing (for FOK)."""
        side = self._asks if incoming.is_buy else self._bids
        levels, sign = side.levels, side.sign
        limit = sign * incoming.price
        want = incoming.leaves
        total = 0
        for key in reversed(side.keys):
            price = sign * key
            if key < limit or price < lo or price > hi:
                break
            total += levels[price].qty
            if total >= want:
                return want
        return total

    # -- looking ------------------------------------------------------------------------

    def best_bid(self) -> int:
        """Highest resting buy price in KRW; 0 when there are no bids."""
        keys = self._bids.keys
        return keys[-1] if keys else 0

    def best_ask(self) -> int:
        """Lowest resting sell price in KRW; 0 when there are no asks."""
        keys = self._asks.keys
        return -keys[-1] if keys else 0

    def qty_at(self, is_buy: bool, price: int) -> int:
        """Total resting shares on one side at `price` KRW (0 when no level there)."""
        level = (self._bids if is_buy else self._asks).levels.get(price)
        return level.qty if level is not None else 0

    def depth(self, levels: int = 10) -> tuple[tuple[BookLevel, ...], tuple[BookLevel, ...]]:
        """(bids, asks) aggregated per price, best first, at most `levels` each."""
        return self._bids.depth(levels), self._asks.depth(levels)

    def bids(self) -> list[WorkingOrder]:
        """Every resting buy in priority order: price descending, then `seq` ascending."""
        return self._bids.orders()

    def asks(self) -> list[WorkingOrder]:
        """Every resting sell in priority order: price ascending, then `seq` ascending."""
        return self._asks.orders()

    def is_crossed(self) -> bool:
        """True when the best bid is at or above the best ask (only after auction intake)."""
        bids, asks = self._bids.keys, self._asks.keys
        return bool(bids and asks) and bids[-1] >= -asks[-1]

    def __len__(self) -> int:
        """Number of resting orders."""
        return self._count

    def __contains__(self, order: object) -> bool:
        """Whether `order` is resting in this book (O(entries at its price); not a hot path)."""
        if not isinstance(order, WorkingOrder) or not order.seq:
            return False
        level = (self._bids if order.is_buy else self._asks).levels.get(order.price)
        return level is not None and (order.seq, order) in level

    def __repr__(self) -> str:
        return (
            f"OrderBook({self.symbol} {self.best_bid()}/{self.best_ask()}"
            f" orders={self._count} levels={len(self._bids.keys)}/{len(self._asks.keys)})"
        )
