"""`jts run`: start the all-in-one system: paper trading on the simulated KRX exchange (a
synthetic market with background agents and the demo strategy) and the HTTP server."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from jts.cli.state import console, state
from jts.config import ServerSettings
from jts.core.clock import LiveClock, kst_today
from jts.observability import configure_logging


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
) -> None:
    """Start JTS in one process: a simulated KRX day trading the demo strategy (paper account),
    the message bus and the HTTP server (health at /api/v1/health). Ctrl-C stops it cleanly.
    """
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
    text, python = DEMO_STRATEGY, None
    if strategy is not None and strategy.suffix == ".py":
        from jts.backtest.api import python_strategy

        if not strategy.is_file():
            raise typer.BadParameter(f"{strategy} does not exist", param_hint="--strategy")
        python = python_strategy(strategy)
    elif strategy is not None:
        text = _read(strategy)
    service = None
    if paper:
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
    stop = service.finished if service is not None and duration is not None else None
    asyncio.run(jts_app.run_until_signalled(stop))
    if service is not None and duration is not None:
        print(json.dumps(service.summary()))
    else:
        console.print("JTS stopped.")


def _announce_admin(password: str) -> None:
    """First start: the one-time admin password, shown once (never logged)."""
    console.print(
        "[bold]First start: created user [cyan]admin[/cyan] with password "
        f"[yellow]{password}[/yellow][/bold] — sign in and change it "
        "(POST /api/v1/auth/password), or create users with `jts user create`."
    )


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
