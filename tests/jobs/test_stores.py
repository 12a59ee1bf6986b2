"""Job stores: one contract for memory, SQLite and PostgreSQL; restarts never lose a job.

PostgreSQL cases run in a database made for the test and dropped after it (conftest), and skip
with the reason when no server is reachable.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import Engine

from jts.jobs import (
    INTERRUPTED,
    InProcJobs,
    JobInfo,
    JobStatus,
    JobStore,
    MemoryJobStore,
    SqlJobStore,
)
from jts.storage import open_database
from tests.jobs.conftest import Gate, Recorder, fast_config, postgres_url, steps_handler


def job(n: int, owner: str = "kim", status: JobStatus = JobStatus.QUEUED) -> JobInfo:
    return JobInfo(
        job_id=f"{n:032x}",
        kind="backtest",
        owner=owner,
        status=status,
        message="queued",
        params={"example": "sma_cross", "data": {"source": "synth", "days": 3}, "cash": 10**8},
        created_ns=1_700_000_000_000_000_000 + n,
    )


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[JobStore]:
    if request.param == "memory":
        yield MemoryJobStore()
        return
    urls = [f"sqlite:///{tmp_path / 'jobs.db'}"] if request.param == "sqlite" else postgres_url()
    for url in urls:  # one URL; the PostgreSQL generator drops its database after the loop
        engine = open_database(url)
        try:
            yield SqlJobStore(engine)
        finally:
            engine.dispose()


class TestJobStoreContract:
    def test_a_job_reads_back_field_for_field(self, store: JobStore) -> None:
        info = job(1)
        store.add(info)
        assert store.get(info.job_id) == info
        assert store.get("0" * 32) is None

    def test_updates_keep_the_latest_state_and_the_result(self, store: JobStore) -> None:
        info = job(1)
        store.add(info)
        running = msgspec.structs.replace(
            info, status=JobStatus.RUNNING, progress=0.25, message="1/4", started_ns=5
        )
        store.update(running)
        assert store.get(info.job_id) == running
        assert store.result(info.job_id) is None
        done = msgspec.structs.replace(
            running, status=JobStatus.SUCCEEDED, progress=1.0, finished_ns=9
        )
        store.update(done, '{"sharpe":1.5}')
        assert store.get(info.job_id) == done
        assert store.result(info.job_id) == '{"sharpe":1.5}'

    def test_updating_an_unknown_job_raises(self, store: JobStore) -> None:
        with pytest.raises(KeyError):
            store.update(job(1))

    def test_lists_are_newest_first_per_owner_and_limited(self, store: JobStore) -> None:
        for n, owner in enumerate(["kim", "lee", "kim", "kim"]):
            store.add(job(n, owner))
        assert [i.job_id for i in store.list()] == [job(n).job_id for n in (3, 2, 1, 0)]
        assert [i.job_id for i in store.list("kim", 2)] == [job(3).job_id, job(2).job_id]
        assert store.list("park") == []

    def test_interrupt_fails_only_unfinished_jobs(self, store: JobStore) -> None:
        store.add(job(1, status=JobStatus.QUEUED))
        store.add(job(2, status=JobStatus.RUNNING))
        store.add(job(3, status=JobStatus.SUCCEEDED))
        marked = store.interrupt(INTERRUPTED, 42)
        assert sorted(i.job_id for i in marked) == [job(1).job_id, job(2).job_id]
        for info in marked:
            assert store.get(info.job_id) == info
            assert (info.status, info.error, info.finished_ns) == (
                JobStatus.FAILED,
                INTERRUPTED,
                42,
            )
        assert store.get(job(3).job_id) == job(3, status=JobStatus.SUCCEEDED)
        assert store.interrupt(INTERRUPTED, 43) == []


class CountingStore(MemoryJobStore):
    """Counts the writes the queue makes."""

    def __init__(self) -> None:
        super().__init__()
        self.updates: list[JobInfo] = []

    def update(self, info: JobInfo, result: str | None = None) -> None:
        self.updates.append(info)
        super().update(info, result)


async def test_progress_writes_to_the_store_are_throttled() -> None:
    store = CountingStore()
    config = fast_config(store_interval_s=3600.0)
    jobs = InProcJobs([steps_handler()], store, config)
    recorder = Recorder()
    jobs.listen(recorder)
    await jobs.start()
    try:
        info = await jobs.submit("steps", {"steps": 500}, owner="kim")
        await recorder.done(info.job_id)
    finally:
        await jobs.stop()
    progress_events = [e for e in recorder.of(info.job_id) if e.message.startswith("step")]
    assert len(progress_events) > 100  # listeners hear far more (interval 0 here) ...
    assert len(store.updates) <= 3  # ... than the store gets: started, one progress, final
    assert store.updates[-1].status is JobStatus.SUCCEEDED


class TestRestart:
    """A process that died leaves jobs queued or running; the next one fails them."""

    async def test_jobs_a_dead_process_left_are_failed_as_interrupted(self, engine: Engine) -> None:
        dead = SqlJobStore(engine)  # what the previous process wrote before it died
        dead.add(job(1, status=JobStatus.QUEUED))
        dead.add(job(2, status=JobStatus.RUNNING))
        dead.add(job(3, status=JobStatus.SUCCEEDED))
        jobs = InProcJobs([steps_handler()], SqlJobStore(engine), fast_config())
        recorder = Recorder()
        jobs.listen(recorder)
        await jobs.start()
        try:
            for n in (1, 2):
                info = await jobs.get(job(n).job_id)
                assert info is not None
                assert (info.status, info.error) == (JobStatus.FAILED, INTERRUPTED)
            assert sorted(e.job_id for e in recorder.events) == [job(1).job_id, job(2).job_id]
            done = await jobs.get(job(3).job_id)
            assert done is not None
            assert done.status is JobStatus.SUCCEEDED
        finally:
            await jobs.stop()

    async def test_results_and_stopped_jobs_survive_a_restart(
        self, engine: Engine, gate: Gate
    ) -> None:
        first = InProcJobs([steps_handler(), gate.handler()], SqlJobStore(engine), fast_config())
        recorder = Recorder()
        first.listen(recorder)
        await first.start()
        finished = await first.submit("steps", {"steps": 2, "values": [4, 5]}, owner="kim")
        await recorder.done(finished.job_id)
        running = await first.submit("gated", {}, owner="kim")
        await recorder.status(running.job_id, JobStatus.RUNNING)
        await first.stop()

        second = InProcJobs([steps_handler(), gate.handler()], SqlJobStore(engine))
        await second.start()
        try:
            assert await second.result(finished.job_id) == {"total": 9, "steps": 2}
            stopped = await second.get(running.job_id)
            assert stopped is not None
            assert (stopped.status, stopped.error) == (JobStatus.FAILED, INTERRUPTED)
            listed = [i.job_id for i in await second.list(owner="kim")]
            assert listed == [running.job_id, finished.job_id]
        finally:
            await second.stop()
