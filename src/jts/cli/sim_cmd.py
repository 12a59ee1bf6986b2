"""`jts sim ...`: the simulated KRX exchange with background order flow.

    jts sim day --symbols 50 --seed 0 --out var/sim/day1          as fast as it goes
    jts sim day --symbols 5 --date 2026-11-27 --pace-seconds 60 --out var/sim/slow
    jts sim kis --mode paper --codes 005930,000660          a KIS Open API look-alike

`day` writes trades.parquet (tick import format) and books.parquet under --out and prints one
JSON line (`jts.venues.sim.day.DaySummary`). The simulator is imported inside the command so
that `jts --help` stays fast.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import msgspec
import typer

from jts.core.clock import kst_today
from jts.core.errors import InvalidInput
from jts.krx import is_trading_day
from jts.krx.calendar import previous_trading_day

app = typer.Typer(help="The simulated KRX exchange: whole trading days with background agents.")


@app.callback()
def _sim() -> None:
    """Simulated KRX trading days (market makers, noise and momentum traders)."""


@app.command("day")
def day(
    out: Annotated[
        Path, typer.Option("--out", help="Directory for trades.parquet and books.parquet.")
    ],
    symbols: Annotated[
        int, typer.Option("--symbols", min=1, help="Synthetic instruments to simulate.")
    ] = 50,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of market and agents.")] = 0,
    date: Annotated[
        str | None,
        typer.Option(
            "--date", help="Trading day YYYY-MM-DD (default: the last one before today, KST)."
        ),
    ] = None,
    pace_seconds: Annotated[
        float | None,
        typer.Option(
            "--pace-seconds",
            min=0.001,
            help="Spread the day over this many wall seconds (default: as fast as possible).",
        ),
    ] = None,
) -> None:
    """Run one compressed trading day with agents; print its summary as one JSON line."""
    from jts.venues.sim.day import run_day

    summary = run_day(symbols, seed, _trading_day(date), out, pace_seconds=pace_seconds)
    typer.echo(msgspec.json.encode(summary).decode())


def _trading_day(text: str | None) -> dt.date:
    """The --date value as a KRX trading day; a usage error naming --date otherwise."""
    if text is None:
        return previous_trading_day(kst_today())
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date like 2026-11-27", param_hint="'--date'"
        ) from None
    try:
        trading = is_trading_day(day)
    except InvalidInput as exc:  # outside the calendar's range
        raise typer.BadParameter(exc.problem, param_hint="'--date'") from None
    if not trading:
        raise typer.BadParameter(f"{day} is not a KRX trading day", param_hint="'--date'")
    return day


_DEFAULT_PORTS = {"real": (9443, 21000), "paper": (29443, 31000)}


@app.command("kis")
def kis(
    mode: Annotated[str, typer.Option("--mode", help="real or paper (TR ids, limits, codes).")] = (
        "paper"
    ),
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    rest_port: Annotated[
        int | None, typer.Option("--rest-port", help="REST port (default 9443 real, 29443 paper).")
    ] = None,
    ws_port: Annotated[
        int | None, typer.Option("--ws-port", help="WebSocket port (default 21000 / 31000).")
    ] = None,
    accounts: Annotated[
        Path | None,
        typer.Option(
            "--accounts",
            help="TOML or JSON file with one table per account (docs/kis-simulator.md).",
        ),
    ] = None,
    appkey: Annotated[str | None, typer.Option("--appkey", help="One account's appkey.")] = None,
    appsecret: Annotated[str | None, typer.Option("--appsecret", help="Its appsecret.")] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Its account number, 12345678-01.")
    ] = None,
    hts_id: Annotated[str, typer.Option("--hts-id", help="Its HTS id (notice tr_key).")] = "demo",
    cash: Annotated[int, typer.Option("--cash", min=0, help="Its starting cash, KRW.")] = (
        100_000_000
    ),
    symbols: Annotated[int, typer.Option("--symbols", min=1, help="Universe size.")] = 20,
    codes: Annotated[
        str, typer.Option("--codes", help="Codes that must be in the universe: 005930,000660.")
    ] = "",
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of market and agents.")] = 0,
    date: Annotated[
        str | None, typer.Option("--date", help="Trading day YYYY-MM-DD (default: today's).")
    ] = None,
    start_time: Annotated[
        str, typer.Option("--start-time", help="Simulated KST start HH:MM[:SS], or 'now'.")
    ] = "09:00:30",
    speed: Annotated[
        float, typer.Option("--speed", min=0.0, help="Simulated seconds per wall second.")
    ] = 1.0,
    rate_limit: Annotated[
        int | None, typer.Option("--rate-limit", help="REST calls/s per appkey (20 real, 2 paper).")
    ] = None,
    ws_cap: Annotated[int, typer.Option("--ws-cap", min=1, help="Registrations/session.")] = 41,
    ping_interval: Annotated[
        float, typer.Option("--ping-interval", help="Seconds between PINGPONGs (0: none).")
    ] = 60.0,
    ping_strict: Annotated[
        int, typer.Option("--ping-strict", min=0, help="Close after N unanswered PINGPONGs.")
    ] = 0,
    drop_ws_every: Annotated[
        int, typer.Option("--drop-ws-every", min=0, help="Cut sessions every N data frames.")
    ] = 0,
    error_rate: Annotated[
        float,
        typer.Option("--error-rate", min=0.0, max=1.0, help="Share of REST calls → EGW00002."),
    ] = 0.0,
    latency_ms: Annotated[int, typer.Option("--latency-ms", min=0, help="Added REST latency.")] = 0,
) -> None:
    """Serve the KIS Open API (REST + WebSocket) on a simulated KRX market; Ctrl-C stops."""
    import asyncio

    from jts.venues.kis.protocol import Env
    from jts.venues.kis.server import KisSimConfig, KisSimulator, demo_account, load_accounts
    from jts.venues.kis.server.config import AccountSpec

    if mode not in _DEFAULT_PORTS:
        raise typer.BadParameter("must be real or paper", param_hint="'--mode'")
    env = Env(mode)
    if accounts is not None:
        specs = load_accounts(accounts)
    elif appkey or appsecret or account:
        if not (appkey and appsecret and account):
            raise typer.BadParameter("give --appkey, --appsecret and --account together")
        specs = (
            AccountSpec(
                appkey=appkey, appsecret=appsecret, account=account, hts_id=hts_id, cash=cash
            ),
        )
    else:
        specs = (demo_account(seed, env=env),)
    ports = _DEFAULT_PORTS[mode]
    config = KisSimConfig(
        accounts=specs,
        env=env,
        host=host,
        rest_port=ports[0] if rest_port is None else rest_port,
        ws_port=ports[1] if ws_port is None else ws_port,
        symbols=symbols,
        codes=tuple(c.strip() for c in codes.split(",") if c.strip()),
        seed=seed,
        day=_trading_day(date) if date else None,
        start_time=None if start_time == "now" else _clock_time(start_time),
        speed=speed,
        rate_limit=rate_limit,
        ws_cap=ws_cap,
        ping_interval_s=ping_interval,
        ping_strict=ping_strict,
        drop_ws_every=drop_ws_every,
        error_rate=error_rate,
        latency_ms=latency_ms,
    )

    async def serve() -> None:
        async with KisSimulator.start(config) as sim:
            typer.echo(
                f"KIS simulator ({env.value}) on {sim.market.day}, KST {sim.clock.kst():%H:%M:%S}"
            )
            typer.echo(f"REST {sim.rest_url}")
            typer.echo(f"WS   {sim.ws_url}")
            for spec in sim.accounts:
                typer.echo(
                    f"account {spec.account} hts_id {spec.hts_id} cash {spec.cash:,}\n"
                    f"  appkey    {spec.appkey}\n  appsecret {spec.appsecret}"
                )
            typer.echo("Ctrl-C stops.", err=False)
            await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        typer.echo("stopped")


def _clock_time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a time like 09:00", param_hint="'--start-time'"
        ) from None
