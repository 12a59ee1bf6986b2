"""The `jts` command line (Typer + Rich). `main` turns JTS errors into one clear line each."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

import jts
from jts.cli import (
    backtest_cmd,
    config_cmd,
    data_cmd,
    krx_cmd,
    oms_cmd,
    run_cmd,
    sim_cmd,
    strategy_cmd,
    user_cmd,
)
from jts.cli.state import CliState, err_console
from jts.core.errors import ConfigError, InvalidInput, JtsError

app = typer.Typer(
    name="jts",
    help="JTS: automated trading for Korean equities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(config_cmd.app, name="config")
app.add_typer(krx_cmd.app, name="krx")
app.add_typer(data_cmd.app, name="data")
app.add_typer(strategy_cmd.app, name="strategy")
app.add_typer(sim_cmd.app, name="sim")
app.add_typer(oms_cmd.app, name="oms")
app.add_typer(user_cmd.app, name="user")
app.command("run")(run_cmd.run)
backtest_cmd.register(app)


@app.callback()
def _global_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(help="Config file (default: $JTS_CONFIG, else ./jts.toml if present)."),
    ] = None,
    log_json: Annotated[
        bool | None,
        typer.Option("--log-json/--log-console", help="Log JSON lines or console text."),
    ] = None,
    log_level: Annotated[str | None, typer.Option(help="debug, info, warning or error.")] = None,
) -> None:
    ctx.obj = CliState(config=config, log_json=log_json, log_level=log_level)


@app.command("version")
def version() -> None:
    """Print the JTS version."""
    typer.echo(jts.__version__)


def main() -> None:
    """Console-script entry point: exit 2 for bad config or input, 1 for other JTS errors."""
    try:
        app()
    except ConfigError as exc:
        _fail("configuration error", exc, 2)
    except InvalidInput as exc:
        _fail("invalid input", exc, 2)
    except JtsError as exc:
        _fail("error", exc, 1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug of ours: say so in one line, keep the trace for debugging
        if os.environ.get("JTS_DEBUG"):
            raise
        err_console.print(
            f"[bold red]unexpected error:[/] {type(exc).__name__}: {escape(str(exc))}\n"
            "This is a bug in JTS; run again with JTS_DEBUG=1 for the full traceback.",
            highlight=False,
        )
        sys.exit(1)


def _fail(label: str, exc: Exception, code: int) -> None:
    err_console.print(f"[bold red]{label}:[/] {escape(str(exc))}", highlight=False)
    sys.exit(code)
