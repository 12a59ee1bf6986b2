"""The `jts` command line (Typer + Rich). `main` turns JTS errors into one clear line each."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

import jts
from jts.cli import config_cmd, krx_cmd, run_cmd
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
app.command("run")(run_cmd.run)


@app.callback()
def _global_options(
    ctx: typer.Context,
    config: Path | None = typer.Option(
        None, "--config", help="Config file (default: $JTS_CONFIG, else ./jts.toml if present)."
    ),
    log_json: bool | None = typer.Option(
        None, "--log-json/--log-console", help="Log JSON lines (machines) or console text."
    ),
    log_level: str | None = typer.Option(None, help="debug, info, warning or error."),
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
        err_console.print(f"[bold red]configuration error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(2)
    except InvalidInput as exc:
        err_console.print(f"[bold red]invalid input:[/] {escape(str(exc))}", highlight=False)
        sys.exit(2)
    except JtsError as exc:
        err_console.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
