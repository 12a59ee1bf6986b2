"""The simulated exchange's day timeline: sessions from jts.krx with random auction ends,
gaps and closed stretches, late-open days, after-hours rounds, and seeded determinism."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core.clock import NS_PER_SECOND, kst_ns
from jts.krx.sessions import Phase
from jts.venues.sim.schedule import DaySchedule, Segment

P = Phase
NORMAL = date(2026, 3, 5)  # an ordinary Thursday
NEW_YEAR = date(2026, 1, 2)  # first trading day of 2026: opens 10:00
CSAT = date(2025, 11, 13)  # 수능: everything +1 h
SATURDAY = date(2026, 3, 7)
MAX_EXTENSION = 30 * NS_PER_SECOND


def at(day: date, hhmmss: str) -> int:
    return kst_ns(day, time.fromisoformat(hhmmss))


def phases(schedule: DaySchedule) -> list[Phase]:
    return [s.phase for s in schedule.segments]


def only(schedule: DaySchedule, phase: Phase) -> Segment:
    (found,) = [s for s in schedule.segments if s.phase is phase]
    return found


def rounds(schedule: DaySchedule) -> list[Segment]:
    return [s for s in schedule.segments if s.phase is P.AFTER_HOURS]


def extension(segment: Segment, day: date, scheduled: str) -> int:
    return segment.end_ns - at(day, scheduled)


# -- an ordinary day ----------------------------------------------------------------------------


def test_normal_day_runs_the_krx_phases_in_order() -> None:
    expected = [
        P.CLOSED,
        P.PRE_OPEN_CLOSING_PRICE,
        P.OPENING_AUCTION,
        P.CONTINUOUS,
        P.CLOSING_AUCTION,
        P.GAP,
        P.POST_CLOSE_CLOSING_PRICE,
        *[P.AFTER_HOURS] * 12,
        P.CLOSED,
    ]
    assert phases(DaySchedule.build(NORMAL)) == expected


def test_segments_tile_the_day_from_midnight_to_midnight() -> None:
    segments = DaySchedule.build(NORMAL, seed=3).segments
    assert segments[0].start_ns == at(NORMAL, "00:00")
    assert segments[-1].end_ns == at(NORMAL + timedelta(days=1), "00:00")
    assert all(a.end_ns == b.start_ns for a, b in itertools.pairwise(segments))
    assert all(s.start_ns < s.end_ns for s in segments)


def test_pre_open_closing_price_runs_beside_the_opening_auction_intake() -> None:
    segment = only(DaySchedule.build(NORMAL), P.PRE_OPEN_CLOSING_PRICE)
    assert (segment.start_ns, segment.end_ns) == (at(NORMAL, "08:30"), at(NORMAL, "08:40"))
    assert segment.concurrent is P.OPENING_AUCTION
    assert not segment.call_auction


def test_opening_auction_uncrosses_within_thirty_seconds_after_nine() -> None:
    segment = only(DaySchedule.build(NORMAL, seed=11), P.OPENING_AUCTION)
    assert 0 <= extension(segment, NORMAL, "09:00") <= MAX_EXTENSION
    assert segment.call_auction
    assert segment.uncross_ns == segment.end_ns


def test_expected_opening_price_is_published_from_0850_since_2025_03_04() -> None:
    segment = only(DaySchedule.build(NORMAL), P.OPENING_AUCTION)
    assert segment.indicative_from_ns == at(NORMAL, "08:50")


def test_expected_opening_price_was_published_from_0840_before() -> None:
    day = date(2024, 3, 5)
    segment = only(DaySchedule.build(day), P.OPENING_AUCTION)
    assert segment.indicative_from_ns == at(day, "08:40")


def test_continuous_trading_starts_at_the_opening_uncross() -> None:
    schedule = DaySchedule.build(NORMAL, seed=5)
    opening, continuous = only(schedule, P.OPENING_AUCTION), only(schedule, P.CONTINUOUS)
    assert continuous.start_ns == opening.uncross_ns
    assert continuous.end_ns == at(NORMAL, "15:20")
    assert (continuous.call_auction, continuous.uncross_ns) == (False, 0)


def test_closing_auction_ends_randomly_and_the_gap_waits_for_it() -> None:
    schedule = DaySchedule.build(NORMAL, seed=5)
    closing, gap = only(schedule, P.CLOSING_AUCTION), only(schedule, P.GAP)
    assert closing.start_ns == at(NORMAL, "15:20")
    assert 0 <= extension(closing, NORMAL, "15:30") <= MAX_EXTENSION
    assert closing.indicative_from_ns == 0  # expected prices through the whole intake
    assert (gap.start_ns, gap.end_ns) == (closing.end_ns, at(NORMAL, "15:40"))


def test_post_close_closing_price_session_keeps_its_times() -> None:
    segment = only(DaySchedule.build(NORMAL), P.POST_CLOSE_CLOSING_PRICE)
    assert (segment.start_ns, segment.end_ns) == (at(NORMAL, "15:40"), at(NORMAL, "16:00"))


def test_after_hours_has_one_call_auction_segment_per_ten_minute_round() -> None:
    segments = rounds(DaySchedule.build(NORMAL, seed=2))
    assert len(segments) == 12
    assert segments[0].start_ns == at(NORMAL, "16:00")
    assert all(s.call_auction and s.uncross_ns == s.end_ns for s in segments)


def test_each_after_hours_round_ends_randomly_after_its_ten_minutes() -> None:
    segments = rounds(DaySchedule.build(NORMAL, seed=2))
    for k, segment in enumerate(segments, start=1):
        scheduled = at(NORMAL, "16:00") + k * 600 * NS_PER_SECOND
        assert 0 <= segment.end_ns - scheduled <= MAX_EXTENSION


def test_the_next_after_hours_round_starts_when_the_previous_uncrossed() -> None:
    segments = rounds(DaySchedule.build(NORMAL, seed=2))
    assert all(a.uncross_ns == b.start_ns for a, b in itertools.pairwise(segments))


def test_the_day_closes_after_the_last_after_hours_round() -> None:
    schedule = DaySchedule.build(NORMAL, seed=2)
    assert schedule.segments[-1].start_ns == rounds(schedule)[-1].end_ns
    assert schedule.segments[-1].phase is P.CLOSED


def test_non_auction_segments_have_no_uncross() -> None:
    for segment in DaySchedule.build(NORMAL).segments:
        assert segment.uncross_ns == (segment.end_ns if segment.call_auction else 0)


# -- late opens and closed days -----------------------------------------------------------------


def test_first_day_of_the_year_opens_at_ten_and_closes_as_usual() -> None:
    schedule = DaySchedule.build(NEW_YEAR, seed=1)
    pre_open = only(schedule, P.PRE_OPEN_CLOSING_PRICE)
    opening, closing = only(schedule, P.OPENING_AUCTION), only(schedule, P.CLOSING_AUCTION)
    assert (pre_open.start_ns, pre_open.end_ns) == (at(NEW_YEAR, "09:30"), at(NEW_YEAR, "09:40"))
    assert 0 <= extension(opening, NEW_YEAR, "10:00") <= MAX_EXTENSION
    assert opening.indicative_from_ns == at(NEW_YEAR, "09:50")
    assert only(schedule, P.CONTINUOUS).start_ns == opening.uncross_ns
    assert closing.start_ns == at(NEW_YEAR, "15:20")
    assert len(rounds(schedule)) == 12


def test_csat_day_moves_the_whole_day_by_an_hour() -> None:
    schedule = DaySchedule.build(CSAT, seed=1)
    assert 0 <= extension(only(schedule, P.OPENING_AUCTION), CSAT, "10:00") <= MAX_EXTENSION
    assert only(schedule, P.CONTINUOUS).end_ns == at(CSAT, "16:20")
    assert 0 <= extension(only(schedule, P.CLOSING_AUCTION), CSAT, "16:30") <= MAX_EXTENSION
    post_close = only(schedule, P.POST_CLOSE_CLOSING_PRICE)
    assert (post_close.start_ns, post_close.end_ns) == (at(CSAT, "16:40"), at(CSAT, "17:00"))


def test_csat_day_after_hours_keeps_its_1800_end_so_has_six_rounds() -> None:
    segments = rounds(DaySchedule.build(CSAT, seed=1))
    assert len(segments) == 6
    assert segments[0].start_ns == at(CSAT, "17:00")
    assert 0 <= extension(segments[-1], CSAT, "18:00") <= MAX_EXTENSION


def test_a_closed_day_is_one_closed_segment() -> None:
    schedule = DaySchedule.build(SATURDAY)
    assert phases(schedule) == [P.CLOSED]
    assert schedule.next_change(at(SATURDAY, "09:00")) is None


def test_nxt_main_market_opens_thirty_seconds_after_krx() -> None:
    schedule = DaySchedule.build(NORMAL, venue="NXT")
    assert only(schedule, P.NXT_MAIN).start_ns == at(NORMAL, "09:00:30")
    assert schedule.at(at(NORMAL, "08:55")).phase is P.GAP


# -- lookups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hhmmss", "phase"),
    [
        ("07:59:59", P.CLOSED),
        ("08:30", P.PRE_OPEN_CLOSING_PRICE),
        ("08:45", P.OPENING_AUCTION),
        ("12:00", P.CONTINUOUS),
        ("15:25", P.CLOSING_AUCTION),
        ("15:35", P.GAP),
        ("15:50", P.POST_CLOSE_CLOSING_PRICE),
        ("17:05", P.AFTER_HOURS),
        ("19:00", P.CLOSED),
    ],
)
def test_at_finds_the_segment_of_an_instant(hhmmss: str, phase: Phase) -> None:
    assert DaySchedule.build(NORMAL).at(at(NORMAL, hhmmss)).phase is phase


def test_at_answers_closed_outside_the_day() -> None:
    schedule = DaySchedule.build(NORMAL)
    assert schedule.at(at(NORMAL, "00:00") - 1).phase is P.CLOSED
    assert schedule.at(at(NORMAL + timedelta(days=2), "09:00")).phase is P.CLOSED


def test_at_a_boundary_the_later_segment_applies() -> None:
    schedule = DaySchedule.build(NORMAL, seed=4)
    uncross = only(schedule, P.OPENING_AUCTION).uncross_ns
    assert schedule.at(uncross).phase is P.CONTINUOUS
    assert schedule.at(uncross - 1).phase is P.OPENING_AUCTION


def test_next_change_is_the_next_boundary_strictly_after() -> None:
    schedule = DaySchedule.build(NORMAL, seed=4)
    assert schedule.next_change(at(NORMAL, "07:00")) == at(NORMAL, "08:30")
    assert schedule.next_change(at(NORMAL, "08:30")) == at(NORMAL, "08:40")
    uncross = only(schedule, P.OPENING_AUCTION).uncross_ns
    assert schedule.next_change(at(NORMAL, "08:40")) == uncross


def test_next_change_is_none_once_the_day_is_over() -> None:
    schedule = DaySchedule.build(NORMAL, seed=4)
    assert schedule.next_change(schedule.segments[-1].start_ns) is None


# -- randomness ---------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_day() -> None:
    assert DaySchedule.build(NORMAL, seed=7).segments == DaySchedule.build(NORMAL, seed=7).segments


def test_different_seeds_give_different_auction_ends() -> None:
    ends = {only(DaySchedule.build(NORMAL, seed=s), P.CLOSING_AUCTION).end_ns for s in range(8)}
    assert len(ends) == 8


def test_different_days_draw_differently_under_one_seed() -> None:
    first = extension(only(DaySchedule.build(NORMAL), P.CLOSING_AUCTION), NORMAL, "15:30")
    day = date(2026, 3, 6)
    second = extension(only(DaySchedule.build(day), P.CLOSING_AUCTION), day, "15:30")
    assert first != second


@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_every_random_end_lies_within_thirty_seconds(seed: int) -> None:
    schedule = DaySchedule.build(NORMAL, seed=seed)
    opening = only(schedule, P.OPENING_AUCTION)
    closing = only(schedule, P.CLOSING_AUCTION)
    assert 0 <= extension(opening, NORMAL, "09:00") <= MAX_EXTENSION
    assert 0 <= extension(closing, NORMAL, "15:30") <= MAX_EXTENSION


def test_random_end_for_vi_auctions_is_deterministic_by_key() -> None:
    schedule = DaySchedule.build(NORMAL, seed=9)
    end = at(NORMAL, "10:02")
    assert schedule.random_end_ns(end, 1) == DaySchedule.build(NORMAL, seed=9).random_end_ns(end, 1)
    assert schedule.random_end_ns(end, 1) != schedule.random_end_ns(end, 2)


def test_random_end_for_vi_auctions_differs_across_seeds() -> None:
    end = at(NORMAL, "10:02")
    draws = {DaySchedule.build(NORMAL, seed=s).random_end_ns(end, 1) for s in range(8)}
    assert len(draws) == 8


VI_SCHEDULE = DaySchedule.build(NORMAL)


@given(st.integers(min_value=-(2**64), max_value=2**64))
def test_random_end_for_vi_auctions_is_within_thirty_seconds(key: int) -> None:
    end = at(NORMAL, "10:02")
    assert 0 <= VI_SCHEDULE.random_end_ns(end, key) - end <= MAX_EXTENSION
