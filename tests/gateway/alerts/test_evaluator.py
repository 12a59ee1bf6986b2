"""When alerts fire: crossings once per crossing, re-arming, cooldowns, percent moves,
volume spikes, VI, fills of the right user only, risk halts, and rules changed at run time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jts.core.clock import SimulatedClock
from jts.core.enums import Side
from jts.core.events import HaltStatus, SymbolState, SymbolStatus
from jts.core.models import Bar, Fill, Tick
from jts.gateway.alerts.evaluator import AlertEvaluator
from jts.gateway.alerts.notifications import Firing
from jts.gateway.alerts.rules import AlertRule
from tests.gateway.alerts.helpers import DAY, SYMBOL, at, rule

OTHER = "000660"
ONE_DAY = timedelta(days=1)
S = 1_000_000_000


def _evaluator(*rules: AlertRule, **kwargs: object) -> AlertEvaluator:
    evaluator = AlertEvaluator(**kwargs)  # type: ignore[arg-type]
    evaluator.load(rules)
    return evaluator


def _ticks(evaluator: AlertEvaluator, prices: list[int], start: int = at(9, 30)) -> list[int]:
    """Feed one tick a second; the indices of the ticks that fired."""
    return [i for i, price in enumerate(prices) if evaluator.on_tick(SYMBOL, price, start + i * S)]


def _fill(account: str = "acct", symbol: str = SYMBOL, ts_ns: int = at(10, 0)) -> Fill:
    return Fill(
        fill_id="f1",
        client_order_id="o1",
        account=account,
        symbol=symbol,
        side=Side.BUY,
        qty=10,
        price=70_000,
        ts_ns=ts_ns,
    )


def test_price_above_fires_on_the_crossing_not_on_every_tick_above() -> None:
    evaluator = _evaluator(rule("price_above", params={"price": 70_000}, cooldown_s=0))
    assert _ticks(evaluator, [69_900, 70_000, 70_100, 70_500, 70_000]) == [1]


def test_price_above_rearms_when_the_price_goes_back_below() -> None:
    evaluator = _evaluator(rule("price_above", params={"price": 70_000}, cooldown_s=0))
    assert _ticks(evaluator, [69_900, 70_100, 69_900, 70_200, 70_300]) == [1, 3]


def test_price_below_is_the_mirror_image() -> None:
    evaluator = _evaluator(rule("price_below", params={"price": 65_000}, cooldown_s=0))
    assert _ticks(evaluator, [66_000, 65_000, 64_000, 65_100, 64_900]) == [1, 4]


def test_a_rule_whose_condition_already_holds_fires_at_the_first_tick() -> None:
    evaluator = _evaluator(rule("price_above", params={"price": 70_000}))
    assert _ticks(evaluator, [71_000, 71_100]) == [0]


def test_a_crossing_inside_the_cooldown_waits_and_fires_when_it_ends_if_still_true() -> None:
    evaluator = _evaluator(rule("price_above", params={"price": 70_000}, cooldown_s=10))
    fired = _ticks(evaluator, [70_100, 69_000, 70_100, 70_200, *[70_300] * 8, 69_000])
    assert fired == [0, 10]  # re-crossed at 2, held back until 10 s after the first


def test_a_crossing_inside_the_cooldown_that_reverts_never_fires() -> None:
    evaluator = _evaluator(rule("price_above", params={"price": 70_000}, cooldown_s=10))
    assert _ticks(evaluator, [70_100, 69_000, 70_100, *[69_000] * 10]) == [0]
    assert evaluator.stats()["cooldown_suppressed"] == 1


def test_a_last_firing_loaded_from_the_store_still_counts_for_the_cooldown() -> None:
    start = at(9, 30)
    stored = rule("price_above", params={"price": 70_000}, cooldown_s=300)
    evaluator = _evaluator(
        AlertRule(stored.id, stored.user_id, stored.spec, last_fired_ns=start - 100 * S)
    )
    assert not evaluator.on_tick(SYMBOL, 70_100, start)
    assert evaluator.on_tick(SYMBOL, 70_100, start + 200 * S)


def test_the_firing_says_what_happened_in_korean_and_english_with_kst_time() -> None:
    alert = rule("price_above", user_id=7, params={"price": 70_000}, note="목표가")
    (firing,) = _evaluator(alert).on_tick(SYMBOL, 70_100, at(9, 31, 5))
    assert firing == Firing(
        rule_id=alert.id,
        user_id=7,
        kind="price_above",
        symbol=SYMBOL,
        title="005930 ≥ 70,000",
        body="현재가 70,100원 · 09:31:05 KST\nPrice 70,100 KRW rose to 70,000 or above\n목표가",
        url="/symbol?code=005930",
        ts_ns=at(9, 31, 5),
    )
    assert firing.tag == f"alert-{alert.id}"


def test_ticks_of_other_symbols_never_touch_a_symbols_rules() -> None:
    evaluator = _evaluator(rule("price_above", params={"price": 70_000}))
    assert evaluator.on_tick(OTHER, 90_000, at(9, 30)) == ()


def test_pct_move_fires_when_the_move_from_the_previous_close_reaches_pct_either_way() -> None:
    up = rule("pct_move", params={"pct": 5}, cooldown_s=0)
    evaluator = _evaluator(up)
    start = at(9, 30)
    assert not evaluator.on_tick(SYMBOL, 104_000, start, prev_close=100_000)
    (firing,) = evaluator.on_tick(SYMBOL, 105_000, start + S)
    assert firing.title == "005930 +5.00%"
    assert "전일 종가 100,000원 대비 +5.00%" in firing.body
    assert "Up 5.00% from the previous close" in firing.body
    assert not evaluator.on_tick(SYMBOL, 106_000, start + 2 * S)  # still beyond: no repeat
    assert not evaluator.on_tick(SYMBOL, 100_000, start + 3 * S)  # back: re-armed
    (down,) = evaluator.on_tick(SYMBOL, 95_000, start + 4 * S)
    assert down.title == "005930 -5.00%"


def test_pct_move_from_the_open_uses_the_open() -> None:
    evaluator = _evaluator(rule("pct_move", params={"pct": 2, "base": "open"}))
    start = at(9, 30)
    evaluator.set_reference(SYMBOL, start, prev_close=50_000, open=60_000)
    assert not evaluator.on_tick(SYMBOL, 61_000, start)  # +22% from the close, +1.7% from open
    (firing,) = evaluator.on_tick(SYMBOL, 61_200, start + S)
    assert "시가 60,000원 대비 +2.00%" in firing.body


def test_pct_move_without_a_base_for_today_waits_instead_of_guessing() -> None:
    evaluator = _evaluator(rule("pct_move", params={"pct": 1}))
    evaluator.set_reference(SYMBOL, at(15, 0, day=DAY - ONE_DAY), prev_close=100_000)
    assert not evaluator.on_tick(SYMBOL, 120_000, at(9, 30))  # yesterday's base has expired
    assert evaluator.stats()["missing_base"] == 1
    assert evaluator.on_tick(SYMBOL, 120_000, at(9, 31), prev_close=100_000)


def _bar(volume: int, ts_ns: int, interval_s: int = 60) -> Bar:
    return Bar(
        symbol=SYMBOL,
        ts_ns=ts_ns,
        interval_s=interval_s,
        open=100,
        high=100,
        low=100,
        close=100,
        volume=volume,
    )


def _bars(evaluator: AlertEvaluator, volumes: list[int], start: int = at(9, 0)) -> list[int]:
    """Feed one minute bar a minute; the indices of the bars that fired."""
    return [
        i for i, volume in enumerate(volumes) if evaluator.on_bar(_bar(volume, start + i * 60 * S))
    ]


def test_volume_spike_compares_the_last_minute_with_the_average_of_the_window() -> None:
    evaluator = _evaluator(
        rule("volume_spike", params={"multiple": 3, "window_min": 3}, cooldown_s=0)
    )
    # window 1,000 → 2,999 is not 3×; 3,000 is. Then 5,000 after 1,000/1,000/3,000 (avg
    # 1,667) is still ≥ 3× but the spike has not ended: no repeat until a calm minute.
    assert _bars(evaluator, [1_000, 1_000, 1_000, 2_999, 1_000, 1_000, 1_000, 3_000]) == [7]
    assert _bars(evaluator, [5_000, 1_000, 9_000], start=at(9, 8)) == [2]


def test_volume_spike_needs_a_full_window_of_today_first() -> None:
    evaluator = _evaluator(rule("volume_spike", params={"multiple": 2, "window_min": 5}))
    assert _bars(evaluator, [100, 100, 100, 100, 10_000]) == []  # only 4 minutes before
    assert _bars(evaluator, [100] * 5 + [10_000], start=at(9, 0, day=DAY + ONE_DAY)) == [5]


def test_volume_spike_ignores_a_silent_window_and_bars_that_are_not_minutes() -> None:
    evaluator = _evaluator(rule("volume_spike", params={"multiple": 2, "window_min": 2}))
    assert _bars(evaluator, [0, 0, 500]) == []
    daily = _bar(10**9, at(9, 0), interval_s=86_400)
    assert evaluator.on_bar(daily) == ()


def test_a_revised_bar_replaces_the_minute_it_revises() -> None:
    evaluator = _evaluator(
        rule("volume_spike", params={"multiple": 2, "window_min": 2}, cooldown_s=0)
    )
    assert _bars(evaluator, [100, 100, 150]) == []
    # the 09:02 bar again with more volume: compared with 09:00-09:01, not with itself
    assert _bars(evaluator, [400], start=at(9, 2)) == [0]


def test_editing_a_volume_rule_keeps_the_minutes_already_seen() -> None:
    spike = rule("volume_spike", params={"multiple": 2, "window_min": 2})
    evaluator = _evaluator(spike)
    assert _bars(evaluator, [100, 100]) == []
    evaluator.upsert(
        rule("volume_spike", rule_id=spike.id, params={"multiple": 3, "window_min": 2}, note="n")
    )
    assert _bars(evaluator, [300], start=at(9, 2)) == [0]


def test_the_volume_firing_reads_the_ratio() -> None:
    evaluator = _evaluator(rule("volume_spike", params={"multiple": 3, "window_min": 2}))
    _bars(evaluator, [1_000, 1_000])
    bar = _bar(6_500, at(9, 2))
    (firing,) = evaluator.on_bar(bar)
    assert firing.title == "005930 거래량 급증 ×6.5"
    assert firing.ts_ns == at(9, 3)  # the end of the minute
    assert "1분 거래량 6,500주, 최근 2분 평균의 6.5배" in firing.body


def _status(state: SymbolState, reason: str = "", ts_ns: int = at(10, 0)) -> SymbolStatus:
    return SymbolStatus(
        symbol=SYMBOL,
        ts_ns=ts_ns,
        state=state,
        reason=reason,
        until_ns=ts_ns + 120 * S,
        reference=70_000,
        trigger=77_000,
    )


def test_vi_fires_when_a_vi_starts_static_or_dynamic_once_per_interruption() -> None:
    evaluator = _evaluator(rule("vi", cooldown_s=0))
    (static,) = evaluator.on_symbol_status(_status(SymbolState.VI, "static_vi"))
    assert static.title == "005930 정적 VI 발동"
    assert "발동가 77,000원 (기준가 70,000원)" in static.body
    assert "call auction until 10:02:00 KST" in static.body
    assert not evaluator.on_symbol_status(_status(SymbolState.VI, "dynamic_vi"))  # same VI
    assert not evaluator.on_symbol_status(_status(SymbolState.CONTINUOUS, "resume"))
    (dynamic,) = evaluator.on_symbol_status(_status(SymbolState.VI, "dynamic_vi", at(11, 0)))
    assert dynamic.title == "005930 동적 VI 발동"


def test_a_halt_status_counts_as_vi_only_when_it_names_one() -> None:
    evaluator = _evaluator(rule("vi", cooldown_s=0))
    halt = HaltStatus(symbol=SYMBOL, ts_ns=at(10, 0), halted=True, reason="disclosure")
    assert not evaluator.on_symbol_status(halt)
    vi = HaltStatus(symbol=SYMBOL, ts_ns=at(10, 1), halted=True, reason="static_vi")
    assert evaluator.on_symbol_status(vi)[0].title == "005930 정적 VI 발동"


def test_order_filled_reaches_the_owner_of_the_order_only() -> None:
    mine = rule("order_filled", user_id=1)
    theirs = rule("order_filled", user_id=2)
    evaluator = _evaluator(mine, theirs, account_owners=lambda account: {"acct": [1]}[account])
    (firing,) = evaluator.on_fill(_fill())
    assert (firing.rule_id, firing.user_id) == (mine.id, 1)
    assert firing.title == "체결 005930 매수 10주"
    assert firing.url == "/symbol?code=005930"
    (explicit,) = evaluator.on_fill(_fill(), user_id=2)
    assert explicit.rule_id == theirs.id


def test_order_filled_applies_its_symbol_filter() -> None:
    evaluator = _evaluator(rule("order_filled", user_id=1, symbol=OTHER))
    assert evaluator.on_fill(_fill(), user_id=1) == ()
    assert evaluator.on_fill(_fill(symbol=OTHER), user_id=1)


def test_a_fill_nobody_owns_notifies_nobody() -> None:
    evaluator = _evaluator(rule("order_filled", user_id=1))
    assert evaluator.on_fill(_fill()) == ()
    assert evaluator.stats()["unowned_fills"] == 1


def test_every_fill_fires_by_default_but_a_cooldown_spaces_them() -> None:
    evaluator = _evaluator(
        rule("order_filled", user_id=1), rule("order_filled", user_id=2, cooldown_s=60)
    )
    fired = [
        len(evaluator.on_fill(_fill(ts_ns=at(10, 0, s)), user_id=user))
        for s in (0, 1)
        for user in (1, 2)
    ]
    assert fired == [1, 1, 1, 0]


def test_risk_halt_tells_every_user_with_the_rule_and_respects_cooldowns() -> None:
    clock = SimulatedClock(at(14, 0))
    evaluator = _evaluator(rule("risk_halt", user_id=1), rule("risk_halt", user_id=2), clock=clock)
    firings = evaluator.on_risk_halt("daily loss limit")
    assert sorted(f.user_id for f in firings) == [1, 2]
    assert firings[0].title == "거래 중단 · Trading halted"
    assert firings[0].body.startswith("daily loss limit · 14:00:00 KST")
    assert firings[0].ts_ns == at(14, 0)
    clock.advance(60)
    assert evaluator.on_risk_halt("kill switch") == ()  # within the 300 s cooldown


def test_rules_added_changed_and_removed_at_run_time_take_effect_at_once() -> None:
    evaluator = _evaluator()
    alert = rule("price_above", params={"price": 70_000}, cooldown_s=0)
    evaluator.upsert(alert)
    assert _ticks(evaluator, [70_100]) == [0]
    raised = rule("price_above", rule_id=alert.id, params={"price": 80_000}, cooldown_s=0)
    evaluator.upsert(raised)  # a new threshold re-arms
    assert _ticks(evaluator, [75_000, 80_000], start=at(9, 40)) == [1]
    disabled = rule("price_above", rule_id=alert.id, params={"price": 1}, enabled=False)
    evaluator.upsert(disabled)
    assert alert.id not in evaluator
    assert _ticks(evaluator, [90_000], start=at(9, 50)) == []
    evaluator.upsert(raised)
    evaluator.remove(alert.id)
    assert len(evaluator) == 0
    assert _ticks(evaluator, [90_000], start=at(9, 55)) == []


def test_editing_only_the_note_keeps_the_rule_disarmed() -> None:
    alert = rule("price_above", params={"price": 70_000}, cooldown_s=0)
    evaluator = _evaluator(alert)
    assert _ticks(evaluator, [70_100]) == [0]
    evaluator.upsert(
        rule("price_above", rule_id=alert.id, params={"price": 70_000}, cooldown_s=0, note="edited")
    )
    assert _ticks(evaluator, [70_200], start=at(9, 31)) == []


def test_a_broken_sink_is_counted_and_the_stream_goes_on() -> None:
    received: list[Firing] = []

    def sink(firing: Firing) -> None:
        received.append(firing)
        raise RuntimeError("down")

    evaluator = _evaluator(rule("price_above", params={"price": 1}), rule("vi"), sink=sink)
    assert evaluator.on_tick(SYMBOL, 10, at(9, 0))
    assert evaluator.on_symbol_status(_status(SymbolState.VI, "static_vi"))
    assert len(received) == 2
    assert evaluator.stats()["sink_errors"] == 2


def test_handle_routes_bus_events_by_type() -> None:
    evaluator = _evaluator(rule("price_above", params={"price": 70_000}))
    tick = Tick(symbol=SYMBOL, ts_ns=at(9, 0), price=70_000, qty=1)
    assert evaluator.handle(tick)[0].kind == "price_above"
    assert evaluator.handle("noise") == ()
    assert evaluator.stats()["ignored"] == 1


def test_a_tick_evaluates_only_its_own_symbols_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    # 1,800 symbols × 5 rules each: a tick of one symbol checks that symbol's 5 rules
    rules = [
        rule("price_above", symbol=f"{n:06d}", params={"price": 1_000 + k})
        for n in range(1_800)
        for k in range(5)
    ]
    evaluator = _evaluator(*rules)
    checked: list[str] = []
    original = evaluator._check_tick

    def counting(live: Any, symbol: str, price: int, ts_ns: int) -> Firing | None:
        checked.append(symbol)
        return original(live, symbol, price, ts_ns)

    monkeypatch.setattr(evaluator, "_check_tick", counting)
    evaluator.on_tick("000042", 500, at(9, 0))
    assert checked == ["000042"] * 5
    evaluator.on_tick("999999", 500, at(9, 0))  # nobody watches it
    assert len(checked) == 5
