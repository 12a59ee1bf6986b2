"""Recorded backtests: what ran and what came out, kept in the store for the dashboard.

    stored = record_run(settings.data_dir, program, result=result, options={...})
    list_runs(settings.data_dir)          # newest first, one dict per run (no strategy text)
    load_run(settings.data_dir, run_id)   # a StoredRun: meta, tables, .result()

Layout: `<data_dir>/runs/<run_id>/`, where `run_id` is the UTC start as `20260305T091502Z`
and 8 hex digits of a hash (of the strategy, params, clock and process: two runs in the same
second never share an id), so folder names sort by time.

    run.json        run_id, kind (backtest / sweep / walk_forward), created (UTC ISO),
                    strategy, strategy_sha256, strategy_text, strategy_file, params, data
                    (source, timeframe, start, end), engine, options, stats, tables, jts_version
    orders.parquet fills.parquet equity.parquet trades.parquet stats.json
                    a single backtest: `BacktestResult.to_parquet`
    sweep.parquet, walk_forward.parquet, ...   a sweep's own tables

A record is written into a hidden `.tmp-...` folder and renamed into place in one step, so a
reader sees a whole run or none: a failure (or a kill) mid-write leaves no half run behind, at
most a hidden folder that listing ignores and the next record removes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import polars as pl

import jts
from jts.backtest.api import Loaded, strategy_source
from jts.backtest.result import BacktestResult
from jts.core.errors import InvalidInput
from jts.strategy.lang import Program

__all__ = ["RUNS_DIR", "StoredRun", "list_runs", "load_run", "record_run"]

RUNS_DIR: Final = "runs"
_ID: Final = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")
_TMP: Final = ".tmp-"
_STALE_S: Final = 24 * 3600


@dataclass(frozen=True)
class StoredRun:
    """A recorded run: `meta` is its run.json; tables load on demand."""

    run_id: str
    folder: Path
    meta: dict[str, Any]

    @property
    def tables(self) -> list[str]:
        """Names of the Parquet tables kept with the run."""
        return sorted(p.stem for p in self.folder.glob("*.parquet"))

    def table(self, name: str) -> pl.DataFrame:
        path = self.folder / f"{name}.parquet"
        if name not in self.tables:
            raise InvalidInput("table", f"run {self.run_id} has no {name!r}: {self.tables}")
        return pl.read_parquet(path)

    def result(self) -> BacktestResult:
        """The single backtest back as a `BacktestResult` (bars are not kept, so a report
        rebuilt from it has no price charts)."""
        if self.meta.get("kind") != "backtest":
            raise InvalidInput("run", f"{self.run_id} is a {self.meta.get('kind')}, not a backtest")
        meta = dict(self.meta.get("result_meta") or {})
        return BacktestResult(
            strategy=str(self.meta.get("strategy")),
            params=dict(self.meta.get("params") or {}),
            stats=dict(self.meta.get("stats") or {}),
            orders=self.table("orders"),
            fills=self.table("fills"),
            equity=self.table("equity"),
            trades=self.table("trades"),
            initial_cash=int(meta.get("cash") or self.meta["options"]["cash"]),
            meta=meta,
        )


def record_run(
    data_dir: str | os.PathLike[str],
    program: Loaded,
    *,
    kind: str = "backtest",
    result: BacktestResult | None = None,
    tables: Mapping[str, pl.DataFrame] | None = None,
    data: Mapping[str, Any] | None = None,
    options: Mapping[str, Any] | None = None,
    stats: Mapping[str, Any] | None = None,
    strategy_file: str | None = None,
) -> StoredRun:
    """Record one run atomically (module docstring) and return it.

    `result`: a single backtest (its tables, stats, params and data range are taken from it);
    `tables`: more tables to keep (a sweep's results); `data`: source, timeframe, start, end
    when there is no result; `options`: how it ran (engine, fill, costs, cash, ...) as given;
    `stats`: figures for the listing when there is no result (a sweep's best row).
    """
    runs = Path(data_dir) / RUNS_DIR
    runs.mkdir(parents=True, exist_ok=True)
    _remove_stale(runs)
    created = dt.datetime.now(dt.UTC)
    meta = _meta(program, kind, result, data, options, stats, strategy_file)
    run_id = _new_id(created, meta)
    meta = {"run_id": run_id, "kind": kind, "created": created.isoformat(), **meta}
    temp = runs / f"{_TMP}{run_id}"
    try:
        temp.mkdir()
        if result is not None:
            result.to_parquet(temp)
        for name, table in (tables or {}).items():
            table.write_parquet(temp / f"{name}.parquet")
        meta["tables"] = sorted(p.stem for p in temp.glob("*.parquet"))
        text = json.dumps(meta, indent=2, ensure_ascii=False, default=str)
        (temp / "run.json").write_text(text + "\n", encoding="utf-8")
        temp.rename(runs / run_id)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return StoredRun(run_id, runs / run_id, json.loads(text))


def list_runs(data_dir: str | os.PathLike[str], limit: int | None = None) -> list[dict[str, Any]]:
    """The recorded runs, newest first: run.json without the strategy text. A run.json that
    cannot be read is listed with an `error` instead of hiding it or failing the listing."""
    runs = Path(data_dir) / RUNS_DIR
    if not runs.is_dir():
        return []
    found = []
    for folder in sorted(runs.iterdir(), reverse=True):
        if not (_ID.match(folder.name) and (folder / "run.json").is_file()):
            continue
        try:
            meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            meta = {"run_id": folder.name, "error": f"unreadable run.json: {exc}"}
        meta.pop("strategy_text", None)
        found.append(meta)
    found.sort(key=lambda m: (str(m.get("created", "")), str(m.get("run_id"))), reverse=True)
    return found[:limit] if limit is not None else found


def load_run(data_dir: str | os.PathLike[str], run_id: str) -> StoredRun:
    """A recorded run by id; `InvalidInput` when there is none (or the id is malformed)."""
    if not _ID.match(run_id):
        raise InvalidInput("run", f"{run_id!r} is not a run id like 20260305T091502Z-1a2b3c4d")
    folder = Path(data_dir) / RUNS_DIR / run_id
    path = folder / "run.json"
    if not path.is_file():
        raise InvalidInput("run", f"no run {run_id} in {folder.parent}")
    return StoredRun(run_id, folder, json.loads(path.read_text(encoding="utf-8")))


def _meta(
    program: Loaded,
    kind: str,
    result: BacktestResult | None,
    data: Mapping[str, Any] | None,
    options: Mapping[str, Any] | None,
    stats: Mapping[str, Any] | None,
    strategy_file: str | None,
) -> dict[str, Any]:
    """run.json without id, kind and time: what ran, on what, how, and what came out."""
    about = dict(data or {})
    result_meta = dict(result.meta) if result is not None else {}
    for key, meta_key in (("source", "data"), ("timeframe", "timeframe")):
        about.setdefault(key, result_meta.get(meta_key))
    for key in ("start", "end"):
        about.setdefault(key, result_meta.get(key))
    settings = dict(options or {})
    name, text = strategy_source(program)
    params = program.param_values if isinstance(program, Program) else program.default_params
    return {
        "strategy": name,
        "strategy_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "strategy_file": strategy_file,
        "strategy_text": text,
        "params": result.params if result is not None else dict(params),
        "data": about,
        "engine": settings.get("engine"),
        "options": settings,
        "stats": dict(result.stats) if result is not None else dict(stats or {}),
        "result_meta": result_meta,
        "jts_version": jts.__version__,
    }


def _new_id(created: dt.datetime, meta: Mapping[str, Any]) -> str:
    salt = f"{time.time_ns()}:{os.getpid()}:{os.urandom(4).hex()}"
    key = json.dumps([meta["strategy_sha256"], meta["params"], meta["options"]], default=str)
    digest = hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()[:8]
    return f"{created:%Y%m%dT%H%M%SZ}-{digest}"


def _remove_stale(runs: Path) -> None:
    """Temp folders a killed process left behind more than a day ago (never a live write)."""
    cutoff = time.time() - _STALE_S
    for folder in runs.glob(f"{_TMP}*"):
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
