"""`KisAccount`: the account queries — orders and executions of the day, balance, buying power.

Every query pages with `tr_cont` (KIS.md §3.3) through `KisRest.pages` at ORDER_STATUS
priority, so reconciliation is served before quote polling. KIS answers in strings; this module
turns them into `jts.core` values (int KRW, int shares, int ns UTC) and nothing above it sees a
KIS field name.

KIS knows no client order id: `client_id_of` (given by `KisOrders`, which remembers what it sent)
names the orders it knows; others appear as `kis-<ODNO>`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from jts.core.clock import KST, Clock, LiveClock, to_kst, to_ns
from jts.core.enums import OrderStatus, OrderType, Side, TimeInForce
from jts.core.models import Account, Fill, Order, OrderRequest, Position
from jts.venues.kis.config import KisConfig
from jts.venues.kis.protocol.codes import ORDER_DIVISIONS
from jts.venues.kis.protocol.trs import Tr
from jts.venues.kis.rest import KisRest
from jts.venues.kis.throttle import Priority

__all__ = ["BuyingPower", "KisAccount", "OrderRow", "kis_int", "kis_ts_ns"]

ClientIdOf = Callable[[str], "str | None"]

_SIDES = {"01": Side.SELL, "02": Side.BUY}
_SIDE_CODES = {None: "00", Side.SELL: "01", Side.BUY: "02"}


def kis_int(value: Any) -> int:
    """A KIS number string ("70000", "70000.00", " 12 ", "") → int (blank is 0)."""
    text = str(value or "").strip().replace(",", "")
    if not text:
        return 0
    try:
        return int(Decimal(text))
    except (InvalidOperation, ValueError, OverflowError):  # garbage, NaN, Infinity
        return 0


def kis_float(value: Any) -> float:
    """A KIS decimal string → float (averages only; blank, garbage or non-finite is 0.0)."""
    text = str(value or "").strip().replace(",", "")
    try:
        number = float(text) if text else 0.0
    except ValueError:
        return 0.0
    return number if math.isfinite(number) else 0.0


def kis_ts_ns(date: str, hhmmss: str) -> int:
    """`YYYYMMDD` + `HHMMSS` in KST → int ns UTC."""
    stamp = dt.datetime.strptime(f"{date.strip()}{hhmmss.strip().zfill(6)}", "%Y%m%d%H%M%S")
    return to_ns(stamp.replace(tzinfo=KST))


class OrderRow(msgspec.Struct, frozen=True, kw_only=True):
    """One inquire-daily-ccld row (KIS.md §4.7): an order (or a modify/cancel order) of the day."""

    odno: str
    orgn_odno: str
    branch: str
    """`ord_gno_brno`: the org number a modify/cancel must quote (KRX_FWDG_ORD_ORGNO)."""
    symbol: str
    side: Side
    qty: int
    price: int
    ts_ns: int
    filled_qty: int
    avg_price: float
    filled_amount: int
    remaining: int
    rejected_qty: int
    cancelled: bool
    division: str
    """`ord_dvsn_cd` (KIS.md §5.3)."""
    exchange: str

    @property
    def is_open(self) -> bool:
        """Still working: something remains and it was not cancelled or refused."""
        return self.remaining > 0 and not self.cancelled and self.rejected_qty < self.qty

    @classmethod
    def parse(cls, row: dict[str, Any]) -> OrderRow:
        lower = {str(k).lower(): v for k, v in row.items()}

        def text(name: str) -> str:
            return str(lower.get(name) or "").strip()

        return cls(
            odno=text("odno"),
            orgn_odno=text("orgn_odno"),
            branch=text("ord_gno_brno"),
            symbol=text("pdno"),
            side=_SIDES.get(text("sll_buy_dvsn_cd"), Side.BUY),
            qty=kis_int(lower.get("ord_qty")),
            price=kis_int(lower.get("ord_unpr")),
            ts_ns=_row_time(text("ord_dt"), text("ord_tmd")),
            filled_qty=kis_int(lower.get("tot_ccld_qty")),
            avg_price=kis_float(lower.get("avg_prvs")),
            filled_amount=kis_int(lower.get("tot_ccld_amt")),
            remaining=kis_int(lower.get("rmn_qty")),
            rejected_qty=kis_int(lower.get("rjct_qty")),
            cancelled=text("cncl_yn") == "Y",
            division=text("ord_dvsn_cd"),
            exchange=text("excg_id_dvsn_cd"),
        )


class BuyingPower(msgspec.Struct, frozen=True, kw_only=True):
    """inquire-psbl-order (KIS.md §4.8): cash available for orders and how many shares."""

    cash: int
    """`ord_psbl_cash`, KRW."""
    max_qty: int
    """`nrcvb_buy_qty`: shares buyable without a margin loan."""
    max_amount: int
    """`max_buy_amt`, KRW."""


class KisAccount:
    """Read-only queries of the configured account."""

    def __init__(
        self,
        rest: KisRest,
        config: KisConfig,
        *,
        clock: Clock | None = None,
        client_id_of: ClientIdOf | None = None,
    ) -> None:
        self._rest = rest
        self._config = config
        self._clock: Clock = clock if clock is not None else LiveClock()
        self.client_id_of: ClientIdOf = client_id_of or (lambda odno: None)

    def _account_params(self) -> dict[str, str]:
        return {"CANO": self._config.cano, "ACNT_PRDT_CD": self._config.product_code}

    def today(self) -> str:
        """Today's date in KST as KIS writes it (YYYYMMDD)."""
        return to_kst(self._clock.now_ns()).strftime("%Y%m%d")

    async def order_rows(
        self,
        *,
        symbol: str = "",
        side: Side | None = None,
        odno: str = "",
        start: str = "",
        end: str = "",
    ) -> list[OrderRow]:
        """inquire-daily-ccld rows of `start`..`end` (YYYYMMDD, default today), every page,
        oldest first."""
        day = self.today()
        params = {
            **self._account_params(),
            "INQR_STRT_DT": start or day,
            "INQR_END_DT": end or day,
            "SLL_BUY_DVSN_CD": _SIDE_CODES[side],
            "PDNO": symbol,
            "ORD_GNO_BRNO": "",
            "ODNO": odno,
            "CCLD_DVSN": "00",
            "INQR_DVSN": "01",
            "INQR_DVSN_1": "",
            "INQR_DVSN_3": "00",
            "EXCG_ID_DVSN_CD": "KRX" if self._config.paper else "ALL",
        }
        rows: list[OrderRow] = []
        async for page in self._rest.pages(Tr.DAILY_CCLD, params):
            rows.extend(OrderRow.parse(row) for row in _rows(page.output1))
        rows.sort(key=lambda r: (r.ts_ns, r.odno))
        return rows

    async def open_orders(self) -> list[Order]:
        """Working orders of the day, earliest queue place first (a price change gets a new
        ODNO and time, so it sorts behind the orders that kept theirs)."""
        return [self.to_order(row) for row in await self.order_rows() if row.is_open]

    async def fills(self) -> list[Fill]:
        """Executions of the day, one `Fill` per order at its average price (KIS's daily
        inquiry gives totals per order, not each execution; the notice feed gives those)."""
        fills = []
        for row in await self.order_rows():
            if row.filled_qty > 0:
                fills.append(self.to_fill(row))
        return fills

    def to_order(self, row: OrderRow) -> Order:
        division = ORDER_DIVISIONS.get(row.division)
        order_type = division.order_type if division else OrderType.LIMIT
        tif = division.tif if division else TimeInForce.DAY
        request = OrderRequest(
            client_order_id=self._client_id(row),
            account=self._config.account,
            symbol=row.symbol,
            side=row.side,
            qty=row.filled_qty + row.remaining,
            order_type=order_type,
            price=row.price if order_type.needs_price else None,
            tif=tif,
            ts_ns=row.ts_ns,
        )
        status = _status(row)
        return Order(
            request=request,
            status=status,
            venue_order_id=row.odno,
            filled_qty=row.filled_qty,
            avg_fill_price=row.avg_price,
            created_ns=row.ts_ns,
            updated_ns=row.ts_ns,
        )

    def to_fill(self, row: OrderRow) -> Fill:
        price = round(row.filled_amount / row.filled_qty) if row.filled_amount else 0
        return Fill(
            fill_id=f"kis-{row.odno}-{row.filled_qty}",
            client_order_id=self._client_id(row),
            account=self._config.account,
            symbol=row.symbol,
            side=row.side,
            qty=row.filled_qty,
            price=price or round(row.avg_price),
            ts_ns=row.ts_ns,
            venue_order_id=row.odno,
            leaves_qty=row.remaining,
        )

    def _client_id(self, row: OrderRow) -> str:
        return (
            self.client_id_of(row.odno)
            or (self.client_id_of(row.orgn_odno) if row.orgn_odno else None)
            or f"kis-{row.odno}"
        )

    async def balance(self) -> tuple[list[Position], Account]:
        """inquire-balance, every page: the holdings (zero ones dropped) and the cash."""
        params = {
            **self._account_params(),
            "AFHR_FLPR_YN": "N",
            "OFL_YN": "",
            "INQR_DVSN": "02",
            "UNPR_DVSN": "01",
            "FUND_STTL_ICLD_YN": "N",
            "FNCG_AMT_AUTO_RDPT_YN": "N",
            "PRCS_DVSN": "00",
        }
        positions: list[Position] = []
        summary: dict[str, Any] = {}
        async for page in self._rest.pages(Tr.BALANCE, params):
            positions.extend(self._position(row) for row in _rows(page.output1))
            summary = (_rows(page.output2) or [summary])[0]
        account = Account(
            account_id=self._config.account,
            venue="kis",
            cash=kis_int(summary.get("dnca_tot_amt")),
            unsettled=kis_int(summary.get("prvs_rcdl_excc_amt"))
            - kis_int(summary.get("dnca_tot_amt")),
        )
        return [p for p in positions if p.qty != 0], account

    async def positions(self) -> list[Position]:
        return (await self.balance())[0]

    async def account(self) -> Account:
        return (await self.balance())[1]

    async def buying_power(self, symbol: str, price: int | None = None) -> BuyingPower:
        """What can be bought of `symbol` at `price` KRW (None: at market)."""
        params = {
            **self._account_params(),
            "PDNO": symbol,
            "ORD_UNPR": str(price) if price else "",
            "ORD_DVSN": "00" if price else "01",
            "CMA_EVLU_AMT_ICLD_YN": "N",
            "OVRS_ICLD_YN": "N",
        }
        answer = await self._rest.get(Tr.BUYABLE, params, priority=Priority.ORDER_STATUS)
        output = answer.output if isinstance(answer.output, dict) else {}
        return BuyingPower(
            cash=kis_int(output.get("ord_psbl_cash")),
            max_qty=kis_int(output.get("nrcvb_buy_qty")),
            max_amount=kis_int(output.get("max_buy_amt")),
        )

    def _position(self, row: dict[str, Any]) -> Position:
        return Position(
            account=self._config.account,
            symbol=str(row.get("pdno", "")).strip(),
            qty=kis_int(row.get("hldg_qty")),
            avg_price=kis_float(row.get("pchs_avg_pric")),
        )


def _row_time(date: str, hhmmss: str) -> int:
    """An order row's time, int ns UTC; 0 when KIS left the date or time blank or garbled."""
    try:
        return kis_ts_ns(date, hhmmss)
    except ValueError:
        return 0


def _rows(output: Any) -> list[dict[str, Any]]:
    """`output1`/`output2` as a list of rows (KIS sends a list, one object, or nothing)."""
    if isinstance(output, list):
        return [row for row in output if isinstance(row, dict)]
    if isinstance(output, dict):
        return [output]
    return []


def _status(row: OrderRow) -> OrderStatus:
    if row.rejected_qty >= row.qty > 0:
        return OrderStatus.REJECTED
    if row.cancelled or (row.remaining == 0 and row.filled_qty < row.qty):
        return OrderStatus.CANCELLED
    if row.remaining == 0:
        return OrderStatus.FILLED
    return OrderStatus.PARTIALLY_FILLED if row.filled_qty else OrderStatus.ACCEPTED
