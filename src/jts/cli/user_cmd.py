"""`jts user`: manage the accounts that sign in to the API and the dashboard, offline.

Works on the database directly (the same one `jts run` uses: `--var` / `$JTS_VAR_DIR`, or
`database.url`), so it needs no running server: the way to create the first admin in scripts
and tests (`jts user create --username U --password P --role admin`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from jts.cli.state import console, state

if TYPE_CHECKING:
    from jts.gateway.auth.users import UserStore

app = typer.Typer(help="Users of the API and dashboard (create, list, set role or password).")

VarOption = Annotated[
    Path | None, typer.Option(envvar="JTS_VAR_DIR", help="State directory (default: ./var).")
]


def _users(ctx: typer.Context, var: Path | None) -> UserStore:
    from jts.app import gateway_database_url
    from jts.gateway.auth.users import UserStore
    from jts.storage import open_database

    directory = var or Path("var")
    url = gateway_database_url(state(ctx).settings(), directory)
    return UserStore(open_database(url))


@app.command("create")
def create_cmd(
    ctx: typer.Context,
    username: Annotated[str, typer.Option(help="3-64 letters, digits, '_', '.', '-'.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="8+ chars.")
    ],
    role: Annotated[str, typer.Option(help="viewer, trader or admin.")] = "viewer",
    var: VarOption = None,
) -> None:
    """Create a user (asks for the password when --password is not given)."""
    user = _users(ctx, var).create(username, password, role)
    console.print(f"created {user.username} ({user.role}), id {user.id}")


@app.command("list")
def list_cmd(ctx: typer.Context, var: VarOption = None) -> None:
    """Every user with its role and state."""
    table = Table("id", "username", "role", "state")
    for user in _users(ctx, var).all():
        table.add_row(str(user.id), user.username, str(user.role),
                      "disabled" if user.disabled else "active")  # fmt: skip
    console.print(table)


@app.command("set")
def set_cmd(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user to change.")],
    role: Annotated[str | None, typer.Option(help="New role.")] = None,
    password: Annotated[str | None, typer.Option(help="New password (signs out sessions).")] = None,
    disable: Annotated[
        bool | None, typer.Option("--disable/--enable", help="Lock or unlock the account.")
    ] = None,
    var: VarOption = None,
) -> None:
    """Change a user's role, password or enabled state."""
    from jts.core.errors import InvalidInput

    users = _users(ctx, var)
    user = users.by_username(username)
    if user is None:
        raise InvalidInput("username", f"no user {username!r}")
    changed = users.update(user.id, role=role, password=password, disabled=disable)
    console.print(
        f"{changed.username}: {changed.role}, {'disabled' if changed.disabled else 'active'}"
    )
