"""The CLI's entry point: a frozen spec and `generate`."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from jts.core.clock import kst_date
from jts.core.errors import InvalidInput
from jts.krx import previous_trading_day, trading_days
from jts.marketdata.synth import SynthSpec, generate


def test_the_default_start_makes_the_days_end_on_the_last_trading_day_before_today() -> None:
    spec = SynthSpec(symbols=3, days=20)
    today = dt.date(2026, 11, 30)
    first = spec.first_day(today)
    window = trading_days(first, previous_trading_day(today))
    assert len(window) == 20
    assert window[-1] == dt.date(2026, 11, 27)


def test_an_explicit_start_is_kept() -> None:
    assert SynthSpec(start=dt.date(2024, 5, 2)).first_day() == dt.date(2024, 5, 2)


@pytest.mark.parametrize("bad", [{"symbols": 0}, {"days": 0}, {"seed": -1}, {"seed": 2**64}])
def test_a_spec_with_a_bad_value_is_rejected(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        SynthSpec(**bad)


def test_a_spec_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SynthSpec().days = 3  # type: ignore[misc]


def test_generate_gives_the_universe_and_its_minute_bars() -> None:
    spec = SynthSpec(symbols=4, days=3, seed=5, codes=("005930",))
    universe, frames = generate(spec, today=dt.date(2026, 6, 10))
    assert len(universe) == 4
    assert "005930" in {i.symbol for i in universe}
    bars = list(frames)
    days = {kst_date(int(t)) for f in bars for t in f["ts"]}
    assert days == {dt.date(2026, 6, 5), dt.date(2026, 6, 8), dt.date(2026, 6, 9)}
    assert {s for f in bars for s in f.symbols()} == {i.symbol for i in universe}
