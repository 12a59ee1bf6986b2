"""Today's 1-minute bars from KIS (inquire-time-itemchartprice, KIS.md §4.5) into the store.

KIS returns at most 30 bars per call, newest first, ending at the `FID_INPUT_HOUR_1` cursor
(HHMMSS KST; a cursor after "now" means now). The next page asks for the minute before the
oldest bar returned; paging stops on an empty page, at the wanted start, or when the cursor
would not move. Requests go at QUOTE priority, so a backfill never delays orders.

A bar's `stck_cntg_hour` is taken as its start minute (JTS bars are labelled by their start).
Bar volume is `cntg_vol`. `acml_tr_pbmn` is by its name cumulative ("누적"), so a bar's traded
value is its step between consecutive bars (0 for the oldest bar fetched, whose predecessor is
unknown); a series that ever decreases cannot be cumulative and is taken as per-bar values
(the simulator sends those). The newest
bar may still be forming; it is stored too and a later backfill overwrites it (the store
merges on (symbol, ts)).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from pathlib import Path
from typing import Any

from jts.core.clock import Clock, LiveClock
from jts.core.models import Bar
from jts.marketdata.frames import BarFrame
from jts.marketdata.store import ParquetStore, WriteStats
from jts.venues.kis.account import kis_int, kis_ts_ns
from jts.venues.kis.protocol.trs import Tr
from jts.venues.kis.rest import KisRest
from jts.venues.kis.throttle import Priority

__all__ = ["MinuteBackfill", "bar_values", "minute_bars", "previous_minute"]

_PAGE_ROWS = 30
_VENUE_NOW = "235959"
_MAX_PAGES = 60  # 30 × 60 = 1,800 minutes: more than any KRX day (08:30–18:00 is 570)


def previous_minute(hhmmss: str) -> str:
    """The cursor one minute before a bar time (`090100` → `090000`; `000000` stays)."""
    stamp = dt.datetime.strptime(hhmmss.zfill(6), "%H%M%S")
    if stamp.hour == 0 and stamp.minute == 0:
        return "000000"
    return (stamp - dt.timedelta(minutes=1)).strftime("%H%M00")


def minute_bars(symbol: str, rows: list[dict[str, Any]]) -> list[Bar]:
    """KIS minute rows (any order, duplicates allowed) → `Bar`s oldest first, one per minute."""
    by_time: dict[int, dict[str, Any]] = {}
    for row in rows:
        date, hour = str(row.get("stck_bsop_date", "")), str(row.get("stck_cntg_hour", ""))
        try:
            by_time.setdefault(kis_ts_ns(date, hour.strip().zfill(6)[:4] + "00"), row)
        except ValueError:
            continue  # a row without a readable date and time is no bar
    times = sorted(by_time)
    values = bar_values([kis_int(by_time[ts].get("acml_tr_pbmn")) for ts in times])
    bars: list[Bar] = []
    for ts_ns, value in zip(times, values, strict=True):
        row = by_time[ts_ns]
        close = kis_int(row.get("stck_prpr"))
        if close <= 0:
            continue
        open_, high, low = (
            price if price > 0 else close
            for price in (kis_int(row.get(k)) for k in ("stck_oprc", "stck_hgpr", "stck_lwpr"))
        )
        bars.append(
            Bar(
                symbol=symbol,
                ts_ns=ts_ns,
                interval_s=60,
                open=open_,
                high=max(high, open_, close),
                low=min(low, open_, close),
                close=close,
                volume=max(kis_int(row.get("cntg_vol")), 0),
                value=value,
            )
        )
    return bars


def bar_values(reported: list[int]) -> list[int]:
    """Per-bar traded values (KRW) from `acml_tr_pbmn` of consecutive bars, oldest first:
    steps of a cumulative series, or the values themselves if the series ever decreases."""
    if any(later < earlier for earlier, later in itertools.pairwise(reported)):
        return reported
    return [0, *(later - earlier for earlier, later in itertools.pairwise(reported))][
        : len(reported)
    ]


class MinuteBackfill:
    """Fetches today's minute bars of symbols and writes them where `jts data` keeps bars."""

    def __init__(self, rest: KisRest, *, clock: Clock | None = None, market: str = "J") -> None:
        """`market`: FID_COND_MRKT_DIV_CODE — J KRX, NX Nextrade, UN consolidated (real only)."""
        self._rest = rest
        self._clock: Clock = clock if clock is not None else LiveClock()
        self._market = market

    async def fetch(self, symbol: str, *, start: str = "000000", end: str = "") -> list[Bar]:
        """Today's bars of `symbol` from `start` to `end` (HHMMSS KST; default now), oldest
        first. "Now" is the venue's: a cursor past it is answered from now (KIS.md §4.5), so
        the end of the day stands for it and our clock need not agree with the venue's."""
        cursor = end or _VENUE_NOW
        rows: list[dict[str, Any]] = []
        for _ in range(_MAX_PAGES):
            page = await self._page(symbol, cursor)
            if not page:
                break
            rows.extend(page)
            oldest = min(str(row.get("stck_cntg_hour", "")).zfill(6) for row in page)
            following = previous_minute(oldest)
            if oldest <= start or following >= cursor or len(page) < _PAGE_ROWS:
                break
            cursor = following
        start_key = start[:4]
        kept = [r for r in rows if str(r.get("stck_cntg_hour", "")).zfill(6)[:4] >= start_key]
        return minute_bars(symbol, kept)

    async def backfill(self, symbols: list[str], data_dir: Path | str) -> WriteStats:
        """Fetch every symbol's bars, then store them as `bars/1m` under `data_dir`."""
        bars: list[Bar] = []
        for symbol in symbols:
            bars.extend(await self.fetch(symbol))
        store = ParquetStore(data_dir)
        frame = BarFrame.from_bars(bars)
        return await asyncio.to_thread(store.write_bars, frame, interval="1m")

    async def _page(self, symbol: str, cursor: str) -> list[dict[str, Any]]:
        params = {
            "FID_ETC_CLS_CODE": "",
            "FID_COND_MRKT_DIV_CODE": self._market,
            "FID_INPUT_ISCD": symbol,
            "FID_INPUT_HOUR_1": cursor,
            "FID_PW_DATA_INCU_YN": "Y",
        }
        answer = await self._rest.get(Tr.MINUTE_CHART, params, priority=Priority.QUOTE)
        output = answer.output2
        return [row for row in output if isinstance(row, dict)] if isinstance(output, list) else []
