"""Gateway fixtures: a database with one user per role, and the whole API over a running paper
session (5 synthetic symbols), called in-process through httpx's ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from jts.core.clock import LiveClock
from jts.gateway import GatewayParts, create_app
from jts.gateway.auth.guard import Authenticator
from jts.gateway.auth.principal import Role
from jts.gateway.auth.tokens import TokenService
from jts.gateway.auth.users import UserStore
from jts.gateway.brokers import CredentialStore, SecretBox
from jts.storage import open_database
from jts.storage.strategies import StrategyLibrary
from jts.trading.service import PaperConfig, PaperTrading
from jts.trading.views import TradingViews

PASSWORD = "correct horse battery"
KEY = b"k" * 32


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_database(f"sqlite:///{tmp_path}/gateway.db")
    yield engine
    engine.dispose()


@pytest.fixture
def auth(engine: Engine) -> Authenticator:
    users = UserStore(engine)
    for role in Role:
        users.create(str(role), PASSWORD, role)
    return Authenticator(users, TokenService(KEY), recheck_s=0.0)


def bearer(auth: Authenticator, username: str) -> dict[str, str]:
    user = auth.users.by_username(username)
    assert user is not None
    return {"Authorization": f"Bearer {auth.issue(user)['access_token']}"}


@dataclass
class Api:
    """The app, a client, and request headers for each role."""

    app: FastAPI
    http: httpx.AsyncClient
    auth: Authenticator
    viewer: dict[str, str]
    trader: dict[str, str]
    admin: dict[str, str]
    paper: PaperTrading | None = None
    views: TradingViews | None = None


def make_parts(
    engine: Engine, auth: Authenticator, paper: PaperTrading | None, views: TradingViews | None
) -> GatewayParts:
    return GatewayParts(
        auth=auth,
        health_source=lambda: [],
        desk=views.desk if views is not None else None,
        control=paper,
        library=StrategyLibrary(engine),
        credentials=CredentialStore(engine, SecretBox(KEY), LiveClock()),
    )


async def _api(app: FastAPI, auth: Authenticator, paper: PaperTrading | None) -> Api:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://jts")
    return Api(app, http, auth, *(bearer(auth, str(r)) for r in Role), paper=paper)


@pytest.fixture
async def api(engine: Engine, auth: Authenticator) -> AsyncIterator[Api]:
    """The whole API over a running paper session."""
    paper = PaperTrading(PaperConfig(day=date(2026, 11, 27), symbols=5, speed=60))
    await paper.start()
    views = TradingViews(lambda: paper.node, paper.book)
    await views.start()
    client = await _api(create_app(make_parts(engine, auth, paper, views)), auth, paper)
    client.views = views
    async with client.http:
        yield client
    await views.stop()
    await paper.stop()


@pytest.fixture
async def bare_api(engine: Engine, auth: Authenticator) -> AsyncIterator[Api]:
    """The API with no trading running (users, strategies, credentials only)."""
    client = await _api(create_app(make_parts(engine, auth, None, None)), auth, None)
    async with client.http:
        yield client
