"""The order database: SQLAlchemy 2 models, Alembic migrations and the SQL `OrderStore`.

`open_database(url)` gives an engine on SQLite (WAL, the embedded default) or PostgreSQL with
the schema migrated to head; `SqlOrderStore(engine)` is the `jts.oms.OrderStore` a `Journal`
writes through, with group commit; `end_of_day_statement` summarizes an account at the close.
Backends are chosen by URL in `app.py`, never by branches in services.
"""

from jts.storage.db import MIGRATIONS, open_database, upgrade
from jts.storage.orders import SqlOrderStore
from jts.storage.statements import end_of_day_statement

__all__ = ["MIGRATIONS", "SqlOrderStore", "end_of_day_statement", "open_database", "upgrade"]
