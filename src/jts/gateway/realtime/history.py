"""The numbered recent past of one reliable channel, so that a reconnecting client can resume.

Sequence numbers count every message of the channel (1, 2, 3 ...), whoever it was for, so a
user who receives only their own orders sees gaps: numbers increase, they need not be
contiguous. The ring holds the last `capacity` messages; a client whose last seen number fell
out of it cannot be told exactly what it missed and gets a snapshot and a reset instead.
"""

from __future__ import annotations

from collections import deque
from itertools import islice

import msgspec


class History:
    """The last `capacity` messages of one reliable channel with their seq and addressee."""

    __slots__ = ("_ring", "last_seq")

    def __init__(self, capacity: int) -> None:
        self._ring: deque[tuple[int, int | None, msgspec.Raw]] = deque(maxlen=capacity)
        self.last_seq = 0
        """The seq of the newest message (0 before the first)."""

    def append(self, seq: int, user_id: int | None, message: msgspec.Raw) -> None:
        """Record the message numbered `seq` (must be `last_seq + 1`)."""
        self._ring.append((seq, user_id, message))
        self.last_seq = seq

    def since(self, seq: int, user_id: int) -> list[tuple[int, msgspec.Raw]] | None:
        """(seq, message) of the messages after `seq` that `user_id` receives (broadcasts and
        its own), oldest first; None when that is unknowable: messages after `seq` were
        evicted, or `seq` is ahead of this channel (it belongs to an earlier run of the hub)."""
        if seq > self.last_seq:
            return None
        oldest = self._ring[0][0] if self._ring else self.last_seq + 1
        if seq + 1 < oldest:
            return None
        start = seq + 1 - oldest
        entries = islice(self._ring, start, None)
        return [(n, m) for n, uid, m in entries if uid is None or uid == user_id]
