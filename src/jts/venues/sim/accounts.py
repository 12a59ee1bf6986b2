"""The broker side of the simulated venue: accounts with cash, holdings and T+2 settlement.

The matching engine decides *whether* orders trade; this module decides whether an account may
send them and what trading does to its money, the way a Korean broker does:

* **Orderable cash** (주문가능금액) = settled cash + unsettled receivables − unsettled payables
  − cash reserved by working buys. KRX brokers let you buy with sale proceeds that have not
  settled yet (they settle T+2 like the purchase, so the account never goes short of cash).
* A buy reserves `qty × price` plus the worst-case commission (rounded up) at its reservation
  price: its limit price, or the daily upper limit for a market buy, the highest it can pay.
* A sell reserves shares out of **sellable holdings** = held − reserved by working sells.
  Holdings move at the fill, so shares bought today can be sold today; they can never go
  negative (no short selling in a cash account).
* A fill moves shares now and cash into *unsettled* (a payable for buys, a receivable for
  sells) due on `jts.krx.settlement_date` of the trade day; `settle(day)` moves what is due
  into cash. Commission and tax come from `jts.krx.trade_costs` (tax by settlement date).
* P&L follows `jts.oms.positions` exactly, so the venue's positions reconcile with the order
  manager's: the average price excludes costs, a sell realizes (price − avg) × qty rounded to
  whole won, and every fill's commission and tax are charged to realized P&L when they occur.

Integer KRW and shares throughout. Reservations are keyed by client order id. Mistakes of the
caller (a fill without a reservation, an unknown account) raise `InvalidInput`; an account
that cannot afford an order is a `RejectCode`, which the venue turns into a REJECTED update.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from decimal import ROUND_CEILING, Decimal

from jts.core.enums import Side
from jts.core.errors import InvalidInput
from jts.core.models import Account, Fill, Instrument, OrderRequest, Position
from jts.krx import DEFAULT_COMMISSION_RATE, settlement_date, trade_costs
from jts.venues.sim.orders import RejectCode

__all__ = ["SimAccount", "SimAccounts"]


class _Reservation:
    """What one working order holds back: `qty` shares still working at `price` KRW, and for
    buys `cash` KRW (`qty × price` + worst-case commission)."""

    __slots__ = ("cash", "price", "qty", "side", "symbol")

    def __init__(self, side: Side, symbol: str, qty: int, price: int, cash: int) -> None:
        self.side = side
        self.symbol = symbol
        self.qty = qty
        self.price = price
        self.cash = cash


class _Holding:
    """Shares held of one symbol, their cost basis (KRW, costs excluded) and P&L so far."""

    __slots__ = ("cost", "fees", "qty", "realized", "taxes")

    def __init__(self, qty: int = 0) -> None:
        self.qty = qty
        self.cost = 0
        self.realized = 0
        self.fees = 0
        self.taxes = 0


class SimAccount:
    """One simulated brokerage account (cash account: no margin, no short selling)."""

    def __init__(
        self,
        account_id: str,
        cash: int,
        *,
        holdings: Mapping[str, int] | None = None,
        commission_rate: Decimal = DEFAULT_COMMISSION_RATE,
    ) -> None:
        """Open with `cash` KRW settled and `holdings` (symbol → shares). Opening holdings carry
        no cost basis: the simulator does not know what they cost, so their average price is 0
        until shares are bought. `commission_rate` is a fraction of the traded amount."""
        if not account_id:
            raise InvalidInput("account_id", "must not be empty")
        _require_whole("cash", cash, allow_zero=True)
        if commission_rate < 0:
            raise InvalidInput("commission_rate", f"{commission_rate} is negative")
        self.account_id = account_id
        self.commission_rate = commission_rate
        self._cash = cash
        self._due: dict[date, int] = {}  # settlement date → net KRW (+ receivable, − payable)
        self._reserved_cash = 0
        self._reserved_shares: dict[str, int] = {}
        self._reservations: dict[str, _Reservation] = {}
        self._holdings: dict[str, _Holding] = {}
        for symbol, qty in (holdings or {}).items():
            _require_whole(f"holdings[{symbol}]", qty, allow_zero=True)
            self._holdings[symbol] = _Holding(qty)

    # -- what the account may do ---------------------------------------------------------------

    @property
    def cash(self) -> int:
        """Settled cash (예수금), KRW."""
        return self._cash

    @property
    def unsettled(self) -> int:
        """Net of trades not yet settled, KRW: receivables minus payables."""
        return sum(self._due.values())

    @property
    def orderable_cash(self) -> int:
        """KRW a new buy may reserve: settled + receivables − payables − reserved."""
        return self._cash + self.unsettled - self._reserved_cash

    def sellable(self, symbol: str) -> int:
        """Shares of `symbol` a new sell may reserve: held − reserved by working sells."""
        return self.held(symbol) - self._reserved_shares.get(symbol, 0)

    def held(self, symbol: str) -> int:
        """Shares of `symbol` held now (fills move them at once, settled or not)."""
        holding = self._holdings.get(symbol)
        return holding.qty if holding is not None else 0

    # -- reservations --------------------------------------------------------------------------

    def reserve(
        self, order: OrderRequest, price: int, instrument: Instrument, day: date
    ) -> RejectCode | None:
        """Hold back what `order` may need; None when reserved, else the reason it is refused.

        `price` is the reservation price in KRW: the limit price, or the daily upper limit for
        a market buy. A buy needs `qty × price` + commission (rounded up) out of orderable
        cash, which counts unsettled sale proceeds (KRX brokers allow buying with them); a sell
        needs `qty` sellable shares, which include shares bought today. `day` is the trading
        day, kept for date-dependent rules (today none: the commission rate is the account's).
        """
        self._check_order(order, instrument)
        _require_whole("price", price)
        if order.client_order_id in self._reservations:
            return RejectCode.DUPLICATE_ORDER
        if order.side is Side.BUY:
            cash = self._buy_cash(order.qty, price)
            if cash > self.orderable_cash:
                return RejectCode.INSUFFICIENT_CASH
            self._reserved_cash += cash
        else:
            if order.qty > self.sellable(order.symbol):
                return RejectCode.INSUFFICIENT_HOLDINGS
            cash = 0
            self._reserved_shares[order.symbol] = (
                self._reserved_shares.get(order.symbol, 0) + order.qty
            )
        self._reservations[order.client_order_id] = _Reservation(
            order.side, order.symbol, order.qty, price, cash
        )
        return None

    def release(self, client_order_id: str, qty: int) -> None:
        """Give back `qty` shares' worth of an order's reservation (cancel, expiry, a reduced
        remainder). Releasing more than is still reserved is a caller error."""
        _require_whole("qty", qty)
        reservation = self._reservation(client_order_id)
        if qty > reservation.qty:
            raise InvalidInput(
                "qty",
                f"order {client_order_id} has {reservation.qty:,} shares reserved; "
                f"cannot release {qty:,}",
            )
        self._shrink(client_order_id, reservation, reservation.qty - qty)

    def reprice(self, client_order_id: str, price: int) -> RejectCode | None:
        """Move a working order's reservation to `price` KRW (a modify). A buy whose new amount
        exceeds what it held plus orderable cash is refused and keeps its old reservation."""
        _require_whole("price", price)
        reservation = self._reservation(client_order_id)
        if reservation.side is Side.BUY:
            cash = self._buy_cash(reservation.qty, price)
            if cash - reservation.cash > self.orderable_cash:
                return RejectCode.INSUFFICIENT_CASH
            self._reserved_cash += cash - reservation.cash
            reservation.cash = cash
        reservation.price = price
        return None

    def reserved_qty(self, client_order_id: str) -> int:
        """Shares still reserved for an order (0 when it holds nothing)."""
        reservation = self._reservations.get(client_order_id)
        return reservation.qty if reservation is not None else 0

    # -- fills and settlement ------------------------------------------------------------------

    def apply_fill(
        self, fill_qty: int, price: int, client_order_id: str, instrument: Instrument, day: date
    ) -> tuple[int, int]:
        """Book `fill_qty` shares at `price` KRW of a reserved order traded on `day`; returns
        (commission, tax) in KRW.

        Shares move now; cash (net of costs) becomes a payable or receivable due on the T+2
        settlement date; the order's reservation shrinks by `fill_qty`. Raises `InvalidInput`
        for an order with no (or too small a) reservation: a fill must never go unaccounted.
        A buy filling above its reservation price (a conditional limit turned market) is
        booked all the same, since the exchange has traded; the venue should `reprice` first.
        """
        _require_whole("fill_qty", fill_qty)
        _require_whole("price", price)
        reservation = self._reservations.get(client_order_id)
        if reservation is None:
            raise InvalidInput(
                "client_order_id",
                f"fill for {client_order_id!r} in account {self.account_id}, "
                "which has no reservation (never reserved, or already released)",
            )
        if reservation.symbol != instrument.symbol or fill_qty > reservation.qty:
            raise InvalidInput(
                "fill_qty",
                f"fill of {fill_qty:,} {instrument.symbol} for {client_order_id!r}, which has "
                f"{reservation.qty:,} {reservation.symbol} reserved",
            )
        side = reservation.side
        costs = trade_costs(
            side,
            fill_qty,
            price,
            day,
            instrument.market,
            commission_rate=self.commission_rate,
            kind=instrument.kind,
        )
        due = settlement_date(day)  # raises for a non-trading day before anything changes
        amount = price * fill_qty
        holding = self._holdings.setdefault(instrument.symbol, _Holding())
        realized = _book(holding, side, fill_qty, amount)
        net = -amount - costs.total if side is Side.BUY else amount - costs.total
        self._due[due] = self._due.get(due, 0) + net
        holding.realized += realized - costs.total
        holding.fees += costs.commission
        holding.taxes += costs.tax
        self._shrink(client_order_id, reservation, reservation.qty - fill_qty)
        return costs.commission, costs.tax

    def replay_fill(self, fill: Fill, instrument: Instrument, day: date) -> None:
        """Book a fill from the broker's own ledger on a restart: holdings, P&L and the T+2
        cash move as `apply_fill` moved them, with the costs the fill already carries; no
        reservation is involved (the order that made it is gone with the old process)."""
        _require_whole("fill.qty", fill.qty)
        _require_whole("fill.price", fill.price)
        amount = fill.price * fill.qty
        cost = fill.commission + fill.tax
        holding = self._holdings.setdefault(instrument.symbol, _Holding())
        realized = _book(holding, fill.side, fill.qty, amount)
        net = -amount - cost if fill.side is Side.BUY else amount - cost
        due = settlement_date(day)
        self._due[due] = self._due.get(due, 0) + net
        holding.realized += realized - cost
        holding.fees += fill.commission
        holding.taxes += fill.tax

    def settle(self, day: date) -> None:
        """Move everything due on or before `day` into settled cash (call once per trading
        day, before the session opens)."""
        for due in [d for d in self._due if d <= day]:
            self._cash += self._due.pop(due)

    # -- reads ---------------------------------------------------------------------------------

    def position(self, symbol: str) -> Position:
        """Holdings of `symbol` as an immutable value (flat when never held)."""
        holding = self._holdings.get(symbol)
        if holding is None:
            return Position(account=self.account_id, symbol=symbol)
        return Position(
            account=self.account_id,
            symbol=symbol,
            qty=holding.qty,
            avg_price=holding.cost / holding.qty if holding.qty else 0.0,
            realized_pnl=holding.realized,
            fees=holding.fees,
            taxes=holding.taxes,
        )

    def positions(self) -> list[Position]:
        """Every non-zero holding, in the order symbols were first held."""
        return [self.position(symbol) for symbol, h in self._holdings.items() if h.qty]

    def snapshot(self, venue: str) -> Account:
        """Cash as an `Account`: `cash` settled, `unsettled` the net still due (KRW)."""
        return Account(
            account_id=self.account_id, venue=venue, cash=self._cash, unsettled=self.unsettled
        )

    # -- internals -----------------------------------------------------------------------------

    def _buy_cash(self, qty: int, price: int) -> int:
        """Worst case a buy of `qty` at `price` can cost: amount + commission rounded up (the
        broker truncates each fill's commission, so the sum never exceeds this)."""
        amount = qty * price
        commission = (amount * self.commission_rate).to_integral_value(rounding=ROUND_CEILING)
        return amount + int(commission)

    def _shrink(self, client_order_id: str, reservation: _Reservation, qty: int) -> None:
        """Set a reservation's remaining shares to `qty`, dropping it at zero."""
        if reservation.side is Side.BUY:
            cash = self._buy_cash(qty, reservation.price) if qty else 0
            self._reserved_cash -= reservation.cash - cash
            reservation.cash = cash
        else:
            left = self._reserved_shares[reservation.symbol] - (reservation.qty - qty)
            if left:
                self._reserved_shares[reservation.symbol] = left
            else:
                del self._reserved_shares[reservation.symbol]
        reservation.qty = qty
        if qty == 0:
            del self._reservations[client_order_id]

    def _reservation(self, client_order_id: str) -> _Reservation:
        reservation = self._reservations.get(client_order_id)
        if reservation is None:
            raise InvalidInput(
                "client_order_id",
                f"no reservation for {client_order_id!r} in account {self.account_id}",
            )
        return reservation

    def _check_order(self, order: OrderRequest, instrument: Instrument) -> None:
        if order.account != self.account_id:
            raise InvalidInput(
                "account", f"order for {order.account!r} sent to account {self.account_id!r}"
            )
        if order.symbol != instrument.symbol:
            raise InvalidInput(
                "symbol", f"order for {order.symbol} checked against {instrument.symbol}"
            )
        _require_whole("qty", order.qty)


class SimAccounts:
    """The simulated broker's accounts by id; the venue looks each order's account up here."""

    def __init__(self) -> None:
        self._accounts: dict[str, SimAccount] = {}

    def open(
        self,
        account_id: str,
        cash: int,
        *,
        holdings: Mapping[str, int] | None = None,
        commission_rate: Decimal = DEFAULT_COMMISSION_RATE,
    ) -> SimAccount:
        """Open a new account with `cash` KRW settled; an id can be opened once."""
        if account_id in self._accounts:
            raise InvalidInput("account_id", f"account {account_id!r} is already open")
        account = SimAccount(account_id, cash, holdings=holdings, commission_rate=commission_rate)
        self._accounts[account_id] = account
        return account

    def get(self, account_id: str) -> SimAccount:
        """The account `account_id`; raises `InvalidInput` naming the open ones if unknown."""
        account = self._accounts.get(account_id)
        if account is None:
            known = ", ".join(sorted(self._accounts)) or "none"
            raise InvalidInput("account", f"unknown account {account_id!r} (open: {known})")
        return account

    def __contains__(self, account_id: object) -> bool:
        return account_id in self._accounts

    def __iter__(self) -> Iterator[SimAccount]:
        return iter(self._accounts.values())

    def settle(self, day: date) -> None:
        """Settle every account up to `day` (the venue calls this at each day's start)."""
        for account in self._accounts.values():
            account.settle(day)


def _require_whole(field: str, value: int, *, allow_zero: bool = False) -> None:
    """Money and shares are whole numbers: refuse floats, bools and negatives (and zero)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        wanted = "a non-negative" if allow_zero else "a positive"
        raise InvalidInput(field, f"{value!r} is not {wanted} whole number")


def _book(holding: _Holding, side: Side, qty: int, amount: int) -> int:
    """Move `qty` shares worth `amount` KRW in or out of `holding`; the realized P&L before
    costs. Selling more than is held is refused: holdings never go negative."""
    if side is Side.BUY:
        holding.cost += amount
        holding.qty += qty
        return 0
    if qty > holding.qty:
        raise InvalidInput("fill_qty", f"selling {qty:,} shares with {holding.qty:,} held")
    removed = holding.cost if qty == holding.qty else _div_round(holding.cost * qty, holding.qty)
    holding.cost -= removed
    holding.qty -= qty
    return amount - removed


def _div_round(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, both non-negative (as `jts.oms.positions`)."""
    quotient, remainder = divmod(numerator, denominator)
    return quotient + 1 if 2 * remainder >= denominator else quotient
