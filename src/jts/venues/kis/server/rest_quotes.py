"""Quote TRs of the simulator: current price, book, multi-price, daily and minute bars
(KIS.md §4.2-§4.5, §4.9).

Past daily bars come from the same synthetic generator as the simulated day (its base price
is yesterday's close there), today's bar and minute bars from the tape. Daily bars page by
date (≤100 rows, newest first); minute bars by `FID_INPUT_HOUR_1` (≤30 rows, newest first,
a cursor in the future clamps to now).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from jts.core.clock import kst_ns, to_kst
from jts.krx import trading_days
from jts.marketdata.synth.daily import daily_bars
from jts.marketdata.synth.intraday import minute_bars
from jts.venues.kis.protocol import Env
from jts.venues.kis.server.calls import Answer, Call, fail, ok
from jts.venues.kis.server.quotes import (
    asking_price_outputs,
    multi_price_row,
    price_output,
    rate,
)
from jts.venues.kis.server.tape import SymbolTape, sign_code

__all__ = [
    "asking_price",
    "daily_chart",
    "inquire_price",
    "minute_chart",
    "minute_chart_past",
    "multi_price",
]

DAILY_ROWS = 100
MINUTE_ROWS = 30
PAST_MINUTE_ROWS = 120
MULTI_MAX = 30
_HISTORY_DAYS = 1_500  # calendar days of history the W/M/Y bars look back at most


def _tape(call: Call, market_key: str = "FID_COND_MRKT_DIV_CODE", code_key: str = "FID_INPUT_ISCD"
          ) -> SymbolTape | Answer:  # fmt: skip
    division = call.arg(market_key, "J")
    allowed = ("J",) if call.env is Env.PAPER else ("J", "NX", "UN")
    if division not in allowed:
        return fail("OPSQ2001")
    tape = call.market.tape.get(call.arg(code_key).removeprefix("A"))
    return tape if tape is not None else fail("OPSQ2002")


def inquire_price(call: Call) -> Answer:
    tape = _tape(call)
    if isinstance(tape, Answer):
        return tape
    return ok(call, output=price_output(tape))


def asking_price(call: Call) -> Answer:
    tape = _tape(call)
    if isinstance(tape, Answer):
        return tape
    output1, output2 = asking_price_outputs(tape, call.market.clock.now_ns())
    return ok(call, output1=output1, output2=output2)


def multi_price(call: Call) -> Answer:
    rows: list[dict[str, Any]] = []
    for i in range(1, MULTI_MAX + 1):
        if not call.arg(f"FID_INPUT_ISCD_{i}"):
            continue
        tape = _tape(call, f"FID_COND_MRKT_DIV_CODE_{i}", f"FID_INPUT_ISCD_{i}")
        if isinstance(tape, Answer):
            return tape
        rows.append(multi_price_row(tape))
    return ok(call, output=rows)


def _date(text: str, default: date) -> date:
    try:
        return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return default


def _today_bar(tape: SymbolTape, day: date) -> dict[str, Any]:
    close = tape.price
    rules = tape.market.rules
    return {
        "stck_bsop_date": day.strftime("%Y%m%d"),
        "stck_oprc": tape.open or close, "stck_hgpr": tape.high or close,
        "stck_lwpr": tape.low or close, "stck_clpr": close,
        "acml_vol": tape.volume, "acml_tr_pbmn": tape.value,
        "prdy_vrss": close - tape.base,
        "prdy_vrss_sign": sign_code(close, tape.base, rules.upper, rules.lower),
        "flng_cls_code": "00", "prtt_rate": "0.00", "mod_yn": "N", "revl_issu_reas": "",
    }  # fmt: skip


def _past_bars(call: Call, tape: SymbolTape, start: date, end: date) -> list[dict[str, Any]]:
    """Synthetic daily bars of the trading days in [start, end] (all before today)."""
    days = trading_days(start, end)
    if not days:
        return []
    bars = daily_bars(
        call.market.universe, days[0], days[-1], seed=call.market.config.seed, symbols=[tape.code]
    )
    rows: list[dict[str, Any]] = []
    previous = None
    for i, day in enumerate(days):
        close = int(bars["close"][i])
        base = previous if previous is not None else int(bars["open"][i])
        rows.append({
            "stck_bsop_date": day.strftime("%Y%m%d"),
            "stck_oprc": int(bars["open"][i]), "stck_hgpr": int(bars["high"][i]),
            "stck_lwpr": int(bars["low"][i]), "stck_clpr": close,
            "acml_vol": int(bars["volume"][i]), "acml_tr_pbmn": int(bars["value"][i]),
            "prdy_vrss": close - base, "prdy_vrss_sign": sign_code(close, base, 10**12, 0),
            "flng_cls_code": "00", "prtt_rate": "0.00", "mod_yn": "N", "revl_issu_reas": "",
        })  # fmt: skip
        previous = close
    return rows


def _period_key(day: str, period: str) -> str:
    parsed = datetime.strptime(day, "%Y%m%d").date()
    if period == "W":
        year, week, _ = parsed.isocalendar()
        return f"{year}{week:02d}"
    return day[:6] if period == "M" else day[:4]


def _aggregate(rows: list[dict[str, Any]], period: str) -> list[dict[str, Any]]:
    """Daily rows (oldest first) folded into weeks, months or years (dated by the last day)."""
    out: list[dict[str, Any]] = []
    key = None
    for row in rows:
        k = _period_key(row["stck_bsop_date"], period)
        if k != key:
            out.append(dict(row))
            key = k
            continue
        bar = out[-1]
        bar["stck_hgpr"] = max(bar["stck_hgpr"], row["stck_hgpr"])
        bar["stck_lwpr"] = min(bar["stck_lwpr"], row["stck_lwpr"])
        bar["acml_vol"] += row["acml_vol"]
        bar["acml_tr_pbmn"] += row["acml_tr_pbmn"]
        bar["stck_clpr"], bar["stck_bsop_date"] = row["stck_clpr"], row["stck_bsop_date"]
    return out


def daily_chart(call: Call) -> Answer:
    tape = _tape(call)
    if isinstance(tape, Answer):
        return tape
    today = call.market.day
    period = call.arg("FID_PERIOD_DIV_CODE", "D") or "D"
    if period not in ("D", "W", "M", "Y"):
        return fail("OPSQ2002", "ERROR : INPUT INVALID_CHECK_PERIOD_DIV_CODE")
    end = min(_date(call.arg("FID_INPUT_DATE_2"), today), today)
    start = _date(call.arg("FID_INPUT_DATE_1"), end - timedelta(days=140))
    lookback = DAILY_ROWS * 2 if period == "D" else _HISTORY_DAYS
    start = max(start, end - timedelta(days=lookback))
    rows = _past_bars(call, tape, start, min(end, today - timedelta(days=1)))
    if start <= today <= end:
        rows.append(_today_bar(tape, today))
    if period != "D":
        rows = _aggregate(rows, period)
    newest = list(reversed(rows))[:DAILY_ROWS]
    summary = price_output(tape)
    summary["hts_kor_isnm"] = tape.name
    return ok(call, output1=summary, output2=newest)


def _cursor(call: Call, day: date, *, clamp: bool = True) -> int:
    """FID_INPUT_HOUR_1 on `day` as ns UTC; today's is clamped to now (a future cursor
    means now)."""
    now = call.market.clock.now_ns() if clamp else kst_ns(day, time(23, 59, 59))
    text = call.arg("FID_INPUT_HOUR_1")
    try:
        at = datetime.strptime(text.ljust(6, "0")[:6], "%H%M%S").time()
    except ValueError:
        return now
    return min(kst_ns(day, at), now)


def _minute_row(day: date, start_ns: int, o: int, h: int, low: int, c: int, v: int, value: int
                ) -> dict[str, Any]:  # fmt: skip
    return {
        "stck_bsop_date": day.strftime("%Y%m%d"),
        "stck_cntg_hour": to_kst(start_ns).strftime("%H%M00"),
        "stck_prpr": c, "stck_oprc": o, "stck_hgpr": h, "stck_lwpr": low,
        "cntg_vol": v, "acml_tr_pbmn": value,
    }  # fmt: skip


def _minute_summary(tape: SymbolTape) -> dict[str, Any]:
    price, rules = tape.price, tape.market.rules
    return {
        "stck_prpr": price, "prdy_vrss": price - tape.base,
        "prdy_vrss_sign": sign_code(price, tape.base, rules.upper, rules.lower),
        "prdy_ctrt": rate(price - tape.base, tape.base), "stck_prdy_clpr": tape.base,
        "acml_vol": tape.volume, "acml_tr_pbmn": tape.value, "hts_kor_isnm": tape.name,
    }  # fmt: skip


def minute_chart(call: Call) -> Answer:
    """Today's 1-minute bars: up to 30 ending at the cursor, newest first."""
    tape = _tape(call)
    if isinstance(tape, Answer):
        return tape
    cursor = _cursor(call, call.market.day)
    bars = [bar for bar in tape.minutes if bar.start_ns <= cursor][-MINUTE_ROWS:]
    rows = [
        _minute_row(call.market.day, b.start_ns, b.open, b.high, b.low, b.close, b.volume, b.value)
        for b in reversed(bars)
    ]
    return ok(call, output1=_minute_summary(tape), output2=rows)


def minute_chart_past(call: Call) -> Answer:
    """A past day's 1-minute bars (real only): up to 120 ending at the cursor, newest first,
    from the synthetic generator; today's come from the tape."""
    tape = _tape(call)
    if isinstance(tape, Answer):
        return tape
    day = _date(call.arg("FID_INPUT_DATE_1"), call.market.day)
    if day >= call.market.day:
        return minute_chart(call)
    if day not in trading_days(day, day):
        return ok(call, output1=_minute_summary(tape), output2=[])
    cursor = _cursor(call, day, clamp=False)
    frame = next(
        iter(minute_bars(call.market.universe, day, day, seed=call.market.config.seed,
                         symbols=[tape.code])),
        None,
    )  # fmt: skip
    rows: list[dict[str, Any]] = []
    if frame is not None:
        columns = [frame[n] for n in ("ts", "open", "high", "low", "close", "volume", "value")]
        picked = [i for i in range(len(frame)) if int(columns[0][i]) <= cursor]
        for i in reversed(picked[-PAST_MINUTE_ROWS:]):
            ts, o, h, low, c, v, value = (int(col[i]) for col in columns)
            rows.append(_minute_row(day, ts, o, h, low, c, v, value))
    return ok(call, output1=_minute_summary(tape), output2=rows)
