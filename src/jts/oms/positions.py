"""Positions and P&L of one account, built from fills.

Accounting rules (all money int KRW):

* The book keeps, per symbol, the signed quantity and the signed *cost basis* — what the open
  shares cost (negative for a short: what selling them brought in). `avg_price` is
  cost / qty, a float for display, as in `jts.core.Position`.
* A fill that grows a position adds `price × qty` to the cost: buys raise (or lower) the
  average. A fill that shrinks it takes the average cost of the closed shares out of the basis
  and realizes the difference, so selling keeps the average of what remains:
  realized = (price − avg) × closed qty, rounded to whole won.
* Every fill's commission and tax are charged to realized P&L when they occur (also on buys)
  and summed in `fees` and `taxes`; the average never includes costs. This keeps the identity
  the tests pin exactly: realized + unrealized == cash flow + market value, where unrealized =
  qty × last − cost basis and cash flow = Σ `Fill.net_cash`.
* A fill that crosses zero closes the old position and opens the rest on the other side at
  the fill price. Going below zero is allowed only with `allow_short=True`; otherwise the fill
  raises `ShortNotAllowed` and changes nothing.

Per-symbol state is a small mutable slotted record (hot path: a few attribute updates per fill);
reads hand out immutable `Position` values.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from jts.core.enums import Side
from jts.core.errors import InvalidInput
from jts.core.models import Fill, Position

_BUY = Side.BUY  # a module constant: enum attribute lookups are slow on CPython 3.11


class ShortNotAllowed(InvalidInput):
    """A sell fill would take a position below zero in a book that does not allow shorts."""

    def __init__(self, symbol: str, held: int, sold: int) -> None:
        super().__init__(
            "fill.qty",
            f"selling {sold:,} shares of {symbol} with {held:,} held would go short "
            f"({held - sold:,}), and this book does not allow short positions",
        )
        self.symbol = symbol
        self.held = held
        self.sold = sold


class _Holding:
    """Mutable per-symbol state; never leaves the book."""

    __slots__ = ("cost", "fees", "qty", "realized", "taxes")

    def __init__(self) -> None:
        self.qty = 0
        self.cost = 0
        self.realized = 0
        self.fees = 0
        self.taxes = 0


class PositionBook:
    """Signed positions, cost basis and realized P&L per symbol for `account`.

    The account-wide totals a risk context reads on every order (`cash_flow`, `realized`,
    `gross_cost`) are running attributes updated with each fill, O(1) to read; `fees` and
    `taxes` are summed over symbols when asked.
    """

    __slots__ = (
        "_holdings",
        "account",
        "allow_short",
        "cash_flow",
        "gross_cost",
        "realized",
    )

    def __init__(self, account: str, *, allow_short: bool = False) -> None:
        self.account = account
        self.allow_short = allow_short
        self.cash_flow = 0
        """Σ `Fill.net_cash` of every applied fill, KRW: what trading did to cash."""
        self.realized = 0
        """Realized P&L of the whole book after fees and taxes, KRW."""
        self.gross_cost = 0
        """Σ |cost basis| over symbols, KRW: gross exposure at cost, a cheap proxy for
        gross exposure at market (which needs every last price)."""
        self._holdings: dict[str, _Holding] = {}

    def apply(self, fill: Fill) -> None:
        """Book one fill (assumed new: the order manager drops repeated fill ids).

        Raises `ShortNotAllowed` before changing anything, so the order manager can apply the
        fill to the book first and commit the order only when the book took it.
        """
        holding = self._holdings.get(fill.symbol)
        old = holding.qty if holding is not None else 0
        qty, price = fill.qty, fill.price
        if fill.side is _BUY:
            delta = qty
        else:
            delta = -qty
            if qty > old and not self.allow_short:
                raise ShortNotAllowed(fill.symbol, old, qty)
        if holding is None:
            holding = self._holdings[fill.symbol] = _Holding()
        commission, tax = fill.commission, fill.tax
        old_cost = holding.cost
        if old == 0 or (old > 0) == (delta > 0):
            holding.cost = old_cost + price * delta
            realized = -commission - tax
        else:
            realized = _reduce(holding, old, delta, price) - commission - tax
        holding.qty = old + delta
        holding.realized += realized
        holding.fees += commission
        holding.taxes += tax
        self.realized += realized
        new_cost = holding.cost
        self.gross_cost += (new_cost if new_cost >= 0 else -new_cost) - (
            old_cost if old_cost >= 0 else -old_cost
        )
        self.cash_flow -= price * delta + commission + tax

    @property
    def fees(self) -> int:
        """Commissions paid, KRW (summed over symbols on read: the hot path skips it)."""
        return sum(holding.fees for holding in self._holdings.values())

    @property
    def taxes(self) -> int:
        """Transaction taxes paid, KRW (summed over symbols on read)."""
        return sum(holding.taxes for holding in self._holdings.values())

    def qty(self, symbol: str) -> int:
        """Signed shares held of `symbol` (0 when never traded): the cheap read for risk."""
        holding = self._holdings.get(symbol)
        return holding.qty if holding is not None else 0

    def position(self, symbol: str) -> Position:
        """The position in `symbol` as an immutable value (flat when never traded)."""
        holding = self._holdings.get(symbol)
        if holding is None:
            return Position(account=self.account, symbol=symbol)
        return Position(
            account=self.account,
            symbol=symbol,
            qty=holding.qty,
            avg_price=holding.cost / holding.qty if holding.qty else 0.0,
            realized_pnl=holding.realized,
            fees=holding.fees,
            taxes=holding.taxes,
        )

    def positions(self, *, include_flat: bool = False) -> list[Position]:
        """Every position, in the order symbols were first traded; flat ones on request."""
        return [
            self.position(symbol)
            for symbol, holding in self._holdings.items()
            if include_flat or holding.qty
        ]

    def symbols(self) -> Iterator[str]:
        """Symbols with a non-zero position, in the order they were first traded."""
        return (symbol for symbol, holding in self._holdings.items() if holding.qty)

    def cost_basis(self, symbol: str) -> int:
        """What the open shares of `symbol` cost, KRW (negative for a short)."""
        holding = self._holdings.get(symbol)
        return holding.cost if holding is not None else 0

    def unrealized_pnl(self, symbol: str, last_price: int) -> int:
        """Exact paper gain of `symbol` at `last_price`: qty × last − cost basis, KRW."""
        holding = self._holdings.get(symbol)
        return holding.qty * last_price - holding.cost if holding is not None else 0

    def realized_pnl(self, symbol: str | None = None) -> int:
        """Realized P&L after fees and taxes, KRW, of `symbol` or (None) of the whole book."""
        if symbol is None:
            return self.realized
        holding = self._holdings.get(symbol)
        return holding.realized if holding is not None else 0

    def gross_exposure(self, prices: Mapping[str, int]) -> int:
        """Σ |qty| × price over open positions, KRW; a symbol missing from `prices` is
        valued at its cost basis (the best we know). O(symbols): not for every order."""
        total = 0
        for symbol, holding in self._holdings.items():
            if holding.qty:
                price = prices.get(symbol)
                total += abs(holding.qty * price if price is not None else holding.cost)
        return total


def _reduce(holding: _Holding, old: int, delta: int, price: int) -> int:
    """Close min(|delta|, |old|) shares of `holding` at `price`, open any rest on the other
    side, and return the realized P&L before costs. `old` and `delta` have opposite signs."""
    held, moved = (old, -delta) if old > 0 else (-old, delta)
    cost = holding.cost
    if moved < held:
        closed, removed = moved, _div_round(cost * moved, held)
        holding.cost = cost - removed
    else:  # everything closes (the common exit); any rest opens the other side at `price`
        closed, removed = held, cost
        holding.cost = price * (delta + old)
    # Long: proceeds − cost of the closed shares. Short: proceeds kept (−basis) − buy cost.
    return (price * closed if old > 0 else -price * closed) - removed


def _div_round(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest int, halves away from zero
    (denominator > 0); symmetric so longs and shorts round alike."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient
