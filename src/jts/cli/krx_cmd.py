"""`jts krx ...`: the exchange rules for people (ticks, limits, costs, calendar)."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from typing import Annotated

import typer
from rich.table import Table

from jts.cli.state import console, parse_date, state
from jts.core.clock import kst_today
from jts.core.enums import InstrumentKind, Market, Side
from jts.core.errors import InvalidInput
from jts.krx import (
    holidays,
    is_trading_day,
    price_limits,
    round_to_tick,
    sessions,
    settlement_date,
    tick_size,
    trade_costs,
)

app = typer.Typer(help="KRX market rules: ticks, daily limits, costs and the trading calendar.")


@app.callback()
def _load_rules(ctx: typer.Context) -> None:
    """Load the configuration first: it may name a calendar override file."""
    state(ctx).settings()


Etf = Annotated[bool, typer.Option("--etf", help="Use the ETF/ETN tick table.")]
On = Annotated[
    str | None,
    typer.Option("--on", help="Rules in force on this date (YYYY-MM-DD; default today)."),
]
MarketOpt = Annotated[Market, typer.Option(help="KOSPI, KOSDAQ or KONEX.")]


@app.command("tick")
def tick(price: int, etf: Etf = False, on: On = None) -> None:
    """Tick size at PRICE (KRW), and the nearest valid prices around it."""
    day = parse_date(on) if on else None
    step = tick_size(price, etf=etf, on=day)
    down = round_to_tick(price, mode="down", etf=etf, on=day)
    up = round_to_tick(price, mode="up", etf=etf, on=day)
    valid = "valid" if down == price else f"not valid: {down:,} below, {up:,} above"
    console.print(f"tick at {price:,} KRW = {step:,} KRW ({valid})")


@app.command("limits")
def limits(
    base_price: int,
    etf: Etf = False,
    market: MarketOpt = Market.KOSPI,
    leverage: Annotated[int, typer.Option(help="Leverage of a leveraged ETF (band × it).")] = 1,
) -> None:
    """Daily lower and upper price limits from BASE_PRICE (normally yesterday's close)."""
    lower, upper = price_limits(base_price, etf=etf, market=market, leverage=leverage)
    console.print(
        f"base {base_price:,} → lower {lower:,} ({_pct(lower, base_price)}), "
        f"upper {upper:,} ({_pct(upper, base_price)})"
    )


@app.command("costs")
def costs(
    ctx: typer.Context,
    side: Side,
    qty: int,
    price: int,
    trade_date: Annotated[
        str | None, typer.Argument(help="YYYY-MM-DD (default: today, KST).")
    ] = None,
    market: MarketOpt = Market.KOSPI,
    kind: Annotated[InstrumentKind, typer.Option(help="stock, etf, etn or reit.")] = (
        InstrumentKind.STOCK
    ),
) -> None:
    """Commission and sell tax (int KRW) of trading QTY shares at PRICE on TRADE_DATE."""
    day = parse_date(trade_date) if trade_date else kst_today()
    rate = state(ctx).settings().krx.commission_rate
    result = trade_costs(side, qty, price, day, market, commission_rate=rate, kind=kind)
    table = Table(title=f"{side} {qty:,} × {price:,} KRW on {day} ({market}, {kind})")
    table.add_column("item")
    table.add_column("KRW", justify="right")
    table.add_row("traded value", f"{qty * price:,}")
    table.add_row(f"commission ({rate * 100:.7f}%)", f"{result.commission:,}")
    table.add_row(f"sell tax (settles {settlement_date(day)})", f"{result.tax:,}")
    table.add_row("total costs", f"{result.total:,}")
    console.print(table)


@app.command("calendar")
def calendar(month: Annotated[str, typer.Argument(help="YYYY-MM")]) -> None:
    """Trading days, closures and session times of one month."""
    year, number = _month(month)
    closures = dict(holidays(year))
    table = Table(title=f"KRX {year}-{number:02d}")
    for column in ("date", "day", "status", "sessions (KST)"):
        table.add_column(column)
    for day in _days_of(year, number):
        status, detail = _day_status(day, closures)
        table.add_row(day.isoformat(), day.strftime("%a"), status, detail)
    console.print(table)


def _day_status(day: dt.date, closures: dict[dt.date, str]) -> tuple[str, str]:
    if not is_trading_day(day):
        if day.weekday() >= 5:
            return "[dim]weekend[/]", ""
        return "[red]closed[/]", closures.get(day, "")
    by_phase = {str(s.phase): s for s in sessions(day)}
    opening, closing = by_phase.get("continuous"), by_phase.get("closing_auction")
    if opening is None or closing is None:
        return "open", ""
    hours = f"regular {opening.start:%H:%M}-{closing.end:%H:%M}"
    late = opening.start > dt.time(9, 0)
    return ("[yellow]late open[/]" if late else "open"), hours


def _days_of(year: int, month: int) -> list[dt.date]:
    last = month_calendar.monthrange(year, month)[1]
    return [dt.date(year, month, day) for day in range(1, last + 1)]


def _month(text: str) -> tuple[int, int]:
    try:
        parsed = dt.datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise InvalidInput("month", f"{text!r} is not a month like 2026-11") from None
    return parsed.year, parsed.month


def _pct(price: int, base: int) -> str:
    return f"{(price - base) / base * 100:+.2f}%"
