"""KRX and NXT session tables: one test per regime row and per late-open rule (KRX.md §2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from jts.core.errors import InvalidInput
from jts.krx import calendar
from jts.krx.sessions import REGIMES, Phase, Session, active_sessions, phase_at, sessions

D = dt.date
KST = dt.timezone(dt.timedelta(hours=9))
ORDINARY = D(2026, 11, 30)  # a Monday
NEW_YEAR = D(2026, 1, 2)
CSAT = D(2026, 11, 19)


def _hhmm(at: dt.time) -> str:
    return at.isoformat("minutes" if at.second == 0 else "seconds")


def _table(day: dt.date, venue: str = "KRX", **kw: bool) -> list[tuple[str, str, str]]:
    """(phase, start, end) rows, the way KRX.md writes them."""
    return [(s.phase.value, _hhmm(s.start), _hhmm(s.end)) for s in sessions(day, venue, **kw)]


def _at(day: dt.date, hhmmss: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmmss), tzinfo=KST)


@pytest.fixture
def restore_calendar() -> Iterator[None]:
    yield
    calendar.set_overrides(None)


@pytest.mark.parametrize(
    "value",
    ["pre_open_closing_price", "opening_auction", "continuous", "closing_auction",
     "post_close_closing_price", "after_hours", "closed", "gap", "nxt_pre_market", "nxt_main",
     "nxt_after_auction", "nxt_after_market"],
)  # fmt: skip
def test_phase_wire_value_exists(value: str) -> None:
    assert Phase(value).value == value


# ---- KRX tables -------------------------------------------------------------------------------


def test_krx_ordinary_day() -> None:
    assert _table(ORDINARY) == [
        ("pre_open_closing_price", "08:30", "08:40"),
        ("opening_auction", "08:30", "09:00"),
        ("continuous", "09:00", "15:20"),
        ("closing_auction", "15:20", "15:30"),
        ("post_close_closing_price", "15:40", "16:00"),
        ("after_hours", "16:00", "18:00"),
    ]


def test_krx_first_trading_day_of_year_opens_at_ten_and_closes_as_usual() -> None:
    assert _table(NEW_YEAR) == [
        ("pre_open_closing_price", "09:30", "09:40"),
        ("opening_auction", "09:30", "10:00"),
        ("continuous", "10:00", "15:20"),
        ("closing_auction", "15:20", "15:30"),
        ("post_close_closing_price", "15:40", "16:00"),
        ("after_hours", "16:00", "18:00"),
    ]


@pytest.mark.parametrize("day", [CSAT, D(2025, 11, 13)], ids=str)
def test_krx_csat_day_runs_ten_to_four_thirty_and_after_hours_still_ends_at_six(
    day: dt.date,
) -> None:
    assert _table(day) == [
        ("pre_open_closing_price", "09:30", "09:40"),
        ("opening_auction", "09:30", "10:00"),
        ("continuous", "10:00", "16:20"),
        ("closing_auction", "16:20", "16:30"),
        ("post_close_closing_price", "16:40", "17:00"),
        ("after_hours", "17:00", "18:00"),
    ]


@pytest.mark.parametrize(
    ("day", "published"),
    [(D(2025, 2, 28), dt.time(8, 40)), (D(2025, 3, 4), dt.time(8, 50)),
     (NEW_YEAR, dt.time(9, 50)), (CSAT, dt.time(9, 50))],
    ids=str,
)  # fmt: skip
def test_opening_auction_publishes_expected_prices_from(day: dt.date, published: dt.time) -> None:
    auction = next(s for s in sessions(day) if s.phase is Phase.OPENING_AUCTION)
    assert auction.indicative_from == published


@pytest.mark.parametrize(
    ("phase", "call_auction", "random_end"),
    [(Phase.OPENING_AUCTION, True, True), (Phase.CLOSING_AUCTION, True, True),
     (Phase.AFTER_HOURS, True, False), (Phase.CONTINUOUS, False, False),
     (Phase.PRE_OPEN_CLOSING_PRICE, False, False)],
)  # fmt: skip
def test_krx_session_auction_flags(phase: Phase, call_auction: bool, random_end: bool) -> None:
    session = next(s for s in sessions(ORDINARY) if s.phase is phase)
    assert (session.call_auction, session.random_end) == (call_auction, random_end)


@pytest.mark.parametrize(("day", "rounds"), [(ORDINARY, 12), (CSAT, 6)], ids=str)
def test_after_hours_runs_a_round_every_ten_minutes(day: dt.date, rounds: int) -> None:
    s = next(s for s in sessions(day) if s.phase is Phase.AFTER_HOURS)
    length = dt.datetime.combine(day, s.end) - dt.datetime.combine(day, s.start)
    assert length // dt.timedelta(minutes=s.round_minutes) == rounds


@pytest.mark.parametrize("day", [D(2026, 7, 17), D(2026, 11, 28), D(2026, 12, 31)], ids=str)
def test_closed_day_has_no_sessions(day: dt.date) -> None:
    assert sessions(day) == []
    assert sessions(day, "NXT") == []


def test_krx_times_before_2016_08_01_are_not_modelled() -> None:
    with pytest.raises(InvalidInput, match="2016-08-01"):
        sessions(D(2016, 7, 29))


def test_unknown_venue_is_refused() -> None:
    with pytest.raises(InvalidInput, match="venue"):
        sessions(ORDINARY, "KOSDAQ")


# ---- NXT tables -------------------------------------------------------------------------------


def test_nxt_ordinary_day() -> None:
    assert _table(ORDINARY, "NXT") == [
        ("nxt_pre_market", "08:00", "08:50"),
        ("nxt_main", "09:00:30", "15:20"),
        ("nxt_after_auction", "15:30", "15:40"),
        ("nxt_after_market", "15:40", "20:00"),
    ]


def test_nxt_first_trading_day_skips_pre_market_and_opens_at_ten_thirty_seconds() -> None:
    assert _table(NEW_YEAR, "NXT") == [
        ("nxt_main", "10:00:30", "15:20"),
        ("nxt_after_auction", "15:30", "15:40"),
        ("nxt_after_market", "15:40", "20:00"),
    ]


def test_nxt_csat_day_skips_pre_market_and_shifts_an_hour() -> None:
    assert _table(CSAT, "NXT") == [
        ("nxt_main", "10:00:30", "16:20"),
        ("nxt_after_auction", "16:30", "16:40"),
        ("nxt_after_market", "16:40", "20:00"),
    ]


@pytest.mark.parametrize(("day", "trades"), [(D(2025, 2, 28), False), (D(2025, 3, 4), True)])
def test_nxt_exists_from_2025_03_04(day: dt.date, trades: bool) -> None:
    assert bool(sessions(day, "NXT")) is trades


# ---- planned 2026 KRX extension ---------------------------------------------------------------


def test_planned_extension_is_not_applied_by_default() -> None:
    phases = [s.phase for s in sessions(ORDINARY)]
    assert Phase.AFTER_HOURS in phases
    assert Phase.PRE_MARKET not in phases


def test_planned_extension_on_request_adds_pre_and_after_market() -> None:
    assert _table(ORDINARY, planned=True) == [
        ("pre_market", "07:00", "08:00"),
        ("pre_open_closing_price", "08:30", "08:40"),
        ("opening_auction", "08:30", "09:00"),
        ("continuous", "09:00", "15:20"),
        ("closing_auction", "15:20", "15:30"),
        ("post_close_closing_price", "15:40", "16:00"),
        ("after_market", "16:00", "20:00"),
    ]
    assert all(s.planned for s in sessions(ORDINARY, planned=True))


def test_planned_extension_does_not_apply_before_its_date() -> None:
    assert _table(D(2026, 6, 26), planned=True) == _table(D(2026, 6, 26))


@pytest.mark.usefixtures("restore_calendar")
def test_override_file_switches_the_planned_extension_on() -> None:
    text = "[schedule]\napply_planned = true\n"
    calendar.set_overrides(calendar.parse_corrections(text, "test.toml"))
    assert Phase.AFTER_MARKET in [s.phase for s in sessions(ORDINARY)]
    assert phase_at(_at(ORDINARY, "07:30")) is Phase.PRE_MARKET


def test_regimes_are_in_effective_order_per_venue() -> None:
    for venue in ("KRX", "NXT"):
        dates = [r.effective for r in REGIMES if r.venue == venue]
        assert dates == sorted(dates)


# ---- phase_at ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("venue", "at", "phase"),
    [
        ("KRX", "07:59", Phase.CLOSED),
        ("KRX", "08:30", Phase.PRE_OPEN_CLOSING_PRICE),  # overlaps the auction: shorter wins
        ("KRX", "08:40", Phase.OPENING_AUCTION),
        ("KRX", "09:00", Phase.CONTINUOUS),
        ("KRX", "15:20", Phase.CLOSING_AUCTION),
        ("KRX", "15:30", Phase.GAP),
        ("KRX", "15:40", Phase.POST_CLOSE_CLOSING_PRICE),
        ("KRX", "16:00", Phase.AFTER_HOURS),
        ("KRX", "17:59:59", Phase.AFTER_HOURS),
        ("KRX", "18:00", Phase.CLOSED),
        ("NXT", "08:00", Phase.NXT_PRE_MARKET),
        ("NXT", "09:00:15", Phase.GAP),
        ("NXT", "09:00:30", Phase.NXT_MAIN),
        ("NXT", "15:25", Phase.GAP),
        ("NXT", "15:30", Phase.NXT_AFTER_AUCTION),
        ("NXT", "19:59", Phase.NXT_AFTER_MARKET),
        ("NXT", "20:00", Phase.CLOSED),
    ],
)
def test_phase_at_ordinary_day(venue: str, at: str, phase: Phase) -> None:
    assert phase_at(_at(ORDINARY, at), venue) is phase


@pytest.mark.parametrize(
    ("at", "phase"),
    [("09:15", Phase.CLOSED), ("09:59", Phase.OPENING_AUCTION), ("16:25", Phase.CLOSING_AUCTION),
     ("16:35", Phase.GAP)],
)  # fmt: skip
def test_phase_at_csat_day(at: str, phase: Phase) -> None:
    assert phase_at(_at(CSAT, at)) is phase


def test_phase_at_converts_other_time_zones_to_kst() -> None:
    assert phase_at(dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)) is Phase.CONTINUOUS


def test_phase_at_on_a_holiday_is_closed() -> None:
    assert phase_at(_at(D(2026, 7, 17), "10:00")) is Phase.CLOSED


def test_phase_at_refuses_a_naive_datetime() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        phase_at(dt.datetime(2026, 11, 30, 10, 0))


def test_active_sessions_lists_both_overlapping_pre_open_sessions() -> None:
    phases = [s.phase for s in active_sessions(_at(ORDINARY, "08:35"))]
    assert phases == [Phase.PRE_OPEN_CLOSING_PRICE, Phase.OPENING_AUCTION]


# ---- Session helpers --------------------------------------------------------------------------


def test_session_ns_helpers_give_utc_nanoseconds() -> None:
    continuous = next(s for s in sessions(ORDINARY) if s.phase is Phase.CONTINUOUS)
    open_utc = dt.datetime(2026, 11, 30, 0, 0, tzinfo=dt.UTC)
    assert continuous.start_ns(ORDINARY) == int(open_utc.timestamp()) * 1_000_000_000
    assert continuous.end_ns(ORDINARY) - continuous.start_ns(ORDINARY) == 380 * 60 * 10**9


def test_session_end_is_exclusive() -> None:
    session = Session(Phase.CONTINUOUS, dt.time(9), dt.time(15, 20))
    assert session.contains(dt.time(9))
    assert not session.contains(dt.time(15, 20))


def test_sessions_are_in_time_order_on_every_2025_2026_trading_day() -> None:
    for day in calendar.trading_days(D(2025, 1, 1), D(2026, 12, 31)):
        for venue in ("KRX", "NXT"):
            day_sessions = sessions(day, venue)
            assert day_sessions == sorted(day_sessions, key=lambda s: (s.start, s.end))
            assert all(s.start < s.end for s in day_sessions)
