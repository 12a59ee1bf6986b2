"""First start: an admin account with a one-time password, and the local CLI's API key.

With no users at all, `first_admin` creates `admin` with a random password and returns it to
be printed once (never logged); `jts user create` is the non-interactive way. The CLI talks to
a running `jts run` with an admin API key kept in `var/secrets/cli.key` (mode 0600): whoever
can read that file can already read the database beside it, so it grants nothing new.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Final

from jts.gateway.auth.principal import Role
from jts.gateway.auth.users import UserStore
from jts.gateway.keyfile import write_private

CLI_USER: Final = "jts-cli"
CLI_KEY_FILE: Final = Path("secrets") / "cli.key"


def first_admin(users: UserStore) -> str | None:
    """The one-time password of a new `admin` when there were no users, else None."""
    if users.count() > 0:
        return None
    password = secrets.token_urlsafe(12)
    users.create("admin", password, Role.ADMIN)
    return password


def ensure_cli_key(users: UserStore, var: Path) -> str:
    """The CLI's API key in `var`, valid in `users` (created or replaced when it is not)."""
    path = var / CLI_KEY_FILE
    if path.is_file():
        key = path.read_text(encoding="ascii").strip()
        if users.check_api_key(key) is not None:
            return key
    user = users.by_username(CLI_USER)
    if user is None:
        user = users.create(CLI_USER, secrets.token_urlsafe(24), Role.ADMIN)
    _, key = users.create_api_key(user.id, "local command line")
    write_private(path, key + "\n")
    return key


def read_cli_key(var: Path) -> str | None:
    path = var / CLI_KEY_FILE
    return path.read_text(encoding="ascii").strip() if path.is_file() else None
