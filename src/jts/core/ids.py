"""Client order ids that stay unique across restarts and processes.

An id is `<prefix>-<epoch ms, base36>-<process tag>-<sequence, base36>`: the millisecond time of
the generator's creation, a random per-process tag (so two processes started in the same ms
differ), and a counter. Ids sort by creation within a generator, fit comfortably in the 20-32
characters brokers allow for a client reference, and contain only [0-9a-z-] (safe in URLs,
filenames and every broker's field). Restarting never repeats an id because the time component
moves on; if the wall clock steps back, the generator refuses to reuse a past stamp.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time

from jts.core.errors import InvalidInput

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(n: int) -> str:
    """Non-negative int → lowercase base-36 string."""
    if n < 0:
        raise InvalidInput("n", "must not be negative")
    digits = []
    while True:
        n, r = divmod(n, 36)
        digits.append(_ALPHABET[r])
        if n == 0:
            return "".join(reversed(digits))


class ClientOrderIdGenerator:
    """Thread-safe generator of unique client order ids (see module docstring)."""

    _last_stamp_ms = 0
    _class_lock = threading.Lock()

    def __init__(self, prefix: str = "jts") -> None:
        if not prefix.isascii() or not prefix.isalnum() or len(prefix) > 8:
            raise InvalidInput("prefix", "must be 1-8 ASCII letters or digits")
        self._prefix = prefix.lower()
        self._stamp = base36(self._unique_stamp_ms())
        self._tag = secrets.token_hex(3)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def next_id(self) -> str:
        with self._lock:
            seq = next(self._counter)
        return f"{self._prefix}-{self._stamp}-{self._tag}-{base36(seq)}"

    __call__ = next_id

    @classmethod
    def _unique_stamp_ms(cls) -> int:
        """Creation time in ms, strictly increasing per process even if the clock steps back."""
        with cls._class_lock:
            stamp = max(time.time_ns() // 1_000_000, cls._last_stamp_ms + 1)
            cls._last_stamp_ms = stamp
            return stamp
