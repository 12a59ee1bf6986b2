"""schemathesis against the OpenAPI document of the whole running system (paper trading, real
sockets): for generated requests to every operation, no 5xx, and every answer conforms to the
document (status code, content type, body schema)."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jts.app import build_app
from jts.config import load_settings
from jts.gateway.service import GatewayService
from jts.trading.service import PaperConfig, PaperTrading

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The all-in-one system on a free port in a thread of its own; (base URL, admin token)."""
    var: Path = tmp_path_factory.mktemp("var")
    # limits off: the fuzzer's hundreds of requests must reach the routes, not the 429
    settings = load_settings(
        server={"host": "127.0.0.1", "port": _free_port()},
        gateway={"rate_limit": {"enabled": False}},
    )
    passwords: list[str] = []
    paper = PaperTrading(PaperConfig(day=date(2026, 11, 27), symbols=5, speed=30))
    app = build_app(settings, trading=paper, var=var, announce=passwords.append)
    gateway = next(s for s in app.services if isinstance(s, GatewayService))
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    started = threading.Event()

    async def main() -> None:
        await app.start()
        started.set()
        try:
            await stop.wait()
        finally:
            await app.stop()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    assert started.wait(60), "the system did not start"
    url = gateway.url
    login = httpx.post(
        f"{url}/api/v1/auth/login", json={"username": "admin", "password": passwords[0]}
    )
    yield url, login.json()["access_token"]
    loop.call_soon_threadsafe(stop.set)
    thread.join(60)
    loop.close()


def _document() -> dict[str, object]:
    """The OpenAPI document of the system `jts run` builds (constructed, not started)."""
    import tempfile

    var = Path(tempfile.mkdtemp(prefix="jts-openapi-"))
    paper = PaperTrading(PaperConfig(day=date(2026, 11, 27), symbols=5))
    app = build_app(load_settings(), trading=paper, var=var)
    gateway = next(s for s in app.services if isinstance(s, GatewayService))
    return gateway.app.openapi()


schema = schemathesis.openapi.from_dict(_document())


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented(
    case: schemathesis.Case, server: tuple[str, str]
) -> None:
    url, token = server
    case.call_and_validate(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
