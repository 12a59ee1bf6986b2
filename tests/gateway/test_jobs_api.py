"""Backtests as jobs over the API: submit, follow, read the result and the HTML report;
ownership; cancel; bad params refused at submit naming the field."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from jts.gateway import create_app
from jts.gateway.auth.guard import Authenticator
from jts.gateway.auth.principal import Scope
from jts.gateway.routes.jobs import jobs_router
from jts.jobs import InProcJobs, SqlJobStore
from jts.jobs.kinds import KindsConfig, builtin_handlers
from tests.gateway.conftest import Api, _api, make_parts

EXAMPLES = Path(__file__).parents[2] / "examples" / "strategies"
SYNTH = {"source": "synth", "symbols": 3, "days": 3, "seed": 7, "start": "2025-11-03"}


@pytest.fixture
async def jobs_api(engine: Engine, auth: Authenticator, tmp_path: Path) -> AsyncIterator[Api]:
    kinds = KindsConfig(
        data_dir=tmp_path / "data", reports_dir=tmp_path / "reports", strategy_dir=EXAMPLES
    )
    queue = InProcJobs(builtin_handlers(kinds), SqlJobStore(engine))
    await queue.start()
    parts = make_parts(engine, auth, None, None)
    parts.routers.append(jobs_router(queue, auth.requires(Scope.READ), auth.requires(Scope.TRADE)))
    client = await _api(create_app(parts), auth, None)
    async with client.http:
        yield client
    await queue.stop()


async def _until_done(http: httpx.AsyncClient, job_id: str, headers: dict[str, str]) -> Any:
    for _ in range(1200):
        job = (await http.get(f"/api/v1/jobs/{job_id}", headers=headers)).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish")


async def test_a_backtest_runs_as_a_job_with_result_and_report(jobs_api: Api) -> None:
    http, trader = jobs_api.http, jobs_api.trader
    submitted = await http.post(
        "/api/v1/backtests",
        json={"example": "sma_cross", "data": SYNTH, "params": {"fast": 4}},
        headers=trader,
    )
    assert submitted.status_code == 202, submitted.text
    job = submitted.json()
    assert (job["kind"], job["owner"]) == ("backtest", "trader")
    done = await _until_done(http, job["job_id"], trader)
    assert done["status"] == "succeeded", done["error"]
    assert done["progress"] == 1.0
    result = (await http.get(f"/api/v1/jobs/{job['job_id']}/result", headers=trader)).json()
    assert result["result"]["summary"]["orders_filled"] > 0
    report = await http.get(f"/api/v1/backtests/{job['job_id']}/report", headers=trader)
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/html")
    assert "sma_cross" in report.text
    listed = (await http.get("/api/v1/jobs", params={"kind": "backtest"}, headers=trader)).json()
    assert [j["job_id"] for j in listed] == [job["job_id"]]
    # another user does not see it; an admin does
    assert (
        await http.get(f"/api/v1/jobs/{job['job_id']}", headers=jobs_api.viewer)
    ).status_code == 404
    assert (await http.get("/api/v1/jobs", headers=jobs_api.viewer)).json() == []
    assert len((await http.get("/api/v1/jobs", headers=jobs_api.admin)).json()) == 1


async def test_bad_params_are_refused_at_submit(jobs_api: Api) -> None:
    answer = await jobs_api.http.post(
        "/api/v1/backtests", json={"example": "sma_cross", "cash": -5}, headers=jobs_api.trader
    )
    assert answer.status_code == 422
    assert answer.json()["details"]["field"] == "cash"
    both = await jobs_api.http.post(
        "/api/v1/jobs",
        json={"kind": "backtest", "params": {"strategy": "x", "example": "y"}},
        headers=jobs_api.trader,
    )
    assert both.status_code == 422


async def test_backfills_are_for_admins_and_viewers_cannot_submit(jobs_api: Api) -> None:
    body = {"kind": "backfill", "params": {"symbols": 1, "days": 1}}
    assert (
        await jobs_api.http.post("/api/v1/jobs", json=body, headers=jobs_api.trader)
    ).status_code == 403
    viewer = await jobs_api.http.post(
        "/api/v1/backtests", json={"example": "sma_cross"}, headers=jobs_api.viewer
    )
    assert viewer.status_code == 403


async def test_a_job_is_cancelled(jobs_api: Api) -> None:
    http, trader = jobs_api.http, jobs_api.trader
    big = {**SYNTH, "symbols": 20, "days": 20}
    first = (await http.post("/api/v1/backtests", json={"example": "sma_cross", "data": big},
                             headers=trader)).json()  # fmt: skip
    ids = [first["job_id"]]
    for _ in range(3):  # more than the 2 workers: the last ones wait in the queue
        ids.append((await http.post("/api/v1/backtests", json={"example": "sma_cross", "data": big},
                                    headers=trader)).json()["job_id"])  # fmt: skip
    cancelled = await http.post(f"/api/v1/jobs/{ids[-1]}/cancel", headers=trader)
    assert cancelled.json()["status"] == "cancelled"
    for job_id in ids[:-1]:
        await http.post(f"/api/v1/jobs/{job_id}/cancel", headers=trader)
    for job_id in ids:
        assert (await _until_done(http, job_id, trader))["status"] in ("cancelled", "succeeded")
