"""The simulated exchange's order book: price-time priority, resting-price executions, the
priority rules of modifications, the volatility band, depth, and auction-time collection."""

from __future__ import annotations

from functools import partial
from itertools import count, groupby

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core import BookLevel, OrderType, Side
from jts.venues.sim.book import OrderBook
from jts.venues.sim.orders import Execution, WorkingOrder

WIDE = (1, 10_000_000)  # a band no test price leaves
_ids = count(1)


def order(
    side: Side, qty: int, price: int, account: str = "", market: bool = False
) -> WorkingOrder:
    kind, oid = OrderType.MARKET if market else OrderType.LIMIT, f"o{next(_ids)}"
    return WorkingOrder(oid, "005930", side, qty, price, order_type=kind, account=account)


buy, sell = partial(order, Side.BUY), partial(order, Side.SELL)


def book_of(*orders: WorkingOrder) -> OrderBook:
    """A book with `orders` added in the order given (no matching, as during intake)."""
    book = OrderBook("005930")
    for working in orders:
        book.add(working)
    return book


def match(
    book: OrderBook, incoming: WorkingOrder, band: tuple[int, int] = WIDE
) -> tuple[list[Execution], bool]:
    out: list[Execution] = []
    outside = book.match(incoming, band[0], band[1], out)
    return out, outside


def test_orders_at_one_price_fill_in_arrival_order() -> None:
    first, second = sell(10, 70_000), sell(10, 70_000)
    book = book_of(first, second)
    out, _ = match(book, buy(15, 70_000))
    assert [(e.resting, e.qty) for e in out] == [(first, 10), (second, 5)]


def test_better_price_fills_before_an_earlier_order() -> None:
    early, better = buy(10, 69_900), buy(10, 70_000)
    book = book_of(early, better)
    out, _ = match(book, sell(10, 69_900))
    assert [e.resting for e in out] == [better]


def test_execution_prints_at_the_resting_price() -> None:
    book = book_of(sell(10, 70_000))
    out, _ = match(book, buy(10, 70_500))
    assert [e.price for e in out] == [70_000]


def test_buy_sweeps_ask_levels_until_they_stop_crossing() -> None:
    book = book_of(sell(5, 70_000), sell(5, 70_100), sell(5, 70_200))
    incoming = buy(20, 70_100)
    out, outside = match(book, incoming)
    assert [(e.price, e.qty) for e in out] == [(70_000, 5), (70_100, 5)]
    assert (incoming.leaves, incoming.filled, outside) == (10, 10, False)
    assert book.best_ask() == 70_200


def test_match_leaves_the_incoming_remainder_out_of_the_book() -> None:
    book = book_of(sell(5, 70_000))
    incoming = buy(8, 70_000)
    match(book, incoming)
    assert (incoming in book, incoming.seq, book.best_bid(), len(book)) == (False, 0, 0, 0)


def test_partial_fill_keeps_the_remainder_first_with_its_seq() -> None:
    first, second = sell(10, 70_000), sell(10, 70_000)
    book = book_of(first, second)
    seq = first.seq
    match(book, buy(4, 70_000))
    assert (first.leaves, first.filled, first.seq) == (6, 4, seq)
    assert book.asks() == [first, second]
    assert book.qty_at(False, 70_000) == 16


def test_filled_resting_orders_leave_the_book() -> None:
    done, other = sell(10, 70_000), sell(10, 70_100)
    book = book_of(done, other)
    match(book, buy(10, 70_000))
    assert (done in book, done.seq, book.asks()) == (False, 0, [other])
    assert book.qty_at(False, 70_000) == 0


def test_market_order_at_the_limit_ranks_by_time_with_limit_orders() -> None:
    limit_first, market, limit_last = buy(10, 91_000), buy(10, 91_000, market=True), buy(10, 91_000)
    book = book_of(limit_first, market, limit_last)
    out, _ = match(book, sell(30, 91_000))
    assert [e.resting for e in out] == [limit_first, market, limit_last]


def test_self_trade_executes_and_reports_both_orders() -> None:
    resting = sell(10, 70_000, account="A1")
    book = book_of(resting)
    incoming = buy(10, 70_000, account="A1")
    out, _ = match(book, incoming)
    assert [(e.buy, e.sell, e.qty) for e in out] == [(incoming, resting, 10)]


def test_remove_takes_an_order_out_and_keeps_its_leaves() -> None:
    gone, stays = buy(10, 70_000), buy(7, 70_000)
    book = book_of(gone, stays)
    assert book.remove(gone)
    assert (gone.leaves, gone.seq, gone in book, len(book)) == (10, 0, False, 1)
    assert book.qty_at(True, 70_000) == 7


def test_remove_of_an_order_not_resting_returns_false() -> None:
    gone = buy(10, 70_000)
    book = book_of(gone, buy(5, 70_000))
    book.remove(gone)
    assert not book.remove(gone)
    assert not book.remove(buy(1, 69_000))


def test_removing_the_last_order_drops_its_level() -> None:
    only, behind = sell(10, 70_000), sell(10, 70_100)
    book = book_of(only, behind)
    book.remove(only)
    assert book.best_ask() == 70_100
    assert book.depth()[1] == (BookLevel(70_100, 10),)


def test_reduce_keeps_time_priority() -> None:
    first, second = sell(10, 70_000), sell(10, 70_000)
    book = book_of(first, second)
    book.reduce(first, 3)
    out, _ = match(book, buy(3, 70_000))
    assert [e.resting for e in out] == [first]
    assert book.qty_at(False, 70_000) == 10


@pytest.mark.parametrize("leaves", [0, 11])
def test_reduce_refuses_zero_or_an_increase(leaves: int) -> None:
    working = sell(10, 70_000)
    with pytest.raises(ValueError, match="reduce"):
        book_of(working).reduce(working, leaves)


@pytest.mark.parametrize("modify", ["reduce", "reprice", "requeue"])
def test_modifying_an_order_not_resting_raises(modify: str) -> None:
    book, stranger = book_of(sell(10, 70_000)), sell(10, 70_000)
    args = {"reduce": (5,), "reprice": (70_100,), "requeue": ()}[modify]
    with pytest.raises(ValueError, match="not resting"):
        getattr(book, modify)(stranger, *args)


def test_reprice_loses_time_priority_at_the_new_level() -> None:
    moved, waiting = buy(10, 69_900), buy(10, 70_000)
    book = book_of(moved, waiting)
    book.reprice(moved, 70_000)
    assert (moved.price, book.bids(), moved.seq > waiting.seq) == (70_000, [waiting, moved], True)
    assert (book.qty_at(True, 69_900), book.qty_at(True, 70_000)) == (0, 20)


def test_reprice_to_the_same_price_still_goes_to_the_back() -> None:
    first, second = buy(10, 70_000), buy(10, 70_000)
    book = book_of(first, second)
    book.reprice(first, 70_000)
    assert book.bids() == [second, first]


def test_requeue_after_a_quantity_increase_loses_time_priority() -> None:
    grown, other = sell(10, 70_000), sell(10, 70_000)
    book = book_of(grown, other)
    grown.qty = grown.leaves = 15
    book.requeue(grown)
    assert (book.asks(), grown.seq > other.seq) == ([other, grown], True)
    assert book.qty_at(False, 70_000) == 25


def test_clear_returns_every_resting_order_and_empties_the_book() -> None:
    orders = [buy(1, 100), buy(1, 101), sell(1, 103), sell(1, 102)]
    book = book_of(*orders)
    rested = book.clear()
    assert rested == [orders[1], orders[0], orders[3], orders[2]]
    assert (len(book), book.best_bid(), book.best_ask(), book.depth()) == (0, 0, 0, ((), ()))


@pytest.mark.parametrize("resting", [False, True], ids=["no leaves", "already resting"])
def test_add_refuses_an_order_without_leaves_or_already_resting(resting: bool) -> None:
    working = buy(10, 100)
    book = book_of(working) if resting else book_of()
    working.leaves = 10 if resting else 0
    with pytest.raises(ValueError, match="cannot rest"):
        book.add(working)


def test_match_stops_before_a_price_above_the_band_and_says_so() -> None:
    book = book_of(sell(5, 70_000), sell(5, 70_100))
    incoming = buy(10, 70_100)
    out, outside = match(book, incoming, (69_000, 70_000))
    assert [(e.price, e.qty) for e in out] == [(70_000, 5)]
    assert (outside, incoming.leaves) == (True, 5)
    assert book.best_ask() == 70_100


def test_match_stops_before_a_price_below_the_band_for_sells() -> None:
    book = book_of(buy(5, 69_000))
    incoming = sell(5, 68_000)
    out, outside = match(book, incoming, (69_500, 71_000))
    assert (out, outside, incoming.leaves) == ([], True, 5)


@pytest.mark.parametrize(("qty", "price"), [(5, 75_000), (10, 70_000)], ids=["filled", "uncrossed"])
def test_match_reports_no_band_stop_when_it_ends_before_the_band(qty: int, price: int) -> None:
    book = book_of(sell(5, 70_000), sell(5, 75_000))
    _, outside = match(book, buy(qty, price), (69_000, 70_000))
    assert outside is False


def test_fillable_counts_what_match_then_executes() -> None:
    book = book_of(sell(5, 70_000), sell(5, 70_100), sell(5, 70_200))
    incoming = buy(12, 70_100)
    assert (book.fillable(incoming, *WIDE), len(book)) == (10, 3)
    out, _ = match(book, incoming)
    assert sum(e.qty for e in out) == 10


def test_fillable_caps_at_the_incoming_leaves() -> None:
    book = book_of(buy(50, 70_000))
    assert book.fillable(sell(20, 70_000), *WIDE) == 20


def test_fillable_stops_at_the_band() -> None:
    book = book_of(sell(5, 70_000), sell(5, 70_100))
    assert book.fillable(buy(10, 70_100), 69_000, 70_000) == 5


def test_depth_aggregates_per_price_best_first() -> None:
    bids = buy(3, 69_900), buy(4, 70_000), buy(5, 69_900)
    book = book_of(*bids, sell(6, 70_200), sell(7, 70_100), sell(8, 70_100))
    assert book.depth() == (
        (BookLevel(70_000, 4), BookLevel(69_900, 8)),
        (BookLevel(70_100, 15), BookLevel(70_200, 6)),
    )


def test_depth_returns_at_most_the_levels_asked_for() -> None:
    book = book_of(*(buy(1, 100 - n) for n in range(15)), *(sell(1, 200 + n) for n in range(15)))
    bids, asks = book.depth(10)
    assert [lv.price for lv in bids] == list(range(100, 90, -1))
    assert [lv.price for lv in asks] == list(range(200, 210))
    assert book.depth(0) == ((), ())


def test_len_and_contains_follow_resting_orders() -> None:
    inside, elsewhere = buy(1, 100), buy(1, 100)
    book, _ = book_of(inside), book_of(elsewhere)  # same symbol, price and seq, other book
    assert (len(book), inside in book, elsewhere in book, "x" in book) == (1, True, False, False)


@pytest.mark.parametrize(("bid", "ask"), [(71_000, 69_000), (70_000, 70_000)])
def test_auction_intake_collects_a_crossed_book_without_matching(bid: int, ask: int) -> None:
    high_bid, low_ask = buy(10, bid), sell(10, ask)
    book = book_of(high_bid, low_ask)
    assert book.is_crossed()
    assert (high_bid.filled, low_ask.filled, len(book)) == (0, 0, 2)
    assert (book.best_bid(), book.best_ask()) == (bid, ask)


def test_book_takes_alphanumeric_six_character_codes() -> None:
    book = OrderBook("0037T0")
    book.add(WorkingOrder("a", "0037T0", Side.SELL, 10, 10_000))
    out, _ = match(book, WorkingOrder("b", "0037T0", Side.BUY, 10, 10_000), WIDE)
    assert (book.symbol, [e.qty for e in out]) == ("0037T0", [10])
    assert "0037T0" in repr(book)


class Continuous:
    """Drives a book like a continuous market and checks it against a plain list of orders.

    New orders match first and rest their remainder, unless matching stopped at the band
    (the exchange would interrupt; here the remainder is cancelled). Cancelled shares are
    counted per order so that filled + leaves (if resting) + cancelled == qty can be checked.
    """

    def __init__(self) -> None:
        self.book = OrderBook("0037T0")
        self.resting: list[WorkingOrder] = []
        self.orders: list[WorkingOrder] = []
        self.cancelled: dict[str, int] = {}
        self.last_seq = 0

    def queue(self, is_buy: bool) -> list[WorkingOrder]:
        side = [o for o in self.resting if o.is_buy is is_buy]
        return sorted(side, key=lambda o: (-o.price if is_buy else o.price, o.seq))

    def submit(self, is_buy: int, price: int, qty: int, lo: int, hi: int) -> None:
        side = Side.BUY if is_buy else Side.SELL
        incoming = WorkingOrder(f"p{len(self.orders)}", "0037T0", side, qty, price)
        self.orders.append(incoming)
        self.cancelled[incoming.order_id] = 0
        self.execute(incoming, lo, hi)

    def execute(self, incoming: WorkingOrder, lo: int, hi: int) -> None:
        queue = self.queue(not incoming.is_buy)
        fillable = self.book.fillable(incoming, lo, hi)
        out: list[Execution] = []
        outside = self.book.match(incoming, lo, hi, out)
        assert sum(e.qty for e in out) == fillable
        check_executions(incoming, queue, out, lo, hi)
        for execution in out:
            if execution.resting.leaves == 0:
                self.resting.remove(execution.resting)
        check_stop(incoming, self.queue(not incoming.is_buy), outside, lo, hi)
        if incoming.leaves and not outside:
            self.book.add(incoming)
            self.check_seq(incoming)
            self.resting.append(incoming)
        else:
            self.cancelled[incoming.order_id] += incoming.leaves

    def cancel(self, pick: int) -> None:
        if self.resting:
            target = self.resting.pop(pick % len(self.resting))
            assert self.book.remove(target)
            self.cancelled[target.order_id] += target.leaves

    def reduce(self, pick: int, shares: int) -> None:
        if self.resting:
            target = self.resting[pick % len(self.resting)]
            leaves = 1 + shares % target.leaves
            self.cancelled[target.order_id] += target.leaves - leaves
            seq = target.seq
            self.book.reduce(target, leaves)
            assert target.seq == seq

    def reprice(self, pick: int, price: int) -> None:
        if self.resting:
            target = self.resting[pick % len(self.resting)]
            best = self.book.best_ask() if target.is_buy else self.book.best_bid()
            if best and (price >= best if target.is_buy else price <= best):
                # the exchange matches a crossing modification like a new arrival
                self.resting.remove(target)
                assert self.book.remove(target)
                target.price = price
                self.execute(target, *WIDE)
            else:
                self.book.reprice(target, price)
                self.check_seq(target)

    def requeue(self, pick: int, extra: int) -> None:
        if self.resting:
            target = self.resting[pick % len(self.resting)]
            target.qty += extra
            target.leaves += extra
            self.book.requeue(target)
            self.check_seq(target)

    def check_seq(self, order: WorkingOrder) -> None:
        """`order` just took a place at the back: its seq is the newest yet."""
        assert order.seq > self.last_seq
        self.last_seq = order.seq

    def check_book(self) -> None:
        book = self.book
        assert not book.is_crossed()
        assert book.bids() == self.queue(True)
        assert book.asks() == self.queue(False)
        assert len(book) == len(self.resting)
        assert book.depth(1_000) == (levels(self.queue(True)), levels(self.queue(False)))

    def check_volume(self) -> None:
        for o in self.orders:
            leaves = o.leaves if o in self.resting else 0
            assert o.filled + leaves + self.cancelled[o.order_id] == o.qty
        assert sum(o.filled if o.is_buy else -o.filled for o in self.orders) == 0  # bought == sold


def levels(queue: list[WorkingOrder]) -> tuple[BookLevel, ...]:
    """Depth of a queue in priority order: total leaves per price, in that order."""
    by_price = groupby(queue, key=lambda o: o.price)
    return tuple(BookLevel(price, sum(o.leaves for o in at)) for price, at in by_price)


def crosses(incoming: WorkingOrder, price: int) -> bool:
    return price <= incoming.price if incoming.is_buy else price >= incoming.price


def check_executions(
    incoming: WorkingOrder, queue: list[WorkingOrder], out: list[Execution], lo: int, hi: int
) -> None:
    """Executions take the opposite queue from its head, none skipped, each at its price."""
    assert [e.resting for e in out] == queue[: len(out)]
    assert all(e.resting.leaves == 0 for e in out[:-1])
    for execution in out:
        assert execution.aggressor is incoming
        assert execution.price == execution.resting.price
        assert lo <= execution.price <= hi
        assert crosses(incoming, execution.price)


def check_stop(
    incoming: WorkingOrder, queue: list[WorkingOrder], outside: bool, lo: int, hi: int
) -> None:
    """Matching went as far as it could: a band stop is reported exactly when it happened."""
    head = queue[0] if queue else None
    if outside:
        assert incoming.leaves > 0
        assert head is not None
        assert crosses(incoming, head.price)
        assert not lo <= head.price <= hi
    elif incoming.leaves:
        assert head is None or not crosses(incoming, head.price)


PRICES = st.one_of(st.integers(99, 101), st.integers(92, 108))  # crowd a few levels too
PICK = st.integers(0, 1_000)
Op = tuple[str, tuple[int, ...]]
OPS: st.SearchStrategy[Op] = st.one_of(
    st.tuples(
        st.just("submit"),
        st.tuples(
            st.integers(0, 1),
            PRICES,
            st.integers(1, 30),
            st.integers(92, 100),
            st.integers(100, 108),
        ),
    ),
    st.tuples(st.just("cancel"), st.tuples(PICK)),
    st.tuples(st.just("reduce"), st.tuples(PICK, st.integers(0, 30))),
    st.tuples(st.just("reprice"), st.tuples(PICK, PRICES)),
    st.tuples(st.just("requeue"), st.tuples(PICK, st.integers(1, 10))),
)
"""(a method of `Continuous`, its arguments); submit bands run from 92-100 to 100-108 KRW."""


@given(st.lists(OPS, max_size=150))
def test_random_flow_keeps_priority_band_and_an_uncrossed_book(ops: list[Op]) -> None:
    market = Continuous()
    for name, args in ops:
        getattr(market, name)(*args)
        market.check_book()


@given(st.lists(OPS, max_size=150))
def test_random_flow_conserves_volume(ops: list[Op]) -> None:
    market = Continuous()
    for name, args in ops:
        getattr(market, name)(*args)
    market.check_volume()


@given(st.lists(st.tuples(st.booleans(), PRICES, st.integers(1, 30)), max_size=60))
def test_auction_intake_keeps_priority_in_a_crossed_book(
    flow: list[tuple[bool, int, int]],
) -> None:
    orders = [order(Side.BUY if is_buy else Side.SELL, qty, price) for is_buy, price, qty in flow]
    book = book_of(*orders)
    buys = sorted((o for o in orders if o.is_buy), key=lambda o: (-o.price, o.seq))
    sells = sorted((o for o in orders if not o.is_buy), key=lambda o: (o.price, o.seq))
    assert (book.bids(), book.asks(), len(book)) == (buys, sells, len(orders))
    assert book.depth(1_000) == (levels(buys), levels(sells))
    assert all(book.qty_at(o.is_buy, o.price) > 0 for o in orders)


@given(
    st.integers(5, 30), st.lists(st.integers(0, 999), min_size=20, max_size=60), st.integers(1, 99)
)
def test_cancels_and_reprices_in_one_crowded_level_keep_time_order(
    size: int, picks: list[int], take: int
) -> None:
    queue = [sell(1 + n % 3, 100) for n in range(size)]
    book = book_of(*queue)
    for pick in picks:
        if queue:
            target = queue.pop(pick % len(queue))
            if pick % 3:  # a cancel; otherwise a modification to the same price
                assert book.remove(target)
            else:
                book.reprice(target, 100)
                queue.append(target)
    out, _ = match(book, buy(take, 100))
    assert [e.resting for e in out] == queue[: len(out)]
    assert book.asks() == [o for o in queue if o.leaves]
    assert book.qty_at(False, 100) == sum(o.leaves for o in queue)
