"""The alert store on SQLite and on PostgreSQL: rules CRUD confined to their owner, firings
recorded, push subscriptions renewed by endpoint, capped per user, forgotten when expired.

The PostgreSQL run uses a database created for this module under a unique name and dropped
after it; without a reachable server those cases skip and say why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from jts.core.clock import SimulatedClock
from jts.gateway.alerts import store as store_module
from jts.gateway.alerts.rules import AlertKind, parse_spec
from jts.gateway.alerts.store import AlertNotFound, AlertStore, TooManyAlerts
from jts.storage import open_database
from jts.storage.models import AlertRuleRow, UserRow
from tests.gateway.alerts.helpers import add_user, at

PG_ADMIN = os.environ.get("JTS_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=test")

PRICE = parse_spec({"kind": "price_above", "symbol": "005930", "params": {"price": 70_000}})
SPECS = [
    PRICE,
    parse_spec({"kind": "price_below", "symbol": "000660", "params": {"price": 1}}),
    parse_spec({"kind": "pct_move", "symbol": "005930", "params": {"pct": 2.5, "base": "open"}}),
    parse_spec({"kind": "volume_spike", "symbol": "0037T0", "params": {"multiple": 4}}),
    parse_spec({"kind": "vi", "symbol": "005930", "note": "VI 조심", "cooldown_s": 0}),
    parse_spec({"kind": "order_filled"}),
    parse_spec({"kind": "risk_halt", "enabled": False}),
]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL ({PG_ADMIN}) is unreachable: {exc}")
    name = f"jts_alerts_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            info = admin.info
            yield f"postgresql://{info.user}@{info.host}:{info.port}/{name}"
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gateway.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = open_database(url)
    yield engine
    engine.dispose()


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(at(9, 0))


@pytest.fixture
def store(engine: Engine, clock: SimulatedClock) -> AlertStore:
    return AlertStore(engine, clock=clock)


@pytest.fixture
def users(engine: Engine) -> Iterator[tuple[int, int]]:
    """Two users of this test; removed after it (their rows cascade)."""
    ids = add_user(engine), add_user(engine)
    yield ids
    with Session(engine) as session, session.begin():
        session.execute(delete(UserRow).where(UserRow.id.in_(ids)))


class TestRules:
    def test_every_kind_round_trips_through_the_database(
        self, store: AlertStore, users: tuple[int, int]
    ) -> None:
        me, _ = users
        created = [store.create_rule(me, spec) for spec in SPECS]
        assert [rule.spec for rule in store.list_rules(me)] == SPECS
        assert [rule.id for rule in store.list_rules(me)] == [rule.id for rule in created]
        assert store.get_rule(me, created[2].id) == created[2]
        assert created[0].created_ns == at(9, 0)
        assert created[0].last_fired_ns is None
        assert {rule.kind for rule in created} == set(AlertKind)

    def test_a_user_never_sees_or_touches_another_users_rule(
        self, store: AlertStore, users: tuple[int, int]
    ) -> None:
        me, other = users
        rule = store.create_rule(me, PRICE)
        assert store.list_rules(other) == []
        with pytest.raises(AlertNotFound, match=f"no alert rule {rule.id}"):
            store.get_rule(other, rule.id)
        with pytest.raises(AlertNotFound):
            store.update_rule(other, rule.id, SPECS[1])
        with pytest.raises(AlertNotFound):
            store.set_enabled(other, rule.id, False)
        with pytest.raises(AlertNotFound):
            store.delete_rule(other, rule.id)
        assert store.get_rule(me, rule.id) == rule

    def test_update_replaces_the_spec_and_keeps_id_creation_and_last_firing(
        self, store: AlertStore, users: tuple[int, int], clock: SimulatedClock
    ) -> None:
        me, _ = users
        rule = store.create_rule(me, PRICE)
        store.mark_fired(rule.id, at(9, 30))
        clock.advance(3_600)
        updated = store.update_rule(me, rule.id, SPECS[2])
        assert (updated.id, updated.spec) == (rule.id, SPECS[2])
        assert (updated.created_ns, updated.last_fired_ns) == (at(9, 0), at(9, 30))

    def test_rules_are_disabled_enabled_and_deleted(
        self, store: AlertStore, users: tuple[int, int]
    ) -> None:
        me, _ = users
        rule = store.create_rule(me, PRICE)
        assert not store.set_enabled(me, rule.id, False).enabled
        assert store.get_rule(me, rule.id).enabled is False
        assert store.set_enabled(me, rule.id, True).enabled
        store.delete_rule(me, rule.id)
        assert store.list_rules(me) == []
        with pytest.raises(AlertNotFound):
            store.delete_rule(me, rule.id)

    def test_mark_fired_keeps_the_latest_firing_and_ignores_deleted_rules(
        self, store: AlertStore, users: tuple[int, int]
    ) -> None:
        me, _ = users
        rule = store.create_rule(me, PRICE)
        store.mark_fired(rule.id, at(10, 0))
        store.mark_fired(rule.id, at(9, 59))  # a late report of an earlier firing
        assert store.get_rule(me, rule.id).last_fired_ns == at(10, 0)
        store.delete_rule(me, rule.id)
        store.mark_fired(rule.id, at(10, 1))

    def test_loading_all_rules_skips_a_row_that_no_longer_validates(
        self, store: AlertStore, users: tuple[int, int], engine: Engine
    ) -> None:
        me, other = users
        good = [store.create_rule(me, PRICE), store.create_rule(other, SPECS[5])]
        with Session(engine) as session, session.begin():
            session.add(
                AlertRuleRow(
                    user_id=me,
                    kind="price_above",
                    symbol="005930",
                    params='{"price": -1}',
                    enabled=True,
                    cooldown_s=0,
                    note="",
                    created_ns=0,
                )
            )
        loaded = [rule for rule in store.all_rules() if rule.user_id in users]
        assert loaded == good

    def test_a_user_has_a_bounded_number_of_rules(
        self, store: AlertStore, users: tuple[int, int], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        me, other = users
        monkeypatch.setattr(store_module, "MAX_RULES_PER_USER", 2)
        store.create_rule(me, PRICE)
        store.create_rule(me, PRICE)
        with pytest.raises(TooManyAlerts, match="at most"):
            store.create_rule(me, PRICE)
        store.create_rule(other, PRICE)

    def test_deleting_a_user_deletes_their_rules_and_subscriptions(
        self, store: AlertStore, engine: Engine
    ) -> None:
        gone = add_user(engine)
        rule = store.create_rule(gone, PRICE)
        store.add_subscription(gone, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
        with Session(engine) as session, session.begin():
            session.execute(delete(UserRow).where(UserRow.id == gone))
        assert rule.id not in {r.id for r in store.all_rules()}
        assert store.list_subscriptions(gone) == []


class TestSubscriptions:
    def test_a_subscription_is_stored_listed_and_deleted_by_its_owner_only(
        self, store: AlertStore, users: tuple[int, int]
    ) -> None:
        me, other = users
        endpoint = _endpoint()
        added = store.add_subscription(me, endpoint, "key", "secret")
        assert store.list_subscriptions(me) == [added]
        assert added.info() == {"endpoint": endpoint, "keys": {"p256dh": "key", "auth": "secret"}}
        assert store.list_subscriptions(other) == []
        assert not store.delete_subscription(other, endpoint)
        assert store.delete_subscription(me, endpoint)
        assert store.list_subscriptions(me) == []

    def test_subscribing_the_same_endpoint_again_renews_it_for_the_latest_user(
        self, store: AlertStore, users: tuple[int, int], clock: SimulatedClock
    ) -> None:
        me, other = users
        endpoint = _endpoint()
        first = store.add_subscription(me, endpoint, "k1", "a1")
        clock.advance(60)
        renewed = store.add_subscription(me, endpoint, "k2", "a2")
        assert (renewed.id, renewed.p256dh, renewed.created_ns) == (first.id, "k2", at(9, 1))
        assert len(store.list_subscriptions(me)) == 1
        store.add_subscription(other, endpoint, "k3", "a3")  # someone else signs in there
        assert store.list_subscriptions(me) == []
        assert [s.p256dh for s in store.list_subscriptions(other)] == ["k3"]

    def test_an_expired_endpoint_is_forgotten_whoever_owns_it(
        self, store: AlertStore, users: tuple[int, int]
    ) -> None:
        me, _ = users
        endpoint = _endpoint()
        store.add_subscription(me, endpoint, "k", "a")
        assert store.forget_endpoint(endpoint)
        assert not store.forget_endpoint(endpoint)
        assert store.list_subscriptions(me) == []

    def test_past_the_cap_the_oldest_subscription_makes_room(
        self,
        store: AlertStore,
        users: tuple[int, int],
        clock: SimulatedClock,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        me, other = users
        monkeypatch.setattr(store_module, "MAX_SUBSCRIPTIONS_PER_USER", 2)
        endpoints = [_endpoint() for _ in range(3)]
        theirs = store.add_subscription(other, _endpoint(), "k", "a")
        for endpoint in endpoints:
            clock.advance(1)
            store.add_subscription(me, endpoint, "k", "a")
        assert [s.endpoint for s in store.list_subscriptions(me)] == endpoints[1:]
        assert store.list_subscriptions(other) == [theirs]


def _endpoint() -> str:
    return f"https://fcm.googleapis.com/fcm/send/{uuid.uuid4().hex}"
