from __future__ import annotations

from collections import defaultdict
from datetime import date, time
from pathlib import Path

import pytest

from jts.core.clock import kst_ns
from jts.core.enums import Side, TimeInForce
from jts.core.events import ExpectedPrice
from jts.core.models import BookUpdate, Fill, OrderRequest, Tick
from jts.krx import is_valid_price, price_limits
from jts.krx.ticks import tick_table
from jts.venues.sim.agent_plan import valid_prices
from jts.venues.sim.day import SimDay, open_day, run_day

DAY = date(2026, 11, 27)
SYMBOLS = 4


def _run(symbols: int, seed: int, until: time, *, agent_seed: int | None = None) -> SimDay:
    """A day of `symbols` synthetic instruments with agents, driven up to `until` KST."""
    sim = open_day(symbols, seed, DAY, agent_seed=agent_seed)
    sim.flow.run(kst_ns(DAY, until))
    return sim


def _record(sim: SimDay) -> list[object]:
    events: list[object] = []
    sim.exchange.add_listener(events.append)
    return events


def _tape(sim: SimDay, until: time) -> list[tuple[str, int, int, int, object]]:
    events = _record(sim)
    sim.flow.run(kst_ns(DAY, until))
    return [(e.symbol, e.ts_ns, e.price, e.qty, e.side) for e in events if isinstance(e, Tick)]


@pytest.fixture(scope="module")
def full_day() -> tuple[SimDay, list[object]]:
    """One whole day of a few symbols with every event it published."""
    sim = open_day(SYMBOLS, 3, DAY)
    events = _record(sim)
    sim.flow.run(sim.end_ns)
    return sim, events


def test_the_same_seed_gives_the_same_trades() -> None:
    first = _tape(open_day(SYMBOLS, 1, DAY), time(10, 0))
    second = _tape(open_day(SYMBOLS, 1, DAY), time(10, 0))
    assert len(first) > 100
    assert first == second


def test_another_agent_seed_gives_other_trades_on_the_same_market() -> None:
    first = _tape(open_day(SYMBOLS, 1, DAY), time(10, 0))
    other = _tape(open_day(SYMBOLS, 1, DAY, agent_seed=2), time(10, 0))
    assert len(other) > 100
    assert first != other


def test_books_are_two_sided_and_spreads_vary_during_continuous_trading(
    full_day: tuple[SimDay, list[object]],
) -> None:
    sim, events = full_day
    start, end = kst_ns(DAY, time(9, 5)), kst_ns(DAY, time(15, 15))
    books = [e for e in events if isinstance(e, BookUpdate) and start <= e.ts_ns < end]
    by_symbol: dict[str, list[BookUpdate]] = defaultdict(list)
    for book in books:
        by_symbol[book.symbol].append(book)
    assert set(by_symbol) == set(sim.symbols)
    for symbol, snapshots in by_symbol.items():
        two_sided = [b for b in snapshots if b.bids and b.asks]
        assert len(two_sided) >= 0.95 * len(snapshots), symbol
        assert all(b.bids[0].price < b.asks[0].price for b in two_sided), symbol
        spreads = {_spread_ticks(sim, b) for b in two_sided}
        assert len(spreads) >= 2, symbol


def test_spreads_are_wider_after_the_open_than_at_midday(
    full_day: tuple[SimDay, list[object]],
) -> None:
    _, events = full_day
    books = [e for e in events if isinstance(e, BookUpdate) and e.bids and e.asks]

    def mean_spread(start: time, end: time) -> float:
        lo, hi = kst_ns(DAY, start), kst_ns(DAY, end)
        spreads = [_relative_spread(b) for b in books if lo <= b.ts_ns < hi]
        return sum(spreads) / len(spreads)

    assert mean_spread(time(9, 0), time(9, 10)) > mean_spread(time(11, 0), time(14, 0))


def test_the_opening_auction_is_imbalanced_and_prints() -> None:
    sim = open_day(SYMBOLS, 5, DAY)
    events = _record(sim)
    sim.flow.run(kst_ns(DAY, time(8, 59, 50)))
    imbalanced = 0
    for symbol in sim.symbols:
        expected = [e for e in events if isinstance(e, ExpectedPrice) and e.symbol == symbol]
        price = expected[-1].price
        assert price > 0, symbol
        book = sim.exchange.market(symbol).book
        demand = sum(o.leaves for o in book.bids() if o.price >= price)
        supply = sum(o.leaves for o in book.asks() if o.price <= price)
        imbalanced += demand != supply
    assert imbalanced >= SYMBOLS - 1
    sim.flow.run(kst_ns(DAY, time(9, 1)))
    printed = {e.symbol for e in events if isinstance(e, Tick) and e.auction}
    assert printed == set(sim.symbols)


def test_a_users_marketable_order_in_a_thin_symbol_may_fill_only_partly() -> None:
    sim = _run(SYMBOLS, 1, time(11, 0))
    plans = [agents.plan for agents in sim.flow.agents.symbols]
    thin = min(plans, key=lambda plan: plan.orders_per_day)
    book = sim.exchange.market(thin.symbol).book
    best_ask = book.best_ask()
    limit = thin.ladder[thin.ladder.index(best_ask) + 1]
    shown = sum(level.qty for level in book.depth(10)[1] if level.price <= limit)
    events = _record(sim)
    request = OrderRequest(
        client_order_id="user-1",
        account="user",
        symbol=thin.symbol,
        side=Side.BUY,
        qty=2 * shown,
        price=limit,
        tif=TimeInForce.IOC,
    )
    sim.exchange.submit(request)
    filled = sum(e.qty for e in events if isinstance(e, Fill) and e.account == "user")
    assert 0 < filled < request.qty


def test_agents_send_no_off_tick_or_out_of_limit_prices(
    full_day: tuple[SimDay, list[object]],
) -> None:
    sim, events = full_day
    codes = sim.flow.stats.reject_codes
    assert codes["off_tick"] == 0
    assert codes["outside_limits"] == 0
    for event in events:
        if isinstance(event, Tick):
            rules = sim.exchange.market(event.symbol).rules
            assert rules.valid_price(event.price)
            assert rules.lower <= event.price <= rules.upper


def test_the_day_prints_in_the_auctions_and_continuous_trading(
    full_day: tuple[SimDay, list[object]],
) -> None:
    _, events = full_day
    ticks = [e for e in events if isinstance(e, Tick)]

    def printed(start: time, end: time, *, auction: bool) -> bool:
        lo, hi = kst_ns(DAY, start), kst_ns(DAY, end)
        return any(t.auction is auction and lo <= t.ts_ns < hi for t in ticks)

    assert printed(time(9, 0), time(9, 1), auction=True)
    assert printed(time(9, 1), time(15, 20), auction=False)
    assert printed(time(15, 30), time(15, 31), auction=True)
    assert all(t.side is not None for t in ticks if not t.auction)
    assert all(t.side is None for t in ticks if t.auction)


def test_refused_requests_are_counted_not_raised() -> None:
    sim = _run(2, 1, time(10, 0))
    before = sim.flow.stats.rejects
    sim.flow.agents.closing_price(0, 10, 0.1, 0.5, 0.5)  # no closing-price session at 10:00
    assert sim.flow.stats.rejects == before + 1
    assert sim.flow.stats.reject_codes["wrong_session"] == 1
    sim.flow.run(kst_ns(DAY, time(10, 30)))  # and the day goes on


def test_a_paced_day_takes_the_wall_time_asked_for(tmp_path: Path) -> None:
    summary = run_day(1, 1, DAY, tmp_path, pace_seconds=1.5)
    assert summary.seconds >= 1.5
    assert summary.trades > 0


@pytest.mark.parametrize("base", [1_664, 1_999, 4_990, 9_980, 15_550, 49_950, 170_100])
def test_the_price_ladder_is_every_valid_price_inside_the_limits(base: int) -> None:
    lower, upper = price_limits(base, on=DAY)
    ladder = valid_prices(lower, upper, tick_table(on=DAY))
    expected = [p for p in range(lower, upper + 1) if is_valid_price(p, on=DAY)]
    assert ladder == expected


def _spread_ticks(sim: SimDay, book: BookUpdate) -> int:
    ladder = next(a.plan.ladder for a in sim.flow.agents.symbols if a.plan.symbol == book.symbol)
    return ladder.index(book.asks[0].price) - ladder.index(book.bids[0].price)


def _relative_spread(book: BookUpdate) -> float:
    bid, ask = book.bids[0].price, book.asks[0].price
    return (ask - bid) / (ask + bid)
