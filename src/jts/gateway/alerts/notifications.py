"""What an alert says: the `Firing` handed from the evaluator to the sender, and its text.

A phone shows a notification's title and two or three lines of body, so each text is short:
the title carries the fact ("005930 ≥ 70,000"), the body one Korean line with the price and
the KST time, one English line, and the user's own note when the rule has one. Prices are
int KRW with thousands separators; times are KST wall clock (the market's time), the only
place JTS leaves UTC. The text lives here, apart from the evaluator, so wording can change
without touching when alerts fire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from jts.core.clock import to_kst
from jts.core.enums import Side
from jts.core.models import Fill
from jts.gateway.alerts.rules import AlertKind, AlertRule

__all__ = ["Firing", "symbol_url"]

_VI_NAMES: Final = {
    "static_vi": ("정적 VI", "Static VI"),
    "dynamic_vi": ("동적 VI", "Dynamic VI"),
}
_BASE_NAMES: Final = {
    "prev_close": ("전일 종가", "previous close"),
    "open": ("시가", "today's open"),
}


@dataclass(frozen=True, slots=True)
class Firing:
    """One notification for one user; `rule_id` 0 marks a test notification (no rule)."""

    rule_id: int
    user_id: int
    kind: str
    symbol: str | None
    title: str
    body: str
    url: str
    ts_ns: int

    @property
    def tag(self) -> str:
        """Notifications with one tag replace each other: a rule's newest alert supersedes
        its older ones on the lock screen instead of piling up."""
        return f"alert-{self.rule_id}" if self.rule_id else "jts-test"

    @classmethod
    def test(cls, user_id: int, ts_ns: int) -> Firing:
        """The notification `POST /api/v1/push/test` sends."""
        return cls(
            rule_id=0,
            user_id=user_id,
            kind="test",
            symbol=None,
            title="JTS 알림 테스트 · Test",
            body=f"이 기기에서 알림을 받을 수 있습니다 · {_clock(ts_ns)} KST\n"
            "Notifications work on this device.",
            url="/",
            ts_ns=ts_ns,
        )


def symbol_url(symbol: str) -> str:
    """The dashboard page a tap on the notification opens."""
    return f"/symbol?code={symbol}"


def price_crossed(rule: AlertRule, threshold: int, price: int, ts_ns: int) -> Firing:
    above = rule.kind is AlertKind.PRICE_ABOVE
    symbol = rule.symbol or ""
    sign, verb = ("≥", "rose to") if above else ("≤", "fell to")
    english = f"Price {price:,} KRW {verb} {threshold:,} or {'above' if above else 'below'}"
    return _firing(
        rule,
        ts_ns,
        title=f"{symbol} {sign} {threshold:,}",
        korean=f"현재가 {price:,}원 · {_clock(ts_ns)} KST",
        english=english,
    )


def pct_moved(rule: AlertRule, base_name: str, base: int, price: int, ts_ns: int) -> Firing:
    change = (price - base) * 100 / base
    base_ko, base_en = _BASE_NAMES[base_name]
    direction = "Up" if change >= 0 else "Down"
    return _firing(
        rule,
        ts_ns,
        title=f"{rule.symbol} {change:+.2f}%",
        korean=f"{base_ko} {base:,}원 대비 {change:+.2f}% · 현재가 {price:,}원 · "
        f"{_clock(ts_ns)} KST",
        english=f"{direction} {abs(change):.2f}% from the {base_en} ({base:,} KRW)",
    )


def volume_spiked(
    rule: AlertRule, volume: int, average: float, window_min: int, ts_ns: int
) -> Firing:
    ratio = volume / average
    return _firing(
        rule,
        ts_ns,
        title=f"{rule.symbol} 거래량 급증 ×{ratio:.1f}",
        korean=f"1분 거래량 {volume:,}주, 최근 {window_min}분 평균의 {ratio:.1f}배 · "
        f"{_clock(ts_ns)} KST",
        english=f"Volume spike: {volume:,} shares in a minute, {ratio:.1f}× "
        f"the {window_min}-min average",
    )


def vi_started(
    rule: AlertRule, reason: str, reference: int, trigger: int, until_ns: int, ts_ns: int
) -> Firing:
    name_ko, name_en = _VI_NAMES.get(reason, ("VI", "VI"))
    prices = f" · 발동가 {trigger:,}원" if trigger else ""
    if trigger and reference:
        prices += f" (기준가 {reference:,}원)"
    until = f"; call auction until {_clock(until_ns)} KST" if until_ns else ""
    return _firing(
        rule,
        ts_ns,
        title=f"{rule.symbol} {name_ko} 발동",
        korean=f"{name_ko} 발동{prices} · {_clock(ts_ns)} KST",
        english=f"{name_en} triggered{until}",
    )


def order_filled(rule: AlertRule, fill: Fill) -> Firing:
    buy = fill.side is Side.BUY
    side_ko, verb = ("매수", "Bought") if buy else ("매도", "Sold")
    left = f", {fill.leaves_qty:,} left" if fill.leaves_qty else ""
    return _firing(
        rule,
        fill.ts_ns,
        title=f"체결 {fill.symbol} {side_ko} {fill.qty:,}주",
        korean=f"{side_ko} {fill.qty:,}주 @ {fill.price:,}원 · 잔량 {fill.leaves_qty:,}주 · "
        f"{_clock(fill.ts_ns)} KST",
        english=f"{verb} {fill.qty:,} shares of {fill.symbol} at {fill.price:,} KRW{left}",
        symbol=fill.symbol,
    )


def risk_halted(rule: AlertRule, reason: str, ts_ns: int) -> Firing:
    return _firing(
        rule,
        ts_ns,
        title="거래 중단 · Trading halted",
        korean=f"{reason} · {_clock(ts_ns)} KST",
        english=f"The trading node halted: {reason}",
        url="/",
    )


def _firing(
    rule: AlertRule,
    ts_ns: int,
    *,
    title: str,
    korean: str,
    english: str,
    symbol: str | None = None,
    url: str | None = None,
) -> Firing:
    symbol = symbol or rule.symbol
    lines = [korean, english]
    if rule.spec.note:
        lines.append(rule.spec.note)
    return Firing(
        rule_id=rule.id,
        user_id=rule.user_id,
        kind=rule.kind.value,
        symbol=symbol,
        title=title,
        body="\n".join(lines),
        url=url or (symbol_url(symbol) if symbol else "/"),
        ts_ns=ts_ns,
    )


def _clock(ts_ns: int) -> str:
    return to_kst(ts_ns).strftime("%H:%M:%S")
