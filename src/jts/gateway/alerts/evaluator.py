"""When alerts fire: every user's rules, evaluated on the live stream.

The stream is large (≈1,800 symbols, many ticks a second each) and rules are few, so rules
are indexed by what can trigger them — ticks, minute bars and VI status by symbol, fills by
user, risk halts on their own — and a tick costs one dict lookup plus the rules of its own
symbol; a symbol nobody watches costs the lookup alone. The indices hold tuples replaced
whole under a lock (copy on write): the CRUD API changes rules from worker threads while the
stream reads them on the event loop, and readers never lock or see a half-made list.

Level conditions (price at or beyond a threshold, a percent move, a volume spike, a VI in
progress) fire on the *edge*: when the condition becomes true, not on every tick while it
stays true; the rule re-arms once an observation finds it false again. A fresh rule starts
armed, so one created while the condition already holds fires at the first observation —
the user learns right away. Independently a rule fires at most once per `cooldown_s`; an edge
met during the cooldown stays armed and fires as soon as the cooldown ends if the condition
still holds. Events (fills, risk halts) have no level and only the cooldown applies. Time is
the events' own `ts_ns` (replays and the simulated session behave as live).
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

import structlog

from jts.core.clock import Clock, LiveClock
from jts.core.events import HaltStatus, SymbolState, SymbolStatus
from jts.core.models import Bar, Fill, Tick
from jts.gateway.alerts import notifications
from jts.gateway.alerts.notifications import Firing
from jts.gateway.alerts.rules import (
    MAX_WINDOW_MIN,
    AlertKind,
    AlertRule,
    PctMoveParams,
    PctMoveSpec,
    PriceParams,
    VolumeSpikeParams,
    VolumeSpikeSpec,
)

__all__ = ["AccountOwners", "AlertEvaluator", "FiringSink"]

FiringSink = Callable[[Firing], None]
"""Receives each firing as it happens (the push sender's `submit`)."""
AccountOwners = Callable[[str], Collection[int]]
"""The users to tell about a fill of trading account `account`."""

_NS: Final = 1_000_000_000
_KST_OFFSET_NS: Final = 9 * 3_600 * _NS
_DAY_NS: Final = 86_400 * _NS
_TICK_KINDS: Final = frozenset({AlertKind.PRICE_ABOVE, AlertKind.PRICE_BELOW, AlertKind.PCT_MOVE})
_NONE: Final[tuple[Firing, ...]] = ()

_log = structlog.get_logger(__name__)

_Key = str | int | None
_Index = dict[_Key, tuple["_Live", ...]]


def _kst_day(ts_ns: int) -> int:
    """Days since the epoch in KST: cheaper than a datetime on the tick path."""
    return (ts_ns + _KST_OFFSET_NS) // _DAY_NS


@dataclass(slots=True)
class _Live:
    """A rule in the evaluator with its run-time state, and the numbers its condition needs
    copied out of the spec (plain attributes: the tick path reads them thousands of times a
    second, and chains of model attributes cost more than the comparison itself)."""

    rule: AlertRule
    kind: AlertKind
    level: float
    """Threshold price (KRW), percent, or volume multiple, by kind; 0 for event kinds."""
    cooldown_ns: int
    armed: bool = True
    last_fired_ns: int | None = None

    @classmethod
    def of(cls, rule: AlertRule, last_fired_ns: int | None) -> _Live:
        params = rule.spec.params
        if isinstance(params, PriceParams):
            level: float = params.price
        elif isinstance(params, PctMoveParams):
            level = params.pct
        elif isinstance(params, VolumeSpikeParams):
            level = params.multiple
        else:
            level = 0.0
        return cls(rule, rule.kind, level, rule.cooldown_ns, last_fired_ns=last_fired_ns)


@dataclass(slots=True)
class _Reference:
    """A symbol's bases for percent moves, valid on one KST day."""

    day: int
    prev_close: int | None = None
    open: int | None = None


@dataclass(slots=True)
class _Volumes:
    """One symbol's minute volumes today, oldest first (only for symbols with spike rules)."""

    day: int = -1
    last_start_ns: int = -1
    volumes: deque[int] = field(default_factory=lambda: deque(maxlen=MAX_WINDOW_MIN + 1))

    def before(self, bar: Bar) -> list[int] | None:
        """The volumes of the minutes before `bar`; None for a bar older than the last."""
        day = _kst_day(bar.ts_ns)
        if day != self.day:
            self.day, self.last_start_ns = day, -1
            self.volumes.clear()
        if bar.ts_ns < self.last_start_ns:
            return None
        if bar.ts_ns == self.last_start_ns:
            self.volumes.pop()  # a revised bar replaces the version counted before
        return list(self.volumes)

    def add(self, bar: Bar) -> None:
        self.volumes.append(bar.volume)
        self.last_start_ns = bar.ts_ns


class AlertEvaluator:
    """Holds the enabled rules and turns stream events into `Firing`s.

    Every `on_*` method returns the firings it caused (empty tuple when none) and also
    hands each to `sink`. A fill reaches the `order_filled` rules of `user_id` when given,
    else of the users `account_owners(fill.account)` names; with neither, nobody's.
    """

    def __init__(
        self,
        *,
        sink: FiringSink | None = None,
        account_owners: AccountOwners | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._sink = sink
        self._owners = account_owners
        self._clock = clock or LiveClock()
        self._lock = threading.Lock()
        self._live: dict[int, _Live] = {}
        self._ticks: _Index = {}
        self._bars: _Index = {}
        self._vi: _Index = {}
        self._fills: _Index = {}
        self._halts: _Index = {}
        self._refs: dict[str, _Reference] = {}
        self._volumes: dict[str, _Volumes] = {}
        self._counts: Counter[str] = Counter()

    # --- rules -------------------------------------------------------------------------

    def load(self, rules: Iterable[AlertRule]) -> None:
        """Replace every rule (at start, from the store)."""
        with self._lock:
            for live in list(self._live.values()):
                self._unindex(live)
            self._live.clear()
        for rule in rules:
            self.upsert(rule)

    def upsert(self, rule: AlertRule) -> None:
        """Add or replace a rule; takes effect for the next event. A disabled rule is held
        nowhere. The arming survives a change that leaves the condition alone (a note), and
        the later of the two last-fired times is kept so an edit cannot skip a cooldown."""
        with self._lock:
            old = self._live.pop(rule.id, None)
            if old is not None:
                self._unindex(old)
            if not rule.enabled:
                return
            live = _Live.of(rule, rule.last_fired_ns)
            if old is not None:
                live.last_fired_ns = max(
                    (t for t in (old.last_fired_ns, rule.last_fired_ns) if t is not None),
                    default=None,
                )
                if _condition(old.rule) == _condition(rule):
                    live.armed = old.armed
            self._live[rule.id] = live
            table, key = self._slot(rule)
            table[key] = (*table.get(key, ()), live)

    def remove(self, rule_id: int) -> None:
        """Forget a rule (deleted); unknown ids are ignored."""
        with self._lock:
            live = self._live.pop(rule_id, None)
            if live is not None:
                self._unindex(live)
                symbol = live.rule.symbol
                if symbol is not None and symbol not in self._bars:
                    self._volumes.pop(symbol, None)  # nobody watches its volume any more

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._live

    def __len__(self) -> int:
        return len(self._live)

    def stats(self) -> dict[str, int]:
        """Counters for monitoring: firings, firings held back by a cooldown, ticks of
        percent rules without a base, fills with no owner, events of no known type, sink
        failures, and the number of rules held."""
        return {**self._counts, "rules": len(self._live)}

    # --- the stream --------------------------------------------------------------------

    def handle(self, event: object) -> tuple[Firing, ...]:
        """A bus handler: routes a `Tick`, `Bar`, `SymbolStatus`, `HaltStatus` or `Fill`."""
        if isinstance(event, Tick):
            return self.on_tick(event.symbol, event.price, event.ts_ns)
        if isinstance(event, Bar):
            return self.on_bar(event)
        if isinstance(event, (SymbolStatus, HaltStatus)):
            return self.on_symbol_status(event)
        if isinstance(event, Fill):
            return self.on_fill(event)
        self._counts["ignored"] += 1
        return _NONE

    def on_fill_event(self, fill: Fill) -> None:
        """`on_fill` as a listener (the order manager's fill listeners return nothing)."""
        self.on_fill(fill)

    def set_reference(
        self, symbol: str, ts_ns: int, *, prev_close: int | None = None, open: int | None = None
    ) -> None:
        """Bases of percent moves for the KST day of `ts_ns` (int KRW; ≤ 0 is ignored).
        They expire with that day: a base from yesterday never measures today."""
        day = _kst_day(ts_ns)
        ref = self._refs.get(symbol)
        if ref is None or ref.day != day:
            ref = self._refs[symbol] = _Reference(day)
        if prev_close is not None and prev_close > 0:
            ref.prev_close = prev_close
        if open is not None and open > 0:
            ref.open = open

    def on_tick(
        self,
        symbol: str,
        price: int,
        ts_ns: int,
        prev_close: int | None = None,
        open: int | None = None,
    ) -> tuple[Firing, ...]:
        """A trade at `price` KRW; `prev_close`/`open`, when the feed has them, update the
        bases of percent moves (same as `set_reference`)."""
        if prev_close is not None or open is not None:
            self.set_reference(symbol, ts_ns, prev_close=prev_close, open=open)
        lives = self._ticks.get(symbol)
        if not lives:
            return _NONE
        fired = [f for live in lives if (f := self._check_tick(live, symbol, price, ts_ns))]
        return self._emit(fired)

    def on_bar(self, bar: Bar) -> tuple[Firing, ...]:
        """A completed bar; minute bars (interval 60 s) feed volume spikes, others are
        ignored. The first `window_min` minutes of each KST day build the average and
        cannot fire; a minute in a window without any volume cannot either."""
        lives = self._bars.get(bar.symbol)
        if not lives or bar.interval_s != 60:
            return _NONE
        history = self._volumes.setdefault(bar.symbol, _Volumes())
        before = history.before(bar)
        if before is None:
            return _NONE
        history.add(bar)
        end_ns = bar.ts_ns + 60 * _NS
        fired = [f for live in lives if (f := self._check_volume(live, bar, before, end_ns))]
        return self._emit(fired)

    def on_symbol_status(self, status: SymbolStatus | HaltStatus) -> tuple[Firing, ...]:
        """A trading-status change: entering a VI (either kind) fires `vi` rules; any other
        state re-arms them. A `HaltStatus` counts as a VI when its reason names one."""
        lives = self._vi.get(status.symbol)
        if not lives:
            return _NONE
        if isinstance(status, SymbolStatus):
            in_vi = status.state is SymbolState.VI
            details = (status.reason, status.reference, status.trigger, status.until_ns)
        else:
            in_vi = status.halted and "vi" in status.reason.lower()
            details = (status.reason.lower(), 0, 0, 0)
        fired = [
            notifications.vi_started(live.rule, *details, status.ts_ns)
            for live in lives
            if self._edge(live, in_vi, status.ts_ns)
        ]
        return self._emit(fired)

    def on_fill(self, fill: Fill, *, user_id: int | None = None) -> tuple[Firing, ...]:
        """A fill of an order: `order_filled` rules of its owner(s), symbol filter applied."""
        if user_id is not None:
            owners: Collection[int] = (user_id,)
        elif self._owners is not None:
            owners = self._owners(fill.account)
        else:
            owners = ()
        if not owners:
            self._counts["unowned_fills"] += 1
        fired = [
            notifications.order_filled(live.rule, fill)
            for owner in owners
            for live in self._fills.get(owner, ())
            if live.rule.symbol in (None, fill.symbol) and self._cooled(live, fill.ts_ns)
        ]
        return self._emit(fired)

    def on_risk_halt(self, reason: str, ts_ns: int | None = None) -> tuple[Firing, ...]:
        """The trading node halted (risk limit or kill switch): every `risk_halt` rule."""
        now = self._clock.now_ns() if ts_ns is None else ts_ns
        fired = [
            notifications.risk_halted(live.rule, reason, now)
            for live in self._halts.get(None, ())
            if self._cooled(live, now)
        ]
        return self._emit(fired)

    # --- conditions --------------------------------------------------------------------

    def _check_tick(self, live: _Live, symbol: str, price: int, ts_ns: int) -> Firing | None:
        kind = live.kind
        if kind is AlertKind.PRICE_ABOVE:
            holds = price >= live.level
        elif kind is AlertKind.PRICE_BELOW:
            holds = price <= live.level
        else:
            return self._check_pct(live, symbol, price, ts_ns)
        if not self._edge(live, holds, ts_ns):
            return None
        return notifications.price_crossed(live.rule, int(live.level), price, ts_ns)

    def _check_pct(self, live: _Live, symbol: str, price: int, ts_ns: int) -> Firing | None:
        spec = live.rule.spec
        assert isinstance(spec, PctMoveSpec)
        base = self._base(symbol, spec.params.base, ts_ns)
        if base is None:
            self._counts["missing_base"] += 1
            return None
        holds = abs(price - base) * 100 >= live.level * base
        if not self._edge(live, holds, ts_ns):
            return None
        return notifications.pct_moved(live.rule, spec.params.base, base, price, ts_ns)

    def _check_volume(self, live: _Live, bar: Bar, before: list[int], end_ns: int) -> Firing | None:
        spec = live.rule.spec
        assert isinstance(spec, VolumeSpikeSpec)
        window = spec.params.window_min
        if len(before) < window:
            return None
        average = sum(before[-window:]) / window
        holds = average > 0 and bar.volume >= live.level * average
        if not self._edge(live, holds, end_ns):
            return None
        return notifications.volume_spiked(live.rule, bar.volume, average, window, end_ns)

    def _base(self, symbol: str, which: Literal["prev_close", "open"], ts_ns: int) -> int | None:
        ref = self._refs.get(symbol)
        if ref is None or ref.day != _kst_day(ts_ns):
            return None
        return ref.prev_close if which == "prev_close" else ref.open

    def _edge(self, live: _Live, holds: bool, ts_ns: int) -> bool:
        """Level rules: fire when `holds` turns true (armed) and the cooldown is over."""
        if not holds:
            live.armed = True
            return False
        if not live.armed:
            return False
        if not self._cooled(live, ts_ns):
            return False
        live.armed = False
        return True

    def _cooled(self, live: _Live, ts_ns: int) -> bool:
        """True, recording the firing, when `live` may fire at `ts_ns`. The distance is
        absolute: a replay running at an earlier time than the last firing still waits."""
        last = live.last_fired_ns
        if last is not None and abs(ts_ns - last) < live.cooldown_ns:
            self._counts["cooldown_suppressed"] += 1
            return False
        live.last_fired_ns = ts_ns
        return True

    # --- plumbing ----------------------------------------------------------------------

    def _emit(self, fired: list[Firing]) -> tuple[Firing, ...]:
        if not fired:
            return _NONE
        self._counts["firings"] += len(fired)
        if self._sink is not None:
            for firing in fired:
                try:
                    self._sink(firing)
                except Exception:  # a broken sink must not stop the stream
                    self._counts["sink_errors"] += 1
                    _log.exception("alert sink failed", rule_id=firing.rule_id)
        return tuple(fired)

    def _slot(self, rule: AlertRule) -> tuple[_Index, _Key]:
        kind = rule.kind
        if kind in _TICK_KINDS:
            return self._ticks, rule.symbol
        if kind is AlertKind.VOLUME_SPIKE:
            return self._bars, rule.symbol
        if kind is AlertKind.VI:
            return self._vi, rule.symbol
        if kind is AlertKind.ORDER_FILLED:
            return self._fills, rule.user_id
        return self._halts, None

    def _unindex(self, live: _Live) -> None:
        table, key = self._slot(live.rule)
        rest = tuple(other for other in table.get(key, ()) if other is not live)
        if rest:
            table[key] = rest
        else:
            table.pop(key, None)


def _condition(rule: AlertRule) -> tuple[object, ...]:
    """What decides whether a rule holds: an edit that keeps it keeps the arming."""
    return (rule.spec.kind, rule.spec.symbol, rule.spec.params)
