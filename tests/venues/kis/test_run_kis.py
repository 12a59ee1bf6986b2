"""`jts sim kis` and `jts run --venue kis --mode paper` end to end, two processes: a strategy
trades a KIS paper account through the adapter against the simulator, whose market runs 30
times faster than the machine's clock on a fixed past day (the session follows the venue's
clock)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from jts.trading.service import DEMO_STRATEGY

APPKEY, SECRET = "PSRUN" + "k" * 31, "S" * 180
ACCOUNT, HTS = "50000077-01", "runner"
BUSY = DEMO_STRATEGY.replace("param fast = 3 in 2..10", "param fast = 2 in 2..10").replace(
    "param slow = 10 in 5..60", "param slow = 4 in 2..60"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def _simulator() -> AsyncIterator[tuple[str, str]]:
    rest, ws = _free_port(), _free_port()
    sim = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "jts", "sim", "kis", "--rest-port", str(rest), "--ws-port",
        str(ws), "--appkey", APPKEY, "--appsecret", SECRET, "--account", ACCOUNT,
        "--hts-id", HTS, "--codes", "005930,000660,035420", "--symbols", "6", "--seed", "3",
        "--date", "2026-11-27", "--speed", "30",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(200):
                with contextlib.suppress(httpx.TransportError):
                    await http.post(f"http://127.0.0.1:{rest}/oauth2/revokeP", json={})
                    break
                await asyncio.sleep(0.1)
        yield f"http://127.0.0.1:{rest}", f"ws://127.0.0.1:{ws}"
    finally:
        sim.terminate()
        await asyncio.wait_for(sim.wait(), timeout=30)


async def test_jts_run_trades_a_strategy_through_kis_against_jts_sim_kis(tmp_path: Path) -> None:
    strategy = tmp_path / "busy.jts"
    strategy.write_text(BUSY, encoding="utf-8")
    async with _simulator() as (rest_url, ws_url):
        env = {
            **os.environ,
            "JTS_KIS__APP_KEY": APPKEY,
            "JTS_KIS__APP_SECRET": SECRET,
            "JTS_KIS__ACCOUNT": ACCOUNT,
            "JTS_KIS__HTS_ID": HTS,
            "JTS_KIS__REST_URL": rest_url,
            "JTS_KIS__WS_URL": ws_url,
        }
        run = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "jts", "run", "--venue", "kis", "--mode", "paper",
            "--codes", "005930,000660,035420", "--strategy", str(strategy),
            "--port", str(_free_port()), "--duration", "45", "--var", str(tmp_path / "var"),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(run.communicate(), timeout=240)
    assert run.returncode == 0, err.decode()[-3000:]
    summary = json.loads(out.decode().strip().splitlines()[-1])
    assert summary["symbols"] == 3
    assert summary["orders"] > 0, summary
    assert summary["fills"] > 0, summary
    assert summary["errors"] == 0
    assert summary["positions_match_venue"] is True
    assert SECRET not in err.decode()  # secrets are never logged
    assert (tmp_path / "var" / f"live-kis-{ACCOUNT}.db").is_file()
