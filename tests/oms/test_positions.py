from __future__ import annotations

import pytest

from jts.core import InvalidInput, Position, Side
from jts.oms import PositionBook, ShortNotAllowed
from tests.oms.factories import ACCOUNT, fill

BUY, SELL = Side.BUY, Side.SELL


def test_buys_average_the_price_and_charge_costs_to_realized_pnl() -> None:
    book = PositionBook(ACCOUNT)
    book.apply(fill(qty=10, price=70_000, commission=100))
    book.apply(fill(qty=30, price=71_000, commission=300))
    position = book.position("005930")
    assert position.qty == 40
    assert position.avg_price == pytest.approx((10 * 70_000 + 30 * 71_000) / 40)
    assert (position.realized_pnl, position.fees, position.taxes) == (-400, 400, 0)
    assert book.cash_flow == -(10 * 70_000 + 30 * 71_000) - 400


def test_a_sell_keeps_the_average_and_realizes_price_minus_average_less_costs() -> None:
    book = PositionBook(ACCOUNT)
    book.apply(fill(qty=10, price=70_000))
    book.apply(fill(qty=10, price=72_000))  # avg 71,000
    book.apply(fill(side=SELL, qty=5, price=73_000, commission=50, tax=730))
    position = book.position("005930")
    assert (position.qty, position.avg_price) == (15, 71_000.0)
    assert position.realized_pnl == (73_000 - 71_000) * 5 - 50 - 730
    assert (position.fees, position.taxes) == (50, 730)
    assert (book.realized, book.fees, book.taxes) == (position.realized_pnl, 50, 730)


def test_selling_everything_goes_flat_with_no_cost_left() -> None:
    book = PositionBook(ACCOUNT)
    book.apply(fill(qty=3, price=10_010))
    book.apply(fill(qty=4, price=10_020))
    book.apply(fill(side=SELL, qty=7, price=10_000))
    position = book.position("005930")
    assert position.is_flat
    assert position.avg_price == 0.0
    assert position.realized_pnl == 7 * 10_000 - (3 * 10_010 + 4 * 10_020)
    assert book.cost_basis("005930") == 0
    assert book.gross_cost == 0
    assert book.positions() == []
    assert len(book.positions(include_flat=True)) == 1


def test_a_long_only_book_refuses_to_sell_more_than_held_and_changes_nothing() -> None:
    book = PositionBook(ACCOUNT)
    book.apply(fill(qty=5))
    with pytest.raises(ShortNotAllowed, match="selling 6 shares of 005930 with 5 held"):
        book.apply(fill(side=SELL, qty=6))
    assert book.qty("005930") == 5
    assert book.cash_flow == -5 * 70_000
    with pytest.raises(InvalidInput):
        book.apply(fill(side=SELL, qty=1, symbol="000660"))
    assert book.positions(include_flat=True) == [book.position("005930")]


def test_a_short_book_sells_through_zero_and_covers_at_a_profit() -> None:
    book = PositionBook(ACCOUNT, allow_short=True)
    book.apply(fill(qty=10, price=70_000))
    book.apply(fill(side=SELL, qty=30, price=71_000))  # close 10, open 20 short at 71,000
    position = book.position("005930")
    assert (position.qty, position.avg_price) == (-20, 71_000.0)
    assert position.realized_pnl == 10 * 1_000
    book.apply(fill(qty=5, price=69_000))
    position = book.position("005930")
    assert (position.qty, position.avg_price) == (-15, 71_000.0)
    assert position.realized_pnl == 10 * 1_000 + 5 * 2_000
    assert book.unrealized_pnl("005930", 70_000) == 15 * 1_000
    assert position.unrealized_pnl(70_000) == 15 * 1_000


def test_reads_of_unknown_symbols_are_flat_and_zero() -> None:
    book = PositionBook(ACCOUNT)
    assert book.position("000660") == Position(account=ACCOUNT, symbol="000660")
    assert book.qty("000660") == 0
    assert book.unrealized_pnl("000660", 1) == 0
    assert book.realized_pnl("000660") == 0
    assert book.cost_basis("000660") == 0


def test_gross_exposure_marks_to_given_prices_and_falls_back_to_cost() -> None:
    book = PositionBook(ACCOUNT, allow_short=True)
    book.apply(fill(qty=10, price=70_000))
    book.apply(fill(side=SELL, qty=4, price=100_000, symbol="000660"))
    assert book.gross_exposure({"005930": 71_000}) == 10 * 71_000 + 4 * 100_000
    assert book.gross_cost == 10 * 70_000 + 4 * 100_000
    assert sorted(book.symbols()) == ["000660", "005930"]
    assert book.realized_pnl("005930") == 0
