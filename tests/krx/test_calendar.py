"""KRX trading calendar: one test per closure, rule and override case (KRX.md §2, §9, §10)."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jts.core.errors import ConfigError, InvalidInput
from jts.krx import calendar
from jts.krx.calendar import (
    LateOpenKind,
    holidays,
    is_late_open,
    is_trading_day,
    late_open,
    next_trading_day,
    previous_trading_day,
    settlement_date,
    trading_days,
)

D = dt.date

CLOSURES_2025 = [
    D(2025, 1, 1), D(2025, 1, 27), D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30),
    D(2025, 3, 3), D(2025, 5, 1), D(2025, 5, 5), D(2025, 5, 6), D(2025, 6, 3), D(2025, 6, 6),
    D(2025, 8, 15), D(2025, 10, 3), D(2025, 10, 6), D(2025, 10, 7), D(2025, 10, 8),
    D(2025, 10, 9), D(2025, 12, 25), D(2025, 12, 31),
]  # fmt: skip
CLOSURES_2026 = [
    D(2026, 1, 1), D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 3, 2),
    D(2026, 5, 1), D(2026, 5, 5), D(2026, 5, 25), D(2026, 6, 3), D(2026, 7, 17),
    D(2026, 8, 17), D(2026, 9, 24), D(2026, 9, 25), D(2026, 10, 5), D(2026, 10, 9),
    D(2026, 12, 25), D(2026, 12, 31),
]  # fmt: skip
CSAT_DAYS = [D(2023, 11, 16), D(2024, 11, 14), D(2025, 11, 13), D(2026, 11, 19)]


@pytest.fixture
def restore_calendar() -> Iterator[None]:
    yield
    calendar.set_overrides(None)


# ---- closures -------------------------------------------------------------------------------


@pytest.mark.parametrize("day", CLOSURES_2025 + CLOSURES_2026, ids=str)
def test_listed_weekday_closure_is_not_a_trading_day(day: dt.date) -> None:
    assert not is_trading_day(day)
    assert day in dict(holidays(day.year))


@pytest.mark.parametrize(("year", "expected"), [(2025, CLOSURES_2025), (2026, CLOSURES_2026)])
def test_year_has_exactly_the_listed_weekday_closures(year: int, expected: list[dt.date]) -> None:
    assert [day for day, _ in holidays(year)] == expected


def test_2026_has_17_weekday_closures() -> None:
    assert len(holidays(2026)) == 17


@pytest.mark.parametrize("day", [D(2025, 10, 10), D(2026, 9, 28), D(2026, 11, 30)], ids=str)
def test_day_next_to_a_holiday_is_a_trading_day(day: dt.date) -> None:
    assert is_trading_day(day)


@pytest.mark.parametrize(
    ("day", "word"),
    [(D(2026, 7, 17), "Constitution Day"), (D(2026, 6, 3), "Local elections"),
     (D(2025, 1, 27), "Temporary"), (D(2026, 12, 31), "Year-end")],
)  # fmt: skip
def test_closure_carries_its_name(day: dt.date, word: str) -> None:
    assert word in dict(holidays(day.year))[day]


def test_weekends_are_closed_and_not_listed_as_holidays() -> None:
    assert not is_trading_day(D(2026, 11, 28))
    assert D(2026, 11, 28) not in dict(holidays(2026))


# ---- Dec 31 rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("closed", "last_session"),
    [
        (D(2025, 12, 31), D(2025, 12, 30)),  # Wednesday: Dec 31 itself
        (D(2022, 12, 30), D(2022, 12, 29)),  # Dec 31 a Saturday: Friday Dec 30 instead
        (D(2023, 12, 29), D(2023, 12, 28)),  # Dec 31 a Sunday: Friday Dec 29 instead
        (D(2027, 12, 31), D(2027, 12, 30)),  # Friday (provisional year)
    ],
    ids=str,
)
def test_year_end_closure_falls_on_the_last_weekday(closed: dt.date, last_session: dt.date) -> None:
    assert not is_trading_day(closed)
    assert previous_trading_day(D(closed.year, 12, 31)) == last_session


def test_every_year_closes_its_last_weekday() -> None:
    for year in range(2000, 2028):
        last_weekday = max(
            D(year, 12, day) for day in range(25, 32) if D(year, 12, day).weekday() < 5
        )
        assert not is_trading_day(last_weekday), year


# ---- navigation and settlement ----------------------------------------------------------------


def test_trading_days_is_inclusive_and_skips_closures() -> None:
    assert trading_days(D(2026, 2, 13), D(2026, 2, 19)) == [D(2026, 2, 13), D(2026, 2, 19)]


def test_trading_days_is_empty_when_end_precedes_start() -> None:
    assert trading_days(D(2026, 3, 5), D(2026, 3, 4)) == []


@pytest.mark.parametrize(
    ("day", "after", "before"),
    [(D(2026, 7, 16), D(2026, 7, 20), D(2026, 7, 15)),
     (D(2026, 7, 17), D(2026, 7, 20), D(2026, 7, 16)),
     (D(2026, 12, 30), D(2027, 1, 4), D(2026, 12, 29))],
    ids=str,
)  # fmt: skip
def test_next_and_previous_skip_closures(day: dt.date, after: dt.date, before: dt.date) -> None:
    assert next_trading_day(day) == after
    assert previous_trading_day(day) == before


@pytest.mark.parametrize(
    ("trade", "settles"),
    [
        (D(2024, 12, 27), D(2025, 1, 2)),  # over Dec 31 and Jan 1: the 2025 tax rate applies
        (D(2026, 12, 29), D(2027, 1, 4)),  # Dec 30, then Dec 31, Jan 1 and a weekend skipped
        (D(2026, 2, 12), D(2026, 2, 19)),  # over Seollal
        (D(2026, 7, 16), D(2026, 7, 21)),  # over Constitution Day (missing in XKRX 4.13.2)
        (D(2026, 11, 30), D(2026, 12, 2)),
    ],
    ids=str,
)
def test_settlement_is_two_trading_days_later(trade: dt.date, settles: dt.date) -> None:
    assert settlement_date(trade) == settles


def test_settlement_of_a_closed_day_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not a KRX trading day"):
        settlement_date(D(2026, 7, 17))


# ---- late opens -------------------------------------------------------------------------------


@pytest.mark.parametrize("day", CSAT_DAYS, ids=str)
def test_csat_day_opens_at_ten_and_shifts_the_whole_day(day: dt.date) -> None:
    info = late_open(day)
    assert info is not None
    assert (info.kind, info.open, info.shift) == (
        LateOpenKind.CSAT,
        dt.time(10),
        dt.timedelta(hours=1),
    )


@pytest.mark.parametrize("day", [D(2025, 1, 2), D(2026, 1, 2), D(2027, 1, 4)], ids=str)
def test_first_trading_day_of_the_year_opens_at_ten(day: dt.date) -> None:
    info = late_open(day)
    assert info is not None
    assert (info.kind, info.open) == (LateOpenKind.NEW_YEAR, dt.time(10))


def test_every_year_starts_with_a_late_open() -> None:
    for year in range(2000, 2028):
        first = trading_days(D(year, 1, 1), D(year, 1, 10))[0]
        assert is_late_open(first), first


def test_ordinary_day_is_not_a_late_open() -> None:
    assert late_open(D(2026, 11, 18)) is None
    assert not is_late_open(D(2026, 11, 20))


# ---- supported range --------------------------------------------------------------------------


@pytest.mark.parametrize("day", [D(1999, 12, 30), D(2028, 1, 3)], ids=str)
def test_date_outside_the_supported_range_is_refused(day: dt.date) -> None:
    with pytest.raises(InvalidInput, match=rf"{day} is outside .*2000-01-01\.\.2027-12-31"):
        is_trading_day(day)


def test_next_trading_day_past_the_range_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no trading day after 2027-12-30"):
        next_trading_day(D(2027, 12, 30))


def test_holidays_of_an_unsupported_year_are_refused() -> None:
    with pytest.raises(InvalidInput, match="2028"):
        holidays(2028)


def test_datetime_is_refused_rather_than_silently_missing() -> None:
    with pytest.raises(InvalidInput, match=r"datetime\.date"):
        is_trading_day(dt.datetime(2026, 11, 30, 9, 0))


def test_supported_range_and_verified_through_come_from_the_data_file() -> None:
    assert calendar.supported_range() == (D(2000, 1, 1), D(2027, 12, 31))
    assert calendar.verified_through() == D(2026, 12, 31)


# ---- what exchange_calendars gets wrong -------------------------------------------------------


def _xkrx(first: str, last: str) -> Any:
    import exchange_calendars

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return exchange_calendars.get_calendar("XKRX", start=first, end=last)


def test_xkrx_4_13_2_misses_exactly_the_corrected_2025_2026_closures() -> None:
    import exchange_calendars

    if exchange_calendars.__version__ != "4.13.2":
        pytest.skip("pinned to exchange_calendars 4.13.2: review data/calendar.toml on upgrade")
    sessions = set(_xkrx("2025-01-01", "2026-12-31").sessions.date)
    ours = set(CLOSURES_2025 + CLOSURES_2026)
    theirs = {d for d in ours if d not in sessions}
    assert ours - theirs == {D(2026, 6, 3), D(2026, 7, 17)}


def test_csat_days_agree_with_xkrx_where_it_has_them() -> None:
    cal = _xkrx("2000-01-01", "2021-12-31")
    opens = cal.opens.dt.tz_convert("Asia/Seoul")
    theirs = {s.date() for s, o in opens.items() if o.time() != dt.time(9) and s.month != 1}
    theirs = {d for d in theirs if 2001 <= d.year <= 2020}
    ours = {d for d in trading_days(D(2001, 1, 1), D(2020, 12, 31)) if is_late_open(d)}
    assert theirs == {d for d in ours if d.month != 1}


# ---- override files ---------------------------------------------------------------------------

GOOD_OVERRIDE = """
[[closed]]
date = 2026-12-30
reason = "Temporary holiday declared at short notice"

[[opened]]
date = 2026-06-03
reason = "Election day trading (hypothetical)"

[[late_open]]
date = 2026-12-02
kind = "csat"
open = 10:00:00
reason = "Test late open"

[schedule]
apply_planned = true
"""


@pytest.mark.usefixtures("restore_calendar")
def test_override_file_adds_removes_and_shifts_days(tmp_path: Path) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(GOOD_OVERRIDE, encoding="utf-8")
    calendar.load_overrides(path)
    assert not is_trading_day(D(2026, 12, 30))
    assert "short notice" in dict(holidays(2026))[D(2026, 12, 30)]
    assert is_trading_day(D(2026, 6, 3))
    assert settlement_date(D(2026, 12, 28)) == D(2027, 1, 4)
    assert late_open(D(2026, 12, 2)) is not None
    assert calendar.planned_regimes_enabled()


@pytest.mark.usefixtures("restore_calendar")
def test_clearing_overrides_restores_the_packaged_calendar(tmp_path: Path) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(GOOD_OVERRIDE, encoding="utf-8")
    calendar.load_overrides(path)
    calendar.set_overrides(None)
    assert is_trading_day(D(2026, 12, 30))
    assert not calendar.planned_regimes_enabled()


BAD_ENTRY = '[[closed]]\ndate = 2026-12-30\nreason = "x"\n'


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("[[closed]\n", "(syntax)", "not valid TOML"),
        ("holiday = 1\n", "(top level)", "unknown field `holiday`"),
        (BAD_ENTRY + "note = 1\n", "closed[0]", "unknown field `note`"),
        ('[[closed]]\ndate = 2026-12-30\n', "closed[0]", "missing required field `reason`"),
        ('[[closed]]\ndate = 2026-12-30T09:00:00\nreason = "x"\n', "closed[0].date",
         "Expected `date`"),
        ('[[closed]]\ndate = 2026-12-26\nreason = "x"\n', "closed[0].date", "weekend"),
        ('[[closed]]\ndate = 2026-12-30\nreason = " "\n', "closed[0].reason", "empty"),
        (BAD_ENTRY + BAD_ENTRY, "closed[1].date", "listed twice"),
        (BAD_ENTRY + BAD_ENTRY.replace("closed", "opened"), "opened[0].date", "also listed"),
        ('[[late_open]]\ndate = 2026-12-02\nkind = "lunch"\nopen = 10:00:00\nreason = "x"\n',
         "late_open[0].kind", "Invalid enum value 'lunch'"),
        ('[[late_open]]\ndate = 2026-12-02\nkind = "csat"\nopen = 08:00:00\nreason = "x"\n',
         "late_open[0].open", "not a late open"),
        ('[[late_open]]\ndate = 2026-07-17\nkind = "csat"\nopen = 10:00:00\nreason = "x"\n',
         "late_open[0].date", "not a trading day"),
        ('[[closed]]\ndate = 2031-01-02\nreason = "x"\n', "closed[0].date", "outside"),
        ("[range]\nlast = 2030-12-31\n", "range", "only the packaged calendar"),
        ("[schedule]\napply_planned = \"yes\"\n", "schedule.apply_planned", "Expected `bool"),
    ],
    ids=lambda value: value if len(value) < 30 else None,
)  # fmt: skip
@pytest.mark.usefixtures("restore_calendar")
def test_malformed_override_names_file_key_and_problem(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        calendar.load_overrides(path)
    assert caught.value.key == f"{path}: {key}"
    assert problem in caught.value.problem
    assert is_trading_day(D(2026, 12, 30))  # the calendar is unchanged


def test_missing_override_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match=r"absent\.toml"):
        calendar.load_overrides(path)
