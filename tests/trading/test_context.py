"""The live risk context's running totals equal the sums they replace, whatever happens."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from jts.core.enums import Market, OrderType, Side
from jts.core.models import Fill, Instrument, OrderRequest
from jts.oms import OrderManager
from jts.trading.context import LiveRiskContext

SYMBOLS = ("005930", "000660", "0037T0")
INSTRUMENTS = {s: Instrument(symbol=s, name=s, market=Market.KOSPI) for s in SYMBOLS}
BASES = dict.fromkeys(SYMBOLS, 10_000)

event = st.one_of(
    st.tuples(st.just("price"), st.sampled_from(SYMBOLS), st.integers(7_000, 13_000)),
    st.tuples(
        st.just("buy"),
        st.sampled_from(SYMBOLS),
        st.integers(1, 50),
        st.one_of(st.none(), st.integers(7_000, 13_000)),
    ),
    st.tuples(st.just("fill"), st.integers(0, 30), st.integers(1, 50), st.integers(7_000, 13_000)),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
)


def _brute(manager: OrderManager, ctx: LiveRiskContext) -> tuple[int, int, int]:
    reserved = 0
    for order in manager.open_orders():
        if order.request.side is Side.BUY:
            price = order.request.price or ctx.price_limits(order.request.symbol)[1]  # type: ignore[index]
            reserved += order.remaining_qty * price
    value = gross = 0
    for position in manager.positions.positions():
        mark = ctx.last.get(position.symbol, round(position.avg_price))
        value += position.qty * mark
        gross += abs(position.qty) * mark
    return ctx.cash - reserved, ctx.cash + value, gross


@settings(max_examples=150, deadline=None)
@given(st.lists(event, max_size=60))
def test_running_totals_equal_the_sums(events: list[tuple[object, ...]]) -> None:
    manager = OrderManager("A")
    ctx = LiveRiskContext(manager, INSTRUMENTS, BASES, date(2026, 11, 30))
    ctx.cash = 10_000_000
    ids: list[str] = []
    for n, item in enumerate(events):
        kind = item[0]
        if kind == "price":
            ctx.on_price(str(item[1]), int(item[2]))  # type: ignore[call-overload]
        elif kind == "buy":
            _, symbol, qty, price = item
            coid = f"o{n}"
            manager.submit(OrderRequest(
                client_order_id=coid, account="A", symbol=str(symbol), side=Side.BUY,
                qty=int(qty),  # type: ignore[call-overload]
                order_type=OrderType.LIMIT if price is not None else OrderType.MARKET,
                price=price,  # type: ignore[arg-type]
            ))  # fmt: skip
            manager.on_accepted(coid, coid, n)
            ids.append(coid)
        elif kind == "fill" and ids:
            coid = ids[int(item[1]) % len(ids)]  # type: ignore[call-overload]
            order = manager.get(coid)
            qty = min(int(item[2]), order.remaining_qty)  # type: ignore[call-overload]
            if order.status.is_open and qty > 0:
                manager.on_fill(Fill(fill_id=f"f{n}", client_order_id=coid, account="A",
                                     symbol=order.request.symbol, side=Side.BUY, qty=qty,
                                     price=int(item[3]), ts_ns=n))  # type: ignore[call-overload]  # fmt: skip
                ctx.on_position(order.request.symbol)
        elif kind == "cancel" and ids:
            coid = ids[int(item[1]) % len(ids)]  # type: ignore[call-overload]
            if manager.get(coid).status.is_open:
                manager.on_cancelled(coid, n)
        assert (ctx.available_cash(), ctx.equity(), ctx.gross_exposure()) == _brute(manager, ctx)
