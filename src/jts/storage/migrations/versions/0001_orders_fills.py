"""Orders, fills and end-of-day statements.

Revision ID: 0001
Revises:
Created: 2026-11-30

The first schema of the order database (see jts.storage.models for what each column means).
Orders are upserted by (account, client_order_id); fills appended once by fill_id and tied
to their order by a foreign key; `id` columns number rows in the order they were first
written (submission order, arrival order). A downgrade drops everything.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite numbers INTEGER keys only


def _id() -> sa.Column[int]:
    return sa.Column("id", _ID, primary_key=True, autoincrement=True)


def upgrade() -> None:
    op.create_table(
        "orders",
        _id(),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("client_order_id", sa.String(128), nullable=False),
        sa.Column("symbol", sa.String(16), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("order_type", sa.String(24), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=True),
        sa.Column("tif", sa.String(8), nullable=False),
        sa.Column("strategy", sa.Text(), nullable=True),
        sa.Column("request_ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("venue_order_id", sa.String(128), nullable=True),
        sa.Column("filled_qty", sa.BigInteger(), nullable=False),
        sa.Column("avg_fill_price", sa.Double(), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("created_ns", sa.BigInteger(), nullable=False),
        sa.Column("updated_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_orders"),
        sa.UniqueConstraint("account", "client_order_id", name="uq_orders_account_client_order_id"),
    )
    op.create_table(
        "fills",
        _id(),
        sa.Column("fill_id", sa.String(128), nullable=False),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("client_order_id", sa.String(128), nullable=False),
        sa.Column("symbol", sa.String(16), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("qty", sa.BigInteger(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("venue_order_id", sa.String(128), nullable=True),
        sa.Column("commission", sa.BigInteger(), nullable=False),
        sa.Column("tax", sa.BigInteger(), nullable=False),
        sa.Column("leaves_qty", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_fills"),
        sa.UniqueConstraint("fill_id", name="uq_fills_fill_id"),
        sa.ForeignKeyConstraint(
            ["account", "client_order_id"],
            ["orders.account", "orders.client_order_id"],
            name="fk_fills_orders",
        ),
    )
    op.create_index("ix_fills_account_id", "fills", ["account", "id"])
    op.create_table(
        "statements",
        _id(),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_ns", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_statements"),
        sa.UniqueConstraint("account", "day", name="uq_statements_account_day"),
    )


def downgrade() -> None:
    op.drop_table("statements")
    op.drop_index("ix_fills_account_id", table_name="fills")
    op.drop_table("fills")
    op.drop_table("orders")
