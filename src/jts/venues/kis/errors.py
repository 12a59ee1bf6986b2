"""KIS answers translated once, here, into what the caller must do (KIS.md §3.2, §5.4, §10).

KIS reports failure in the body (`rt_cd != "0"`, `msg_cd`, `msg1`); the HTTP status is not
reliable. `classify` looks a `msg_cd` up in the protocol's code table (`protocol/codes.py`) and
says what the caller does: stop, wait, renew the token, retry with backoff, or never retry;
`error_for` builds the exception, keeping the KIS code in `.code`. An order refusal is data,
not an exception, at the `Venue` level: `reject_reason` names it with one of the simulator's
`RejectCode` words for the message, while `reject_code` stays KIS's own code.

Paper refusals have no stable codes (KIS.md §5.4), so their words in `msg1` decide the reason.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from jts.core.errors import ConfigError, JtsError, RateLimited, VenueUnavailable
from jts.venues.kis.protocol.codes import CODES
from jts.venues.kis.protocol.codes import Action as ProtocolAction
from jts.venues.sim.orders import RejectCode

__all__ = [
    "Action",
    "KisApiError",
    "KisRateLimited",
    "KisRefused",
    "KisTokenInvalid",
    "KisUnavailable",
    "SubmitUncertain",
    "classify",
    "error_for",
    "reject_reason",
]


class Action(StrEnum):
    """What the caller does about a KIS failure."""

    STOP = "stop"  # configuration is wrong (key, account, TR for this host): fix and restart
    WAIT = "wait"  # rate limit: the request was not executed, try again after a pause
    RENEW = "renew"  # the access token is invalid or expired: renew it once, then retry
    RETRY = "retry"  # gateway/server trouble: retry with backoff (never a blind order resend)
    REFUSED = "refused"  # the request was understood and refused: never retry


_ACTIONS: Final[dict[ProtocolAction, Action]] = {
    ProtocolAction.STOP: Action.STOP,
    ProtocolAction.REFRESH_TOKEN: Action.RENEW,
    ProtocolAction.WAIT: Action.WAIT,
    ProtocolAction.NEVER_RETRY: Action.REFUSED,
}
"""The protocol table's advice (`jts.venues.kis.protocol.codes.CODES`) in our words."""

_OVERRIDES: Final[dict[str, Action]] = {
    "EGW00002": Action.RETRY,  # a server error: back off and retry, not a 1-second wait
}

_REASONS: Final[dict[str, RejectCode]] = {
    "APBK0952": RejectCode.INSUFFICIENT_CASH,
    "40580000": RejectCode.MARKET_CLOSED,  # paper: market closed
    "40570000": RejectCode.MARKET_CLOSED,  # paper: before the open
    "40100000": RejectCode.MARKET_CLOSED,  # paper: not a business day
    "OPSQ2001": RejectCode.BAD_REQUEST,  # invalid market code
}
"""Refusal codes KIS.md verifies; other refusals are read from their words (`_WORDS`)."""

_WAIT_S: Final = {"EGW00133": 60.0, "EGW00201": 1.0}
"""How long a WAIT code asks us to pause, seconds (token issuance: 1/min; requests: 1 s window)."""

_WORDS: Final[tuple[tuple[str, RejectCode], ...]] = (
    ("주문가능금액", RejectCode.INSUFFICIENT_CASH),
    ("주문가능수량", RejectCode.INSUFFICIENT_HOLDINGS),
    ("매도가능수량", RejectCode.INSUFFICIENT_HOLDINGS),
    ("잔고", RejectCode.INSUFFICIENT_HOLDINGS),
    ("호가단위", RejectCode.OFF_TICK),
    ("가격제한폭", RejectCode.OUTSIDE_LIMITS),
    ("상한가", RejectCode.OUTSIDE_LIMITS),
    ("하한가", RejectCode.OUTSIDE_LIMITS),
    ("장종료", RejectCode.MARKET_CLOSED),
    ("장시작전", RejectCode.MARKET_CLOSED),
    ("장운영시간", RejectCode.MARKET_CLOSED),
    ("영업일", RejectCode.MARKET_CLOSED),
    ("거래정지", RejectCode.HALTED),
    ("주문이 없", RejectCode.UNKNOWN_ORDER),
    ("원주문", RejectCode.UNKNOWN_ORDER),
    ("취소할 수량", RejectCode.ORDER_CLOSED),
    ("정정/취소할", RejectCode.ORDER_CLOSED),
    ("지원하지 않는", RejectCode.WRONG_SESSION),
)
"""Words of `msg1` (KIS's Korean message) → refusal reason, first match wins. KIS's paper
host has no stable refusal codes (KIS.md §5.4), so its words are what we can rely on."""


class KisApiError(JtsError):
    """Mixin of every KIS failure: `code` is KIS's `msg_cd`, `message` its `msg1`."""

    code: str
    message: str


class KisUnavailable(VenueUnavailable, KisApiError):
    """The gateway or the network failed; retry with backoff (orders: inquire first)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"KIS unavailable [{code}] {message}")
        self.code, self.message = code, message


class KisTokenInvalid(KisUnavailable):
    """The access token was refused (EGW00121/EGW00123): renew it once, then retry."""


class SubmitUncertain(KisUnavailable):
    """An order request left us but no answer came back: it may or may not be at KIS.
    Resolve it by inquiry before sending anything again (`KisOrders.submit` does)."""


class KisRateLimited(RateLimited, KisApiError):
    """KIS refused for rate (EGW00201 requests/s, EGW00133 token issuance): not executed."""

    def __init__(self, code: str, message: str, retry_after: float) -> None:
        super().__init__(f"KIS rate limit [{code}] {message}", retry_after)
        self.code, self.message = code, message


class KisConfigError(ConfigError, KisApiError):
    """KIS says our configuration is wrong (key, secret, account, TR for this host)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__("kis", f"KIS refused the configuration [{code}] {message}")
        self.code, self.message = code, message


class KisRefused(KisApiError):
    """KIS understood the request and refused it (an order rejection, a bad query input);
    retrying the same request cannot help. `reason` is the simulator's word for it."""

    def __init__(self, code: str, message: str, reason: RejectCode) -> None:
        super().__init__(f"KIS refused [{code}] {message}")
        self.code, self.message, self.reason = code, message, reason


def classify(code: str, *, http_status: int = 200) -> Action:
    """What to do about `code`; unknown codes retry on a 5xx and are refusals otherwise."""
    if code in _OVERRIDES:
        return _OVERRIDES[code]
    row = CODES.get(code)
    if row is not None and row.action in _ACTIONS:
        return _ACTIONS[row.action]
    return Action.RETRY if http_status >= 500 else Action.REFUSED


def reject_reason(code: str, message: str) -> RejectCode:
    """The simulator's word for a KIS refusal: verified codes first, then the words of msg1."""
    if code in _REASONS:
        return _REASONS[code]
    for word, reason in _WORDS:
        if word in message:
            return reason
    return RejectCode.BAD_REQUEST


def error_for(code: str, message: str, *, http_status: int = 200) -> KisApiError:
    """The exception for a failed KIS answer (`rt_cd != "0"` or an error-shaped body)."""
    message = message.strip()
    action = classify(code, http_status=http_status)
    if action is Action.WAIT:
        return KisRateLimited(code, message, _WAIT_S.get(code, 1.0))
    if action is Action.RENEW:
        return KisTokenInvalid(code, message)
    if action is Action.STOP:
        return KisConfigError(code, message)
    if action is Action.RETRY:
        return KisUnavailable(code, message)
    return KisRefused(code, message, reject_reason(code, message))
