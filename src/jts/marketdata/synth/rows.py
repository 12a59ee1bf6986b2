"""The symbols one generator call works on, and the trading days it covers.

`Rows` fixes, once per call, everything per-symbol the daily and minute generators need: the
position of each symbol in the universe (it keys the random streams, so a symbol's data do not
depend on which other symbols were asked for), its tick-table class and its profile.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from jts.core.enums import Market
from jts.core.errors import InvalidInput
from jts.core.models import Instrument
from jts.krx.calendar import supported_range, trading_days
from jts.krx.limits import limit_percent
from jts.krx.ticks import tick_table
from jts.marketdata.schema import SYMBOL_DTYPE
from jts.marketdata.synth.grid import Ladder, RowLadders
from jts.marketdata.synth.profiles import Profiles, profiles

Array = np.ndarray[Any, Any]
_ClassKey = tuple[bool, Market]


@dataclass(frozen=True, slots=True)
class Rows:
    """Selected symbols, sorted by code, with what the generators need per symbol."""

    universe_size: int
    index: Array
    """Position of each symbol in the universe (int64): keys its random streams."""
    symbols: Array
    instruments: tuple[Instrument, ...]
    klass: Array
    """Tick-table class of each row: an index into `class_keys`."""
    class_keys: tuple[_ClassKey, ...]
    leverage: Array
    profile: Profiles
    """Profiles of the whole universe (index with `index`)."""

    def __len__(self) -> int:
        return len(self.index)

    def take(self, rows: Array) -> Rows:
        """A subset of rows (an index array into these rows)."""
        return Rows(
            universe_size=self.universe_size,
            index=self.index[rows],
            symbols=self.symbols[rows],
            instruments=tuple(self.instruments[i] for i in rows.tolist()),
            klass=self.klass[rows],
            class_keys=self.class_keys,
            leverage=self.leverage[rows],
            profile=self.profile,
        )

    def ladders(self, day: date) -> RowLadders:
        """The tick table of each row on `day` (KRX tables are dated)."""
        return RowLadders.build(self.klass, _class_ladders(self.class_keys, day))

    def limit_percent(self, day: date) -> Array:
        """Daily band of each row in percent of its base on `day` (× leverage for ETFs)."""
        by_class = np.array([limit_percent(market, day) for _, market in self.class_keys])
        percent: Array = by_class[self.klass] * self.leverage
        return percent

    def pick(self, name: str) -> Array:
        """A profile array restricted to these rows."""
        values: Array = getattr(self.profile, name)[self.index]
        return values


def select_rows(
    universe: Sequence[Instrument], symbols: Sequence[str] | None, *, seed: int
) -> Rows:
    """Rows for `symbols` (all of `universe` when None), sorted by code."""
    position = {inst.symbol: i for i, inst in enumerate(universe)}
    if len(position) != len(universe):
        raise InvalidInput("universe", "symbols must be unique")
    wanted = sorted(position) if symbols is None else sorted(dict.fromkeys(symbols))
    unknown = [s for s in wanted if s not in position]
    if unknown:
        raise InvalidInput("symbols", f"not in the universe: {', '.join(unknown[:5])}")
    chosen = tuple(universe[position[s]] for s in wanted)
    keys = [(inst.uses_etf_ticks, inst.market) for inst in chosen]
    class_keys = tuple(dict.fromkeys(keys))
    return Rows(
        universe_size=len(universe),
        index=np.array([position[s] for s in wanted], dtype=np.int64),
        symbols=np.array(wanted, dtype=SYMBOL_DTYPE),
        instruments=chosen,
        klass=np.array([class_keys.index(k) for k in keys], dtype=np.int64),
        class_keys=class_keys,
        leverage=np.array([inst.leverage for inst in chosen], dtype=np.int64),
        profile=profiles(universe, seed=seed),
    )


@functools.lru_cache(maxsize=4096)
def _class_ladders(class_keys: tuple[_ClassKey, ...], day: date) -> tuple[Ladder, ...]:
    return tuple(Ladder.of(tick_table(etf=etf, on=day, market=m)) for etf, m in class_keys)


def resolve_days(start: date, end: date | None, days: int | None) -> list[date]:
    """Trading days from `start`: up to `end` inclusive, or the first `days` of them.

    Exactly one of `end` and `days` must be given; an empty result is an error.
    """
    if (end is None) == (days is None):
        raise InvalidInput("end", "give exactly one of end and days")
    if days is not None:
        if days < 1:
            raise InvalidInput("days", f"{days} is not a positive number of trading days")
        found = trading_days(start, supported_range()[1])[:days]
        if len(found) < days:
            raise InvalidInput("days", f"only {len(found)} trading days from {start} are known")
    else:
        assert end is not None
        found = trading_days(start, end)
    if not found:
        raise InvalidInput("start", f"no trading day between {start} and {end}")
    return found


def days_before(day: date, count: int) -> list[date]:
    """Up to `count` trading days strictly before `day`, ascending (fewer near 2000)."""
    first = supported_range()[0]
    if day <= first:
        return []
    return [d for d in trading_days(first, day) if d < day][-count:]
