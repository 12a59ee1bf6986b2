"""Browser tests of the dashboard: the whole system (`jts.app.build_app` with paper trading)
on a free port in a thread of its own, serving a dashboard build, driven by Playwright in
Debian's chromium (`executable_path="/usr/bin/chromium"`; nothing is downloaded).

The build served is `$JTS_WEB_DIR` when set, else web/out (`make test` builds it). Without a
build or without chromium the tests skip and say why; CI installs both (`.ci/run`).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from jts.app import WEB_DIR, build_app
from jts.config import load_settings
from jts.gateway.auth.principal import Role
from jts.gateway.auth.users import UserStore
from jts.gateway.service import GatewayService
from jts.storage import open_database
from jts.trading.service import PaperConfig, PaperTrading

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
PASSWORD = "e2e password 1234"


def _web_dir() -> Path:
    override = os.environ.get("JTS_WEB_DIR")
    return Path(override) if override else WEB_DIR


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reason = None
    if not (_web_dir() / "index.html").is_file():
        reason = f"no dashboard build at {_web_dir()} (make web; needs Node.js)"
    elif not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        reason = "Debian's chromium is not installed (.ci/run installs it)"
    if reason:
        for item in items:
            if "tests/e2e" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass
class System:
    url: str
    var: Path
    paper: PaperTrading
    passwords: dict[str, str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    """`jts run` in miniature: 20 symbols at 60× speed, users admin/trader/viewer."""
    var = tmp_path_factory.mktemp("e2e")
    os.environ["JTS_WEB_DIR"] = str(_web_dir())
    port = _free_port()
    settings = load_settings(
        server={"host": "127.0.0.1", "port": port},
        gateway={"rate_limit": {"enabled": False},
                 "passkeys": {"origins": [f"http://localhost:{port}"]}},
    )  # fmt: skip
    shown: list[str] = []
    paper = PaperTrading(PaperConfig(day=date(2026, 11, 27), symbols=20, speed=60))
    app = build_app(settings, trading=paper, var=var, announce=shown.append)
    users = UserStore(open_database(f"sqlite:///{var}/jts.db"))
    users.update(users.by_username("admin").id, password=PASSWORD)  # type: ignore[union-attr]
    users.create("trader", PASSWORD, Role.TRADER)
    users.create("viewer", PASSWORD, Role.VIEWER)
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
    gateway = next(s for s in app.services if isinstance(s, GatewayService))
    # localhost, not 127.0.0.1: WebAuthn refuses IP addresses as relying-party ids
    yield System(f"http://localhost:{gateway.port}", var, paper,
                 {"admin": PASSWORD, "trader": PASSWORD, "viewer": PASSWORD})  # fmt: skip
    loop.call_soon_threadsafe(stop.set)
    thread.join(60)
    loop.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def sign_in(page: object, system: System, username: str = "admin") -> None:
    """Open the login page and sign in with the password; waits for the overview."""
    page.goto(f"{system.url}/login/")  # type: ignore[attr-defined]
    page.fill("#username", username)  # type: ignore[attr-defined]
    page.fill("#password", system.passwords[username])  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{system.url}/")  # type: ignore[attr-defined]


@pytest.fixture
def page(browser: object, system: System) -> Iterator[object]:
    """A fresh browser context signed in as admin."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # type: ignore[attr-defined]
    tab = context.new_page()
    sign_in(tab, system)
    yield tab
    context.close()
