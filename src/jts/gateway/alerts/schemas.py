"""Request and response bodies of the alert and push routes (rule specs themselves are the
request bodies of POST/PUT and live in `rules.py`)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import BaseModel, ConfigDict, Field, field_validator

from jts.gateway.alerts.rules import (
    MAX_COOLDOWN_S,
    NO_NUL,
    AlertKind,
    AlertRule,
    NoParams,
    PctMoveParams,
    PriceParams,
    VolumeSpikeParams,
)
from jts.gateway.alerts.sender import SendReport
from jts.gateway.alerts.store import PushSubscription

_BASE64URL = r"^[A-Za-z0-9_-]+=*$"
URL_TEXT = r"^[\x21-\x7e]+$"
"""An endpoint URL as push services issue them: printable ASCII, no spaces or controls."""

__all__ = [
    "URL_TEXT",
    "AlertRuleOut",
    "AlertRulePatch",
    "PushTestResult",
    "SubscriptionIn",
    "SubscriptionKeys",
    "SubscriptionOut",
    "VapidPublicKey",
]


class AlertRuleOut(BaseModel):
    """A stored rule as the API shows it; times are int ns UTC."""

    id: int
    kind: AlertKind
    symbol: str | None
    params: PriceParams | PctMoveParams | VolumeSpikeParams | NoParams = Field(
        description="The kind's parameters, as in the request."
    )
    enabled: bool
    cooldown_s: int
    note: str
    created_ns: int
    last_fired_ns: int | None = Field(description="Last firing (ns UTC); null: never fired.")

    @classmethod
    def from_rule(cls, rule: AlertRule) -> AlertRuleOut:
        spec = rule.spec
        return cls(
            id=rule.id,
            kind=rule.kind,
            symbol=spec.symbol,
            params=spec.params,
            enabled=spec.enabled,
            cooldown_s=spec.cooldown_s,
            note=spec.note,
            created_ns=rule.created_ns,
            last_fired_ns=rule.last_fired_ns,
        )


class AlertRulePatch(BaseModel):
    """Fields to change; `params` merges key by key (`{"params": {"price": 71000}}`), the
    kind cannot change (replace the rule with PUT instead). `{"enabled": false}` pauses it."""

    model_config = ConfigDict(extra="forbid")

    symbol: str | None = None
    params: dict[str, Any] | None = None
    enabled: bool | None = None
    cooldown_s: int | None = Field(default=None, ge=0, le=MAX_COOLDOWN_S)
    note: str | None = Field(default=None, max_length=200, pattern=NO_NUL)


class SubscriptionKeys(BaseModel):
    p256dh: str = Field(
        max_length=256,
        pattern=_BASE64URL,
        description="The browser's P-256 public key, base64url (65 bytes).",
    )
    auth: str = Field(
        max_length=64,
        pattern=_BASE64URL,
        description="The browser's auth secret, base64url (16 bytes).",
    )

    @field_validator("p256dh")
    @classmethod
    def _p256dh(cls, value: str) -> str:
        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _unbase64url(value))
        except ValueError:
            raise ValueError("must be an uncompressed P-256 point, base64url (65 bytes)") from None
        return value

    @field_validator("auth")
    @classmethod
    def _auth(cls, value: str) -> str:
        if len(_unbase64url(value)) != 16:
            raise ValueError("must be 16 bytes, base64url")
        return value


class SubscriptionIn(BaseModel):
    """The browser's `PushSubscription.toJSON()` as is (`expirationTime` is ignored)."""

    model_config = ConfigDict(extra="ignore")

    endpoint: str = Field(
        min_length=1, max_length=2048, pattern=URL_TEXT, description="The push service URL."
    )
    keys: SubscriptionKeys


class SubscriptionOut(BaseModel):
    id: int
    endpoint: str
    created_ns: int

    @classmethod
    def from_subscription(cls, item: PushSubscription) -> SubscriptionOut:
        return cls(id=item.id, endpoint=item.endpoint, created_ns=item.created_ns)


class VapidPublicKey(BaseModel):
    public_key: str = Field(
        description="`applicationServerKey` for `pushManager.subscribe` (base64url, 65 bytes)."
    )


class PushTestResult(BaseModel):
    """Browsers tried and the outcome for each (expired ones were removed)."""

    subscriptions: int
    sent: int
    expired: int
    failed: int

    @classmethod
    def from_report(cls, report: SendReport) -> PushTestResult:
        return cls(
            subscriptions=report.subscriptions,
            sent=report.sent,
            expired=report.expired,
            failed=report.failed,
        )


def _unbase64url(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("is not base64url") from None
