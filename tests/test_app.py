from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from jts.app import JtsApp, build_app, market_status
from jts.config import load_settings
from jts.core import KST, Service, ServiceError, SimulatedClock, to_ns
from jts.gateway.auth.principal import Role
from jts.gateway.auth.users import UserStore
from jts.storage import open_database


class _Recorder(Service):
    def __init__(self, name: str, log: list[str], fail: bool = False) -> None:
        super().__init__(name)
        self._log = log
        self._fail = fail

    async def _on_start(self) -> None:
        if self._fail:
            raise RuntimeError("cannot start")
        self._log.append(f"start {self.name}")

    async def _on_stop(self) -> None:
        self._log.append(f"stop {self.name}")


async def test_services_start_in_order_and_stop_in_reverse() -> None:
    log: list[str] = []
    app = JtsApp(load_settings(), [_Recorder("a", log), _Recorder("b", log)])
    stop = asyncio.Event()
    stop.set()
    await app.run_until_signalled(stop)
    assert log == ["start a", "start b", "stop b", "stop a"]


async def test_a_failed_start_stops_what_already_started() -> None:
    log: list[str] = []
    app = JtsApp(load_settings(), [_Recorder("a", log), _Recorder("b", log, fail=True)])
    with pytest.raises(ServiceError, match="b failed to start"):
        await app.start()
    assert log == ["start a", "stop a"]


def test_market_status_on_a_csat_day_shows_the_shifted_schedule() -> None:
    clock = SimulatedClock(to_ns(dt.datetime(2026, 11, 19, 9, 45, tzinfo=KST)))
    market = market_status(clock)["market"]
    assert market["trading_day"] is True
    assert market["phase"] == "opening_auction"  # the open moved to 10:00
    continuous = next(s for s in market["sessions"] if s["phase"] == "continuous")
    assert (continuous["start"], continuous["end"]) == ("10:00:00", "16:20:00")


def test_market_status_on_a_holiday() -> None:
    clock = SimulatedClock(to_ns(dt.datetime(2026, 12, 25, 10, 0, tzinfo=KST)))
    market = market_status(clock)["market"]
    assert market["trading_day"] is False
    assert market["sessions"] == []


def test_build_app_wires_bus_and_gateway() -> None:
    app = build_app(load_settings())
    assert [service.name for service in app.services] == [
        "bus",
        "jobs",
        "push",
        "realtime",
        "gateway",
    ]


def test_first_start_creates_an_admin_once_and_a_cli_key(tmp_path: Path) -> None:
    shown: list[str] = []
    build_app(load_settings(), var=tmp_path, announce=shown.append)
    assert len(shown) == 1
    users = UserStore(open_database(f"sqlite:///{tmp_path}/jts.db"))
    assert users.authenticate("admin", shown[0]) is not None
    key = (tmp_path / "secrets" / "cli.key").read_text().strip()
    principal = users.check_api_key(key)
    assert principal is not None
    assert principal.role is Role.ADMIN
    assert oct((tmp_path / "secrets" / "cli.key").stat().st_mode & 0o777) == "0o600"
    build_app(load_settings(), var=tmp_path, announce=shown.append)
    assert len(shown) == 1  # the second start shows nothing and keeps the key
    assert (tmp_path / "secrets" / "cli.key").read_text().strip() == key
