"""Property tests: fill sequences never break an order's arithmetic or the P&L identity."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jts.core import OrderStatus, Side
from jts.oms import InvalidFill, OrderManager, PositionBook
from tests.oms.factories import ACCOUNT, fill, request

QTY = 1_000


@given(
    st.lists(st.tuples(st.integers(min_value=1, max_value=QTY + 200), st.booleans()), max_size=30)
)
def test_random_fills_never_overfill_and_status_agrees_with_filled_qty(
    steps: list[tuple[int, bool]],
) -> None:
    """Each step sends a new fill of `size`, or (when `replay`) re-sends the last one taken."""
    manager = OrderManager(ACCOUNT)
    manager.submit(request(qty=QTY))
    manager.on_accepted("o-1", "v-1", 1)
    last = None
    for n, (size, replay) in enumerate(steps):
        before = manager.get("o-1")
        if replay and last is not None:
            assert manager.on_fill(last) == before  # a repeated fill id changes nothing
            continue
        new = fill(qty=size, price=70_000 + 100 * n)
        try:
            order = manager.on_fill(new)
        except InvalidFill:
            assert size > before.remaining_qty
            assert manager.get("o-1") == before
            continue
        last = new
        assert order.filled_qty == before.filled_qty + size
    order = manager.get("o-1")
    assert 0 <= order.filled_qty <= QTY
    expected = {0: OrderStatus.ACCEPTED, QTY: OrderStatus.FILLED}.get(
        order.filled_qty, OrderStatus.PARTIALLY_FILLED
    )
    assert order.status is expected
    assert (
        sum(f.qty for f in manager.fills()) == order.filled_qty == manager.positions.qty("005930")
    )


_fills = st.lists(
    st.tuples(
        st.sampled_from(["005930", "000660"]),
        st.sampled_from([Side.BUY, Side.SELL]),
        st.integers(min_value=1, max_value=500),
        st.integers(min_value=1, max_value=500_000),
        st.integers(min_value=0, max_value=5_000),
        st.integers(min_value=0, max_value=5_000),
    ),
    max_size=40,
)


@given(_fills, st.integers(min_value=1, max_value=500_000), st.booleans())
def test_realized_plus_unrealized_equals_cash_flow_plus_market_value(
    fills: list[tuple[str, Side, int, int, int, int]], last: int, allow_short: bool
) -> None:
    book = PositionBook(ACCOUNT, allow_short=allow_short)
    cash = 0
    for symbol, side, qty, price, commission, tax in fills:
        f = fill(symbol=symbol, side=side, qty=qty, price=price, commission=commission, tax=tax)
        if side is Side.SELL and not allow_short and qty > book.qty(symbol):
            continue
        book.apply(f)
        cash += f.net_cash
    symbols = ("005930", "000660")
    unrealized = sum(book.unrealized_pnl(s, last) for s in symbols)
    value = sum(book.qty(s) * last for s in symbols)
    assert book.realized + unrealized == cash + value
    assert book.cash_flow == cash
    assert book.realized == sum(book.position(s).realized_pnl for s in symbols)
    assert book.fees + book.taxes == sum(
        book.position(s).fees + book.position(s).taxes for s in symbols
    )
    assert book.gross_cost == sum(abs(book.cost_basis(s)) for s in symbols)
    for s in symbols:
        position = book.position(s)
        # The float average reproduces the exact unrealized P&L to within a won.
        assert abs(position.unrealized_pnl(last) - book.unrealized_pnl(s, last)) <= 1
        if not allow_short:
            assert position.qty >= 0
