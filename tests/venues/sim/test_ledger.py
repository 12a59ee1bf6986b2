"""The simulated broker keeps its fills on disk and rebuilds its account from them."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from jts.core.clock import SimulatedClock, kst_ns
from jts.core.enums import Market, Side
from jts.core.models import Instrument, OrderRequest
from jts.venues.sim.accounts import SimAccount
from jts.venues.sim.exchange import SimExchange
from jts.venues.sim.ledger import FillLedger
from jts.venues.sim.venue import SimVenue

DAY = date(2026, 11, 30)
STOCK = Instrument(symbol="005930", name="Samsung", market=Market.KOSPI)


def broker(path: Path, session: str) -> tuple[SimExchange, SimVenue]:
    clock = SimulatedClock(kst_ns(DAY, time(10, 0)))
    exchange = SimExchange([STOCK], DAY, base_prices={STOCK.symbol: 70_000}, clock=clock)
    account = SimAccount("A1", 10_000_000)
    venue = SimVenue(exchange, account, {STOCK.symbol: STOCK}, ledger=FillLedger(path),
                     session=session)  # fmt: skip
    return exchange, venue


def order(cid: str, account: str, side: Side, qty: int, price: int) -> OrderRequest:
    return OrderRequest(client_order_id=cid, account=account, symbol=STOCK.symbol, side=side,
                        qty=qty, price=price)  # fmt: skip


async def test_a_restarted_broker_has_the_same_account_and_fills(tmp_path: Path) -> None:
    path = tmp_path / "fills.jsonl"
    exchange, venue = broker(path, "s1")
    exchange.submit(order("mm", "MM", Side.SELL, 30, 70_100))
    venue.submit_now(order("b1", "A1", Side.BUY, 10, 70_100))
    venue.submit_now(order("b2", "A1", Side.BUY, 5, 70_100))
    before = (await venue.positions(), await venue.account(), await venue.fills_since(0))
    _, restarted = broker(path, "s2")
    after = (await restarted.positions(), await restarted.account(),
             await restarted.fills_since(0))  # fmt: skip
    assert after == before
    assert [p.qty for p in after[0]] == [15]


async def test_a_torn_last_line_is_dropped_and_new_fills_get_new_ids(tmp_path: Path) -> None:
    path = tmp_path / "fills.jsonl"
    exchange, venue = broker(path, "s1")
    exchange.submit(order("mm", "MM", Side.SELL, 30, 70_100))
    venue.submit_now(order("b1", "A1", Side.BUY, 10, 70_100))
    with path.open("ab") as file:
        file.write(b'{"fill_id": "s1:F9", "client')  # a crash in the middle of a write
    exchange2, restarted = broker(path, "s2")
    assert [f.qty for f in await restarted.fills_since(0)] == [10]
    exchange2.submit(order("mm", "MM", Side.SELL, 30, 70_100))
    restarted.submit_now(order("b2", "A1", Side.BUY, 5, 70_100))
    ids = [f.fill_id for f in FillLedger(path).load()]
    assert len(ids) == len(set(ids)) == 2
    assert ids[1].startswith("s2:")
