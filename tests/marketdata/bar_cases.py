"""Helpers for the bar-aggregation tests: ticks at KST wall times, and both forms side by side."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from jts.core.clock import KST, kst_ns
from jts.core.models import Bar, Tick
from jts.krx import Phase, sessions
from jts.marketdata.aggregate import BarAggregator, Halt, aggregate_ticks
from jts.marketdata.frames import TickFrame

ORDINARY = dt.date(2026, 3, 10)  # a Tuesday, regular hours
CSAT = dt.date(2026, 11, 19)  # college entrance exam: the whole day one hour later
SAMSUNG, HYNIX = "005930", "000660"

BarRow = tuple[str, int, int, int, int, int, int, int]


def at(hms: str, day: dt.date = ORDINARY) -> int:
    """ns UTC of the KST wall time "HH:MM[:SS[.ffffff]]" on `day`."""
    return kst_ns(day, dt.time.fromisoformat(hms))


def tick(
    hms: str,
    price: int,
    qty: int = 1,
    *,
    symbol: str = SAMSUNG,
    auction: bool = False,
    day: dt.date = ORDINARY,
) -> Tick:
    return Tick(symbol=symbol, ts_ns=at(hms, day), price=price, qty=qty, auction=auction)


def row(bar: Bar) -> BarRow:
    return (bar.symbol, bar.ts_ns, bar.open, bar.high, bar.low, bar.close, bar.volume, bar.value)


def live(
    ticks: Sequence[Tick],
    interval_s: int,
    halts: Sequence[Halt] = (),
    *,
    flush_at: Sequence[int] = (),
) -> list[Bar]:
    """Bars from `BarAggregator`, halts delivered before the ticks of the same instant,
    `flush(t)` called before the first event at or after each t in `flush_at`."""
    aggregator = BarAggregator(interval_s)
    events: list[tuple[int, int, int, object]] = []
    for i, h in enumerate(halts):
        events.append((h.start_ns, 0, i, ("halt", h.symbol)))
        if h.end_ns is not None:
            events.append((h.end_ns, 0, i, ("resume", h.symbol)))
    events.extend((t.ts_ns, 1, i, t) for i, t in enumerate(ticks))
    flushes = sorted(flush_at)
    for ts, _, _, event in sorted(events, key=lambda e: e[:3]):
        while flushes and flushes[0] <= ts:
            aggregator.flush(flushes.pop(0))
        if isinstance(event, Tick):
            aggregator.on_tick(event)
        elif isinstance(event, tuple):
            kind, symbol = event
            (aggregator.on_halt if kind == "halt" else aggregator.on_resume)(symbol, ts)
    aggregator.close_day()
    return aggregator.drain()


def closing_price_trade(t: Tick) -> bool:
    """Whether `t` is a trade of a closing-price session (straight from the KRX session table)."""
    day = dt.datetime.fromtimestamp(t.ts_ns // 1_000_000_000, KST).date()
    closing_price = (Phase.PRE_OPEN_CLOSING_PRICE, Phase.POST_CLOSE_CLOSING_PRICE)
    return not t.auction and any(
        s.phase in closing_price and s.start_ns(day) <= t.ts_ns < s.end_ns(day)
        for s in sessions(day)
    )


def assert_unique_keys(bars: Sequence[Bar]) -> None:
    """No two bars share (symbol, ts): the key the store files them under."""
    keys = [(b.symbol, b.ts_ns) for b in bars]
    assert len(set(keys)) == len(keys), sorted(k for k in keys if keys.count(k) > 1)


def batch(ticks: Sequence[Tick], interval_s: int, halts: Sequence[Halt] = ()) -> list[Bar]:
    frame = aggregate_ticks(TickFrame.from_ticks(list(ticks)), interval_s, halts=halts)
    assert frame.is_sorted()
    assert frame.interval_s == interval_s
    return list(frame.bars())


def both(ticks: Sequence[Tick], interval_s: int, halts: Sequence[Halt] = ()) -> list[BarRow]:
    """Rows of the bars, checked to be the same from both forms and to have unique
    (symbol, ts), in (symbol, ts) order."""
    live_bars, batch_bars = live(ticks, interval_s, halts), batch(ticks, interval_s, halts)
    assert_unique_keys(live_bars)
    assert_unique_keys(batch_bars)
    from_live = sorted(row(b) for b in live_bars)
    from_batch = [row(b) for b in batch_bars]
    assert from_live == from_batch
    return from_batch


def starts(rows: Sequence[BarRow], day: dt.date = ORDINARY) -> list[str]:
    """The KST wall-clock starts of `rows`, "HH:MM:SS"."""
    base = kst_ns(day, dt.time(0))
    return [str(dt.timedelta(seconds=(r[1] - base) // 1_000_000_000)).zfill(8) for r in rows]
