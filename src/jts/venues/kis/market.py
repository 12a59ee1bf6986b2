"""What a live session needs of KIS beyond the `Venue` contract: the instruments of the codes
it trades (name, market, the day's reference price) and an order book for the symbol page.

Names come from the multi-symbol price inquiry (30 codes a request); the market (KOSPI or
KOSDAQ: tax and price-band rules differ) and the reference price `stck_sdpr` from each code's
current-price inquiry. Books are read over REST on demand and kept a second: the symbol page
asks about once a second, and a WebSocket book registration per watched symbol would take
slots the trade feeds need.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from jts.core.clock import Clock, FollowingClock, LiveClock
from jts.core.enums import Market
from jts.core.errors import InvalidInput, VenueUnavailable
from jts.core.models import BookLevel, BookUpdate, Instrument
from jts.venues.kis.account import kis_int, kis_ts_ns
from jts.venues.kis.errors import KisRefused
from jts.venues.kis.protocol.trs import Tr
from jts.venues.kis.rest import KisRest
from jts.venues.kis.venue_gap import refresh_book

__all__ = ["KisMarket", "market_of"]

MULTI_MAX = 30
"""Codes one multi-price inquiry takes (KIS.md §4.9)."""


def market_of(name: str) -> Market:
    """KIS's `rprs_mrkt_kor_name` ("KOSPI200", "KOSDAQ", "KOSDAQ150", "KONEX") → `Market`."""
    upper = name.upper()
    if "KOSDAQ" in upper:
        return Market.KOSDAQ
    if "KONEX" in upper:
        return Market.KONEX
    return Market.KOSPI


class KisMarket:
    """Instruments and books of one KIS connection (`jts.trading.live.MarketSource`)."""

    def __init__(self, rest: KisRest, *, clock: Clock | None = None, book_ttl_s: float = 1.0):
        self.rest = rest
        self.clock = clock or LiveClock()
        self.book_ttl_ns = int(book_ttl_s * 1e9)
        self._books: dict[str, BookUpdate] = {}
        self._asked: dict[str, int] = {}
        self._refreshing: set[asyncio.Task[None]] = set()

    async def instruments(
        self, codes: Sequence[str]
    ) -> tuple[dict[str, Instrument], dict[str, int]]:
        names: dict[str, str] = {}
        for start in range(0, len(codes), MULTI_MAX):
            names.update(await self._names(codes[start : start + MULTI_MAX]))
        unknown = [code for code in codes if code not in names]
        if unknown:
            raise InvalidInput("symbols", f"KIS knows no such code: {', '.join(unknown)}")
        if isinstance(self.clock, FollowingClock) and codes:
            await self._sync_clock(codes[0])
        instruments: dict[str, Instrument] = {}
        base: dict[str, int] = {}
        for code in codes:
            answer = await self.rest.get(
                Tr.PRICE, {"FID_COND_MRKT_DIV_CODE": "J", "FID_INPUT_ISCD": code}
            )
            output: dict[str, Any] = answer.output if isinstance(answer.output, dict) else {}
            market = market_of(str(output.get("rprs_mrkt_kor_name", "")))
            instruments[code] = Instrument(symbol=code, name=names[code], market=market)
            base[code] = kis_int(output.get("stck_sdpr")) or kis_int(output.get("stck_prpr"))
        return instruments, base

    async def _names(self, codes: Sequence[str]) -> dict[str, str]:
        """Korean names of `codes` by one multi-price inquiry; a refusal (an unknown code in
        the batch) falls back to asking code by code, so the error can name the bad ones."""
        params: dict[str, str] = {}
        for i, code in enumerate(codes, start=1):
            params[f"FID_COND_MRKT_DIV_CODE_{i}"] = "J"
            params[f"FID_INPUT_ISCD_{i}"] = code
        try:
            answer = await self.rest.get(Tr.MULTI_PRICE, params)
        except KisRefused:
            if len(codes) == 1:
                return {}
            found: dict[str, str] = {}
            for code in codes:
                found.update(await self._names([code]))
            return found
        rows = answer.output if isinstance(answer.output, list) else []
        return {
            str(row.get("inter_shrn_iscd", "")): str(row.get("inter_kor_isnm", "")).strip()
            or str(row.get("inter_shrn_iscd", ""))
            for row in rows
            if isinstance(row, dict)
        }

    async def _sync_clock(self, code: str) -> None:
        """Set a `FollowingClock` from the venue's latest minute bar (date and time), so that
        the session's trading day and its first inquiries are the venue's before any trade
        arrives; nothing when no bar printed yet today (the clock then waits for one)."""
        params = {
            "FID_ETC_CLS_CODE": "",
            "FID_COND_MRKT_DIV_CODE": "J",
            "FID_INPUT_ISCD": code,
            "FID_INPUT_HOUR_1": "235959",  # later than now: KIS answers from now
            "FID_PW_DATA_INCU_YN": "N",
        }
        answer = await self.rest.get(Tr.MINUTE_CHART, params)
        rows = answer.output2 if isinstance(answer.output2, list) else []
        newest = rows[0] if rows and isinstance(rows[0], dict) else {}
        day, hour = str(newest.get("stck_bsop_date", "")), str(newest.get("stck_cntg_hour", ""))
        clock = self.clock
        if isinstance(clock, FollowingClock) and len(day) == 8 and hour.strip().isdigit():
            clock.observe(kis_ts_ns(day, hour))

    def book(self, symbol: str, levels: int) -> tuple[Sequence[BookLevel], Sequence[BookLevel]]:
        """The last book read for `symbol` (empty until the first read lands); asks for a new
        one when it is older than the time to live."""
        now = self.clock.now_ns()
        if now - self._asked.get(symbol, 0) >= self.book_ttl_ns:
            self._asked[symbol] = now
            with contextlib.suppress(RuntimeError):  # no running loop: nothing to refresh
                task = asyncio.get_running_loop().create_task(self._refresh(symbol))
                self._refreshing.add(task)
                task.add_done_callback(self._refreshing.discard)
        book = self._books.get(symbol)
        if book is None:
            return (), ()
        return book.bids[:levels], book.asks[:levels]

    def observe(self, event: object) -> None:
        """Keep books the venue streams (a node observer)."""
        if isinstance(event, BookUpdate):
            self._books[event.symbol] = event

    async def _refresh(self, symbol: str) -> None:
        with contextlib.suppress(VenueUnavailable, KisRefused):
            book = await refresh_book(self.rest, symbol, self.clock)
            if book is not None:
                self._books[symbol] = book
