"""`KisOrders` and `KisAccount` against the KIS simulator over real sockets: order bodies,
acceptance and refusal, modify/cancel with KIS's new order numbers, open orders, positions,
cash, buying power, paging of the day's orders."""

from __future__ import annotations

from pathlib import Path

import pytest

from jts.core.clock import NS_PER_SECOND
from jts.core.enums import OrderStatus, OrderType, Side, TimeInForce
from jts.core.ids import ClientOrderIdGenerator
from jts.core.models import OrderRequest
from jts.krx import tick_size
from jts.venues.kis.config import AppKey, KisConfig
from jts.venues.kis.orders import order_body, order_division
from jts.venues.kis.protocol import Env, Tr
from jts.venues.kis.server import KisSimulator
from tests.venues.kis.adapter.stack import Stack, adapter
from tests.venues.kis.conftest import SimFactory, account

SYMBOL = "005930"
_ids = ClientOrderIdGenerator("kistest")


def request(side: Side, qty: int, price: int | None, **extra: object) -> OrderRequest:
    return OrderRequest(
        client_order_id=_ids.next_id(),
        account="50000000-01",
        symbol=SYMBOL,
        side=side,
        qty=qty,
        price=price,
        order_type=OrderType.LIMIT if price is not None else OrderType.MARKET,
        **extra,  # type: ignore[arg-type]
    )


async def best(kis: Stack) -> tuple[int, int]:
    """(best bid, best ask) of SYMBOL, KRW."""
    answer = await kis.rest.get(
        Tr.ASKING_PRICE, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": SYMBOL}
    )
    return int(answer.output1["bidp1"]), int(answer.output1["askp1"])


def below(price: int, ticks: int = 5) -> int:
    for _ in range(ticks):
        price -= tick_size(price - 1)
    return price


# -- bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order_type", "tif", "code"),
    [
        (OrderType.LIMIT, TimeInForce.DAY, "00"),
        (OrderType.MARKET, TimeInForce.DAY, "01"),
        (OrderType.CONDITIONAL_LIMIT, TimeInForce.DAY, "02"),
        (OrderType.BEST_LIMIT, TimeInForce.DAY, "03"),
        (OrderType.BEST_PRIORITY, TimeInForce.DAY, "04"),
        (OrderType.LIMIT, TimeInForce.IOC, "11"),
        (OrderType.LIMIT, TimeInForce.FOK, "12"),
        (OrderType.MARKET, TimeInForce.IOC, "13"),
        (OrderType.MARKET, TimeInForce.FOK, "14"),
        (OrderType.BEST_LIMIT, TimeInForce.IOC, "15"),
        (OrderType.BEST_LIMIT, TimeInForce.FOK, "16"),
        (OrderType.BEST_PRIORITY, TimeInForce.IOC, None),
    ],
)
def test_each_order_type_has_its_ord_dvsn(
    order_type: OrderType, tif: TimeInForce, code: str | None
) -> None:
    assert order_division(order_type, tif, now_ns=0) == code


def test_closing_price_orders_are_pre_open_before_nine_and_post_close_after() -> None:
    eight_kst = (23 * 3600) * NS_PER_SECOND  # 1970-01-01 23:00 UTC = 08:00 KST
    assert order_division(OrderType.CLOSING_PRICE, TimeInForce.DAY, now_ns=eight_kst) == "05"
    assert (
        order_division(
            OrderType.CLOSING_PRICE, TimeInForce.DAY, now_ns=eight_kst + 8 * 3600 * NS_PER_SECOND
        )
        == "06"
    )


def test_the_order_body_is_uppercase_strings_with_the_exchange() -> None:
    config = KisConfig(
        mode=Env.REAL, app_keys=(AppKey("k", "s"),), account="12345678-01", exchange="SOR"
    )
    sell = order_body(config, request(Side.SELL, 10, 71_000), "00")
    assert sell == {
        "CANO": "12345678", "ACNT_PRDT_CD": "01", "PDNO": SYMBOL, "ORD_DVSN": "00",
        "ORD_QTY": "10", "ORD_UNPR": "71000", "EXCG_ID_DVSN_CD": "SOR", "SLL_TYPE": "01",
    }  # fmt: skip
    market_buy = order_body(config, request(Side.BUY, 3, None), "01")
    assert (market_buy["ORD_UNPR"], "SLL_TYPE" in market_buy) == ("0", False)


# -- against the simulator -------------------------------------------------------------------


async def test_a_limit_buy_is_accepted_with_a_ten_digit_order_number(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        bid, _ = await best(kis)
        order = request(Side.BUY, 2, below(bid))
        update = await kis.orders.submit(order)
        assert update.status is OrderStatus.ACCEPTED, update
        assert len(update.venue_order_id) == 10
        assert update.venue_order_id.isdigit()
        assert (update.client_order_id, update.leaves_qty) == (order.client_order_id, 2)
        [working] = await kis.account.open_orders()
        assert working.request.client_order_id == order.client_order_id
        assert (working.request.price, working.remaining_qty) == (below(bid), 2)


async def test_a_refused_order_is_a_rejected_update_with_kis_code(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        bid, _ = await best(kis)
        update = await kis.orders.submit(request(Side.BUY, 1, below(bid) + 1))  # off tick
        assert update.status is OrderStatus.REJECTED
        assert update.reject_code == "40320000"  # KIS's own code, verbatim
        assert "off_tick" in update.message
        unheld = await kis.orders.submit(request(Side.SELL, 1, bid))
        assert unheld.status is OrderStatus.REJECTED
        assert unheld.reject_code
        assert await kis.account.open_orders() == []


async def test_nxt_orders_are_refused_by_kind_before_sending(tmp_path: Path) -> None:
    config = KisConfig(
        mode=Env.REAL, app_keys=(AppKey("k", "s"),), account="12345678-01", exchange="NXT"
    )
    from jts.venues.kis.orders import KisOrders

    orders = KisOrders(None, config, _NoAccount())  # type: ignore[arg-type]
    update = await orders.submit(request(Side.BUY, 1, None))  # market orders: not on NXT
    assert (update.status, update.reject_code) == (OrderStatus.REJECTED, "wrong_session")


class _NoAccount:
    client_id_of = None


async def test_a_buy_at_the_ask_fills_and_shows_in_positions_and_cash(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        before = await kis.account.account()
        _, ask = await best(kis)
        order = request(Side.BUY, 1, ask)
        update = await kis.orders.submit(order)
        assert update.status is OrderStatus.ACCEPTED
        positions = await kis.account.positions()
        assert [(p.symbol, p.qty, p.avg_price) for p in positions] == [(SYMBOL, 1, float(ask))]
        after = await kis.account.account()
        assert after.cash_after_settlement < before.cash_after_settlement - ask + 1
        [fill] = await kis.account.fills()
        assert (fill.client_order_id, fill.qty, fill.price) == (order.client_order_id, 1, ask)
        power = await kis.account.buying_power(SYMBOL, ask)
        assert power.cash > 0
        assert power.max_qty > 0


async def test_modifying_the_price_gives_a_new_number_for_the_same_client_order(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        bid, _ = await best(kis)
        first = await kis.orders.submit(request(Side.BUY, 1, below(bid)))
        second = await kis.orders.submit(request(Side.BUY, 1, below(bid)))
        lower = below(bid, 6)
        moved = await kis.orders.modify(first.venue_order_id, price=lower)
        assert moved.status is OrderStatus.ACCEPTED, moved
        assert moved.venue_order_id != first.venue_order_id
        assert (moved.client_order_id, moved.price) == (first.client_order_id, lower)
        working = await kis.account.open_orders()
        assert [o.request.client_order_id for o in working] == [
            second.client_order_id,
            first.client_order_id,
        ]
        assert working[1].request.price == lower


async def test_reducing_the_quantity_keeps_the_number(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        bid, _ = await best(kis)
        order = await kis.orders.submit(request(Side.BUY, 3, below(bid)))
        reduced = await kis.orders.modify(order.venue_order_id, qty=1)
        assert (reduced.status, reduced.leaves_qty) == (OrderStatus.ACCEPTED, 1)
        [working] = await kis.account.open_orders()
        assert (working.venue_order_id, working.remaining_qty) == (order.venue_order_id, 1)


async def test_cancel_then_a_second_cancel_is_rejected_by_kis(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        bid, _ = await best(kis)
        order = await kis.orders.submit(request(Side.BUY, 2, below(bid)))
        partial = await kis.orders.cancel(order.venue_order_id, qty=1)
        assert (partial.status, partial.leaves_qty) == (OrderStatus.ACCEPTED, 1)
        cancelled = await kis.orders.cancel(order.venue_order_id)
        assert cancelled.status is OrderStatus.CANCELLED
        assert cancelled.client_order_id == order.client_order_id
        assert await kis.account.open_orders() == []
        again = await kis.orders.cancel(order.venue_order_id)
        assert again.status is OrderStatus.REJECTED
        assert again.reject_code == "40350000"


async def test_cancelling_an_unknown_order_is_rejected(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        for odno in ("no-such-order", "0000099999"):
            answer = await kis.orders.cancel(odno)
            assert (answer.status, answer.reject_code) == (OrderStatus.REJECTED, "unknown_order")


async def test_the_days_orders_are_read_across_pages(kis_sim: KisSimulator, tmp_path: Path) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        bid, _ = await best(kis)
        sent = [await kis.orders.submit(request(Side.BUY, 1, below(bid))) for _ in range(17)]
        rows = await kis.account.order_rows()
        assert len(rows) == 17  # paper pages hold 15
        assert [r.odno for r in rows] == [u.venue_order_id for u in sent]
        working = await kis.account.open_orders()
        assert [o.request.client_order_id for o in working] == [u.client_order_id for u in sent]


async def test_another_customer_sees_none_of_these_orders(
    kis_sim_factory: SimFactory, tmp_path: Path
) -> None:
    async with kis_sim_factory(accounts=(account(0), account(1))) as sim:
        async with adapter(sim, tmp_path / "a") as first:
            bid, _ = await best(first)
            await first.orders.submit(request(Side.BUY, 1, below(bid)))
        async with adapter(sim, tmp_path / "b", spec=sim.accounts[1]) as second:
            assert await second.account.open_orders() == []


async def test_the_original_number_still_reaches_a_modified_order(
    kis_sim: KisSimulator, tmp_path: Path
) -> None:
    async with adapter(kis_sim, tmp_path) as kis:
        bid, _ = await best(kis)
        order = await kis.orders.submit(request(Side.BUY, 2, below(bid)))
        moved = await kis.orders.modify(order.venue_order_id, price=below(bid, 6))
        again = await kis.orders.modify(order.venue_order_id, price=below(bid, 7))
        assert again.status is OrderStatus.ACCEPTED, again
        assert again.venue_order_id not in (order.venue_order_id, moved.venue_order_id)
        cancelled = await kis.orders.cancel(order.venue_order_id)
        assert cancelled.status is OrderStatus.CANCELLED
        assert cancelled.client_order_id == order.client_order_id
        assert await kis.account.open_orders() == []
