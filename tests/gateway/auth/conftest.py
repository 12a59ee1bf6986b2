"""Passkey test set-up: a fresh SQLite database, users inserted as rows, a service on a
simulated clock, and a software authenticator on the default origin."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jts.core.clock import SimulatedClock
from jts.gateway.auth.passkeys import PasskeyService
from jts.storage import open_database
from jts.storage.models import UserRow
from tests.gateway.auth.softauthn import SoftAuthenticator

START_NS = 1_780_000_000_000_000_000

AddUser = Callable[..., int]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_database(f"sqlite:///{tmp_path}/db.sqlite")
    yield engine
    engine.dispose()


@pytest.fixture
def add_user(engine: Engine) -> AddUser:
    """Insert a user row directly; returns its id."""

    def add(username: str, *, disabled: bool = False) -> int:
        row = UserRow(
            username=username,
            password_hash="x",
            role="trader",
            handle=secrets.token_hex(16),
            disabled=disabled,
            created_ns=START_NS,
        )
        with Session(engine) as session:
            session.add(row)
            session.commit()
            return row.id

    return add


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START_NS)


@pytest.fixture
def service(engine: Engine, clock: SimulatedClock) -> PasskeyService:
    return PasskeyService(
        engine,
        rp_id="localhost",
        rp_name="JTS",
        origins=["http://localhost:8000"],
        clock=clock,
    )


@pytest.fixture
def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator()
