"""Live trading on any `Venue`: here the simulated exchange's, with the live service's own
clock loop. The KIS adapter runs the same service against its simulator (tests/venues/kis)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest

from jts.core.errors import InvalidInput
from jts.core.models import BookLevel, Instrument
from jts.trading.live import LiveConfig, LiveTrading
from jts.trading.paper import PaperMarket

from .test_node import BUSY

DAY = date(2026, 11, 27)


class SimMarket:
    """The `MarketSource` of the simulated exchange."""

    def __init__(self, market: PaperMarket) -> None:
        self.market = market
        self.seen = 0

    async def instruments(
        self, codes: Sequence[str]
    ) -> tuple[dict[str, Instrument], dict[str, int]]:
        unknown = [c for c in codes if c not in self.market.instruments]
        if unknown:
            raise InvalidInput("symbols", f"unknown codes: {', '.join(unknown)}")
        return (
            {c: self.market.instruments[c] for c in codes},
            {c: self.market.base_prices[c] for c in codes},
        )

    def book(self, symbol: str, levels: int) -> tuple[Sequence[BookLevel], Sequence[BookLevel]]:
        return self.market.exchange.markets[symbol].book.depth(levels)

    def observe(self, event: object) -> None:
        self.seen += 1


class MarketClock:
    def __init__(self, market: PaperMarket) -> None:
        self.market = market

    def now_ns(self) -> int:
        return self.market.exchange.now_ns()


async def _run_minutes(market: PaperMarket, minutes: int) -> None:
    start = market.exchange.now_ns()
    for step in range(1, minutes * 6 + 1):
        market.sim.flow.run(start + step * 10_000_000_000)
        await asyncio.sleep(0.002)  # the service's clock loop ticks in between


def _service(market: PaperMarket, var: Path | None, codes: Sequence[str]) -> LiveTrading:
    config = LiveConfig(
        account="paper", symbols=tuple(codes), strategy=BUSY, cash=50_000_000, venue="sim",
        tick_s=0.001,
    )  # fmt: skip
    return LiveTrading(config, market.venue, SimMarket(market), var=var, clock=MarketClock(market))


async def test_the_live_service_trades_journals_and_resumes_in_agreement_with_the_venue(
    tmp_path: Path,
) -> None:
    market = PaperMarket(8, 3, DAY)
    codes = sorted(market.instruments)
    service = _service(market, tmp_path, codes)
    await service.start()
    assert service.state.value == "running", service.health()
    await _run_minutes(market, 45)
    node = service.node
    assert node is not None
    assert node.stats.orders > 0
    assert node.stats.fills > 0
    assert node.stats.errors == []
    status = service.venue_status()
    assert status is not None
    assert status["name"] == "sim"
    assert status["symbols"] == len(codes)
    assert status["clock_ns"] == market.exchange.now_ns()
    bids, asks = service.book(codes[0], 5)
    assert len(bids) <= 5
    assert len(asks) <= 5
    assert {p.symbol: p.qty for p in node.manager.positions.positions()} == {
        p.symbol: p.qty for p in await market.venue.positions()
    }
    await service.stop()
    assert (tmp_path / "live-sim-paper.db").is_file()

    await _run_minutes(market, 5)  # the market goes on while the process is down
    again = _service(market, tmp_path, codes)
    await again.start()
    try:
        assert again.node is not None
        restored = {p.symbol: p.qty for p in again.node.manager.positions.positions()}
        venue = {p.symbol: p.qty for p in await market.venue.positions()}
        assert restored == venue  # journal + reconciliation: nothing lost while down
        assert again.report is not None
        assert again.report.positions_match
        assert again.summary()["positions_match_venue"] is True
    finally:
        await again.stop()


async def test_unknown_codes_fail_the_start_with_their_names() -> None:
    market = PaperMarket(3, 1, DAY)
    service = _service(market, None, ["999999"])
    with pytest.raises(Exception, match="999999"):
        await service.start()
    assert service.state.value == "failed"


def test_a_config_without_symbols_is_refused() -> None:
    with pytest.raises(InvalidInput, match="at least one symbol"):
        LiveConfig(account="a", symbols=(), strategy=BUSY)
