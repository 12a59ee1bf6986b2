"""The sessions of one KRX or NXT trading day, from a dated table of schedule regimes.

A regime is the ordinary-day timetable in force from its `effective` date (KRX.md §2). Late
opens (jts.krx.calendar.late_open) move rows as each row's table entry says:

- first trading day of the year: KRX's pre-open closing-price session and opening auction move
  by +1 h and continuous trading starts at 10:00 (the close stays 15:30); NXT skips its
  pre-market and opens its main market at 10:00:30 (KRX/NXT notices for 2026-01-02);
- CSAT day (수능): everything moves +1 h, except that the KRX 16:00-18:00 single-price rounds
  and the NXT after-market keep their end (18:00, 20:00); NXT skips its pre-market. News gives
  NXT's main market as 10:00-16:20; we keep the 30 s lag behind KRX (10:00:30, as notices gave
  for 2026-01-02). Its after-market "restarts at 16:30" (one notice: 16:40): we read that as
  the 16:30-16:40 auction followed by continuous trading from 16:40.

The 2026-06-29 KRX extension (pre-market 07:00-08:00, after-market 16:00-20:00, the 16:00-18:00
single-price rounds abolished) is in the table but marked planned: KRX announced it in Jan 2026
and its go-live and matching rules are unconfirmed, so it applies only when asked for
(`planned=True`, or `[schedule] apply_planned = true` in a calendar override file).

Not modelled: off-hours block/basket trading, the NXT closing-price market, per-symbol
regimes (VI, halts, 단기과열). Times are KST; the Session helpers give int ns UTC.
Session times are modelled from 2016-08-01 (close moved to 15:30); pre-open details before
2025-03-04 follow the 2025 layout except the 08:40 expected-price time (unverified).
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple

import msgspec

from jts.core.clock import KST, kst_ns
from jts.core.errors import InvalidInput
from jts.krx import calendar
from jts.krx.calendar import LateOpenKind

VENUES = ("KRX", "NXT")


class Phase(StrEnum):
    """What the market is doing; values are the wire names other modules match on."""

    PRE_OPEN_CLOSING_PRICE = "pre_open_closing_price"  # 장전 시간외 종가: previous close
    OPENING_AUCTION = "opening_auction"  # 장전 동시호가
    CONTINUOUS = "continuous"  # 접속매매
    CLOSING_AUCTION = "closing_auction"  # 장마감 동시호가
    POST_CLOSE_CLOSING_PRICE = "post_close_closing_price"  # 장후 시간외 종가: today's close
    AFTER_HOURS = "after_hours"  # 시간외 단일가: a call auction every 10 min
    PRE_MARKET = "pre_market"  # planned KRX pre-market (2026 extension)
    AFTER_MARKET = "after_market"  # planned KRX after-market (2026 extension)
    NXT_PRE_MARKET = "nxt_pre_market"
    NXT_MAIN = "nxt_main"
    NXT_AFTER_AUCTION = "nxt_after_auction"  # single-price auction opening the after-market
    NXT_AFTER_MARKET = "nxt_after_market"
    GAP = "gap"  # between two sessions of the day (e.g. KRX 15:30-15:40)
    CLOSED = "closed"  # before the first or after the last session, or no trading day


class Session(msgspec.Struct, frozen=True):
    """One session of a day. `start`/`end` are KST wall times, end exclusive.

    `random_end`: the scheduled end is followed by a random 0-30 s extension (auction uncross).
    `indicative_from`: when expected prices start being published (opening auction only).
    `round_minutes`: for repeated call auctions, one uncross every that many minutes.
    `planned`: comes from a regime whose go-live is unconfirmed.
    """

    phase: Phase
    start: time
    end: time
    call_auction: bool = False
    random_end: bool = False
    indicative_from: time | None = None
    round_minutes: int = 0
    planned: bool = False

    def start_ns(self, day: date) -> int:
        """Scheduled start on `day` as int ns since the epoch, UTC."""
        return kst_ns(day, self.start)

    def end_ns(self, day: date) -> int:
        """Scheduled end on `day` (before any random extension) as int ns since the epoch, UTC."""
        return kst_ns(day, self.end)

    def contains(self, at: time) -> bool:
        """True when the KST wall time `at` falls inside [start, end)."""
        return self.start <= at < self.end


class Move(StrEnum):
    """What a late open does to one row of a regime table."""

    KEEP = "keep"
    SHIFT = "shift"  # start and end move by the late open's shift
    SHIFT_START = "shift_start"  # only the start moves
    SKIP = "skip"  # the session does not run that day


class Row(NamedTuple):
    session: Session
    new_year: Move
    csat: Move


class Regime(msgspec.Struct, frozen=True):
    """The ordinary-day timetable of `venue` from `effective` on."""

    name: str
    venue: str
    effective: date
    rows: tuple[Row, ...]
    planned: bool = False
    note: str = ""


def _row(
    phase: Phase,
    start: str,
    end: str,
    new_year: Move,
    csat: Move,
    *,
    auction: bool = False,
    random_end: bool = False,
    indicative: str | None = None,
    rounds: int = 0,
) -> Row:
    """One table row; times are "HH:MM[:SS]" KST."""
    session = Session(
        phase,
        time.fromisoformat(start),
        time.fromisoformat(end),
        call_auction=auction,
        random_end=random_end,
        indicative_from=time.fromisoformat(indicative) if indicative else None,
        round_minutes=rounds,
    )
    return Row(session, new_year, csat)


_P, _M = Phase, Move  # short names keep each table row on one line


def _krx_core(indicative: str) -> tuple[Row, ...]:
    """KRX rows from the pre-open closing-price session to the post-close one."""
    return (
        _row(_P.PRE_OPEN_CLOSING_PRICE, "08:30", "08:40", _M.SHIFT, _M.SHIFT),
        _row(_P.OPENING_AUCTION, "08:30", "09:00", _M.SHIFT, _M.SHIFT,
             auction=True, random_end=True, indicative=indicative),
        _row(_P.CONTINUOUS, "09:00", "15:20", _M.SHIFT_START, _M.SHIFT),
        _row(_P.CLOSING_AUCTION, "15:20", "15:30", _M.KEEP, _M.SHIFT,
             auction=True, random_end=True),
        _row(_P.POST_CLOSE_CLOSING_PRICE, "15:40", "16:00", _M.KEEP, _M.SHIFT),
    )  # fmt: skip


_AFTER_HOURS = _row(
    _P.AFTER_HOURS, "16:00", "18:00", _M.KEEP, _M.SHIFT_START, auction=True, rounds=10
)

REGIMES: tuple[Regime, ...] = (
    Regime("krx_2016", "KRX", date(2016, 8, 1), (*_krx_core("08:40"), _AFTER_HOURS),
           note="close 15:30 from 2016-08-01; expected opening price published from 08:40"),
    Regime("krx_2025", "KRX", date(2025, 3, 4), (*_krx_core("08:50"), _AFTER_HOURS),
           note="expected opening price from 08:50; NXT-listed symbols skip after_hours"),
    Regime("krx_2026_extension", "KRX", date(2026, 6, 29), (
        _row(_P.PRE_MARKET, "07:00", "08:00", _M.SKIP, _M.SKIP),
        *_krx_core("08:50"),
        _row(_P.AFTER_MARKET, "16:00", "20:00", _M.KEEP, _M.SHIFT_START),
    ), planned=True, note="announced Jan 2026, go-live unconfirmed; late-open moves guessed"),
    Regime("nxt_2025", "NXT", date(2025, 3, 4), (
        _row(_P.NXT_PRE_MARKET, "08:00", "08:50", _M.SKIP, _M.SKIP),
        _row(_P.NXT_MAIN, "09:00:30", "15:20", _M.SHIFT_START, _M.SHIFT),
        _row(_P.NXT_AFTER_AUCTION, "15:30", "15:40", _M.KEEP, _M.SHIFT, auction=True),
        _row(_P.NXT_AFTER_MARKET, "15:40", "20:00", _M.KEEP, _M.SHIFT_START),
    ), note="main opens 30 s after KRX; paused while KRX runs its auctions"),
)  # fmt: skip

_KRX_MODELLED_FROM = date(2016, 8, 1)  # KRX close moved to 15:30; earlier times not modelled


def _add(at: time, delta: timedelta) -> time:
    return (datetime.combine(date(2000, 1, 3), at) + delta).time()


def _moved(session: Session, move: Move, shift: timedelta) -> Session | None:
    """`session` after a late open of `shift` applied as `move`; None when skipped."""
    if move is Move.SKIP:
        return None
    if move is Move.KEEP:
        return session
    end = _add(session.end, shift) if move is Move.SHIFT else session.end
    indicative = session.indicative_from and _add(session.indicative_from, shift)
    return msgspec.structs.replace(
        session, start=_add(session.start, shift), end=end, indicative_from=indicative
    )


def _move(row: Row, kind: LateOpenKind | None) -> Move:
    if kind is None:
        return Move.KEEP
    return row.csat if kind is LateOpenKind.CSAT else row.new_year


@functools.lru_cache(maxsize=64)
def _layout(table: Regime, kind: LateOpenKind | None, shift: timedelta) -> tuple[Session, ...]:
    """The day's sessions under `table` with a late open of `kind` (None: ordinary day)."""
    result = []
    for row in table.rows:
        session = _moved(row.session, _move(row, kind), shift)
        if session is not None:
            result.append(msgspec.structs.replace(session, planned=table.planned))
    return tuple(sorted(result, key=lambda s: (s.start, s.end)))


def _venue(venue: str) -> str:
    if venue not in VENUES:
        raise InvalidInput("venue", f"{venue!r} is not one of {list(VENUES)}")
    return venue


def regime(day: date, venue: str = "KRX", *, planned: bool | None = None) -> Regime | None:
    """The regime in force on `day` (None: the venue did not exist yet).

    `planned`: include regimes marked planned; None reads the calendar override setting.
    Raises InvalidInput for KRX days before 2016-08-01, whose times are not modelled.
    """
    venue = _venue(venue)
    use_planned = calendar.planned_regimes_enabled() if planned is None else planned
    if venue == "KRX" and day < _KRX_MODELLED_FROM:
        raise InvalidInput("date", f"KRX session times before 2016-08-01 are not modelled ({day})")
    found = None
    for candidate in REGIMES:  # ascending `effective` per venue: the last match is in force
        in_force = candidate.venue == venue and candidate.effective <= day
        if in_force and (use_planned or not candidate.planned):
            found = candidate
    return found


def _day(day: date, venue: str, planned: bool | None) -> tuple[Session, ...]:
    in_force = regime(day, venue, planned=planned)
    if in_force is None or not calendar.is_trading_day(day):
        return ()
    late = calendar.late_open(day)
    if late is None:
        return _layout(in_force, None, timedelta(0))
    return _layout(in_force, late.kind, late.shift)


def sessions(day: date, venue: str = "KRX", *, planned: bool | None = None) -> list[Session]:
    """Sessions of `venue` ("KRX" or "NXT") on `day` in time order; empty on a closed day.

    `planned=True` applies regimes whose go-live is unconfirmed (the 2026 KRX extension);
    None takes the `[schedule] apply_planned` setting of the calendar files (off by default).
    """
    return list(_day(day, venue, planned))


def _kst(ts: datetime) -> datetime:
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise InvalidInput("ts", f"{ts!r} has no time zone; pass an aware datetime")
    return ts.astimezone(KST)


def active_sessions(
    ts: datetime, venue: str = "KRX", *, planned: bool | None = None
) -> list[Session]:
    """All sessions in force at `ts` (e.g. 08:35 KST: closing-price trading and the auction)."""
    local = _kst(ts)
    return [s for s in _day(local.date(), venue, planned) if s.contains(local.time())]


def phase_at(ts: datetime, venue: str = "KRX", *, planned: bool | None = None) -> Phase:
    """The scheduled phase at the aware datetime `ts` (random auction ends are not applied).

    Where two sessions overlap (08:30-08:40 on KRX) the one ending first wins; between
    sessions it is GAP, before the first and after the last it is CLOSED.
    """
    local = _kst(ts)
    day_sessions = _day(local.date(), venue, planned)
    at = local.time()
    active = [s for s in day_sessions if s.contains(at)]
    if active:
        return min(active, key=lambda s: s.end).phase
    if day_sessions and day_sessions[0].start <= at < max(s.end for s in day_sessions):
        return Phase.GAP
    return Phase.CLOSED
