"""Users, their refresh tokens and their API keys, in the SQL database (`jts.storage`).

Methods are synchronous (SQLAlchemy sessions, argon2): routes call them from FastAPI's thread
pool. Refresh tokens rotate: each use revokes the token and issues the next of its family, and
presenting an already-used token revokes the whole family, since only a thief replays one.
API keys are `jts_<key_id>_<secret>`; the key id is public (shown in lists, in logs), the secret
is stored as a digest and shown once, at creation.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jts.core.clock import Clock, LiveClock
from jts.core.errors import InvalidInput
from jts.gateway.auth.passwords import hash_password, verify_dummy, verify_password
from jts.gateway.auth.principal import ROLE_SCOPES, Principal, Role, Scope
from jts.gateway.auth.tokens import REFRESH_TTL_S, digest, new_refresh_token
from jts.storage.models import ApiKeyRow, RefreshTokenRow, UserRow

USERNAME: Final = re.compile(r"^[A-Za-z0-9_.\-]{3,64}$")
API_KEY: Final = re.compile(r"^jts_([a-f0-9]{16})_([A-Za-z0-9_\-]{20,})$")
NS: Final = 1_000_000_000


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: Role
    disabled: bool
    handle: str
    created_ns: int


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    user_id: int
    name: str
    scopes: frozenset[Scope]
    created_ns: int
    last_used_ns: int | None
    revoked: bool


class UserStore:
    def __init__(self, engine: Engine, *, clock: Clock | None = None) -> None:
        self._engine = engine
        self._clock = clock or LiveClock()

    # --- users ---

    def create(self, username: str, password: str, role: Role | str) -> User:
        if not USERNAME.match(username):
            raise InvalidInput("username", "3-64 characters of letters, digits, '_', '.', '-'")
        role = _role(role)
        row = UserRow(
            username=username,
            password_hash=hash_password(password),
            role=str(role),
            handle=secrets.token_hex(16),
            disabled=False,
            created_ns=self._clock.now_ns(),
        )
        with Session(self._engine) as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                raise InvalidInput("username", f"{username!r} is taken") from None
            return _user(row)

    def count(self) -> int:
        with Session(self._engine) as session:
            return int(session.scalar(select(func.count()).select_from(UserRow)) or 0)

    def get(self, user_id: int) -> User | None:
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            return _user(row) if row is not None else None

    def by_username(self, username: str) -> User | None:
        with Session(self._engine) as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
            return _user(row) if row is not None else None

    def all(self) -> list[User]:
        with Session(self._engine) as session:
            return [_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.id))]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is right and the account enabled; constant-ish time."""
        with Session(self._engine) as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
            if row is None:
                verify_dummy(password)
                return None
            if not verify_password(row.password_hash, password) or row.disabled:
                return None
            return _user(row)

    def update(
        self,
        user_id: int,
        *,
        role: Role | str | None = None,
        disabled: bool | None = None,
        password: str | None = None,
    ) -> User:
        """Change a user; disabling or a new password also revokes its refresh tokens."""
        with Session(self._engine) as session:
            row = session.get(UserRow, user_id)
            if row is None:
                raise KeyError(user_id)
            if role is not None:
                row.role = str(_role(role))
            if disabled is not None:
                row.disabled = disabled
            if password is not None:
                row.password_hash = hash_password(password)
            if disabled or password is not None:
                self._revoke_user_tokens(session, user_id)
            session.commit()
            return _user(row)

    def delete(self, user_id: int) -> None:
        with Session(self._engine) as session:
            session.execute(delete(RefreshTokenRow).where(RefreshTokenRow.user_id == user_id))
            session.execute(delete(ApiKeyRow).where(ApiKeyRow.user_id == user_id))
            if session.execute(delete(UserRow).where(UserRow.id == user_id)).rowcount == 0:
                raise KeyError(user_id)
            session.commit()

    # --- refresh tokens ---

    def issue_refresh(self, user_id: int, family: str | None = None) -> str:
        token = new_refresh_token()
        now = self._clock.now_ns()
        with Session(self._engine) as session:
            session.add(
                RefreshTokenRow(
                    token_hash=digest(token),
                    user_id=user_id,
                    family=family or secrets.token_hex(16),
                    created_ns=now,
                    expires_ns=now + REFRESH_TTL_S * NS,
                    revoked_ns=None,
                )
            )
            session.commit()
        return token

    def rotate_refresh(self, token: str) -> tuple[User, str] | None:
        """Spend `token`: the user and the next token of its family, or None if it is not
        valid (unknown, expired, revoked, user disabled). Reuse revokes the family."""
        now = self._clock.now_ns()
        with Session(self._engine) as session:
            row = session.scalar(
                select(RefreshTokenRow).where(RefreshTokenRow.token_hash == digest(token))
            )
            if row is None:
                return None
            if row.revoked_ns is not None:
                session.execute(
                    update(RefreshTokenRow)
                    .where(RefreshTokenRow.family == row.family)
                    .where(RefreshTokenRow.revoked_ns.is_(None))
                    .values(revoked_ns=now)
                )
                session.commit()
                return None
            user = session.get(UserRow, row.user_id)
            if row.expires_ns <= now or user is None or user.disabled:
                return None
            row.revoked_ns = now
            family, user_id = row.family, row.user_id
            session.commit()
            found = _user(user)
        return found, self.issue_refresh(user_id, family)

    def revoke_refresh(self, token: str) -> bool:
        """Log out one session: revoke `token`'s family. False if it was unknown."""
        now = self._clock.now_ns()
        with Session(self._engine) as session:
            row = session.scalar(
                select(RefreshTokenRow).where(RefreshTokenRow.token_hash == digest(token))
            )
            if row is None:
                return False
            session.execute(
                update(RefreshTokenRow)
                .where(RefreshTokenRow.family == row.family)
                .where(RefreshTokenRow.revoked_ns.is_(None))
                .values(revoked_ns=now)
            )
            session.commit()
            return True

    def _revoke_user_tokens(self, session: Session, user_id: int) -> None:
        session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.user_id == user_id)
            .where(RefreshTokenRow.revoked_ns.is_(None))
            .values(revoked_ns=self._clock.now_ns())
        )

    # --- API keys ---

    def create_api_key(
        self, user_id: int, name: str, scopes: set[Scope] | None = None
    ) -> tuple[ApiKey, str]:
        """A new key and its full secret text (shown once; only its digest is kept)."""
        user = self.get(user_id)
        if user is None:
            raise KeyError(user_id)
        allowed = ROLE_SCOPES[user.role]
        wanted = frozenset(scopes) if scopes else allowed
        if not wanted <= allowed:
            extra = ", ".join(sorted(wanted - allowed))
            raise InvalidInput("scopes", f"a {user.role} cannot grant {extra}")
        if not 1 <= len(name) <= 64:
            raise InvalidInput("name", "1-64 characters")
        key_id = secrets.token_hex(8)
        secret = f"jts_{key_id}_{secrets.token_urlsafe(32)}"
        row = ApiKeyRow(
            key_id=key_id,
            secret_hash=digest(secret),
            user_id=user_id,
            name=name,
            scopes=" ".join(sorted(wanted)),
            created_ns=self._clock.now_ns(),
            last_used_ns=None,
            revoked_ns=None,
        )
        with Session(self._engine) as session:
            session.add(row)
            session.commit()
            return _api_key(row), secret

    def check_api_key(self, secret: str) -> Principal | None:
        """The principal for a valid key text; None for a malformed, unknown or revoked key."""
        match = API_KEY.match(secret)
        if match is None:
            return None
        with Session(self._engine) as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_id == match.group(1)))
            if row is None or row.revoked_ns is not None:
                return None
            if not secrets.compare_digest(row.secret_hash, digest(secret)):
                return None
            user = session.get(UserRow, row.user_id)
            if user is None or user.disabled:
                return None
            role = Role(user.role)
            scopes = frozenset(Scope(s) for s in row.scopes.split()) & ROLE_SCOPES[role]
            row.last_used_ns = self._clock.now_ns()
            session.commit()
            return Principal(user.id, user.username, role, scopes or frozenset(), row.key_id)

    def api_keys(self, user_id: int | None = None) -> list[ApiKey]:
        with Session(self._engine) as session:
            query = select(ApiKeyRow).order_by(ApiKeyRow.id)
            if user_id is not None:
                query = query.where(ApiKeyRow.user_id == user_id)
            return [_api_key(row) for row in session.scalars(query)]

    def revoke_api_key(self, key_id: str, *, user_id: int | None = None) -> ApiKey:
        """Revoke a key (only the owner's when `user_id` is given). KeyError if not found."""
        with Session(self._engine) as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_id == key_id))
            if row is None or (user_id is not None and row.user_id != user_id):
                raise KeyError(key_id)
            if row.revoked_ns is None:
                row.revoked_ns = self._clock.now_ns()
            session.commit()
            return _api_key(row)


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidInput("role", f"{role!r} is not one of viewer, trader, admin") from None


def _user(row: UserRow) -> User:
    return User(row.id, row.username, Role(row.role), row.disabled, row.handle, row.created_ns)


def _api_key(row: ApiKeyRow) -> ApiKey:
    return ApiKey(
        key_id=row.key_id,
        user_id=row.user_id,
        name=row.name,
        scopes=frozenset(Scope(s) for s in row.scopes.split()),
        created_ns=row.created_ns,
        last_used_ns=row.last_used_ns,
        revoked=row.revoked_ns is not None,
    )
