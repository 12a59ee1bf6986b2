"""Where a paper session keeps its state between processes (`--var DIR`), so that a restart
(Ctrl-C, a crash, `kill -9`) resumes the same simulated day instead of starting another.

    DIR/jts.db               the order manager's journal (SQLite, WAL): orders and fills
    DIR/paper/session.json   which day, seed, universe and account; the simulated time reached
    DIR/paper/fills.jsonl    the simulated broker's own fill ledger (`FillLedger`)

A session resumes when `session.json` names the same day, seed, universe size, account and
opening cash as the new run; otherwise the old files move to `DIR/paper/archive-<time>/` and a
new session starts (a paper account starts each simulated day afresh). The simulated time is
saved about once a wall second; on resume the agents replay the day up to it.
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import msgspec

__all__ = ["PaperSession", "SessionFile"]


class SessionFile(msgspec.Struct, kw_only=True):
    day: date
    seed: int
    symbols: int
    account: str
    cash: int
    sim_ns: int = 0
    restarts: int = 0


class PaperSession:
    """The files of one paper session under `var`."""

    def __init__(self, var: Path) -> None:
        self.var = var
        self.folder = var / "paper"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.file = self.folder / "session.json"
        self.ledger_path = self.folder / "fills.jsonl"
        self.db_url = f"sqlite:///{(var / 'jts.db').resolve()}"
        self.state: SessionFile | None = None
        self._saved_at = 0.0

    def open(self, wanted: SessionFile) -> tuple[SessionFile, bool]:
        """The session to run: the saved one when it matches `wanted` (resumed: True), else
        `wanted` after archiving whatever was there."""
        saved = self._load()
        same = saved is not None and (saved.day, saved.seed, saved.symbols, saved.account,
                                      saved.cash) == (wanted.day, wanted.seed, wanted.symbols,
                                                      wanted.account, wanted.cash)  # fmt: skip
        if saved is not None and same:
            saved.restarts += 1
            self.state = saved
        else:
            if saved is not None or self.ledger_path.exists():
                self._archive()
            self.state = wanted
        self._write(self.state)
        return self.state, same

    def save_clock(self, sim_ns: int, *, every_s: float = 1.0) -> None:
        """Record the simulated time reached (at most once per `every_s` wall seconds)."""
        now = time.monotonic()
        if self.state is None or now - self._saved_at < every_s:
            return
        self._saved_at = now
        self.state.sim_ns = sim_ns
        self._write(self.state)

    def _load(self) -> SessionFile | None:
        try:
            return msgspec.json.decode(self.file.read_bytes(), type=SessionFile)
        except (FileNotFoundError, msgspec.DecodeError):
            return None

    def _write(self, state: SessionFile) -> None:
        temporary = self.file.with_suffix(".tmp")
        temporary.write_bytes(msgspec.json.encode(state))
        os.replace(temporary, self.file)

    def _archive(self) -> None:
        target = self.folder / f"archive-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
        target.mkdir()
        for path in (self.file, self.ledger_path, self.var / "jts.db",
                     self.var / "jts.db-wal", self.var / "jts.db-shm"):  # fmt: skip
            if path.exists():
                os.replace(path, target / path.name)
