"""The venue watches more symbols than a KIS session may stream: the scheduler streams the
most urgent, polls the rest, and the polled ones still reach the strategies as prints."""

from __future__ import annotations

import asyncio
from pathlib import Path

from jts.core.enums import Side
from jts.core.models import OrderRequest, Tick
from jts.venues.base import FeedKind
from jts.venues.kis.protocol.fields import WS_BOOK, WS_TRADES
from jts.venues.kis.server import demo_account
from jts.venues.kis.subscriptions import SchedulerConfig
from jts.venues.kis.venue import KisVenue

from .kis_world import running, sim_config, venue_for


async def _until(check, what: str, timeout_s: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout_s / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_sixty_symbols_stream_up_to_the_cap_and_poll_the_rest(tmp_path: Path) -> None:
    spec = demo_account(0)
    async with running(sim_config(spec, symbols=60, speed=60.0)) as sim:
        venue = venue_for(sim, spec, tmp_path)
        venue.watch._replan_s = 0.2
        await venue.connect()
        try:
            codes = sorted(sim.market.instruments)
            assert len(codes) == 60
            await venue.subscribe(codes, {FeedKind.TRADES})
            status = venue.subscription_status()
            assert status is not None
            # 40 client-side registrations, one of them the notice feed: 39 trade streams
            trades = [r for r in venue.stream.registry if r[0] == WS_TRADES]
            assert len(trades) == status["streamed"] == 39
            assert status["polled"] == 21
            polled = [row["code"] for row in status["symbols"] if row["source"] == "poll"]
            assert all(row["bound_s"] > 0 for row in status["symbols"] if row["source"] == "poll")
            assert min(status["budget_free"].values()) >= 0.25  # room kept for orders
            [usage] = venue.budget_usage()
            assert usage["limit_per_s"] == venue.config.requests_per_second

            seen: set[str] = set()

            async def collect() -> None:
                async for event in venue.events():
                    if isinstance(event, Tick):
                        seen.add(event.symbol)

            reader = asyncio.create_task(collect())
            try:
                await _until(lambda: bool(seen & set(polled)), "a print of a polled symbol")
                await _until(lambda: bool(seen - set(polled)), "a print of a streamed symbol")
            finally:
                reader.cancel()
            ages = [r["age_s"] for r in venue.subscription_status()["symbols"]]  # type: ignore[index]
            assert any(age is not None for age in ages)

            # an order makes its symbol held: streamed with its book, ahead of strategy symbols
            target = polled[0]
            price = sim.market.exchange.markets[target].rules.lower
            order = OrderRequest(client_order_id="w1", account=spec.account, symbol=target,
                                 side=Side.BUY, qty=1, price=price)  # fmt: skip
            await venue.submit(order)
            wanted = set(venue.stream.registry)
            assert (WS_TRADES, target) in wanted
            assert (WS_BOOK, target) in wanted
            assert len(wanted) <= 40
        finally:
            await venue.close()


def test_the_default_plan_keeps_a_quarter_of_the_budget() -> None:
    assert SchedulerConfig().reserve_fraction >= 0.25


async def test_with_a_redis_url_the_request_budget_lives_in_redis(tmp_path: Path) -> None:
    import redis.asyncio as aioredis

    from jts.venues.kis.throttle_redis import RedisBuckets

    from .kis_world import kis_config

    spec = demo_account(0)
    async with running(sim_config(spec)) as sim:
        config = kis_config(sim, spec, tmp_path, redis_url="redis://127.0.0.1:6379/0")
        venue = KisVenue(config, clock=sim.clock, token_min_interval_s=0.0)
        assert isinstance(venue.throttle._backend, RedisBuckets)
        await venue.connect()
        try:
            assert (await venue.account()).cash > 0  # REST calls took their tokens in Redis
        finally:
            await venue.close()
        probe = aioredis.Redis.from_url("redis://127.0.0.1:6379/0")
        try:
            keys = await probe.keys("jts:kis:budget:*")
        finally:
            await probe.aclose()
        assert any(config.primary_key.key_id.encode() in key for key in keys)


async def test_each_app_key_adds_a_session_of_registrations_and_orders_use_the_accounts_key(
    tmp_path: Path,
) -> None:
    from jts.venues.kis.config import AppKey

    from .kis_world import kis_config

    owner, data1, data2 = demo_account(0), demo_account(1), demo_account(2)
    async with running(sim_config(owner, data1, data2, symbols=150, speed=30.0)) as sim:
        keys = tuple(AppKey(a.appkey, a.appsecret) for a in (owner, data1, data2))
        config = kis_config(sim, owner, tmp_path, app_keys=keys)
        venue = KisVenue(config, clock=sim.clock, token_min_interval_s=0.0,
                         feed_expected=lambda ts_ns: False)  # fmt: skip
        await venue.connect()
        try:
            codes = sorted(sim.market.instruments)
            await venue.subscribe(codes, {FeedKind.TRADES})
            status = venue.subscription_status()
            assert status is not None
            # 39 on the owner's session (one is the notice feed), 40 on each further key's
            assert sorted(status["registrations"].values()) == [39, 40, 40]
            assert status["streamed"] == 119
            assert status["polled"] == 31
            for stream in venue.streams.values():  # the notice feed fills the owner's 40th
                assert len(list(stream.registry)) == 40
            price = sim.market.exchange.markets[codes[0]].rules.lower
            answer = await venue.submit(OrderRequest(client_order_id="k1", account=owner.account,
                                                     symbol=codes[0], side=Side.BUY, qty=1,
                                                     price=price))  # fmt: skip
            assert answer.status.value == "accepted", answer.message  # the owner's key sent it
        finally:
            await venue.close()


async def test_symbols_a_dashboard_shows_rank_above_the_rest_until_no_longer_shown(
    tmp_path: Path,
) -> None:
    from jts.venues.kis.subscriptions import Tier

    spec = demo_account(0)
    async with running(sim_config(spec, symbols=60)) as sim:
        venue = venue_for(sim, spec, tmp_path)
        await venue.connect()
        try:
            codes = sorted(sim.market.instruments)
            await venue.subscribe(codes[:10], {FeedKind.TRADES})
            await venue.show(codes[10:15])
            tiers = venue.watch.priorities()
            assert {tiers[c].tier for c in codes[:10]} == {Tier.STRATEGY}
            assert {tiers[c].tier for c in codes[10:15]} == {Tier.DASHBOARD}
            registered = {code for _, code in venue.stream.registry}
            assert set(codes[10:15]) <= registered  # shown: streamed
            await venue.show(codes[15:16])
            tiers = venue.watch.priorities()
            assert codes[12] not in tiers  # no longer shown: back to the rest
            assert tiers[codes[15]].tier is Tier.DASHBOARD
            status = venue.subscription_status()
            assert status is not None
            assert codes[12] in {row["code"] for row in status["symbols"]}  # still watched
        finally:
            await venue.close()
