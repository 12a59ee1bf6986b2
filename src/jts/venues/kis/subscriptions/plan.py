"""The subscription planner: which symbols stream over WebSocket, which are polled, how stale.

A pure function of (watched symbols, their priorities, app-key budgets, the previous plan,
now): `make_plan` returns a `SubscriptionPlan`; nothing here does I/O, so every rule is
property-tested.

Streams are counted in registrations, one per (tr_id, code) pair, as KIS counts them: a
symbol's trade stream (H0STCNT0) and, for the tiers that want it, its book stream (H0STASP0).
Registrations are ranked by their symbol's score, a book right after its own trade, and the
best ones get the slots of all keys pooled (a symbol's trade and book may sit on different
keys: they are independent streams). A symbol whose trade registration has no slot is polled
with multi-price requests (≤ 30 codes each), round-robin, within the poll share of the keys'
REST budgets; its staleness bound is its group's poll period.

Hysteresis: a registration that has just become good enough to stream takes a free slot at
once, but takes a streamed registration's slot only if it beats it by `margin` score points
(any tier step does) or if it has been waiting, and the victim has been unwanted, for
`settle_ns`. Timers ride along in the plan, so the next call continues them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from jts.core.errors import ConfigError
from jts.venues.kis.protocol.fields import WS_BOOK, WS_TRADES
from jts.venues.kis.subscriptions.config import AppKeyBudget, Priority, SchedulerConfig
from jts.venues.kis.subscriptions.groups import deal_groups

__all__ = [
    "PollGroup",
    "RegKey",
    "Registration",
    "Source",
    "SubscriptionPlan",
    "SymbolPlan",
    "make_plan",
]

RegKey = tuple[str, str]
"""(tr_id, code): what one WebSocket registration is for."""

_NO_PRIORITY = Priority()


class Source(StrEnum):
    STREAM = "stream"
    POLL = "poll"


@dataclass(frozen=True, slots=True)
class Registration:
    """One WebSocket registration of the plan, on app key `key`."""

    key: str
    tr_id: str
    code: str


@dataclass(frozen=True, slots=True)
class PollGroup:
    """Codes refreshed together by one multi-price request on app key `key`, every
    `period_s` seconds (the key polls its groups round-robin)."""

    key: str
    codes: tuple[str, ...]
    period_s: float


@dataclass(frozen=True, slots=True)
class SymbolPlan:
    """Where one symbol's quote comes from and how old it may get (seconds).

    A streamed symbol's bound is 0: its quote is pushed as trades happen (delivery latency
    aside). A polled symbol's bound is its group's poll period.
    """

    code: str
    source: Source
    bound_s: float
    key: str
    book: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class SubscriptionPlan:
    """The planner's answer: registrations per key, poll groups, and per-symbol sources.

    `poll_rate` is what polling spends per key (req/s); `budget_free` the fraction of each
    key's REST budget it leaves for orders and account queries. `want_since` and
    `unwanted_since` are the hysteresis timers (ns) carried to the next plan.
    """

    made_ns: int
    registrations: tuple[Registration, ...]
    groups: tuple[PollGroup, ...]
    symbols: Mapping[str, SymbolPlan]
    poll_rate: Mapping[str, float]
    budget_free: Mapping[str, float]
    want_since: Mapping[RegKey, int] = field(default_factory=dict)
    unwanted_since: Mapping[RegKey, int] = field(default_factory=dict)

    def registrations_of(self, key: str) -> tuple[Registration, ...]:
        return tuple(reg for reg in self.registrations if reg.key == key)

    def groups_of(self, key: str) -> tuple[PollGroup, ...]:
        return tuple(group for group in self.groups if group.key == key)

    def streamed(self) -> frozenset[str]:
        return frozenset(c for c, s in self.symbols.items() if s.source is Source.STREAM)

    def polled(self) -> frozenset[str]:
        return frozenset(c for c, s in self.symbols.items() if s.source is Source.POLL)


@dataclass(slots=True)
class _Wanted:
    """A registration the watched symbols ask for, with its rank order key."""

    reg: RegKey
    score: int
    order: tuple[int, int, str]  # (−score, 0 trade / 1 book, code): smaller ranks first


def make_plan(
    watched: Iterable[str],
    priorities: Mapping[str, Priority],
    keys: Sequence[AppKeyBudget],
    config: SchedulerConfig,
    *,
    now_ns: int,
    previous: SubscriptionPlan | None = None,
) -> SubscriptionPlan:
    """Plan streams and polling for `watched` plus every symbol that has a priority.

    Symbols with a priority are watched even when `watched` omits them: a held position is
    never left unmonitored. Symbols without one rank as `Tier.REST` with no bonus.
    """
    _check_keys(keys)
    codes = list(dict.fromkeys([*watched, *priorities]))
    wanted = _wanted(codes, priorities, config)
    slots = {k.name: k.stream_slots for k in keys}
    granted, want_since, unwanted_since = _grant(wanted, slots, config, now_ns, previous)
    registrations = tuple(
        Registration(key, tr, code)
        for (tr, code), key in sorted(granted.items(), key=lambda kv: (kv[1], kv[0][1], kv[0][0]))
    )
    streamed = {code: key for (tr, code), key in granted.items() if tr == WS_TRADES}
    polled = [w.reg[1] for w in sorted(wanted, key=lambda w: w.order) if w.reg[0] == WS_TRADES]
    polled = [code for code in polled if code not in streamed]
    groups, poll_rate = _poll_groups(polled, keys, config, previous)
    symbols: dict[str, SymbolPlan] = {}
    for code, key in streamed.items():
        symbols[code] = SymbolPlan(code, Source.STREAM, 0.0, key, (WS_BOOK, code) in granted)
    for group in groups:
        for code in group.codes:
            symbols[code] = SymbolPlan(code, Source.POLL, group.period_s, group.key)
    budget_free = {k.name: 1.0 - poll_rate[k.name] / k.rest_per_s for k in keys}
    return SubscriptionPlan(
        made_ns=now_ns,
        registrations=registrations,
        groups=groups,
        symbols={code: symbols[code] for code in codes},
        poll_rate=poll_rate,
        budget_free=budget_free,
        want_since=want_since,
        unwanted_since=unwanted_since,
    )


def _check_keys(keys: Sequence[AppKeyBudget]) -> None:
    if not keys:
        raise ConfigError("subscriptions.keys", "at least one app key is needed")
    names = [k.name for k in keys]
    if len(set(names)) != len(names):
        raise ConfigError("subscriptions.keys", f"app key names repeat: {names}")


def _wanted(
    codes: Sequence[str], priorities: Mapping[str, Priority], config: SchedulerConfig
) -> list[_Wanted]:
    wanted: list[_Wanted] = []
    for code in codes:
        priority = priorities.get(code, _NO_PRIORITY)
        score = priority.score
        wanted.append(_Wanted((WS_TRADES, code), score, (-score, 0, code)))
        if priority.tier in config.book_tiers:
            wanted.append(_Wanted((WS_BOOK, code), score, (-score, 1, code)))
    return wanted


def _grant(
    wanted: list[_Wanted],
    slots: Mapping[str, int],
    config: SchedulerConfig,
    now_ns: int,
    previous: SubscriptionPlan | None,
) -> tuple[dict[RegKey, str], dict[RegKey, int], dict[RegKey, int]]:
    """Give slots to registrations: free slots to the best, streamed slots only by the
    hysteresis rule. Returns (registration → key, want_since, unwanted_since)."""
    ranked = sorted(wanted, key=lambda w: w.order)
    by_reg = {w.reg: w for w in ranked}
    desired = {w.reg for w in ranked[: sum(slots.values())]}
    old = {(r.tr_id, r.code): r.key for r in previous.registrations} if previous else {}
    granted = {reg: key for reg, key in old.items() if reg in by_reg and key in slots}
    free = dict(slots)
    for key in granted.values():
        free[key] -= 1
    _shed_overflow(granted, free, by_reg)
    prev_want = previous.want_since if previous else {}
    prev_unwanted = previous.unwanted_since if previous else {}
    want_since = {
        w.reg: prev_want.get(w.reg, now_ns)
        for w in ranked
        if w.reg in desired and w.reg not in granted
    }
    unwanted_since = {reg: prev_unwanted.get(reg, now_ns) for reg in granted if reg not in desired}
    victims = sorted(unwanted_since, key=lambda reg: by_reg[reg].order, reverse=True)
    for w in ranked:
        if w.reg not in want_since or w.reg in granted:
            continue
        room = _roomiest(free)
        if room is None:
            room = _swap(w, victims, by_reg, granted, want_since, unwanted_since, config, now_ns)
            if room is not None:
                free[room] += 1  # the victim's slot
        if room is not None:
            granted[w.reg] = room
            free[room] -= 1
    _drop_orphan_books(granted, free)
    _fill_free(ranked, granted, free)
    want_since = {reg: t for reg, t in want_since.items() if reg not in granted}
    unwanted_since = {reg: t for reg, t in unwanted_since.items() if reg in granted}
    return granted, want_since, unwanted_since


def _shed_overflow(
    granted: dict[RegKey, str], free: dict[str, int], by_reg: Mapping[RegKey, _Wanted]
) -> None:
    """A key whose cap shrank since the previous plan drops its weakest registrations."""
    for key in [k for k, n in free.items() if n < 0]:
        mine = sorted((r for r, k in granted.items() if k == key), key=lambda r: by_reg[r].order)
        for reg in mine[len(mine) + free[key] :]:
            del granted[reg]
        free[key] = 0


def _roomiest(free: Mapping[str, int]) -> str | None:
    key = max(free, key=lambda k: free[k])
    return key if free[key] > 0 else None


def _swap(
    challenger: _Wanted,
    victims: list[RegKey],
    by_reg: Mapping[RegKey, _Wanted],
    granted: dict[RegKey, str],
    want_since: Mapping[RegKey, int],
    unwanted_since: Mapping[RegKey, int],
    config: SchedulerConfig,
    now_ns: int,
) -> str | None:
    """Evict the weakest streamed registration the challenger may displace; its key."""
    waited = now_ns - want_since[challenger.reg] >= config.settle_ns
    for victim in victims:
        if victim[0] == WS_TRADES and (WS_BOOK, victim[1]) in granted:
            continue  # a symbol loses its book before its trade
        clears_margin = challenger.score - by_reg[victim].score >= config.margin
        settled = waited and now_ns - unwanted_since[victim] >= config.settle_ns
        if clears_margin or settled:
            victims.remove(victim)
            return granted.pop(victim)
    return None


def _drop_orphan_books(granted: dict[RegKey, str], free: dict[str, int]) -> None:
    """A book stream without its symbol's trade stream makes no sense: free its slot."""
    for tr, code in list(granted):
        if tr == WS_BOOK and (WS_TRADES, code) not in granted:
            free[granted.pop((tr, code))] += 1


def _fill_free(ranked: Sequence[_Wanted], granted: dict[RegKey, str], free: dict[str, int]) -> None:
    """Slots still free go to the best registrations without one (no hysteresis needed)."""
    for w in ranked:
        key = _roomiest(free)
        if key is None:
            return
        if w.reg in granted or (w.reg[0] == WS_BOOK and (WS_TRADES, w.reg[1]) not in granted):
            continue
        granted[w.reg] = key
        free[key] -= 1


def _poll_groups(
    polled: Sequence[str],
    keys: Sequence[AppKeyBudget],
    config: SchedulerConfig,
    previous: SubscriptionPlan | None,
) -> tuple[tuple[PollGroup, ...], dict[str, float]]:
    """Groups with their periods: a key polling n groups at r req/s refreshes each every
    n / r seconds."""
    before = [(g.key, g.codes) for g in previous.groups] if previous else []
    deal, rate = deal_groups(polled, keys, config, before)
    count = {k: sum(1 for key, _ in deal if key == k) for k in rate}
    period = {k: count[k] / rate[k] if count[k] else 0.0 for k in rate}
    return tuple(PollGroup(key, tuple(codes), period[key]) for key, codes in deal), rate
