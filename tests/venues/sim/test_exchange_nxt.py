"""The exchange run as Nextrade (venue="NXT"): its sessions trade, only NXT-listed symbols."""

from __future__ import annotations

from datetime import date, time

from jts.core.clock import SimulatedClock, kst_ns
from jts.core.enums import Market, OrderStatus, Side
from jts.core.models import Instrument, OrderRequest, Tick
from jts.venues.sim.exchange import SimConfig, SimExchange
from jts.venues.sim.orders import RejectCode

DAY = date(2026, 11, 30)
LISTED = Instrument(symbol="005930", name="Samsung", market=Market.KOSPI, nxt_eligible=True)
UNLISTED = Instrument(symbol="0037T0", name="Small", market=Market.KOSDAQ)


def nxt_at(hhmm: time) -> tuple[SimExchange, list[object]]:
    exchange = SimExchange(
        [LISTED, UNLISTED],
        DAY,
        base_prices={LISTED.symbol: 50_000, UNLISTED.symbol: 10_000},
        config=SimConfig(venue="NXT"),
        clock=SimulatedClock(kst_ns(DAY, time(0, 0))),
    )
    events: list[object] = []
    exchange.add_listener(events.append)
    exchange.advance_to(kst_ns(DAY, hhmm))
    return exchange, events


def order(exchange: SimExchange, cid: str, side: Side, price: int, symbol: str = "005930") -> str:
    request = OrderRequest(
        client_order_id=cid, account="A", symbol=symbol, side=side, qty=10, price=price
    )
    update = exchange.submit(request)
    return update.reject_code or update.status.value


def test_the_nxt_pre_market_trades_continuously() -> None:
    exchange, events = nxt_at(time(8, 10))
    assert order(exchange, "s", Side.SELL, 50_100) == "accepted"
    assert order(exchange, "b", Side.BUY, 50_100) == "accepted"
    prints = [e for e in events if isinstance(e, Tick)]
    assert [(t.price, t.qty, t.auction) for t in prints] == [(50_100, 10, False)]


def test_symbols_not_listed_on_nxt_are_unknown_there() -> None:
    exchange, _ = nxt_at(time(10, 0))
    assert order(exchange, "x", Side.BUY, 10_000, symbol=UNLISTED.symbol) == (
        RejectCode.UNKNOWN_SYMBOL.value
    )


def test_the_after_market_opens_with_a_single_price_auction_and_orders_carry_over() -> None:
    exchange, events = nxt_at(time(15, 0))
    assert order(exchange, "day", Side.SELL, 50_500) == "accepted"  # main market, rests
    exchange.advance_to(kst_ns(DAY, time(15, 35)))  # the after-market auction collects
    assert order(exchange, "b", Side.BUY, 50_600) == "accepted"
    assert not [e for e in events if isinstance(e, Tick)]
    exchange.advance_to(kst_ns(DAY, time(15, 41)))
    prints = [e for e in events if isinstance(e, Tick)]
    assert [(t.price, t.qty, t.auction) for t in prints] == [(50_500, 10, True)]
    assert exchange.order("0000000001") is None  # the main-market order filled in the auction
    assert all(e.status is not OrderStatus.EXPIRED for e in events if hasattr(e, "status"))
