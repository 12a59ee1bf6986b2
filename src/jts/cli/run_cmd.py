"""`jts run`: start the all-in-one system: paper trading on the simulated KRX exchange (a
synthetic market with background agents and the demo strategy) and the HTTP server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from jts.cli.state import console, state
from jts.config import ServerSettings
from jts.core.clock import LiveClock, kst_today
from jts.observability import configure_logging

if TYPE_CHECKING:
    from jts.trading.control import TradingService


def run(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Listen address (default: server.host).")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (default: server.port).")] = None,
    speed: Annotated[
        float,
        typer.Option(min=0.01, help="Simulated seconds per wall second (60 = a minute a second)."),
    ] = 1.0,
    duration: Annotated[
        float | None,
        typer.Option(min=0.1, help="Stop after this many wall seconds and print one JSON line."),
    ] = None,
    symbols: Annotated[int, typer.Option(min=1, help="Synthetic instruments on the market.")] = 200,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic market and its agents.")] = 0,
    cash: Annotated[int, typer.Option(min=1, help="Cash of the paper account, KRW.")] = 100_000_000,
    strategy: Annotated[
        Path | None,
        typer.Option(help="A .jts file or a Python-API .py file to trade (default: the demo)."),
    ] = None,
    var: Annotated[
        Path | None,
        typer.Option(envvar="JTS_VAR_DIR", help="State directory (default: ./var)."),
    ] = None,
    paper: Annotated[
        bool, typer.Option(help="Run paper trading (--no-paper: server only).")
    ] = True,
    venue: Annotated[
        str,
        typer.Option(help="sim: the simulated KRX market; kis: Korea Investment & Securities."),
    ] = "sim",
    mode: Annotated[
        str | None,
        typer.Option(help="KIS account kind: paper or real (default: kis.mode of the config)."),
    ] = None,
    codes: Annotated[
        str | None,
        typer.Option(help="Codes a KIS session trades, comma-separated (default: kis.symbols)."),
    ] = None,
) -> None:
    """Start JTS in one process: a simulated KRX day trading the demo strategy (paper account),
    the message bus and the HTTP server (health at /api/v1/health). Ctrl-C stops it cleanly.

    With --venue kis the strategy trades a KIS account instead (set [kis] in the config or
    JTS_KIS__* variables; point kis.rest_url/ws_url at `jts sim kis` for a rehearsal).
    """
    if venue not in ("sim", "kis"):
        raise typer.BadParameter(f"{venue!r} is not sim or kis", param_hint="--venue")
    if mode not in (None, "paper", "real"):
        raise typer.BadParameter(f"{mode!r} is not paper or real", param_hint="--mode")
    from jts.app import build_app, market_status  # heavy imports only for this command
    from jts.trading.paper import demo_day
    from jts.trading.service import DEMO_STRATEGY, PaperConfig, PaperTrading

    cli = state(ctx)
    settings = cli.settings()
    if host is not None or port is not None:
        server = ServerSettings(
            host=host or settings.server.host, port=port or settings.server.port
        )
        settings = settings.model_copy(update={"server": server})
    configure_logging(settings.log.level, json_format=settings.log.json_format)
    var = var or Path("var")
    var.mkdir(parents=True, exist_ok=True)
    text, python = _strategy(strategy, DEMO_STRATEGY)
    service: TradingService | None = None
    if venue == "kis":
        service = _kis_service(settings, mode, codes, text, python, cash, var)
    elif paper:
        config = PaperConfig(
            day=demo_day(kst_today()), symbols=symbols, seed=seed, cash=cash, speed=speed,
            strategy=text, python=python, freeze_gc=True,
        )  # fmt: skip
        service = PaperTrading(config, duration_s=duration, var=var)
    if duration is None:
        _print_schedule(market_status(LiveClock()))
    jts_app = build_app(settings, trading=service, var=var, announce=_announce_admin)
    url = f"http://{settings.server.host}:{settings.server.port}"
    if duration is None:
        console.print(f"JTS is starting: health at {url}/api/v1/health — Ctrl-C stops it.")
    stop = None
    if isinstance(service, PaperTrading) and duration is not None:
        stop = service.finished
    asyncio.run(_serve(jts_app, stop, duration))
    if service is not None and duration is not None:
        print(json.dumps(service.summary()))
    else:
        console.print("JTS stopped.")


async def _serve(jts_app: Any, stop: asyncio.Event | None, duration: float | None) -> None:
    """Run until signalled, until `stop` is set, or for `duration` wall seconds."""
    stop = stop or asyncio.Event()
    if duration is not None:
        asyncio.get_running_loop().call_later(duration, stop.set)
    await jts_app.run_until_signalled(stop)


DEMO_CODES = ("005930", "000660", "373220", "207940", "005380",
              "000270", "068270", "035420", "105560", "055550")  # fmt: skip
"""Ten large KOSPI listings a KIS session trades when no codes are configured."""


def _kis_service(
    settings: Any, mode: str | None, codes: str | None, text: str, python: Any, cash: int,
    var: Path,
) -> TradingService:  # fmt: skip
    """`LiveTrading` on a `KisVenue` from the [kis] settings."""
    from jts.core.clock import FollowingClock
    from jts.core.errors import ConfigError
    from jts.trading.live import LiveConfig, LiveTrading
    from jts.venues.kis.config import KisConfig
    from jts.venues.kis.market import KisMarket
    from jts.venues.kis.venue import KisVenue

    kis = settings.kis
    if mode is not None:
        kis = kis.model_copy(update={"mode": mode})
    if kis.token_dir == type(kis)().token_dir:
        kis = kis.model_copy(update={"token_dir": var / "kis"})
    try:
        config = KisConfig.from_settings(kis)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="[kis] settings") from None
    chosen = [c.strip() for c in codes.split(",")] if codes else list(kis.symbols or DEMO_CODES)
    if not all(c.isalnum() and len(c) in (6, 7) for c in chosen):
        raise typer.BadParameter(f"not stock codes: {codes}", param_hint="--codes")
    if not config.paper:
        console.print("[bold red]REAL MONEY: orders go to a real KIS account.[/bold red]")
    clock = FollowingClock()  # the venue's time: a simulator's market may run at another hour
    kis_venue = KisVenue(config, clock=clock)
    live = LiveConfig(
        account=config.account, symbols=tuple(chosen), strategy=text, python=python, cash=cash,
        venue="kis",
    )  # fmt: skip
    market = KisMarket(kis_venue.rest, clock=clock)
    return LiveTrading(live, kis_venue, market, var=var, clock=clock)


def _announce_admin(password: str) -> None:
    """First start: the one-time admin password, shown once (never logged)."""
    console.print(
        "[bold]First start: created user [cyan]admin[/cyan] with password "
        f"[yellow]{password}[/yellow][/bold] — sign in and change it "
        "(POST /api/v1/auth/password), or create users with `jts user create`."
    )


def _strategy(path: Path | None, demo: str) -> tuple[str, Any]:
    """(text, None) of a .jts file, (demo, strategy) of a Python-API .py file, (demo, None)."""
    if path is not None and path.suffix == ".py":
        from jts.backtest.api import python_strategy

        if not path.is_file():
            raise typer.BadParameter(f"{path} does not exist", param_hint="--strategy")
        return demo, python_strategy(path)
    return (_read(path) if path is not None else demo), None


def _read(path: Path) -> str:
    if path.suffix != ".jts" or not path.is_file():
        raise typer.BadParameter(
            f"{path} is not a .jts strategy file (or a Python-API .py file)",
            param_hint="--strategy",
        )
    return path.read_text(encoding="utf-8")


def _print_schedule(status: dict[str, Any]) -> None:
    market = status["market"]
    if not market["trading_day"]:
        console.print(f"KRX is closed today ({market['date']}, KST).")
        return
    table = Table(title=f"KRX sessions today, {market['date']} (KST)")
    table.add_column("phase")
    table.add_column("start")
    table.add_column("end")
    for item in market["sessions"]:
        table.add_row(item["phase"], item["start"], item["end"])
    console.print(table)
    console.print(f"Now: {market['phase']}")
