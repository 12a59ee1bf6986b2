"""`jts data kis-backfill`: today's minute bars from KIS (here its simulator, an hour into the
day) into the store, paged 30 bars a request."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from pathlib import Path

from jts.marketdata.store import ParquetStore
from tests.venues.kis.conftest import SimFactory, account


async def test_the_days_minute_bars_land_in_the_store(
    kis_sim_factory: SimFactory, tmp_path: Path
) -> None:
    customer = account(0)
    async with kis_sim_factory(accounts=(customer,), start_time=dt.time(10, 0)) as sim:
        env = {
            **os.environ,
            "JTS_KIS__APP_KEY": customer.appkey,
            "JTS_KIS__APP_SECRET": customer.appsecret,
            "JTS_KIS__ACCOUNT": customer.account,
            "JTS_KIS__REST_URL": sim.rest_url,
            "JTS_KIS__WS_URL": sim.ws_url,
            "JTS_KIS__TOKEN_DIR": str(tmp_path / "tokens"),
            "JTS_DATA_DIR": str(tmp_path / "data"),
        }
        run = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "jts", "data", "kis-backfill", "--codes", "005930,000660",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(run.communicate(), timeout=120)
    assert run.returncode == 0, err.decode()[-2000:]
    answer = json.loads(out.decode().strip().splitlines()[-1])
    assert answer["symbols"] == 2
    assert answer["rows"] > 60  # an hour of minutes per symbol: more than one page of 30
    bars = ParquetStore(tmp_path / "data").read_bars(["005930"], None, None, "1m")
    assert len(bars) > 30
    assert customer.appsecret not in err.decode()
