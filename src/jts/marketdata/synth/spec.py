"""What the CLI asks the generator for: a frozen `SynthSpec`, and `generate` to run it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from jts.core.clock import kst_today
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.krx.calendar import previous_trading_day, supported_range, trading_days
from jts.marketdata.frames import BarFrame
from jts.marketdata.synth.instruments import make_universe
from jts.marketdata.synth.intraday import minute_bars
from jts.marketdata.synth.keys import check_seed


@dataclass(frozen=True, slots=True, kw_only=True)
class SynthSpec:
    """A synthetic market: `symbols` instruments, `days` trading days of minute bars.

    `start` None means: the first trading day such that `days` trading days end on the last
    trading day before today (KST) — so the default data set moves with the calendar date;
    pass `start` for a fixed one. `codes` are included in the universe (see `make_universe`).
    """

    symbols: int = 200
    days: int = 250
    seed: int = 0
    start: date | None = None
    etf_share: float = 0.05
    codes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.symbols < 1:
            raise InvalidInput("symbols", f"{self.symbols} is not a positive number of symbols")
        if self.days < 1:
            raise InvalidInput("days", f"{self.days} is not a positive number of trading days")
        check_seed(self.seed)

    def first_day(self, today: date | None = None) -> date:
        """`start`, or the default start counted back from the last trading day before
        `today` (default: today in KST)."""
        if self.start is not None:
            return self.start
        last = previous_trading_day(today or kst_today())
        earliest = max(date(last.year - self.days // 200 - 2, 1, 1), supported_range()[0])
        window = trading_days(earliest, last)
        if len(window) < self.days:
            raise InvalidInput("days", f"{self.days} trading days do not fit before {last}")
        return window[-self.days]


def generate(
    spec: SynthSpec, *, today: date | None = None
) -> tuple[list[Instrument], Iterator[BarFrame]]:
    """The universe and its minute bars (chunked as `minute_bars` documents)."""
    universe = make_universe(
        spec.symbols, seed=spec.seed, etf_share=spec.etf_share, codes=spec.codes
    )
    start = spec.first_day(today)
    return universe, minute_bars(universe, start, days=spec.days, seed=spec.seed)
