"""A gateway with the alert routes on SQLite, the gateway's error handlers, a fake sign-in,
and a push sender allowed to call the local stand-in push service (http on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, Header
from sqlalchemy import Engine

from jts.core.clock import SimulatedClock
from jts.gateway.alerts import (
    AlertEvaluator,
    AlertsConfig,
    AlertStore,
    PushSender,
    VapidKeys,
    alerts_router,
)
from jts.gateway.auth.principal import Principal, Role, Scope
from jts.gateway.errors import install_error_handlers
from jts.storage import open_database
from tests.gateway.alerts.helpers import add_user, at

LOCAL_PUSH = AlertsConfig(push_hosts=("127.0.0.1",), allow_insecure_endpoints=True, timeout_s=5)


def fake_principal(
    x_user: Annotated[int, Header()], x_scopes: Annotated[str | None, Header()] = None
) -> Principal:
    """Signs the request in as user `X-User`, with `X-Scopes` (space-separated) if given."""
    scopes = frozenset(Scope(s) for s in x_scopes.split()) if x_scopes else frozenset()
    return Principal(user_id=x_user, username=f"user{x_user}", role=Role.VIEWER, scopes=scopes)


@dataclass
class Gateway:
    engine: Engine
    store: AlertStore
    evaluator: AlertEvaluator
    sender: PushSender
    http: httpx.AsyncClient
    me: dict[str, str]
    other: dict[str, str]
    me_id: int
    other_id: int


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    return open_database(f"sqlite:///{tmp_path / 'gateway.db'}")


@pytest.fixture
async def gateway(engine: Engine, tmp_path: Path) -> AsyncIterator[Gateway]:
    clock = SimulatedClock(at(9, 0))
    store = AlertStore(engine, clock=clock)
    vapid = VapidKeys.load_or_create(tmp_path / "vapid.pem")
    sender = PushSender(store, vapid, LOCAL_PUSH, clock=clock)
    evaluator = AlertEvaluator(sink=sender.submit, clock=clock)
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(alerts_router(store, evaluator, sender, fake_principal))
    await sender.start()
    me, other = add_user(engine), add_user(engine)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://jts") as http:
        yield Gateway(
            engine,
            store,
            evaluator,
            sender,
            http,
            {"X-User": str(me)},
            {"X-User": str(other)},
            me,
            other,
        )
    await sender.stop()
    engine.dispose()
