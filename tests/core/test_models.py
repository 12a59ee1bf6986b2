from __future__ import annotations

import msgspec
import pytest

from jts.core import (
    Account,
    Bar,
    BookLevel,
    BookUpdate,
    Fill,
    Instrument,
    InstrumentKind,
    InvalidInput,
    Market,
    Order,
    OrderRequest,
    OrderStatus,
    OrderType,
    Position,
    Side,
    TimeInForce,
)


def _bar(**changes: int) -> Bar:
    fields = {"open": 100, "high": 110, "low": 95, "close": 105, "volume": 10} | changes
    return Bar(symbol="005930", ts_ns=0, interval_s=60, **fields)


def test_structs_are_immutable() -> None:
    bar = _bar()
    with pytest.raises(AttributeError):
        bar.close = 1  # type: ignore[misc]


def test_bar_round_trips_through_json_and_msgpack() -> None:
    bar = _bar()
    assert msgspec.json.decode(msgspec.json.encode(bar), type=Bar) == bar
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(bar), type=Bar) == bar


def test_bar_with_high_below_close_is_invalid() -> None:
    with pytest.raises(InvalidInput, match="high/low"):
        _bar(high=100).validate()


def test_instrument_with_letter_code_validates_and_etf_uses_etf_ticks() -> None:
    etf = Instrument(
        symbol="0037T0", name="테스트 ETF", market=Market.KOSPI, kind=InstrumentKind.ETF
    )
    assert etf.validate().uses_etf_ticks
    assert not Instrument(symbol="005930", name="삼성전자", market=Market.KOSPI).uses_etf_ticks


def test_instrument_rejects_bad_code() -> None:
    with pytest.raises(InvalidInput, match="symbol"):
        Instrument(symbol="5930", name="x", market=Market.KOSPI).validate()


def test_enums_serialize_as_lowercase_strings() -> None:
    request = _request()
    data = msgspec.json.decode(msgspec.json.encode(request))
    assert data["side"] == "buy"
    assert data["order_type"] == "limit"
    assert data["tif"] == "day"


def _request(**changes: object) -> OrderRequest:
    fields: dict[str, object] = {
        "client_order_id": "jts-1",
        "account": "A1",
        "symbol": "005930",
        "side": Side.BUY,
        "qty": 10,
        "price": 71_500,
    } | changes
    return OrderRequest(**fields)  # type: ignore[arg-type]


def test_limit_order_needs_a_price() -> None:
    with pytest.raises(InvalidInput, match="price"):
        _request(price=None).validate()


def test_market_order_takes_no_price() -> None:
    assert _request(order_type=OrderType.MARKET, price=None).validate()
    with pytest.raises(InvalidInput, match="takes no price"):
        _request(order_type=OrderType.MARKET).validate()


@pytest.mark.parametrize("qty", [0, -5])
def test_order_quantity_must_be_positive(qty: int) -> None:
    with pytest.raises(InvalidInput, match="qty"):
        _request(qty=qty).validate()


def test_order_remaining_quantity() -> None:
    order = Order(request=_request(qty=10, tif=TimeInForce.IOC), status=OrderStatus.ACCEPTED)
    assert msgspec.structs.replace(order, filled_qty=3).remaining_qty == 7


def test_order_status_terminal_states() -> None:
    terminal = {s for s in OrderStatus if s.is_terminal}
    assert terminal == {
        OrderStatus.FILLED,
        OrderStatus.CANCELLED,
        OrderStatus.REJECTED,
        OrderStatus.EXPIRED,
    }


def test_fill_cash_is_negative_for_buys_and_net_of_costs() -> None:
    buy = Fill(
        fill_id="f1",
        client_order_id="c1",
        account="A1",
        symbol="005930",
        side=Side.BUY,
        qty=10,
        price=70_000,
        ts_ns=0,
        commission=98,
    )
    assert buy.gross == 700_000
    assert buy.net_cash == -700_098
    sell = msgspec.structs.replace(buy, side=Side.SELL, tax=1_400)
    assert sell.net_cash == 700_000 - 98 - 1_400


def test_position_unrealized_pnl_in_krw() -> None:
    position = Position(account="A1", symbol="005930", qty=10, avg_price=70_050.5)
    assert position.unrealized_pnl(71_000) == 9_495
    assert position.market_value(71_000) == 710_000


def test_account_cash_after_settlement() -> None:
    account = Account(account_id="A1", venue="sim", cash=1_000_000, unsettled=-700_098)
    assert account.cash_after_settlement == 299_902


def test_book_update_best_prices_and_crossed_book_rejected() -> None:
    book = BookUpdate(
        symbol="005930",
        ts_ns=0,
        bids=(BookLevel(71_400, 10), BookLevel(71_300, 5)),
        asks=(BookLevel(71_500, 7),),
    )
    assert (book.validate().best_bid, book.best_ask) == (71_400, 71_500)
    crossed = msgspec.structs.replace(book, asks=(BookLevel(71_400, 1),))
    with pytest.raises(InvalidInput, match="crossed"):
        crossed.validate()


def test_side_sign_and_opposite() -> None:
    assert (Side.BUY.sign, Side.SELL.sign) == (1, -1)
    assert Side.BUY.opposite is Side.SELL
