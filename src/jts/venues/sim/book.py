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
level with a new `seq`. `seq` comes from one counter per book, so it orders all arrivals.

Self-trades are allowed: KRX has no exchange-level self-trade prevention in our rules, so two
orders of the same account match like any others and the exchange reports both fills. Keeping
an account from trading with itself is the job of the risk engine, before the venue.

Layout, chosen for speed (the exchange must handle 200,000 order events a second): per side a
dict price -> `_Level` (a deque of orders in time order that also keeps their total leaves)
and a sorted list of level keys with the best level at the *end*, so the hot paths touch
`keys[-1]` and `keys.pop()`. Bids are keyed by price, asks by -price, which makes "better"
mean "larger key" on both sides and lets one loop match either side. Cancels remove from the
deque at once (O(orders at that price)); levels are created and dropped as they fill and empty.

Units: prices are int KRW, quantities int shares. Callers must change `price` and `leaves` of
a resting order only through this class (the level totals depend on it).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Callable

from jts.core.models import BookLevel
from jts.venues.sim.orders import Execution, WorkingOrder

__all__ = ["OrderBook"]


class _Level(deque[WorkingOrder]):
    """The orders resting at one price in time priority, and `qty`: their total leaves."""

    __slots__ = ("qty",)

    def __init__(self) -> None:
        super().__init__()
        self.qty = 0


class _Side:
    """One side of the book: levels by price and their keys (`sign` * price) ascending.

    The best level has the largest key: bids use sign +1, asks sign -1.
    """

    __slots__ = ("keys", "levels", "sign")

    def __init__(self, sign: int) -> None:
        self.sign = sign
        self.levels: dict[int, _Level] = {}
        self.keys: list[int] = []

    def drop(self, price: int) -> None:
        """Forget the (empty) level at `price` KRW."""
        del self.levels[price]
        keys = self.keys
        del keys[bisect_left(keys, self.sign * price)]

    def orders(self) -> list[WorkingOrder]:
        """Every resting order of this side, best price first, then by `seq`."""
        levels, sign = self.levels, self.sign
        return [order for key in reversed(self.keys) for order in levels[sign * key]]

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

    Resting orders are taken from the front; a resting order that is done leaves the deque,
    a partly filled one stays at the front with its `seq`. The level's total is updated here;
    the incoming order's counters are the caller's (it may sweep several levels).
    """
    start = left
    while left and level:
        resting = level[0]
        qty = resting.leaves
        if qty > left:
            resting.leaves = qty - left
            resting.filled += left
            emit(Execution(resting, incoming, left, price))
            left = 0
            break
        resting.leaves = 0
        resting.filled += qty
        emit(Execution(resting, incoming, qty, price))
        level.popleft()
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
        the book may be crossed. `order` must not be resting already and must have leaves.
        """
        if order.leaves <= 0:
            raise ValueError(f"{order.order_id}: nothing to rest (leaves={order.leaves})")
        side = self._bids if order.is_buy else self._asks
        price = order.price
        level = side.levels.get(price)
        if level is None:
            level = side.levels[price] = _Level()
            insort(side.keys, side.sign * price)
        self._seq += 1
        order.seq = self._seq
        level.append(order)
        level.qty += order.leaves
        self._count += 1

    def remove(self, order: WorkingOrder) -> bool:
        """Cancel `order`'s remainder: take it out of the book; False if it was not resting.

        The order keeps its `leaves` (the cancelled quantity, for the exchange's report).
        """
        side = self._bids if order.is_buy else self._asks
        price = order.price
        level = side.levels.get(price)
        if level is None:
            return False
        try:
            level.remove(order)
        except ValueError:
            return False
        level.qty -= order.leaves
        self._count -= 1
        if not level:
            side.drop(price)
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
        (KRX.md §3), and the level's total is recounted from its orders.
        """
        level = self._level_of(order)
        level.remove(order)
        level.append(order)
        level.qty = sum(resting.leaves for resting in level)
        self._seq += 1
        order.seq = self._seq

    def clear(self) -> list[WorkingOrder]:
        """Empty the book (day end); return what rested, bids then asks, each in priority."""
        rested = self._bids.orders() + self._asks.orders()
        self._bids = _Side(1)
        self._asks = _Side(-1)
        self._count = 0
        return rested

    def _level_of(self, order: WorkingOrder) -> _Level:
        side = self._bids if order.is_buy else self._asks
        level = side.levels.get(order.price)
        if level is None or order not in level:
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
            before = len(level)
            left = _sweep(level, incoming, left, price, emit)
            self._count -= before - len(level)
            if not level:
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
        """Whether `order` is resting here (O(orders at its price))."""
        if not isinstance(order, WorkingOrder):
            return False
        side = self._bids if order.is_buy else self._asks
        level = side.levels.get(order.price)
        return level is not None and order in level

    def __repr__(self) -> str:
        return (
            f"OrderBook({self.symbol} {self.best_bid()}/{self.best_ask()}"
            f" orders={self._count} levels={len(self._bids.keys)}/{len(self._asks.keys)})"
        )
