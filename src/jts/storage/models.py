"""The order database's tables, as SQLAlchemy 2 typed declarative models.

One schema for SQLite (embedded) and PostgreSQL (servers). Money and prices are integer KRW,
quantities integer shares, times integer ns UTC in BIGINT columns; enums are stored as their
lowercase string values (the same text as in JSON and on the bus, never locale-dependent).
The migrations in `jts.storage.migrations` create exactly these tables; a test compares them.

Each table has a surrogate `id` whose order is the order rows were first written: orders load
in submission order and fills in arrival order by it (the journal writes them in that order,
and an upsert keeps a row's id), which the position book's replay depends on.
"""

from __future__ import annotations

import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# SQLite only auto-numbers an INTEGER PRIMARY KEY (the rowid), so BIGINT there is INTEGER;
# SQLite's INTEGER is 64-bit anyway.
_ID = BigInteger().with_variant(Integer(), "sqlite")


NAMING = {
    "pk": "pk_%(table_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(referred_table_name)s",
}
"""Constraint names fixed by rule, so a later migration can name what it alters on both
backends (PostgreSQL and SQLite would otherwise invent different names, or none)."""


class Base(DeclarativeBase):
    """Declarative base of the order database; `Base.metadata` is the migrations' target."""

    metadata = MetaData(naming_convention=NAMING)


class OrderRow(Base):
    """An order's latest state: the request's fields flattened, plus status and fill progress.

    Unique per (account, client_order_id): the key the journal upserts by. `request_ts_ns` is
    the request's own time (0 when the caller left it to the manager's clock), kept apart from
    `created_ns` so a restored order equals the original one field for field.
    """

    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("account", "client_order_id"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(128))
    client_order_id: Mapped[str] = mapped_column(String(128))
    symbol: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(8))
    qty: Mapped[int] = mapped_column(BigInteger)
    order_type: Mapped[str] = mapped_column(String(24))
    price: Mapped[int | None] = mapped_column(BigInteger)
    tif: Mapped[str] = mapped_column(String(8))
    strategy: Mapped[str | None] = mapped_column(Text)
    request_ts_ns: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(24))
    venue_order_id: Mapped[str | None] = mapped_column(String(128))
    filled_qty: Mapped[int] = mapped_column(BigInteger)
    avg_fill_price: Mapped[float] = mapped_column(Double)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_ns: Mapped[int] = mapped_column(BigInteger)
    updated_ns: Mapped[int] = mapped_column(BigInteger)


class FillRow(Base):
    """One execution, appended once (unique `fill_id`); costs in int KRW."""

    __tablename__ = "fills"
    __table_args__ = (
        ForeignKeyConstraint(
            ["account", "client_order_id"],
            ["orders.account", "orders.client_order_id"],
        ),
        Index(None, "account", "id"),
    )

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    fill_id: Mapped[str] = mapped_column(String(128), unique=True)
    account: Mapped[str] = mapped_column(String(128))
    client_order_id: Mapped[str] = mapped_column(String(128))
    symbol: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(8))
    qty: Mapped[int] = mapped_column(BigInteger)
    price: Mapped[int] = mapped_column(BigInteger)
    ts_ns: Mapped[int] = mapped_column(BigInteger)
    venue_order_id: Mapped[str | None] = mapped_column(String(128))
    commission: Mapped[int] = mapped_column(BigInteger)
    tax: Mapped[int] = mapped_column(BigInteger)
    leaves_qty: Mapped[int] = mapped_column(BigInteger)


class StatementRow(Base):
    """An end-of-day statement of one account: `body` is its JSON text (see `statements`).

    Text rather than JSON/JSONB so both backends store the same bytes; statements are written
    once a day and read whole, never queried inside.
    """

    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("account", "day"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(128))
    day: Mapped[datetime.date] = mapped_column(Date)
    """The KST trading day the statement closes."""
    body: Mapped[str] = mapped_column(Text)
    created_ns: Mapped[int] = mapped_column(BigInteger)


# --- the gateway's tables: users and their credentials, alerts, jobs, strategy documents ---
# Secrets never sit here in clear: passwords and API keys as argon2 hashes, refresh tokens as
# SHA-256 digests (they are long random strings), broker credentials as AES-GCM ciphertext.


class UserRow(Base):
    """A person or bot owner who signs in; `role` is viewer, trader or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    handle: Mapped[str] = mapped_column(String(64), unique=True)
    """Opaque random id (hex) that WebAuthn authenticators store instead of the username."""
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_ns: Mapped[int] = mapped_column(BigInteger)


class RefreshTokenRow(Base):
    """One issued refresh token. A token is used once: refreshing revokes it and issues the
    next of its `family`; presenting a revoked one revokes the whole family (theft signal)."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index(None, "family"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    family: Mapped[str] = mapped_column(String(32))
    created_ns: Mapped[int] = mapped_column(BigInteger)
    expires_ns: Mapped[int] = mapped_column(BigInteger)
    revoked_ns: Mapped[int | None] = mapped_column(BigInteger)


class ApiKeyRow(Base):
    """A bot's key: `key_id` is the public half shown in lists, `secret_hash` the argon2 hash
    of the secret half; `scopes` a space-separated subset of the owner's permissions."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(Text)
    created_ns: Mapped[int] = mapped_column(BigInteger)
    last_used_ns: Mapped[int | None] = mapped_column(BigInteger)
    revoked_ns: Mapped[int | None] = mapped_column(BigInteger)


class PasskeyRow(Base):
    """A WebAuthn credential registered by a user (base64url id and COSE public key)."""

    __tablename__ = "passkeys"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    credential_id: Mapped[str] = mapped_column(String(1024), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    public_key: Mapped[str] = mapped_column(Text)
    sign_count: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(64))
    created_ns: Mapped[int] = mapped_column(BigInteger)
    last_used_ns: Mapped[int | None] = mapped_column(BigInteger)


class PushSubscriptionRow(Base):
    """A browser's Web Push subscription (endpoint URL and its two keys, base64url)."""

    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(256))
    auth: Mapped[str] = mapped_column(String(64))
    created_ns: Mapped[int] = mapped_column(BigInteger)


class AlertRuleRow(Base):
    """A user's alert: `kind` (price_above, pct_move, vi, order_filled ...) with its
    `params` as JSON text; fires at most once per `cooldown_s`."""

    __tablename__ = "alert_rules"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    symbol: Mapped[str | None] = mapped_column(String(16))
    params: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    cooldown_s: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200))
    created_ns: Mapped[int] = mapped_column(BigInteger)
    last_fired_ns: Mapped[int | None] = mapped_column(BigInteger)


class JobRow(Base):
    """A background job (backtest, sweep, backfill): its request, progress and result, both
    as JSON text; `status` is queued, running, succeeded, failed or cancelled."""

    __tablename__ = "jobs"
    __table_args__ = (Index(None, "owner", "id"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Double)
    message: Mapped[str] = mapped_column(Text)
    params: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_ns: Mapped[int] = mapped_column(BigInteger)
    started_ns: Mapped[int | None] = mapped_column(BigInteger)
    finished_ns: Mapped[int | None] = mapped_column(BigInteger)


class StrategyVersionRow(Base):
    """One saved version of a strategy document; versions of a name count up from 1."""

    __tablename__ = "strategy_versions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    created_ns: Mapped[int] = mapped_column(BigInteger)


class BrokerCredentialRow(Base):
    """A broker account's secrets (app key/secret, account password) as AES-GCM ciphertext
    under the key from JTS_SECRET_KEY or the key file; never returned by the API."""

    __tablename__ = "broker_credentials"
    __table_args__ = (UniqueConstraint("broker", "account"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    broker: Mapped[str] = mapped_column(String(16))
    account: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[str] = mapped_column(Text)
    created_ns: Mapped[int] = mapped_column(BigInteger)
    updated_ns: Mapped[int] = mapped_column(BigInteger)
