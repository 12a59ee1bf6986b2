"""The simulated broker's own durable record of its account's fills.

A real broker keeps its books whatever happens to our process; a paper broker living in our
process must do the same or a crash would erase the very state the order manager reconciles
against. So every fill the simulated venue books is appended here — and on disk (`fsync`) —
before the venue publishes it, exactly as a broker's trade confirmation precedes our hearing of
it. On a restart the venue rebuilds the account from the opening cash and these fills.

Format: one JSON object per line (`msgspec` encoding of `jts.core.Fill`). A crash in the middle
of a write leaves at most one torn last line, which `load` drops (that fill was never
confirmed: nobody heard of it).
"""

from __future__ import annotations

import os
from pathlib import Path

import msgspec

from jts.core.models import Fill

__all__ = ["FillLedger"]

_decoder = msgspec.json.Decoder(Fill)
_encoder = msgspec.json.Encoder()


class FillLedger:
    """Append-only, fsync'd file of booked fills."""

    def __init__(self, path: Path, *, fsync: bool = True) -> None:
        self.path = path
        self.fsync = fsync
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("ab")

    def load(self) -> list[Fill]:
        """Every complete fill on file, oldest first (a torn last line is dropped)."""
        fills: list[Fill] = []
        with self.path.open("rb") as source:
            for line in source:
                if not line.endswith(b"\n"):
                    break  # the write a crash interrupted
                try:
                    fills.append(_decoder.decode(line))
                except msgspec.DecodeError:
                    break
        return fills

    def append(self, fill: Fill) -> None:
        """Write one fill and make it durable before returning."""
        self._file.write(_encoder.encode(fill) + b"\n")
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())

    def truncate_torn_tail(self) -> None:
        """Cut a torn last line so that later appends start on a line of their own."""
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            self._file.close()
            with self.path.open("r+b") as target:
                target.truncate(end)
            self._file = self.path.open("ab")

    def close(self) -> None:
        self._file.close()
