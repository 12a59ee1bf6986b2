"""`SqlJobStore`: jobs in the `jobs` table of the JTS database (SQLite or PostgreSQL).

The engine comes from `jts.storage.open_database(url)` (schema migrated; `JobRow` is the
table) and belongs to whoever opened it. Each call is one short transaction through SQLAlchemy
Core, portable across both backends. `params` and `result` are JSON text (the same bytes on
both backends; they are read whole, never queried inside). Lists come newest first by the
surrogate `id` (insertion order), which the (owner, id) index serves; `created_ns` could tie.

How often a job is written is the queue's business (`InProcJobs` writes a running job's
progress at most once per `store_interval_s`); every call here commits.
"""

from __future__ import annotations

import builtins
from typing import Any, Final

from sqlalchemy import Engine, RowMapping, Table, insert, select, update

from jts.jobs.base import JobInfo, JobStatus
from jts.jobs.registry import decode_json, encode_json
from jts.storage.models import Base

__all__ = ["SqlJobStore"]

JOBS: Final[Table] = Base.metadata.tables["jobs"]
_STATE: Final = ("status", "progress", "message", "error", "started_ns", "finished_ns")
"""The columns a state change writes (id, kind, owner, params and created_ns never change)."""
_INFO: Final = tuple(c for c in JOBS.c if c.name not in ("id", "result"))
_UNFINISHED: Final = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class SqlJobStore:
    """A `JobStore` on `engine` (module docstring); safe to share between threads."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, info: JobInfo) -> None:
        row = {**_state(info), "job_id": info.job_id, "kind": info.kind, "owner": info.owner}
        row |= {"params": encode_json(info.params), "created_ns": info.created_ns}
        with self._engine.begin() as connection:
            connection.execute(insert(JOBS).values(row))

    def update(self, info: JobInfo, result: str | None = None) -> None:
        values = _state(info) | ({} if result is None else {"result": result})
        with self._engine.begin() as connection:
            done = connection.execute(
                update(JOBS).where(JOBS.c.job_id == info.job_id).values(values)
            )
        if done.rowcount != 1:
            raise KeyError(f"job {info.job_id} is not stored")

    def get(self, job_id: str) -> JobInfo | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(*_INFO).where(JOBS.c.job_id == job_id)).mappings()
            found = row.first()
        return None if found is None else _info(found)

    def list(self, owner: str | None = None, limit: int = 100) -> builtins.list[JobInfo]:
        query = select(*_INFO).order_by(JOBS.c.id.desc()).limit(limit)
        if owner is not None:
            query = query.where(JOBS.c.owner == owner)
        with self._engine.connect() as connection:
            return [_info(row) for row in connection.execute(query).mappings()]

    def result(self, job_id: str) -> str | None:
        with self._engine.connect() as connection:
            text = connection.execute(select(JOBS.c.result).where(JOBS.c.job_id == job_id))
            return text.scalar_one_or_none()

    def interrupt(self, error: str, finished_ns: int) -> builtins.list[JobInfo]:
        """One transaction: the rows it marks are exactly the rows it read (locked FOR UPDATE
        on PostgreSQL; SQLite, which has no row locks, renders no FOR UPDATE)."""
        unfinished = JOBS.c.status.in_(_UNFINISHED)
        changes: dict[str, Any] = {"status": JobStatus.FAILED.value, "error": error}
        changes |= {"message": error, "finished_ns": finished_ns}
        with self._engine.begin() as connection:
            query = select(*_INFO).where(unfinished).order_by(JOBS.c.id).with_for_update()
            rows = [dict(row) | changes for row in connection.execute(query).mappings()]
            if rows:
                marked = JOBS.c.job_id.in_([row["job_id"] for row in rows])
                connection.execute(update(JOBS).where(marked).values(changes))
        return [_info(row) for row in rows]


def _state(info: JobInfo) -> dict[str, Any]:
    values = {name: getattr(info, name) for name in _STATE}
    return values | {"status": info.status.value}


def _info(row: RowMapping | dict[str, Any]) -> JobInfo:
    return JobInfo(
        job_id=row["job_id"],
        kind=row["kind"],
        owner=row["owner"],
        status=JobStatus(row["status"]),
        progress=float(row["progress"]),
        message=row["message"],
        params=decode_json(row["params"]),
        error=row["error"],
        created_ns=row["created_ns"],
        started_ns=row["started_ns"],
        finished_ns=row["finished_ns"],
    )
