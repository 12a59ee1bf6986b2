"""The trading node on the simulated market: the demo strategy trades, the books agree with
the broker, pause and the kill switch work, bad events are survived."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from jts.core.enums import OrderStatus, OrderType, Side, TimeInForce
from jts.core.events import OrderUpdate
from jts.core.models import Fill, OrderRequest, Tick
from jts.risk import RiskLimits
from jts.strategy.lang.compiler import compile_program
from jts.trading.node import TradingNode
from jts.trading.paper import PaperMarket
from jts.trading.service import DEMO_STRATEGY, PaperConfig, PaperTrading

DAY = date(2026, 11, 27)
BUSY = DEMO_STRATEGY.replace("param fast = 3 in 2..10", "param fast = 2 in 2..10").replace(
    "param slow = 10 in 5..60", "param slow = 5 in 5..60"
)


async def _trade_minutes(node: TradingNode, market: PaperMarket, minutes: int) -> None:
    """Trade `minutes` of simulated time in 10 s steps, whatever the machine's load."""
    await node.start()
    start = market.exchange.now_ns()
    for step in range(1, minutes * 6 + 1):
        market.sim.flow.run(start + step * 10_000_000_000)
        await node.on_clock(market.exchange.now_ns())
        await asyncio.sleep(0)


async def _venue_positions(market: PaperMarket) -> dict[str, int]:
    return {p.symbol: p.qty for p in await market.venue.positions()}


def _node(market: PaperMarket, limits: RiskLimits | None = None) -> TradingNode:
    node = TradingNode(market.venue, "paper", market.instruments, market.base_prices,
                       market.day, limits=limits)  # fmt: skip
    node.add_strategy("busy", compile_program(BUSY), 100_000_000)
    return node


async def test_the_strategy_trades_and_the_books_equal_the_brokers() -> None:
    market = PaperMarket(15, 3, DAY)
    node = _node(market)
    await _trade_minutes(node, market, 60)
    await node.stop()
    assert node.stats.orders > 0
    assert node.stats.fills > 0
    assert node.stats.errors == []
    ours = {p.symbol: p.qty for p in node.manager.positions.positions()}
    assert ours == await _venue_positions(market)
    assert not [o for o in node.manager.open_orders() if o.request.order_type is OrderType.MARKET]


async def test_a_paused_strategy_sends_nothing() -> None:
    market = PaperMarket(15, 3, DAY)
    node = _node(market)
    node.pause("busy")
    await _trade_minutes(node, market, 60)
    await node.stop()
    assert node.stats.orders == 0
    assert node.stats.risk_rejects > 0  # its decisions were refused, and counted


async def test_the_kill_switch_halts_and_cancels_working_orders() -> None:
    market = PaperMarket(5, 3, DAY)
    node = _node(market)
    await node.start()
    await market.run(600, duration_s=0.3, on_step=node.on_clock)
    symbol = next(iter(market.instruments))
    low = market.exchange.market(symbol).rules.lower
    request = OrderRequest(client_order_id="manual-1", account="paper", symbol=symbol,
                           side=Side.BUY, qty=1, price=low, tif=TimeInForce.DAY)  # fmt: skip
    node.manager.submit(request)
    node._on_update(await market.venue.submit(request))
    assert node.manager.get("manual-1").status is OrderStatus.ACCEPTED
    cancelled = await node.kill_switch("test")
    await asyncio.sleep(0.05)
    assert cancelled == 1
    assert node.manager.get("manual-1").status is OrderStatus.CANCELLED
    assert node.risk.state.value == "halted"
    await node.stop()


async def test_malformed_and_foreign_events_are_survived() -> None:
    market = PaperMarket(5, 3, DAY)
    node = _node(market)
    foreign = Fill(fill_id="x", client_order_id="nobody", account="someone-else",
                   symbol="000000", side=Side.BUY, qty=5, price=1, ts_ns=1)  # fmt: skip
    unknown = OrderUpdate(venue_order_id="9", client_order_id="nobody", account="paper",
                          symbol="000000", side=Side.SELL, ts_ns=1,
                          status=OrderStatus.FILLED)  # fmt: skip
    bad_tick = Tick(symbol="000000", ts_ns=1, price=-5, qty=0)
    for event in (foreign, unknown, bad_tick, object()):
        await node.handle(event)
    assert node.manager.positions.positions() == []
    assert len(node.manager) == 0


async def test_a_paper_session_resumes_with_the_same_books(tmp_path: Path) -> None:
    config = PaperConfig(day=DAY, symbols=10, seed=5, speed=900, strategy=BUSY)
    first = PaperTrading(config, duration_s=2.0, var=tmp_path)
    await first.start()
    await first.finished.wait()
    await first.stop()
    before = {p.symbol: p.qty for p in first.node.manager.positions.positions()}  # type: ignore[union-attr]
    second = PaperTrading(config, duration_s=0.2, var=tmp_path)
    await second.start()
    assert second.resumed
    assert second.node is not None
    assert second.node.stats.bars > 0  # the strategy warmed up on the day's earlier trades
    assert second.node.stats.orders == 0  # ... without trading on them
    assert second.report is not None
    assert second.report.positions_match
    after = {p.symbol: p.qty for p in second.node.manager.positions.positions()}  # type: ignore[union-attr]
    await second.finished.wait()
    await second.stop()
    assert after == before


async def test_a_python_api_strategy_trades_through_the_same_path() -> None:
    from jts.backtest.api import python_strategy

    examples = Path(__file__).resolve().parents[2] / "examples" / "strategies"
    strategy = python_strategy(examples / "python_mean_reversion.py")
    market = PaperMarket(15, 3, DAY)
    node = TradingNode(market.venue, "paper", market.instruments, market.base_prices, market.day)
    node.add_strategy(strategy.strategy_name, strategy, 100_000_000)
    await _trade_minutes(node, market, 120)
    await node.stop()
    assert node.stats.orders > 0
    assert node.stats.errors == []
    ours = {p.symbol: p.qty for p in node.manager.positions.positions()}
    assert ours == await _venue_positions(market)
