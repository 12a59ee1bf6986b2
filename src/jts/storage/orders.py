"""`SqlOrderStore`: the `OrderStore` of `jts.oms` on SQLite or PostgreSQL.

`record_order` and `record_fill` only keep the latest state per key in dicts (an order
submitted, accepted and filled between two flushes is written once, in its final state);
`flush` writes the buffer in one transaction — the orders with one executemany upsert
(``INSERT … ON CONFLICT (account, client_order_id) DO UPDATE``), then the fills with one
executemany insert that ignores fill ids already stored — and commits. One commit for however
many orders were recorded is the group commit that makes durable order flow affordable: the
cost of the fsync is shared by the batch. Orders go first because each fill references its
order (foreign key). On failure the transaction rolls back and the buffer is kept, so the next
`flush` writes it again; nothing that was recorded is dropped.

The statement for each dialect comes from a table (`_INSERTS`), not from branches; both
SQLite and PostgreSQL spell the upsert the same way through SQLAlchemy's dialect inserts.
Each is compiled once, for the engine's dialect, and run as driver SQL with plain tuples (or
dicts, for drivers with named parameters): SQLAlchemy's per-row parameter processing cost
~6 µs a row in profiles — more than SQLite's own insert — and does nothing for these columns
(int, str, float, None need no conversion).
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable, Mapping
from typing import Any, Final

from sqlalchemy import Connection, Dialect, Engine, RowMapping, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from jts.core.enums import OrderStatus, OrderType, Side, TimeInForce
from jts.core.errors import ConfigError
from jts.core.models import Fill, Order, OrderRequest
from jts.oms.store import StoredState
from jts.storage.models import Base

ORDERS: Final[Table] = Base.metadata.tables["orders"]
FILLS: Final[Table] = Base.metadata.tables["fills"]
STATEMENTS: Final[Table] = Base.metadata.tables["statements"]

_INSERTS: Final[Mapping[str, Callable[[Table], Any]]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}
"""The dialect's own INSERT construct, which knows ON CONFLICT; by `engine.dialect.name`."""

_ORDER_KEY: Final = ("account", "client_order_id")
_ORDER_COLUMNS: Final = tuple(c.name for c in ORDERS.c if c.name != "id")
_FILL_COLUMNS: Final = tuple(c.name for c in FILLS.c if c.name != "id")

_TEXT: Final[Mapping[object, str]] = {
    member: member.value for enum in (Side, OrderType, TimeInForce, OrderStatus) for member in enum
}
"""Enum member → stored text; a dict read is several times cheaper than `.value` on 3.11."""


class _Batch:
    """One statement compiled for a dialect, run with many rows of values in `columns` order."""

    __slots__ = ("_names", "_order", "sql")

    def __init__(self, statement: Insert, dialect: Dialect, columns: tuple[str, ...]) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        self.sql = compiled.string
        positions = compiled.positiontup
        self._names = None if compiled.positional else columns
        self._order = None
        if positions is not None and list(positions) != list(columns):
            self._order = [columns.index(name) for name in positions]

    def run(self, connection: Connection, rows: list[tuple[Any, ...]]) -> None:
        """executemany of `rows`, shaped for the driver's parameter style."""
        params: list[Any] = rows
        if self._names is not None:
            params = [dict(zip(self._names, row, strict=True)) for row in rows]
        elif self._order is not None:
            params = [tuple(row[i] for i in self._order) for row in rows]
        connection.exec_driver_sql(self.sql, params)


class SqlOrderStore:
    """Orders and fills in the database of `engine` (made by `jts.storage.open_database`).

    Single-threaded like the order manager it journals. Keeps one connection for its flushes
    (checking one out of the pool per flush costs more than a small batch's rows); `load` and
    statements use their own. `close` flushes and returns the connection; the engine belongs
    to whoever opened it.
    """

    __slots__ = (
        "_clock",
        "_conn",
        "_engine",
        "_fills",
        "_insert_fill",
        "_orders",
        "_upsert_order",
    )

    def __init__(self, engine: Engine, *, clock: Callable[[], int] = time.time_ns) -> None:
        """`clock` (int ns UTC) stamps statements when they are saved."""
        insert = _INSERTS.get(engine.dialect.name)
        if insert is None:
            raise ConfigError("storage.url", f"no order store for {engine.dialect.name!r}")
        self._engine = engine
        self._clock = clock
        self._conn: Connection | None = None
        self._orders: dict[tuple[str, str], Order] = {}
        self._fills: dict[str, Fill] = {}
        upsert = insert(ORDERS)
        changes = {c.name: upsert.excluded[c.name] for c in ORDERS.c if _updatable(c.name)}
        upsert = upsert.on_conflict_do_update(index_elements=_ORDER_KEY, set_=changes)
        append = insert(FILLS).on_conflict_do_nothing(index_elements=("fill_id",))
        self._upsert_order = _Batch(upsert, engine.dialect, _ORDER_COLUMNS)
        self._insert_fill = _Batch(append, engine.dialect, _FILL_COLUMNS)

    # -- OrderStore ---------------------------------------------------------------------------

    def record_order(self, order: Order) -> None:
        """Buffer `order` as its order's latest state (rows are built at flush, once)."""
        request = order.request
        self._orders[request.account, request.client_order_id] = order

    def record_fill(self, fill: Fill) -> None:
        """Buffer `fill` unless its id is already buffered (the database ignores stored ids)."""
        self._fills.setdefault(fill.fill_id, fill)

    def flush(self) -> None:
        """Write everything buffered in one transaction and commit (durable on return)."""
        if not self._orders and not self._fills:
            return
        orders = [_order_row(order) for order in self._orders.values()]
        fills = [_fill_row(fill) for fill in self._fills.values()]
        connection = self._connection()
        with connection.begin():
            if orders:
                self._upsert_order.run(connection, orders)
            if fills:
                self._insert_fill.run(connection, fills)
        self._orders.clear()
        self._fills.clear()

    def load(self, account: str) -> StoredState:
        """What is committed for `account`: orders by first write, fills by arrival."""
        with self._engine.connect() as connection:
            orders = connection.execute(
                select(ORDERS).where(ORDERS.c.account == account).order_by(ORDERS.c.id)
            )
            order_values = tuple(_order(row) for row in orders.mappings())
            fills = connection.execute(
                select(FILLS).where(FILLS.c.account == account).order_by(FILLS.c.id)
            )
            fill_values = tuple(_fill(row) for row in fills.mappings())
        return StoredState(orders=order_values, fills=fill_values)

    def close(self) -> None:
        """Flush what is buffered, then give the connection back."""
        try:
            self.flush()
        finally:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- end-of-day statements ----------------------------------------------------------------

    def save_statement(
        self, account: str, day: datetime.date, statement: Mapping[str, Any]
    ) -> None:
        """Store `statement` (JSON-able, see `jts.storage.statements`) as `account`'s statement
        of `day`, replacing an earlier one of that day; flushes first, so the orders and fills
        it describes are on disk before it is."""
        self.flush()
        body = json.dumps(statement, sort_keys=True, ensure_ascii=False)
        row = {"account": account, "day": day, "body": body, "created_ns": self._clock()}
        upsert = _INSERTS[self._engine.dialect.name](STATEMENTS)
        upsert = upsert.on_conflict_do_update(
            index_elements=("account", "day"),
            set_={"body": upsert.excluded.body, "created_ns": upsert.excluded.created_ns},
        )
        with self._engine.begin() as connection:
            connection.execute(upsert, [row])

    def load_statement(self, account: str, day: datetime.date) -> dict[str, Any] | None:
        """The statement stored for `account` on `day`, or None."""
        query = select(STATEMENTS.c.body).where(
            STATEMENTS.c.account == account, STATEMENTS.c.day == day
        )
        with self._engine.connect() as connection:
            body = connection.execute(query).scalar_one_or_none()
        return None if body is None else dict(json.loads(body))

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._engine.connect()
        return self._conn


def _updatable(column: str) -> bool:
    """Columns an upsert overwrites: everything but the surrogate id and the key."""
    return column != "id" and column not in _ORDER_KEY


def _order_row(order: Order) -> tuple[Any, ...]:
    """The order's values in `_ORDER_COLUMNS` order."""
    request = order.request
    return (
        request.account,
        request.client_order_id,
        request.symbol,
        _TEXT[request.side],
        request.qty,
        _TEXT[request.order_type],
        request.price,
        _TEXT[request.tif],
        request.strategy,
        request.ts_ns,
        _TEXT[order.status],
        order.venue_order_id,
        order.filled_qty,
        order.avg_fill_price,
        order.reject_reason,
        order.created_ns,
        order.updated_ns,
    )


def _fill_row(fill: Fill) -> tuple[Any, ...]:
    """The fill's values in `_FILL_COLUMNS` order."""
    return (
        fill.fill_id,
        fill.account,
        fill.client_order_id,
        fill.symbol,
        _TEXT[fill.side],
        fill.qty,
        fill.price,
        fill.ts_ns,
        fill.venue_order_id,
        fill.commission,
        fill.tax,
        fill.leaves_qty,
    )


def _order(row: RowMapping) -> Order:
    request = OrderRequest(
        client_order_id=row["client_order_id"],
        account=row["account"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        qty=row["qty"],
        order_type=OrderType(row["order_type"]),
        price=row["price"],
        tif=TimeInForce(row["tif"]),
        strategy=row["strategy"],
        ts_ns=row["request_ts_ns"],
    )
    return Order(
        request=request,
        status=OrderStatus(row["status"]),
        venue_order_id=row["venue_order_id"],
        filled_qty=row["filled_qty"],
        avg_fill_price=float(row["avg_fill_price"]),
        reject_reason=row["reject_reason"],
        created_ns=row["created_ns"],
        updated_ns=row["updated_ns"],
    )


def _fill(row: RowMapping) -> Fill:
    return Fill(
        fill_id=row["fill_id"],
        client_order_id=row["client_order_id"],
        account=row["account"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        qty=row["qty"],
        price=row["price"],
        ts_ns=row["ts_ns"],
        venue_order_id=row["venue_order_id"],
        commission=row["commission"],
        tax=row["tax"],
        leaves_qty=row["leaves_qty"],
    )
