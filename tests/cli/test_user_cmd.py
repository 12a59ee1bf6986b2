"""`jts user`: create the first admin non-interactively, list, change role and password."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from jts.cli import app
from jts.gateway.auth.users import UserStore
from jts.storage import open_database

runner = CliRunner()


def _users(var: Path) -> UserStore:
    return UserStore(open_database(f"sqlite:///{var.resolve()}/jts.db"))


def test_create_list_and_change_users(tmp_path: Path) -> None:
    var = tmp_path / "var"
    made = runner.invoke(
        app,
        ["user", "create", "--username", "ops", "--password", "long enough pw", "--role", "admin",
         "--var", str(var)],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "created ops (admin)" in made.output
    assert _users(var).authenticate("ops", "long enough pw") is not None
    listed = runner.invoke(app, ["user", "list", "--var", str(var)])
    assert "ops" in listed.output
    assert "admin" in listed.output
    changed = runner.invoke(
        app, ["user", "set", "ops", "--role", "viewer", "--disable", "--var", str(var)]
    )
    assert "ops: viewer, disabled" in changed.output
    assert _users(var).authenticate("ops", "long enough pw") is None


def test_bad_input_is_one_clear_line(tmp_path: Path) -> None:
    var = str(tmp_path / "var")
    short = runner.invoke(
        app, ["user", "create", "--username", "ops", "--password", "short", "--var", var]
    )
    assert short.exit_code != 0
    assert "at least 8 characters" in str(short.exception)
    role = runner.invoke(
        app,
        ["user", "create", "--username", "ops", "--password", "long enough pw", "--role", "boss",
         "--var", var],
    )  # fmt: skip
    assert "viewer, trader, admin" in str(role.exception)
