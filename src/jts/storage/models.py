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
    Date,
    Double,
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
