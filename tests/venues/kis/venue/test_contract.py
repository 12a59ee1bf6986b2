"""`KisVenue` against the KIS simulator passes the shared venue contract."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jts.core.enums import Market, Side
from jts.krx import trade_costs
from jts.venues.base import Venue
from jts.venues.kis.server import KisSimulator
from tests.venues.contract import VenueContract
from tests.venues.kis.venue.kis_world import DAY, SYMBOL, isolate, sim_config, venue_for


class TestKisVenue(VenueContract):
    symbol = SYMBOL
    account = "71423853-01"  # demo_account(0)
    ask, ask_qty = 415_500, 5
    bid, bid_qty = 415_000, 5
    timeout_s = 5.0

    @pytest.fixture(autouse=True)
    async def simulator(self, tmp_path: Path) -> AsyncIterator[KisSimulator]:
        async with contextlib.AsyncExitStack() as stack:
            sim = await stack.enter_async_context(KisSimulator.start(sim_config()))
            self.sim, self.token_dir = sim, tmp_path
            yield sim

    async def make_venue(self) -> Venue:
        sim = self.sim
        [spec] = sim.accounts
        assert spec.account == self.account
        rules = sim.market.exchange.markets[self.symbol].rules
        assert rules.lower <= self.bid < self.ask <= rules.upper
        isolate(
            sim,
            self.symbol,
            [(Side.SELL, self.ask, self.ask_qty), (Side.BUY, self.bid, self.bid_qty)],
        )
        venue = venue_for(sim, spec, self.token_dir)
        await venue.connect()
        return venue

    def expected_costs(self, side: Side, qty: int, price: int) -> tuple[int, int] | None:
        costs = trade_costs(side, qty, price, DAY, Market.KOSPI)
        return costs.commission, costs.tax
