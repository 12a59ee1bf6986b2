"""The simulated exchange's timeline for one day: which phase runs when, random ends applied.

`jts.krx.sessions` gives the scheduled sessions; KRX closes every call auction at a random
instant up to 30 s after its scheduled end (KRX.md §6). Here each such auction gets its
extension, drawn from numpy's `Generator` seeded by (seed, day, segment index), so a run is
reproducible under a seed and two seeds give different days. A session scheduled to start
when an extended auction was due to end starts when it really ends (continuous trading starts
at the opening uncross). The result is a partition of time into `Segment`s, one phase each:
GAP between sessions, CLOSED before the first and after the last, from midnight to midnight KST
(`at` answers CLOSED outside that span too). All instants are int ns UTC.

Where two sessions overlap (KRX 08:30-08:40: the pre-open closing-price session and the
opening auction's intake) the one ending first is the segment's phase, as in
`jts.krx.sessions.phase_at`, and `concurrent` names the other.
"""

from __future__ import annotations

import bisect
import itertools
from datetime import date, time, timedelta
from typing import Final, NamedTuple

import msgspec
import numpy as np

from jts.core.clock import NS_PER_SECOND, kst_ns
from jts.krx.sessions import Phase, Session, sessions
from jts.krx.volatility import VI_RANDOM_END_MAX_SECONDS

__all__ = ["DaySchedule", "Segment"]

RANDOM_END_MAX_NS: Final = VI_RANDOM_END_MAX_SECONDS * NS_PER_SECOND
"""Longest random extension of a call auction (KRX applies the same 30 s to every auction)."""

_SEGMENT_STREAM, _KEYED_STREAM = 0, 1  # keep segment draws and keyed draws independent
_KEY_MASK: Final = (1 << 64) - 1


class Segment(msgspec.Struct, frozen=True):
    """One stretch of the day in one phase, [start_ns, end_ns) in int ns UTC.

    `end_ns` includes the random extension. For a call auction `uncross_ns == end_ns` (when it
    uncrosses), else 0. `indicative_from_ns`: when expected prices start being published
    (opening auction: 08:50 since 2025-03-04), 0 = through the whole intake. `concurrent`: a
    session running beside this one whose orders are also taken now (KRX 08:30-08:40: the
    opening auction's intake), else None.
    """

    phase: Phase
    start_ns: int
    end_ns: int
    call_auction: bool
    uncross_ns: int
    indicative_from_ns: int
    concurrent: Phase | None = None


class _Piece(NamedTuple):
    """A session (or one round of a repeated call auction) in ns UTC, before the partition."""

    phase: Phase
    start: int
    end: int
    call_auction: bool
    random_end: bool
    indicative: int


class DaySchedule:
    """The segments of one day at one venue; built by `DaySchedule.build`."""

    __slots__ = ("_starts", "day", "seed", "segments", "venue")

    def __init__(self, day: date, venue: str, seed: int, segments: tuple[Segment, ...]) -> None:
        self.day = day
        self.venue = venue
        self.seed = seed
        self.segments = segments
        self._starts = [s.start_ns for s in segments]

    @classmethod
    def build(
        cls, day: date, *, venue: str = "KRX", seed: int = 0, planned: bool | None = None
    ) -> DaySchedule:
        """The timeline of `day` at `venue` with random ends drawn under `seed`.

        Each random-end session and each round of a repeated call auction (after-hours:
        every 10 minutes) gets a 0-30 s extension keyed by its index among the day's pieces.
        `planned` is passed to `jts.krx.sessions` (apply unconfirmed regimes). A closed day
        is one CLOSED segment.
        """
        pieces = _extend(_pieces(day, sessions(day, venue, planned=planned)), seed, day)
        return cls(day, venue, seed, _partition(pieces, *_day_bounds(day)))

    def at(self, ts_ns: int) -> Segment:
        """The segment containing `ts_ns` (a CLOSED one before and after the day's sessions)."""
        return self.segments[max(bisect.bisect_right(self._starts, ts_ns) - 1, 0)]

    def next_change(self, ts_ns: int) -> int | None:
        """The first segment boundary after `ts_ns` in ns UTC; None after the day's last."""
        i = bisect.bisect_right(self._starts, ts_ns)
        return self._starts[i] if i < len(self._starts) else None

    def random_end_ns(self, scheduled_end_ns: int, key: int) -> int:
        """`scheduled_end_ns` plus a 0-30 s draw keyed by `key`, for VI and halt auctions.

        The same (seed, day, key) always gives the same extension; the exchange passes a key
        unique to the auction (e.g. a per-symbol VI counter mixed with the symbol). Negative
        keys are folded modulo 2**64.
        """
        return scheduled_end_ns + _draw(self.seed, self.day, _KEYED_STREAM, key)

    def __repr__(self) -> str:
        return f"DaySchedule({self.day} {self.venue} seed={self.seed} {len(self.segments)} seg)"


def _pieces(day: date, day_sessions: list[Session]) -> list[_Piece]:
    """The sessions in ns UTC, repeated call auctions split into one piece per round.

    Every round of a repeated auction gets a random end: KRX applies it to every call
    auction (KRX.md §6), although the session table flags only the open and the close.
    """
    result: list[_Piece] = []
    for s in day_sessions:
        start, end = s.start_ns(day), s.end_ns(day)
        if not s.round_minutes:
            indicative = kst_ns(day, s.indicative_from) if s.indicative_from else 0
            result.append(_Piece(s.phase, start, end, s.call_auction, s.random_end, indicative))
            continue
        step = int(timedelta(minutes=s.round_minutes).total_seconds()) * NS_PER_SECOND
        for t in range(start, end, step):
            result.append(_Piece(s.phase, t, min(t + step, end), True, True, 0))
    return result


def _extend(pieces: list[_Piece], seed: int, day: date) -> list[_Piece]:
    """Pieces with their random ends applied, in order.

    A piece that starts at or after an extended piece's scheduled end, but before its real
    end, starts at the real end instead (continuous trading waits for the opening uncross,
    the next after-hours round for the previous one). Overlapping pieces (one that starts
    before the other's scheduled end) are left alone.
    """
    result = list(pieces)
    for index, piece in enumerate(pieces):
        if not piece.random_end:
            continue
        end = piece.end + _draw(seed, day, _SEGMENT_STREAM, index)
        result[index] = result[index]._replace(end=end)
        for later, other in enumerate(result):
            if piece.end <= other.start < end:
                result[later] = other._replace(start=end)
    return result


def _draw(seed: int, day: date, stream: int, key: int) -> int:
    """A uniform 0-30 s extension in ns, fixed by (seed, day, stream, key)."""
    entropy = [seed & _KEY_MASK, day.toordinal(), stream, key & _KEY_MASK]
    rng = np.random.default_rng(entropy)
    return int(rng.integers(0, RANDOM_END_MAX_NS, endpoint=True))


def _day_bounds(day: date) -> tuple[int, int]:
    """[midnight, next midnight) KST of `day` in ns UTC: the span the segments cover."""
    return kst_ns(day, time(0)), kst_ns(day + timedelta(days=1), time(0))


def _partition(pieces: list[_Piece], day_start: int, day_end: int) -> tuple[Segment, ...]:
    """[day_start, day_end) cut into segments: in each stretch the active piece ending first gives
    the phase; GAP where none is active, CLOSED before the first and after the last piece."""
    if not pieces:
        return (_closed(day_start, day_end),)
    cuts = sorted({t for p in pieces for t in (p.start, p.end)})
    segments = [_closed(day_start, cuts[0])]
    for start, end in itertools.pairwise(cuts):
        active = sorted((p for p in pieces if p.start <= start < p.end), key=lambda p: p.end)
        segment = _segment(active, start, end)
        previous = segments[-1]
        if _same_stretch(previous, segment):
            segments[-1] = msgspec.structs.replace(
                previous, end_ns=end, uncross_ns=segment.uncross_ns
            )
        else:
            segments.append(segment)
    segments.append(_closed(cuts[-1], day_end))
    return tuple(segments)


def _segment(active: list[_Piece], start: int, end: int) -> Segment:
    """The segment [start, end) given the pieces active there, earliest-ending first."""
    if not active:
        return Segment(Phase.GAP, start, end, False, 0, 0)
    first = active[0]
    concurrent = active[1].phase if len(active) > 1 else None
    uncross = end if first.call_auction and end == first.end else 0
    return Segment(
        first.phase, start, end, first.call_auction, uncross, first.indicative, concurrent
    )


def _same_stretch(last: Segment, new: Segment) -> bool:
    """Whether `new` continues `last` (same phase and company, and `last` did not uncross)."""
    return (
        last.phase is new.phase
        and last.concurrent is new.concurrent
        and last.end_ns == new.start_ns
        and not last.uncross_ns
    )


def _closed(start: int, end: int) -> Segment:
    return Segment(Phase.CLOSED, start, end, False, 0, 0)
