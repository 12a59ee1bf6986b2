"""Call-auction uncross and allocation (KRX.md §6, §12 items 6-7): worked examples, then
properties over random books checked against a brute-force search of every valid price."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core.enums import OrderType, Side
from jts.core.models import BookLevel
from jts.krx.ticks import STOCK_TICKS
from jts.krx.ticks import tick_of as table_tick_of
from jts.venues.sim.auction import Uncross, allocate, clearing_price, expected
from jts.venues.sim.orders import Execution, WorkingOrder

_ids = itertools.count(1)
stock_tick = partial(table_tick_of, STOCK_TICKS)


def _order(side: Side, qty: int, price: int, seq: int, *, market: bool = False) -> WorkingOrder:
    order_type = OrderType.MARKET if market else OrderType.LIMIT
    order = WorkingOrder(f"o{next(_ids)}", "005930", side, qty, price, order_type=order_type)
    order.seq = seq
    return order


def buy(qty: int, price: int, seq: int = 0, *, market: bool = False) -> WorkingOrder:
    return _order(Side.BUY, qty, price, seq, market=market)


def sell(qty: int, price: int, seq: int = 0, *, market: bool = False) -> WorkingOrder:
    return _order(Side.SELL, qty, price, seq, market=market)


def bids_sorted(orders: list[WorkingOrder]) -> list[WorkingOrder]:
    return sorted(orders, key=lambda o: (-o.price, o.seq))


def asks_sorted(orders: list[WorkingOrder]) -> list[WorkingOrder]:
    return sorted(orders, key=lambda o: (o.price, o.seq))


def volumes(execs: list[Execution]) -> tuple[int, set[int]]:
    return sum(e.qty for e in execs), {e.price for e in execs}


# --- clearing price: worked examples -------------------------------------------------------


def _ladder() -> tuple[list[WorkingOrder], list[WorkingOrder]]:
    """Volume by price: 9,900: 200, 10,000: 500, 10,100: 900, 10,200: 500, 10,300: 300."""
    bids = [buy(300, 10_300, 1), buy(200, 10_200, 2), buy(300, 10_100, 3), buy(200, 10_100, 4)]
    bids.append(buy(400, 10_000, 5))
    asks = [sell(200, 9_900, 6), sell(300, 10_000, 7), sell(400, 10_100, 8), sell(600, 10_200, 9)]
    return bids, asks


def test_clearing_price_maximizes_executable_volume_even_away_from_the_reference() -> None:
    bids, asks = _ladder()
    assert clearing_price(bids, asks, 10_000) == Uncross(10_100, 900, 1_000, 900)


def test_reference_wins_among_equal_maximum_volumes() -> None:
    bids, asks = [buy(500, 10_200)], [sell(500, 10_000)]
    assert clearing_price(bids, asks, 10_000) == Uncross(10_000, 500, 500, 500)
    assert clearing_price(bids, asks, 10_200) == Uncross(10_200, 500, 500, 500)


def test_reference_between_order_prices_is_the_price_when_the_whole_interval_qualifies() -> None:
    found = clearing_price([buy(500, 10_200)], [sell(500, 10_000)], 10_100)
    assert found == Uncross(10_100, 500, 500, 500)


@pytest.mark.parametrize(("reference", "price"), [(9_500, 10_000), (11_000, 10_200)])
def test_reference_outside_the_qualifying_prices_gives_the_nearest(
    reference: int, price: int
) -> None:
    found = clearing_price([buy(500, 10_200)], [sell(500, 10_000)], reference)
    assert found is not None
    assert found.price == price


def test_cheaper_asks_must_fill_so_a_max_volume_price_above_them_does_not_qualify() -> None:
    # 10,000 also executes 100 shares, but would leave the 9,900 ask unfilled below the price.
    found = clearing_price([buy(100, 10_000)], [sell(200, 9_900)], 10_000)
    assert found == Uncross(9_900, 100, 100, 200)


def test_dearer_bids_must_fill_so_a_max_volume_price_below_them_does_not_qualify() -> None:
    found = clearing_price([buy(200, 10_000)], [sell(100, 9_900)], 9_900)
    assert found == Uncross(10_000, 100, 200, 100)


def test_off_grid_reference_moves_to_the_nearer_grid_price() -> None:
    bids, asks = [buy(10, 20_300)], [sell(10, 20_000)]
    found = clearing_price(bids, asks, 20_140, tick_of=stock_tick)
    assert found is not None
    assert found.price == 20_150


def test_off_grid_reference_equally_near_two_grid_prices_takes_the_lower() -> None:
    bids, asks = [buy(10, 20_300)], [sell(10, 20_000)]
    found = clearing_price(bids, asks, 20_125, tick_of=stock_tick)
    assert found is not None
    assert found.price == 20_100


@pytest.mark.parametrize(
    ("bids", "asks"),
    [
        ([buy(100, 9_900)], [sell(100, 10_000)]),
        ([], [sell(100, 10_000)]),
        ([buy(100, 10_000)], []),
    ],
)
def test_nothing_crosses_gives_none(bids: list[WorkingOrder], asks: list[WorkingOrder]) -> None:
    assert clearing_price(bids, asks, 10_000) is None


def test_orders_with_no_leaves_are_ignored() -> None:
    done = buy(100, 10_100)
    done.leaves, done.filled = 0, 100
    assert clearing_price([done], [sell(100, 10_000)], 10_000) is None


# --- allocation: worked examples -----------------------------------------------------------


def test_smaller_side_fills_completely_and_the_other_in_price_then_time_order() -> None:
    bids, asks = _ladder()
    found = clearing_price(bids, asks, 10_000)
    assert found is not None
    execs = allocate(bids, asks, found)
    assert volumes(execs) == (900, {10_100})
    assert [o.filled for o in asks] == [200, 300, 400, 0]
    assert [o.filled for o in bids] == [300, 200, 300, 100, 0]
    assert [o.leaves for o in bids] == [0, 0, 0, 100, 400]


def test_executions_pair_buys_and_sells_walking_both_priority_lists() -> None:
    bids = [buy(300, 10_100, 1), buy(200, 10_000, 2)]
    asks = [sell(100, 9_900, 3), sell(400, 10_000, 4)]
    found = clearing_price(bids, asks, 10_000)
    assert found == Uncross(10_000, 500, 500, 500)
    execs = allocate(bids, asks, found)
    pairs = [(e.buy, e.sell, e.qty, e.price) for e in execs]
    assert pairs == [
        (bids[0], asks[0], 100, 10_000),
        (bids[0], asks[1], 200, 10_000),
        (bids[1], asks[1], 200, 10_000),
    ]
    assert all(e.aggressor is None for e in execs)


def test_market_buy_at_the_upper_limit_ranks_with_limit_buys_there_by_time() -> None:
    upper = 13_000
    bids = [buy(300, upper, 1), buy(300, upper, 2, market=True), buy(300, upper, 3)]
    asks = [sell(500, 12_000, 4)]
    found = clearing_price(bids, asks, 10_000)
    assert found == Uncross(upper, 500, 900, 500)
    allocate(bids, asks, found)
    assert [o.filled for o in bids] == [300, 200, 0]


def test_earlier_market_sell_at_the_lower_limit_fills_before_a_later_limit_sell() -> None:
    lower = 7_000
    bids = [buy(400, 8_000, 3)]
    asks = [sell(300, lower, 1, market=True), sell(300, lower, 2)]
    found = clearing_price(bids, asks, 10_000)
    assert found == Uncross(lower, 400, 400, 600)
    allocate(bids, asks, found)
    assert [o.filled for o in asks] == [300, 100]


def test_allocate_with_nothing_eligible_returns_no_executions() -> None:
    bids, asks = [buy(100, 9_900)], [sell(100, 10_000)]
    assert allocate(bids, asks, Uncross(10_000, 100, 0, 100)) == []
    assert bids[0].leaves == 100


# --- size rounds at a limit-price open (동시호가) -------------------------------------------

UPPER = 13_000


def _upper_open(sizes: Sequence[int], supply: int, lot: int = 1) -> list[WorkingOrder]:
    """Buyers of `sizes` (in time order) at the upper limit against `supply` shares."""
    bids = [buy(q, UPPER, seq, market=seq % 2 == 0) for seq, q in enumerate(sizes, start=1)]
    asks = [sell(supply, 11_000, 100)]
    found = clearing_price(bids, asks, 10_000)
    assert found is not None
    assert found.price == UPPER
    execs = allocate(bids, asks, found, size_rounds=True, lot=lot)
    assert volumes(execs)[0] == supply
    return bids


def test_size_rounds_give_100_then_500_more_then_the_largest_order_first() -> None:
    # Round 1: 100 + 100 + 100 + 50; round 2: 500 more each to the three still wanting,
    # leaving 150 for round 3, which goes to the largest order (5,000) alone.
    assert [o.filled for o in _upper_open([5_000, 50, 1_000, 3_000], 2_000)] == [750, 50, 600, 600]


def test_size_rounds_run_out_mid_round_largest_orders_first() -> None:
    # 250 shares: round 1 gives 100 to the 3,000 and to the 2,000 order, the 800 order gets 50.
    assert [o.filled for o in _upper_open([800, 3_000, 2_000], 250)] == [50, 100, 100]


def test_size_rounds_equal_sizes_go_in_time_order_when_supply_runs_out() -> None:
    assert [o.filled for o in _upper_open([1_000, 1_000, 1_000], 250)] == [100, 100, 50]


def test_size_rounds_then_half_of_each_balance_then_the_rest_in_time_order() -> None:
    # After 100/500/1,000/2,000 both hold 3,600; halves: 3,200 and 1,700 (supply 3,900 left);
    # the remaining 3,900 go in time order: 3,200 to the first, 700 to the second.
    assert [o.filled for o in _upper_open([10_000, 7_000], 16_000)] == [10_000, 6_000]


def test_size_rounds_half_round_gives_at_least_one_lot() -> None:
    # After round 4 the later 3,601 order has 1 share left: half of it rounds to 0, so the
    # half round gives it 1 share, before the earlier order could take the last share.
    assert [o.filled for o in _upper_open([5_000, 3_601], 7_901)] == [4_300, 3_601]


def test_size_round_amounts_count_in_lots() -> None:
    # lot 10: round 1 is 1,000 shares; the larger order takes it, the smaller gets the rest.
    assert [o.filled for o in _upper_open([800, 1_500], 1_200, lot=10)] == [200, 1_000]


def test_size_rounds_fill_orders_better_than_the_price_first() -> None:
    bids = [buy(500, 13_100, 9), buy(1_000, UPPER, 1)]
    asks = [sell(800, UPPER, 2)]
    found = clearing_price(bids, asks, 10_000)
    assert found == Uncross(UPPER, 800, 1_500, 800)
    allocate(bids, asks, found, size_rounds=True)
    assert [o.filled for o in bids] == [500, 300]


def test_size_rounds_apply_to_the_crowded_sell_side_at_a_lower_limit() -> None:
    lower = 7_000
    asks = [sell(150, lower, 1), sell(2_000, lower, 2, market=True)]
    bids = [buy(300, 8_000, 3)]
    found = clearing_price(bids, asks, 10_000)
    assert found == Uncross(lower, 300, 300, 2_150)
    allocate(bids, asks, found, size_rounds=True)
    assert [o.filled for o in asks] == [100, 200]


# --- expected price and published levels --------------------------------------------------


def test_expected_publishes_the_uncross_and_best_levels_per_side() -> None:
    bids, asks = _ladder()
    found, bid_levels, ask_levels = expected(bids_sorted(bids), asks_sorted(asks), 10_000)
    assert found == Uncross(10_100, 900, 1_000, 900)
    assert bid_levels == (BookLevel(10_300, 300), BookLevel(10_200, 200), BookLevel(10_100, 500))
    assert ask_levels == (BookLevel(9_900, 200), BookLevel(10_000, 300), BookLevel(10_100, 400))


def test_expected_with_an_uncrossed_book_still_publishes_levels() -> None:
    found, bid_levels, ask_levels = expected([buy(5, 9_900)], [sell(7, 10_000)], 10_000, levels=1)
    assert found is None
    assert bid_levels == (BookLevel(9_900, 5),)
    assert ask_levels == (BookLevel(10_000, 7),)


# --- properties over random books ----------------------------------------------------------

_GRID = sorted({p for p in range(19_800, 20_401) if p % stock_tick(p) == 0})
"""KRX prices around the 20,000 KRW band edge: 10-KRW ticks below it, 50-KRW ticks above."""

_sides = st.lists(st.tuples(st.sampled_from(_GRID), st.integers(1, 30)), max_size=12)


@st.composite
def books(draw: st.DrawFn) -> tuple[list[WorkingOrder], list[WorkingOrder], int]:
    """Bids and asks in book priority order, random arrival times, and a reference price."""
    raw_bids, raw_asks = draw(_sides), draw(_sides)
    seqs = draw(st.permutations(range(1, len(raw_bids) + len(raw_asks) + 1)))
    orders = [
        _order(side, qty * 10, price, seqs[i])
        for i, (side, (price, qty)) in enumerate(
            [(Side.BUY, r) for r in raw_bids] + [(Side.SELL, r) for r in raw_asks]
        )
    ]
    bids = bids_sorted([o for o in orders if o.is_buy])
    asks = asks_sorted([o for o in orders if not o.is_buy])
    reference = draw(st.integers(19_700, 20_500))
    return bids, asks, reference


def _volume(bids: list[WorkingOrder], asks: list[WorkingOrder], price: int) -> int:
    bid = sum(o.leaves for o in bids if o.price >= price)
    return min(bid, sum(o.leaves for o in asks if o.price <= price))


def _fair(bids: list[WorkingOrder], asks: list[WorkingOrder], price: int, qty: int) -> bool:
    above = sum(o.leaves for o in bids if o.price > price)
    return above <= qty and sum(o.leaves for o in asks if o.price < price) <= qty


def _oracle(bids: list[WorkingOrder], asks: list[WorkingOrder], reference: int) -> int | None:
    """Every valid price tried: max volume, KRX's fill condition, then nearest (ties lower)."""
    best = max((_volume(bids, asks, p) for p in _GRID), default=0)
    if best == 0:
        return None
    qualifying = [p for p in _GRID if _volume(bids, asks, p) == best and _fair(bids, asks, p, best)]
    return min(qualifying, key=lambda p: (abs(p - reference), p))


def _snapshot(orders: list[WorkingOrder]) -> dict[str, int]:
    return {o.order_id: o.leaves for o in orders}


Book = tuple[list[WorkingOrder], list[WorkingOrder], int]


@given(books())
def test_clearing_price_is_the_brute_force_choice_over_every_valid_price(book: Book) -> None:
    bids, asks, reference = book
    found = clearing_price(bids, asks, reference, tick_of=stock_tick)
    assert (found.price if found else None) == _oracle(bids, asks, reference)


@given(books())
def test_chosen_price_maximizes_executable_volume_and_meets_the_fill_condition(
    book: Book,
) -> None:
    bids, asks, reference = book
    found = clearing_price(bids, asks, reference, tick_of=stock_tick)
    best = max(_volume(bids, asks, p) for p in _GRID)
    if found is None:
        assert best == 0
        return
    assert found.qty == _volume(bids, asks, found.price) == best
    assert _fair(bids, asks, found.price, found.qty)
    assert found.qty in (found.bid_qty, found.ask_qty)


def _check_allocation(
    bids: list[WorkingOrder], asks: list[WorkingOrder], found: Uncross, execs: list[Execution]
) -> None:
    bought = {o.order_id: 0 for o in bids}
    sold = {o.order_id: 0 for o in asks}
    for e in execs:
        assert e.price == found.price
        assert e.qty > 0
        assert e.buy.price >= e.price >= e.sell.price
        bought[e.buy.order_id] += e.qty
        sold[e.sell.order_id] += e.qty
    assert sum(bought.values()) == sum(sold.values()) == found.qty
    for order in bids + asks:
        assert order.leaves >= 0
        assert order.leaves + order.filled == order.qty
        assert order.filled == bought.get(order.order_id, 0) + sold.get(order.order_id, 0)
    rest_bids = [o.price for o in bids if o.leaves > 0]
    rest_asks = [o.price for o in asks if o.leaves > 0]
    if rest_bids and rest_asks:
        assert max(rest_bids) < min(rest_asks)


@given(books(), st.booleans())
def test_allocation_balances_never_overfills_and_leaves_an_uncrossed_book(
    book: Book, size_rounds: bool
) -> None:
    bids, asks, reference = book
    found = clearing_price(bids, asks, reference, tick_of=stock_tick)
    if found is not None:
        _check_allocation(bids, asks, found, allocate(bids, asks, found, size_rounds=size_rounds))


def _priority_respected(
    orders: list[WorkingOrder],
    before: dict[str, int],
    key: Callable[[WorkingOrder], tuple[int, int]],
) -> bool:
    """No order filled while one ahead of it in priority (that took part) still has leaves."""
    took_part = [key(o) for o in orders if o.leaves != before[o.order_id]]
    waiting = [key(o) for o in orders if o.leaves > 0]
    return not took_part or not waiting or max(took_part) <= min(waiting)


@given(books())
def test_partial_side_fills_in_strict_price_time_priority(book: Book) -> None:
    bids, asks, reference = book
    found = clearing_price(bids, asks, reference, tick_of=stock_tick)
    if found is None:
        return
    eligible_bids = [o for o in bids if o.price >= found.price]
    eligible_asks = [o for o in asks if o.price <= found.price]
    before = _snapshot(bids + asks)
    allocate(bids, asks, found)
    assert _priority_respected(eligible_bids, before, lambda o: (-o.price, o.seq))
    assert _priority_respected(eligible_asks, before, lambda o: (o.price, o.seq))


@given(st.lists(st.integers(1, 5_000), min_size=1, max_size=8), st.integers(1, 40_000))
def test_size_rounds_give_every_limit_order_its_first_round_when_supply_allows(
    sizes: list[int], supply: int
) -> None:
    bids = [buy(q, UPPER, seq) for seq, q in enumerate(sizes, start=1)]
    asks = [sell(supply, 11_000, 100)]
    found = clearing_price(bids, asks, 10_000)
    assert found is not None
    _check_allocation(bids, asks, found, allocate(bids, asks, found, size_rounds=True))
    first_round = [min(q, 100) for q in sizes]
    if supply >= sum(first_round):
        assert all(o.filled >= r for o, r in zip(bids, first_round, strict=True))
