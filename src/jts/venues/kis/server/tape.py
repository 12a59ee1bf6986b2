"""What the simulator knows about each symbol's day: prints, OHLC, minute bars, last book.

KIS quotes carry more than the exchange keeps (times of the high and low, buy- and
sell-initiated counts, today's minute bars), so an exchange listener folds every `Tick`,
`BookUpdate` and `ExpectedPrice` into a `SymbolTape`. Prices and values int KRW, times ns UTC.
"""

from __future__ import annotations

from collections.abc import Callable

from jts.core.enums import Side
from jts.core.events import ExpectedPrice, SymbolState
from jts.core.models import BookUpdate, Tick
from jts.krx.sessions import Phase
from jts.venues.sim.exchange import SimExchange
from jts.venues.sim.symbol import SymbolMarket

__all__ = ["MinuteBar", "SymbolTape", "Tape", "hour_class", "session_code", "sign_code"]

MINUTE_NS = 60 * 1_000_000_000


class MinuteBar:
    """One minute of prints: OHLC and volume in shares, value in KRW."""

    __slots__ = ("close", "high", "low", "open", "start_ns", "value", "volume")

    def __init__(self, start_ns: int, price: int) -> None:
        self.start_ns = start_ns
        self.open = self.high = self.low = self.close = price
        self.volume = 0
        self.value = 0


class SymbolTape:
    """One symbol's day so far."""

    def __init__(self, market: SymbolMarket) -> None:
        self.market = market
        self.code = market.symbol
        self.name = market.rules.instrument.name
        self.base = market.rules.base_price
        self.last = self.open = self.high = self.low = 0
        self.open_ns = self.high_ns = self.low_ns = 0
        self.volume = self.value = 0
        self.buy_count = self.sell_count = self.buy_qty = self.sell_qty = 0
        self.last_qty = 0
        self.last_side: Side | None = None
        self.minutes: list[MinuteBar] = []
        self.book: BookUpdate | None = None
        self.expected: ExpectedPrice | None = None

    @property
    def price(self) -> int:
        """The current price: the last print, else the base price."""
        return self.last or self.base

    def on_tick(self, tick: Tick) -> None:
        price, qty = tick.price, tick.qty
        if not self.open:
            self.open, self.open_ns = price, tick.ts_ns
        if price > self.high:
            self.high, self.high_ns = price, tick.ts_ns
        if not self.low or price < self.low:
            self.low, self.low_ns = price, tick.ts_ns
        self.last, self.last_qty, self.last_side = price, qty, tick.side
        self.volume += qty
        self.value += price * qty
        if tick.side is Side.BUY:
            self.buy_count += 1
            self.buy_qty += qty
        elif tick.side is Side.SELL:
            self.sell_count += 1
            self.sell_qty += qty
        start = tick.ts_ns - tick.ts_ns % MINUTE_NS
        if not self.minutes or self.minutes[-1].start_ns != start:
            self.minutes.append(MinuteBar(start, price))
        bar = self.minutes[-1]
        bar.high, bar.low, bar.close = max(bar.high, price), min(bar.low, price), price
        bar.volume += qty
        bar.value += price * qty

    @property
    def vwap(self) -> int:
        return self.value // self.volume if self.volume else self.price


Listener = Callable[[SymbolTape, object], None]


class Tape:
    """Every symbol's tape, fed by the exchange; `listeners` hear each event after it is
    folded in (the WebSocket hub streams from here)."""

    def __init__(self, exchange: SimExchange) -> None:
        self.exchange = exchange
        self.symbols = {code: SymbolTape(m) for code, m in exchange.markets.items()}
        self.listeners: list[Listener] = []
        exchange.add_listener(self._on_event)

    def __getitem__(self, code: str) -> SymbolTape:
        return self.symbols[code]

    def get(self, code: str) -> SymbolTape | None:
        return self.symbols.get(code)

    def _on_event(self, event: object) -> None:
        kind = type(event)
        if kind is Tick:
            tape = self.symbols.get(event.symbol)  # type: ignore[attr-defined]
            if tape is None:
                return
            tape.on_tick(event)  # type: ignore[arg-type]
        elif kind is BookUpdate or kind is ExpectedPrice:
            tape = self.symbols.get(event.symbol)  # type: ignore[attr-defined]
            if tape is None:
                return
            if kind is BookUpdate:
                tape.book = event  # type: ignore[assignment]
            else:
                tape.expected = event  # type: ignore[assignment]
        else:
            return
        for listener in self.listeners:
            listener(tape, event)


def sign_code(price: int, base: int, upper: int, lower: int) -> str:
    """PRDY_VRSS_SIGN: 1 upper limit, 2 up, 3 flat, 4 lower limit, 5 down."""
    if price >= upper:
        return "1"
    if price <= lower:
        return "4"
    if price > base:
        return "2"
    return "3" if price == base else "5"


_SESSION = {
    Phase.PRE_OPEN_CLOSING_PRICE: "10",
    Phase.OPENING_AUCTION: "10",
    Phase.CONTINUOUS: "20",
    Phase.CLOSING_AUCTION: "21",
    Phase.POST_CLOSE_CLOSING_PRICE: "30",
    Phase.AFTER_HOURS: "40",
}


def session_code(phase: Phase) -> str:
    """NEW_MKOP_CLS_CODE: 1st char 1 pre-open / 2 regular / 3 post-close / 4 after-hours
    single price, 2nd 0 normal / 1 closing (the closing auction)."""
    return _SESSION.get(phase, "00")


def hour_class(phase: Phase, state: SymbolState) -> str:
    """HOUR_CLS_CODE: 0 continuous; B pre-open expected, A closing expected, C VI (or a
    call after 09:00), D after-hours expected."""
    if state in (SymbolState.VI, SymbolState.OVERHEATED):
        return "C"
    if phase is Phase.OPENING_AUCTION:
        return "B"
    if phase is Phase.CLOSING_AUCTION:
        return "A"
    if phase is Phase.AFTER_HOURS:
        return "D"
    return "0"
