"""Open the order database: one call gives an engine whose schema is current.

`open_database(url)` accepts any SQLAlchemy URL; two backends are supported and tested:

* **SQLite** (embedded default, `sqlite:///path/to/jts.db`): every connection runs in WAL mode
  (readers never block the writer, and a commit appends to the log instead of rewriting
  pages), with `foreign_keys` on and a busy timeout so a second process waits instead of
  failing. `synchronous` decides what a commit survives:

  - ``FULL`` (default): the WAL is fsynced at every commit — a committed order survives a
    power cut. This is what "written before it is sent" needs on a trading machine.
  - ``NORMAL``: the WAL is fsynced only at checkpoints. A commit survives the process being
    killed (the data is in the OS page cache), but the last commits can be lost if the
    machine loses power or the kernel crashes. Several times faster per commit.
  - ``EXTRA``: FULL plus an fsync of the directory after a WAL reset (paranoid filesystems).

  ``OFF`` is refused: it gives up even process-kill safety.

* **PostgreSQL** (`postgresql://user@host/db`): through psycopg 3; a bare ``postgresql://``
  URL is given the ``+psycopg`` driver (SQLAlchemy would pick psycopg2, which JTS does not
  ship). Durability is the server's (`synchronous_commit`, `fsync`).

Opening runs the Alembic migrations to ``head`` in one transaction, so a fresh file or an
empty database is ready to use and an old one is brought up to date before anything reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from jts.core.errors import ConfigError

MIGRATIONS: Final = Path(__file__).with_name("migrations")
"""The Alembic script directory, shipped inside the package (see pyproject package-data)."""

SYNCHRONOUS_LEVELS: Final = frozenset({"FULL", "NORMAL", "EXTRA"})
"""SQLite `synchronous` settings JTS accepts (see the module docstring for what each means)."""

DEFAULT_BUSY_TIMEOUT_MS: Final = 5_000
"""How long a SQLite writer waits for another writer's lock before failing, in ms."""


def open_database(
    url: str | URL,
    *,
    synchronous: str = "FULL",
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    migrate: bool = True,
    echo: bool = False,
) -> Engine:
    """An engine on `url` with the pragmas above (SQLite) and the schema at Alembic head.

    `synchronous` and `busy_timeout_ms` apply to SQLite only. `migrate=False` skips the
    upgrade (for tools that inspect an old database as it is). Raises `ConfigError` for a
    backend other than SQLite or PostgreSQL, an unknown `synchronous` level, or a SQLite file
    that refuses WAL mode (a network filesystem): never a silent fallback.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = _sqlite_engine(parsed, synchronous.upper(), busy_timeout_ms, echo)
    elif backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        engine = create_engine(parsed, echo=echo, pool_pre_ping=True)
    else:
        raise ConfigError("storage.url", f"{backend!r}: JTS stores orders in sqlite or postgresql")
    if migrate:
        upgrade(engine)
    return engine


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to `revision` on `engine`, in one transaction."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def _sqlite_engine(url: URL, synchronous: str, busy_timeout_ms: int, echo: bool) -> Engine:
    if synchronous not in SYNCHRONOUS_LEVELS:
        raise ConfigError(
            "storage.synchronous", f"{synchronous!r} is not one of {sorted(SYNCHRONOUS_LEVELS)}"
        )
    if busy_timeout_ms < 0:
        raise ConfigError("storage.busy_timeout_ms", f"{busy_timeout_ms} is negative")
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if not in_memory:
        Path(database).parent.mkdir(parents=True, exist_ok=True)  # a fresh data directory
    engine = create_engine(url, echo=echo)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            mode = str(cursor.fetchone()[0]).lower()
            if mode != "wal" and not in_memory:
                raise ConfigError(
                    "storage.url", f"{database}: SQLite refused WAL mode (got {mode!r})"
                )
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    return engine
