"""Shared set-up of the job tests: small handlers, a recorder of job events, databases.

Nothing here sleeps on the wall clock: tests wait for job events (`Recorder.until`) and
handlers wait on `threading.Event`s the test sets, with a timeout only as a safety net.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine

from jts.jobs import (
    InProcConfig,
    InProcJobs,
    JobContext,
    JobHandler,
    JobInfo,
    JobStatus,
    JobStore,
    MemoryJobStore,
    SqlJobStore,
)
from jts.storage import open_database

PG_ADMIN = os.environ.get("JTS_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=test")
"""libpq DSN of a database on the test server from which per-test databases are created."""

SAFETY_S = 60.0
"""Longest any test waits for an event before it fails (never reached when all is well)."""


class Recorder:
    """Every `JobInfo` a queue's listeners saw, in order, and a way to await a condition."""

    def __init__(self) -> None:
        self.events: list[JobInfo] = []
        self._changed = asyncio.Event()

    def __call__(self, info: JobInfo) -> None:
        self.events.append(info)
        self._changed.set()

    def of(self, job_id: str) -> list[JobInfo]:
        return [e for e in self.events if e.job_id == job_id]

    async def until(self, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(SAFETY_S):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    async def status(self, job_id: str, *statuses: JobStatus) -> JobInfo:
        """The first event of `job_id` with one of `statuses` (awaited)."""
        await self.until(lambda: any(e.status in statuses for e in self.of(job_id)))
        return next(e for e in self.of(job_id) if e.status in statuses)

    async def done(self, job_id: str) -> JobInfo:
        """The job's final state (awaited)."""
        finals = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)
        return await self.status(job_id, *finals)


class Gate:
    """Blocking handlers: each job waits at the gate until the test opens it for its tag."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, threading.Event] = {}
        self.started: list[str] = []
        self.active = 0
        self.max_active = 0

    def event(self, tag: str) -> threading.Event:
        with self._lock:
            return self._open.setdefault(tag, threading.Event())

    def open(self, tag: str = "*") -> None:
        self.event(tag).set()

    def handler(self, *, honour_cancel: bool = True) -> JobHandler:
        def run(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
            tag = str(params.get("tag", ""))
            with self._lock:
                self.started.append(tag)
                self.active += 1
                self.max_active = max(self.max_active, self.active)
            try:
                mine, everyone = self.event(tag), self.event("*")
                for _ in range(int(SAFETY_S / 0.005)):
                    if mine.is_set() or everyone.is_set():
                        return {"tag": tag}
                    if honour_cancel:
                        ctx.check()
                    mine.wait(0.005)
                raise TimeoutError(f"gate {tag!r} never opened")
            finally:
                with self._lock:
                    self.active -= 1

        return JobHandler(kind="gated", run=run)


def steps_handler() -> JobHandler:
    """`steps` progress reports of i/steps each, then a result with the sum of `values`."""

    def validate(params: Any) -> dict[str, Any]:
        from jts.core.errors import InvalidInput

        steps = params.get("steps", 3)
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            raise InvalidInput("steps", f"{steps!r} is not a positive whole number")
        return {"steps": steps, "values": list(params.get("values", []))}

    def run(params: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
        for done in range(1, params["steps"] + 1):
            ctx.check()
            ctx.progress(done / params["steps"], f"step {done}")
        return {"total": sum(params["values"]), "steps": params["steps"]}

    return JobHandler(kind="steps", run=run, validate=validate)


def failing_handler() -> JobHandler:
    def run(params: dict[str, Any], ctx: JobContext) -> None:
        ctx.progress(0.5, "about to fail")
        raise RuntimeError(str(params.get("why", "it broke")))

    return JobHandler(kind="failing", run=run)


def fast_config(**changes: Any) -> InProcConfig:
    """Every progress report becomes an event; the other defaults stay."""
    return InProcConfig(**({"progress_interval_s": 0.0, "stop_timeout_s": 5.0} | changes))


@pytest.fixture
def gate() -> Iterator[Gate]:
    gate = Gate()
    yield gate
    gate.open()  # never leave a worker thread waiting behind a failed test


@pytest.fixture
async def queue(gate: Gate) -> AsyncIterator[tuple[InProcJobs, Recorder]]:
    """A started queue of the test handlers on a memory store, with a recorder listening."""
    kinds = [gate.handler(), steps_handler(), failing_handler()]
    jobs = InProcJobs(kinds, MemoryJobStore(), fast_config())
    recorder = Recorder()
    jobs.listen(recorder)
    await jobs.start()
    yield jobs, recorder
    gate.open()
    await jobs.stop()


# -- databases --------------------------------------------------------------------------------


def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped after it; skips without a server."""
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL ({PG_ADMIN}) is unreachable: {exc}")
    name = f"jts_jobs_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            info = admin.info
            yield f"postgresql://{info.user}@{info.host}:{info.port}/{name}"
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite in tmp_path, or a fresh PostgreSQL database (dropped after the test)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.db'}"
    else:
        yield from postgres_url()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the test's database, migrated to head."""
    engine = open_database(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["memory", "sql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStore]:
    """The memory store or the SQL store on SQLite (PostgreSQL: see test_sql_store.py)."""
    if request.param == "memory":
        yield MemoryJobStore()
        return
    engine = open_database(f"sqlite:///{tmp_path / 'jobs.db'}")
    yield SqlJobStore(engine)
    engine.dispose()
