"""`jts run`: start the all-in-one system."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from rich.table import Table

from jts.cli.state import console, state
from jts.config import ServerSettings
from jts.core.clock import LiveClock
from jts.observability import configure_logging


def run(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Listen address (default: server.host).")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port (default: server.port).")] = None,
) -> None:
    """Start JTS in one process: message bus and HTTP server (health at /api/v1/health).

    Later releases add the simulated exchange, strategies and the dashboard to this command.
    """
    from jts.app import build_app, market_status  # heavy imports only for this command

    cli = state(ctx)
    settings = cli.settings()
    if host is not None or port is not None:
        server = ServerSettings(
            host=host or settings.server.host, port=port or settings.server.port
        )
        settings = settings.model_copy(update={"server": server})
    configure_logging(settings.log.level, json_format=settings.log.json_format)
    _print_schedule(market_status(LiveClock()))
    jts_app = build_app(settings)
    url = f"http://{settings.server.host}:{settings.server.port}"
    console.print(f"JTS is starting: health at {url}/api/v1/health — Ctrl-C stops it.")
    asyncio.run(jts_app.run_until_signalled())
    console.print("JTS stopped.")


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
