"""The live quote board: each symbol's last price, day range, volume, limits and state, and
its minute bars of the day, kept from the trading node's events (`TradingNode.observers`).

It is what the dashboard's market watch and the API's quote and bar endpoints read, so it is
O(1) per tick and holds at most a day of minute bars per symbol (the regular session has 381).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Final

import msgspec

from jts.core.events import SymbolState, SymbolStatus
from jts.core.models import Bar, Instrument, Tick

MAX_BARS: Final = 600
TIMEFRAMES: Final = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "60m": 60}
"""Bar lengths the board serves, in minutes (built from its 1-minute bars)."""


class Quote(msgspec.Struct, kw_only=True):
    """One symbol's state now. Prices in KRW; `change_pct` against the previous close."""

    symbol: str
    name: str
    last: int = 0
    open: int = 0
    high: int = 0
    low: int = 0
    volume: int = 0
    value: int = 0
    prev_close: int = 0
    change: int = 0
    change_pct: float = 0.0
    upper_limit: int = 0
    lower_limit: int = 0
    state: str = SymbolState.CLOSED.value
    vi: bool = False
    ts_ns: int = 0


class QuoteBoard:
    def __init__(
        self,
        instruments: Mapping[str, Instrument],
        prev_close: Mapping[str, int],
        limits: Callable[[str], tuple[int, int] | None],
    ) -> None:
        self._quotes: dict[str, Quote] = {}
        for symbol, instrument in instruments.items():
            band = limits(symbol) or (0, 0)
            self._quotes[symbol] = Quote(
                symbol=symbol,
                name=instrument.name,
                prev_close=prev_close.get(symbol, 0),
                lower_limit=band[0],
                upper_limit=band[1],
            )
        self._bars: dict[str, deque[Bar]] = {}
        self.listeners: list[Callable[[Quote], None]] = []
        """Called with the quote after each change (the realtime hub's quote channels)."""
        self.bar_listeners: list[Callable[[Bar], None]] = []

    def observe(self, event: object) -> None:
        if isinstance(event, Tick):
            self._on_tick(event)
        elif isinstance(event, Bar):
            self._on_bar(event)
        elif isinstance(event, SymbolStatus):
            self._on_status(event)

    def _on_tick(self, tick: Tick) -> None:
        quote = self._quotes.get(tick.symbol)
        if quote is None:
            return
        price = tick.price
        if not quote.open:
            quote.open = quote.high = quote.low = price
        elif price > quote.high:
            quote.high = price
        elif price < quote.low:
            quote.low = price
        quote.last = price
        quote.volume = tick.cum_volume or quote.volume + tick.qty
        quote.value += price * tick.qty
        quote.ts_ns = tick.ts_ns
        if quote.prev_close:
            quote.change = price - quote.prev_close
            quote.change_pct = round(100.0 * quote.change / quote.prev_close, 2)
        for listener in self.listeners:
            listener(quote)

    def _on_bar(self, bar: Bar) -> None:
        bars = self._bars.get(bar.symbol)
        if bars is None:
            bars = self._bars[bar.symbol] = deque(maxlen=MAX_BARS)
        bars.append(bar)
        for listener in self.bar_listeners:
            listener(bar)

    def _on_status(self, status: SymbolStatus) -> None:
        quote = self._quotes.get(status.symbol)
        if quote is None:
            return
        quote.state = status.state.value
        quote.vi = status.state is SymbolState.VI
        quote.ts_ns = max(quote.ts_ns, status.ts_ns)
        for listener in self.listeners:
            listener(quote)

    # -- reads ------------------------------------------------------------------------------

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._quotes

    def quote(self, symbol: str) -> Quote | None:
        return self._quotes.get(symbol)

    def quotes(self, symbols: Iterable[str] | None = None) -> list[Quote]:
        if symbols is None:
            return list(self._quotes.values())
        return [self._quotes[s] for s in symbols if s in self._quotes]

    def bars(self, symbol: str, timeframe: str = "1m", limit: int = 500) -> list[Bar]:
        """The day's bars of `symbol` at `timeframe` (a key of TIMEFRAMES), oldest first."""
        minutes = TIMEFRAMES[timeframe]
        ones = list(self._bars.get(symbol, ()))
        merged = ones if minutes == 1 else _merge(ones, minutes)
        return merged[-limit:] if limit else merged


def _merge(bars: list[Bar], minutes: int) -> list[Bar]:
    """1-minute bars folded into `minutes`-minute bars aligned on the clock."""
    span = minutes * 60 * 1_000_000_000
    out: list[Bar] = []
    for bar in bars:
        start = bar.ts_ns // span * span
        if out and out[-1].ts_ns == start:
            last = out[-1]
            out[-1] = Bar(
                symbol=last.symbol,
                ts_ns=start,
                interval_s=minutes * 60,
                open=last.open,
                high=max(last.high, bar.high),
                low=min(last.low, bar.low),
                close=bar.close,
                volume=last.volume + bar.volume,
                value=last.value + bar.value,
            )
        else:
            out.append(msgspec.structs.replace(bar, ts_ns=start, interval_s=minutes * 60))
    return out
