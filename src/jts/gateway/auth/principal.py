"""Who is calling: roles, their permissions, and the `Principal` every guarded route receives.

Three roles, each including the one below: a viewer reads; a trader also places orders and
runs strategies; an admin also manages users, risk limits and resets the kill switch. An API
key carries scopes, a subset of its owner's permissions, so a bot can be read-only even when
its owner is an admin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final


class Role(StrEnum):
    VIEWER = "viewer"
    TRADER = "trader"
    ADMIN = "admin"


class Scope(StrEnum):
    """What a request may do; each role grants a fixed set (`ROLE_SCOPES`)."""

    READ = "read"
    TRADE = "trade"
    ADMIN = "admin"


ROLE_SCOPES: Final[dict[Role, frozenset[Scope]]] = {
    Role.VIEWER: frozenset({Scope.READ}),
    Role.TRADER: frozenset({Scope.READ, Scope.TRADE}),
    Role.ADMIN: frozenset({Scope.READ, Scope.TRADE, Scope.ADMIN}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a user by access token, or a user's API key (`key_id` set)."""

    user_id: int
    username: str
    role: Role
    scopes: frozenset[Scope] = field(default=frozenset())
    key_id: str | None = None

    def __post_init__(self) -> None:
        if not self.scopes:
            object.__setattr__(self, "scopes", ROLE_SCOPES[self.role])

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes

    @property
    def rate_key(self) -> str:
        """The bucket its requests count against: per user, whichever way it signed in."""
        return f"user:{self.user_id}"
