"""Alembic environment of the order database (run by Alembic, not imported by JTS).

`jts.storage.db.upgrade` passes an open connection in `config.attributes["connection"]`, so
migrations run inside the caller's transaction with the caller's pragmas. Used from the
`alembic` command line instead, the URL comes from the `sqlalchemy.url` option. Offline mode
(`alembic upgrade --sql`) prints the SQL for a DBA to run by hand.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from jts.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """Print the migrations' SQL for the URL's dialect instead of running it."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on the caller's connection, or on a new one from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection given and no sqlalchemy.url configured")
    engine = create_engine(url)
    try:
        with engine.begin() as own:
            _configure(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
