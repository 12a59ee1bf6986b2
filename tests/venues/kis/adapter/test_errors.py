"""The KIS code table: one row per documented code, and the rules for codes it does not know."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core.errors import ConfigError, JtsError, RateLimited, VenueUnavailable
from jts.venues.kis.errors import (
    Action,
    KisRefused,
    KisTokenInvalid,
    classify,
    error_for,
    reject_reason,
)
from jts.venues.sim.orders import RejectCode


@pytest.mark.parametrize(
    ("code", "action"),
    [
        ("EGW00103", Action.STOP),
        ("EGW00105", Action.STOP),
        ("EGW00121", Action.RENEW),
        ("EGW00123", Action.RENEW),
        ("EGW00133", Action.WAIT),
        ("EGW00201", Action.WAIT),
        ("EGW02006", Action.STOP),
        ("EGW00002", Action.RETRY),
        ("OPSQ2000", Action.REFUSED),
        ("APBK0952", Action.REFUSED),
        ("40580000", Action.REFUSED),
    ],
)
def test_each_documented_code_has_its_action(code: str, action: Action) -> None:
    assert classify(code, http_status=500) is action or classify(code) is action


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("EGW00201", RateLimited),
        ("EGW00133", RateLimited),
        ("EGW00123", KisTokenInvalid),
        ("EGW00103", ConfigError),
        ("EGW00002", VenueUnavailable),
        ("APBK0952", KisRefused),
    ],
)
def test_each_code_becomes_the_jts_error_of_its_group(code: str, cls: type[JtsError]) -> None:
    error = error_for(code, "  메시지  ", http_status=500)
    assert isinstance(error, cls)
    assert error.code == code
    assert error.message == "메시지"


def test_rate_limits_say_how_long_to_wait() -> None:
    per_second, per_minute = error_for("EGW00201", ""), error_for("EGW00133", "")
    assert isinstance(per_second, RateLimited)
    assert isinstance(per_minute, RateLimited)
    assert (per_second.retry_after, per_minute.retry_after) == (1.0, 60.0)


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=8, max_size=8))
def test_unknown_codes_retry_on_a_5xx_and_are_refusals_otherwise(code: str) -> None:
    if code.startswith(("EGW", "OPSQ", "APBK", "40", "MCA", "KIOK", "20310")):
        return
    assert classify(code, http_status=503) is Action.RETRY
    assert classify(code, http_status=200) is Action.REFUSED


@pytest.mark.parametrize(
    ("code", "message", "reason"),
    [
        ("APBK0952", "주문가능금액을 초과 했습니다", RejectCode.INSUFFICIENT_CASH),
        ("40580000", "모의투자 장종료 입니다.", RejectCode.MARKET_CLOSED),
        ("40320000", "모의투자 주문처리가 안되었습니다(호가단위 오류)", RejectCode.OFF_TICK),
        ("40310000", "모의투자 주문가능금액이 부족합니다.", RejectCode.INSUFFICIENT_CASH),
        ("APBK0656", "해당주문이 없습니다.", RejectCode.UNKNOWN_ORDER),
        ("APBK1664", "정정/취소할 수량이 없습니다.", RejectCode.ORDER_CLOSED),
        ("APBK0919", "가격제한폭을 벗어났습니다.", RejectCode.OUTSIDE_LIMITS),
        ("XXXX0000", "무엇인가 잘못되었습니다", RejectCode.BAD_REQUEST),
    ],
)
def test_refusals_are_named_by_code_or_by_their_words(
    code: str, message: str, reason: RejectCode
) -> None:
    assert reject_reason(code, message) is reason
    refused = error_for(code, message)
    assert isinstance(refused, KisRefused)
    assert (refused.code, refused.reason) == (code, reason)
