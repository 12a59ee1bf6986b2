"""The SQL order store on SQLite and on the local PostgreSQL server.

Every test runs on both backends: SQLite in a fresh file under tmp_path; PostgreSQL in a
database created for the test (unique name) and dropped after it, so parallel runs never
meet. Without a reachable server the PostgreSQL cases skip and say why.
"""

from __future__ import annotations

import datetime
import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from hypothesis import HealthCheck, given, settings
from psycopg import sql
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from jts.core import ConfigError, Fill, InvalidInput, OrderStatus, Side, kst_ns
from jts.krx import trade_costs
from jts.oms import Journal, MemoryStore, OrderManager, restore
from jts.storage import MIGRATIONS, SqlOrderStore, end_of_day_statement, open_database
from jts.storage.models import Base
from tests.oms.factories import ACCOUNT, fill, request
from tests.oms.test_store import Event, Spec, assert_same, events, run_flow, specs

PG_ADMIN = os.environ.get("JTS_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=test")
"""libpq DSN of a database on the test server from which per-test databases are created."""

Opener = Callable[..., Engine]
_accounts = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'orders.db'}"
    else:
        yield from _postgres_database()


def _postgres_database() -> Iterator[str]:
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL ({PG_ADMIN}) is unreachable: {exc}")
    name = f"jts_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            info = admin.info
            yield f"postgresql://{info.user}@{info.host}:{info.port}/{name}"
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def open_db(database_url: str) -> Iterator[Opener]:
    """Opens engines on the test's database (as many as a test wants) and disposes of them."""
    engines: list[Engine] = []

    def opener(synchronous: str = "FULL") -> Engine:
        engine = open_database(database_url, synchronous=synchronous)
        engines.append(engine)
        return engine

    yield opener
    for engine in engines:
        engine.dispose()


@pytest.fixture
def engine(open_db: Opener) -> Engine:
    """One engine for the whole test (shared by every hypothesis example)."""
    return open_db()


def test_opening_migrates_a_fresh_database_to_head_and_matches_the_models(
    open_db: Opener,
) -> None:
    engine = open_db()
    assert {"orders", "fills", "statements", "alembic_version"} <= set(
        inspect(engine).get_table_names()
    )
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    head = ScriptDirectory.from_config(config).get_current_head()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == head
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_opening_an_existing_database_again_keeps_its_data(open_db: Opener) -> None:
    store = SqlOrderStore(open_db())
    manager = OrderManager(ACCOUNT)
    Journal(manager, store)
    manager.submit(request("o-1"))
    store.close()
    again = SqlOrderStore(open_db())
    assert [o.request.client_order_id for o in again.load(ACCOUNT).orders] == ["o-1"]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order_specs=specs, flow=events)
def test_what_the_sql_store_loads_equals_the_memory_stores_and_restores_the_manager(
    engine: Engine, order_specs: list[Spec], flow: list[Event]
) -> None:
    account = f"acct-{next(_accounts)}"  # one account per example: examples share the database
    store, memory = SqlOrderStore(engine), MemoryStore()
    manager = OrderManager(account, clock=lambda: 777)
    journal = Journal(manager, store)
    Journal(manager, memory)
    half = len(flow) // 2
    played = run_flow(manager, order_specs, flow[:half])
    journal.flush()  # orders and fills written across several flushes, as in a live session
    played.run(manager, flow[half:], first_ts=half + 1)
    journal.flush()
    loaded = store.load(account)
    assert loaded == memory.load(account)
    assert_same(restore(account, loaded, clock=lambda: 777), manager)
    store.close()


def test_flushed_records_survive_and_unflushed_ones_are_not_on_disk(open_db: Opener) -> None:
    store = SqlOrderStore(open_db())
    manager = OrderManager(ACCOUNT)
    journal = Journal(manager, store)
    manager.submit(request("o-1"))
    manager.on_accepted("o-1", "v-1", 1_500)
    journal.flush()
    manager.submit(request("o-2"))  # recorded, never flushed: the process "dies" here
    manager.on_fill(fill("o-1", qty=30))
    fresh = SqlOrderStore(open_db())  # a new engine on the same file / database
    state = fresh.load(ACCOUNT)
    assert [(o.request.client_order_id, o.status) for o in state.orders] == [
        ("o-1", OrderStatus.ACCEPTED)
    ]
    assert state.fills == ()
    journal.flush()
    state = fresh.load(ACCOUNT)
    assert list(state.orders) == list(manager.orders())
    assert state.fills == tuple(manager.fills())


def test_a_fill_recorded_again_after_a_flush_is_stored_once(open_db: Opener) -> None:
    store = SqlOrderStore(open_db())
    manager = OrderManager(ACCOUNT)
    Journal(manager, store)
    manager.submit(request("o-1"))
    first = fill("o-1", qty=10)
    manager.on_fill(first)
    store.flush()
    store.record_fill(first)  # a venue's repeat that reached the store anyway
    store.record_fill(first)
    store.flush()
    assert store.load(ACCOUNT).fills == (first,)


def test_a_failed_flush_writes_nothing_and_keeps_its_records_for_the_next_one(
    open_db: Opener,
) -> None:
    store = SqlOrderStore(open_db())
    manager = OrderManager(ACCOUNT)
    other = manager.submit(request("o-2"))
    store.record_order(other)
    orphan = fill("o-1", qty=10)
    store.record_fill(orphan)  # its order is not recorded: the foreign key refuses it
    with pytest.raises(IntegrityError):
        store.flush()
    assert SqlOrderStore(open_db()).load(ACCOUNT).orders == ()  # one transaction: all or none
    manager.submit(request("o-1"))
    order = manager.on_fill(orphan)
    store.record_order(order)
    store.flush()
    state = SqlOrderStore(open_db()).load(ACCOUNT)
    assert (state.orders, state.fills) == ((other, order), (orphan,))


def test_close_flushes_what_is_buffered(open_db: Opener) -> None:
    store = SqlOrderStore(open_db())
    manager = OrderManager(ACCOUNT)
    Journal(manager, store)
    manager.submit(request("o-1"))
    store.close()
    assert len(SqlOrderStore(open_db()).load(ACCOUNT).orders) == 1


def test_statements_are_stored_per_account_and_day_and_replaced(open_db: Opener) -> None:
    store = SqlOrderStore(open_db())
    day = datetime.date(2025, 1, 3)
    store.save_statement(ACCOUNT, day, {"totals": {"realized_pnl": 1}, "note": "첫 번째"})
    store.save_statement(ACCOUNT, day, {"totals": {"realized_pnl": 2}})
    store.save_statement("acct-2", day, {"totals": {"realized_pnl": 3}})
    assert store.load_statement(ACCOUNT, day) == {"totals": {"realized_pnl": 2}}
    assert store.load_statement("acct-2", day) == {"totals": {"realized_pnl": 3}}
    assert store.load_statement(ACCOUNT, datetime.date(2025, 1, 2)) is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_runs_in_wal_mode_with_full_sync_foreign_keys_and_a_busy_timeout(
    open_db: Opener, database_url: str
) -> None:
    engine = open_db()
    with engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() == 5_000
    with open_db(synchronous="normal").connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert Path(database_url.removeprefix("sqlite:///") + "-wal").exists()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_refuses_synchronous_off(open_db: Opener) -> None:
    with pytest.raises(ConfigError, match="'OFF' is not one of"):
        open_db(synchronous="off")


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_plain_postgresql_url_uses_psycopg_3(open_db: Opener) -> None:
    assert open_db().driver == "psycopg"


def test_other_backends_are_refused_not_replaced() -> None:
    with pytest.raises(ConfigError, match="'mysql': JTS stores orders in sqlite or postgresql"):
        open_database("mysql://user@localhost/jts")


# -- end-of-day statements -------------------------------------------------------------------

DAY1, DAY2 = datetime.date(2025, 1, 2), datetime.date(2025, 1, 3)  # settle 01-06 and 01-07


def _trade(
    manager: OrderManager,
    coid: str,
    symbol: str,
    side: Side,
    qty: int,
    price: int,
    day: datetime.date,
) -> Fill:
    """Submit and fill one order at 10:30 KST on `day`, costs from jts.krx for that date."""
    ts = kst_ns(day, datetime.time(10, 30))
    costs = trade_costs(side, qty, price, day, "KOSPI")
    manager.submit(request(coid, side=side, qty=qty, price=price, symbol=symbol, ts_ns=ts))
    done = fill(
        coid,
        qty=qty,
        price=price,
        side=side,
        symbol=symbol,
        ts_ns=ts + 1_000,
        commission=costs.commission,
        tax=costs.tax,
    )
    manager.on_fill(done)
    return done


def _two_days() -> tuple[OrderManager, list[Fill]]:
    manager = OrderManager(ACCOUNT)
    fills = [
        _trade(manager, "o-1", "005930", Side.BUY, 100, 70_000, DAY1),
        _trade(manager, "o-2", "000660", Side.BUY, 10, 200_000, DAY1),
        _trade(manager, "o-3", "005930", Side.SELL, 40, 71_000, DAY2),
        _trade(manager, "o-4", "000660", Side.SELL, 10, 210_000, DAY2),
    ]
    return manager, fills


def test_statement_values_positions_at_the_marks_with_todays_pnl_costs_and_settlement() -> None:
    manager, (buy1, buy2, sell1, sell2) = _two_days()
    statement = end_of_day_statement(manager, DAY2, {"005930": 72_000})
    held, closed = statement["positions"]
    assert held == {
        "symbol": "005930",
        "qty": 60,
        "avg_price": 70_000.0,
        "cost_basis": 4_200_000,
        "mark": 72_000,
        "market_value": 4_320_000,
        "unrealized_pnl": 120_000,
        "realized_pnl": 40_000 - buy1.commission - sell1.commission - sell1.tax,
        "realized_pnl_today": 40_000 - sell1.commission - sell1.tax,
        "fees": buy1.commission + sell1.commission,
        "fees_today": sell1.commission,
        "taxes": sell1.tax,
        "taxes_today": sell1.tax,
    }
    assert sell1.tax == 4_260  # 0.15% of 2,840,000: the 2025 KOSPI rate by settlement date
    assert (closed["symbol"], closed["qty"], closed["mark"]) == ("000660", 0, None)
    assert closed["realized_pnl_today"] == 100_000 - sell2.commission - sell2.tax
    assert statement["today"] == {
        "fills": 2,
        "symbols": 2,
        "bought": 0,
        "sold": 2_840_000 + 2_100_000,
        "fees": sell1.commission + sell2.commission,
        "taxes": sell1.tax + sell2.tax,
        "net_cash": sell1.net_cash + sell2.net_cash,
    }
    assert statement["unsettled"] == [
        {"settles_on": "2025-01-06", "net_cash": buy1.net_cash + buy2.net_cash},
        {"settles_on": "2025-01-07", "net_cash": sell1.net_cash + sell2.net_cash},
    ]
    totals = statement["totals"]
    assert totals["realized_pnl"] == manager.positions.realized
    assert totals["cash_flow"] == sum(f.net_cash for f in manager.fills())
    assert totals["unsettled_cash"] == totals["cash_flow"]  # nothing has settled yet
    assert totals["realized_pnl"] + totals["unrealized_pnl"] == (
        totals["cash_flow"] + totals["market_value"]
    )
    assert statement["orders_today"] == {"filled": 2}


def test_a_past_days_statement_replays_only_the_fills_up_to_its_close() -> None:
    manager, (buy1, buy2, _, _) = _two_days()
    statement = end_of_day_statement(manager, DAY1, {"005930": 69_000, "000660": 201_000})
    assert [(p["symbol"], p["qty"]) for p in statement["positions"]] == [
        ("005930", 100),
        ("000660", 10),
    ]
    assert statement["totals"]["unrealized_pnl"] == -100_000 + 10_000
    assert statement["totals"]["realized_pnl"] == -buy1.commission - buy2.commission
    assert statement["unsettled"] == [
        {"settles_on": "2025-01-06", "net_cash": buy1.net_cash + buy2.net_cash}
    ]


def test_a_statement_needs_a_mark_for_every_open_position() -> None:
    manager, _ = _two_days()
    with pytest.raises(InvalidInput, match="no mark for 000660, 005930"):
        end_of_day_statement(manager, DAY1, {})


def test_a_saved_statement_loads_back_equal(open_db: Opener) -> None:
    manager, _ = _two_days()
    store = SqlOrderStore(open_db())
    statement = end_of_day_statement(manager, DAY2, {"005930": 72_000})
    store.save_statement(ACCOUNT, DAY2, statement)
    assert store.load_statement(ACCOUNT, DAY2) == statement
