"""`jts config ...`: inspect the effective configuration."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from jts.cli.state import console, state
from jts.config import config_path, masked_dict

app = typer.Typer(help="Inspect the configuration (jts.toml + JTS_* environment variables).")


@app.command("show")
def show(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON, not TOML-like text.")
    ] = False,
) -> None:
    """Print the effective configuration, secrets masked."""
    cli = state(ctx)
    data = masked_dict(cli.settings())
    if as_json:
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    source = config_path(cli.config)
    console.print(f"# effective configuration (file: {source or 'none, defaults'})", style="dim")
    _print_table(data, prefix="")


def _print_table(data: dict[str, object], prefix: str) -> None:
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    for key, value in scalars.items():
        console.print(f"{key} = {_toml_value(value)}", markup=False, highlight=False)
    for key, value in data.items():
        if isinstance(value, dict):
            name = f"{prefix}{key}"
            console.print(f"\n[{name}]", markup=False, highlight=False)
            _print_table(value, prefix=f"{name}.")


def _toml_value(value: object) -> str:
    if value is None:
        return "# (not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)
