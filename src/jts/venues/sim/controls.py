"""Volatility interruption per symbol and the market-wide circuit breaker and sidecar.

These are the simulated exchange's stateful watchers; the rules themselves (rates, trigger
rounding, stage thresholds, sidecar moves) come from `jts.krx.volatility` (KRX.md §7-8).

- `ViBand` turns the VI triggers into the range of prices a symbol may execute at without
  interruption: the matching loop checks each prospective execution against it.
- `CircuitBreaker` watches a market's index and fires a stage once its fall has lasted.
- `Sidecar` watches the front futures (and for KOSDAQ the index) and holds program orders.

Prices are int KRW, instants int ns UTC, index levels plain numbers, moves `Decimal` fractions.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from jts.core.clock import NS_PER_SECOND
from jts.core.enums import Market, Side
from jts.krx.sessions import Phase
from jts.krx.ticks import round_to_tick
from jts.krx.volatility import (
    STATIC_VI_RATE,
    VI_PHASES,
    CircuitBreakerFiring,
    CircuitBreakerStage,
    SidecarRule,
    circuit_breaker_stage,
    dynamic_vi_rate,
    sidecar_held_side,
    vi_trigger_prices,
)
from jts.venues.sim.rules import SymbolRules

__all__ = ["STATIC_VI_PHASES", "CircuitBreaker", "Sidecar", "ViBand"]

STATIC_VI_PHASES: Final = frozenset(
    {Phase.OPENING_AUCTION, Phase.CONTINUOUS, Phase.CLOSING_AUCTION}
)
"""Static VI applies in the regular session only (KRX.md §7 table); dynamic VI in the phases
`jts.krx.volatility` has rates for (continuous, closing auction, after-hours rounds), so in
neither closing-price session."""

STATIC_VI: Final = "static_vi"
DYNAMIC_VI: Final = "dynamic_vi"

_NO_TRIGGER: Final = (0, 2**63 - 1)
"""(down, up) that nothing reaches: the trigger pair of a VI that does not apply."""


_MEMO_SIZE = 512
"""Bands remembered per symbol: last prices revisit a few ticks, and each band costs a
`Decimal` computation, far more than a match."""


class ViBand:
    """One symbol's VI state: the static reference and the band it and the last price allow.

    Static reference: the base price until the first call auction prints (the open), then the
    last call-auction price, so static VI fires again at each further 10% step. Dynamic
    reference: the last execution price (the base price before the first one). Triggers are
    `jts.krx.vi_trigger_prices`; an execution *at* a trigger price already interrupts.
    """

    __slots__ = ("_memo", "_reference", "_static", "rules")

    def __init__(self, rules: SymbolRules) -> None:
        self.rules = rules
        self._reference = rules.base_price
        self._static = self._triggers(rules.base_price, STATIC_VI_RATE)
        self._memo: dict[tuple[Phase, int, bool, int], tuple[int, int]] = {}

    def band(self, phase: Phase, last_price: int, *, expiry_day: bool = False) -> tuple[int, int]:
        """(lo, hi) in KRW: an execution at p is allowed iff lo <= p <= hi.

        Strictly inside the dynamic triggers around `last_price` (0 = no execution yet: the
        base price) at the group's rate for `phase`, strictly inside the static triggers, and
        inside the daily limits; lo and hi are valid prices. No VI on the IPO day.
        `expiry_day`: derivatives expiry and the symbol is covered (1% closing-auction rate).
        A last price beyond the static triggers that no auction printed cannot be reached by
        the exchange; there lo > hi may come out, so any execution triggers static VI.
        """
        key = (phase, last_price, expiry_day, self._reference)
        known = self._memo.get(key)
        if known is not None:
            return known
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()  # prices wander: keep the recent ones only
        lo, hi = self.rules.lower, self.rules.upper
        dynamic = self.dynamic_triggers(phase, last_price, expiry_day=expiry_day)
        for down, up in (self.static_triggers(phase), dynamic):
            if down >= lo:
                lo = self._tick_above(down)
            if up <= hi:
                hi = self._tick_below(up)
        self._memo[key] = (lo, hi)
        return lo, hi

    def trigger(
        self, price: int, phase: Phase, last_price: int, *, expiry_day: bool = False
    ) -> str:
        """Which VI an execution at `price` KRW fires: "static_vi", "dynamic_vi" or "".

        Static wins when both fire. "" when neither does (inside the band, or only outside
        the daily limits, which are no VI).
        """
        down, up = self.static_triggers(phase)
        if price <= down or price >= up:
            return STATIC_VI
        down, up = self.dynamic_triggers(phase, last_price, expiry_day=expiry_day)
        if price <= down or price >= up:
            return DYNAMIC_VI
        return ""

    def auction_printed(self, price: int) -> None:
        """A call auction (open, VI, after a halt) printed at `price` KRW: the new static
        reference."""
        if price != self._reference:
            self._reference = price
            self._static = self._triggers(price, STATIC_VI_RATE)

    @property
    def static_reference(self) -> int:
        """KRW the static triggers are measured from (read-only: see `auction_printed`)."""
        return self._reference

    def static_triggers(self, phase: Phase) -> tuple[int, int]:
        """(down, up) static trigger prices in KRW in `phase`; unreachable when none apply."""
        rules = self.rules
        if rules.ipo_day or not rules.static_vi or phase not in STATIC_VI_PHASES:
            return _NO_TRIGGER
        return self._static

    def dynamic_triggers(
        self, phase: Phase, last_price: int, *, expiry_day: bool = False
    ) -> tuple[int, int]:
        """(down, up) dynamic trigger prices in KRW around `last_price` (0: the base price)."""
        if self.rules.ipo_day or phase.value not in VI_PHASES:
            return _NO_TRIGGER
        rate = dynamic_vi_rate(self.rules.vi_group, phase.value, expiry_day=expiry_day)
        return self._triggers(last_price or self.rules.base_price, rate)

    def _triggers(self, reference: int, rate: Decimal) -> tuple[int, int]:
        rules = self.rules
        down, up = vi_trigger_prices(
            reference, rate, etf=rules.etf_ticks, on=rules.day, market=rules.instrument.market
        )
        return down, up

    def _tick_above(self, price: int) -> int:
        """The smallest valid price above `price` KRW (the trigger itself is excluded)."""
        rules = self.rules
        return round_to_tick(
            price + 1, mode="up", etf=rules.etf_ticks, on=rules.day, market=rules.instrument.market
        )

    def _tick_below(self, price: int) -> int:
        """The largest valid price below `price` KRW; `price` > the lower limit here."""
        rules = self.rules
        return round_to_tick(
            price - 1,
            mode="down",
            etf=rules.etf_ticks,
            on=rules.day,
            market=rules.instrument.market,
        )


def _seconds_left(ts_ns: int, close_ns: int) -> int:
    """Whole seconds left before `close_ns`, counting the current second as gone, so a rule
    blocked in "the last 40 minutes" is blocked from 14:50:00.000 on a 15:30 day."""
    return (close_ns - ts_ns - 1) // NS_PER_SECOND


def _as_decimal(value: Decimal | float) -> Decimal:
    """Floats go through their shortest repr, so 2500.12 stays 2500.12."""
    return value if isinstance(value, Decimal) else Decimal(repr(value))


class CircuitBreaker:
    """One market's circuit breaker (KOSPI and KOSDAQ apart), fed with index levels.

    A stage fires when `jts.krx.circuit_breaker_stage` has named the same stage at every
    observation for its `persistence_seconds` (60 s); the stage's 40-minute block before the
    close is measured against `close_ns`, the regular session's scheduled close. Observations
    during a halt and after stage 3 are ignored: nothing trades, the index is stale.
    `stage` is the last level fired (0: none), `halted_until_ns` the end of its 20-minute
    halt (the 10-minute resumption auction follows, until `auction_until_ns`).
    """

    __slots__ = (
        "_armed_level",
        "_armed_ns",
        "_fired",
        "auction_until_ns",
        "close_ns",
        "day_ended",
        "halted_until_ns",
        "market",
        "prev_close",
        "stage",
    )

    def __init__(self, market: Market, prev_close: Decimal | float, close_ns: int) -> None:
        self.market = market
        self.prev_close = _as_decimal(prev_close)
        self.close_ns = close_ns
        self.stage = 0
        self.halted_until_ns = 0
        self.auction_until_ns = 0
        self.day_ended = False
        self._fired: CircuitBreakerFiring | None = None
        self._armed_level = 0
        self._armed_ns = 0

    def observe(self, ts_ns: int, index: Decimal | float) -> CircuitBreakerStage | None:
        """Feed the index level at `ts_ns`; the stage that fires now, or None."""
        if self.day_ended or ts_ns < self.halted_until_ns:
            return None
        level = _as_decimal(index)
        stage = circuit_breaker_stage(
            level, self.prev_close, _seconds_left(ts_ns, self.close_ns), self._fired
        )
        if stage is None:
            self._armed_level = 0
            return None
        if stage.level != self._armed_level:
            self._armed_level, self._armed_ns = stage.level, ts_ns
        if ts_ns - self._armed_ns < stage.persistence_seconds * NS_PER_SECOND:
            return None
        self._fire(stage, ts_ns, level)
        return stage

    def _fire(self, stage: CircuitBreakerStage, ts_ns: int, level: Decimal) -> None:
        self.stage = stage.level
        self._fired = CircuitBreakerFiring(stage.level, level)
        self._armed_level = 0
        self.halted_until_ns = ts_ns + stage.halt_seconds * NS_PER_SECOND
        self.auction_until_ns = self.halted_until_ns + stage.auction_seconds * NS_PER_SECOND
        self.day_ended = stage.ends_day


class Sidecar:
    """One market's sidecar: holds program orders on one side for 5 minutes, once a day.

    It fires when `jts.krx.sidecar_held_side` has named the same side at every observation
    for the rule's `persistence_seconds`; the time-of-day blocks are part of that decision,
    so the minute counts only inside the allowed window (whether KRX counts a move that
    began inside the first 5 minutes: unverified). `open_ns`/`close_ns` are the regular
    session's scheduled open and close.
    """

    __slots__ = (
        "_armed_ns",
        "_armed_side",
        "close_ns",
        "fired",
        "held",
        "held_until_ns",
        "open_ns",
        "rule",
    )

    def __init__(self, rule: SidecarRule, open_ns: int, close_ns: int) -> None:
        self.rule = rule
        self.open_ns = open_ns
        self.close_ns = close_ns
        self.fired = 0
        self.held: Side | None = None
        self.held_until_ns = 0
        self._armed_side: Side | None = None
        self._armed_ns = 0

    def observe(self, ts_ns: int, futures_move: Decimal, index_move: Decimal) -> Side | None:
        """Feed the signed moves (fractions from base) at `ts_ns`; the side held now, or None."""
        side = sidecar_held_side(
            self.rule,
            futures_move,
            index_move,
            seconds_since_open=(ts_ns - self.open_ns) // NS_PER_SECOND,
            seconds_to_close=_seconds_left(ts_ns, self.close_ns),
            fired_today=self.fired,
        )
        if side is None:
            self._armed_side = None
            return None
        if side is not self._armed_side:
            self._armed_side, self._armed_ns = side, ts_ns
        if ts_ns - self._armed_ns < self.rule.persistence_seconds * NS_PER_SECOND:
            return None
        self.fired += 1
        self.held, self.held_until_ns = side, ts_ns + self.rule.hold_seconds * NS_PER_SECOND
        self._armed_side = None
        return side

    def held_side(self, ts_ns: int) -> Side | None:
        """The program-order side refused at `ts_ns`, None once the hold has passed."""
        return self.held if ts_ns < self.held_until_ns else None
