"""Alert rules: the seven kinds, their parameters, and what a stored rule is.

A rule arrives as JSON (`{"kind": "price_above", "symbol": "005930", "params": {"price":
70000}}`) and is validated here once, at the edge, into one model per kind — a discriminated
union on `kind`, so a wrong parameter is reported against the kind that needs it ("price_above
→ params → price: Input should be greater than 0") and the OpenAPI schema lists each kind's
parameters exactly. The evaluator then trusts the values.

Market rules (price, percent move, volume spike, VI) need a symbol; `order_filled` takes one
as an optional filter; `risk_halt` concerns the whole trading node and takes none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, field_validator

from jts.core.codes import normalize_symbol
from jts.core.errors import InvalidSymbol

__all__ = [
    "DEFAULT_COOLDOWN_S",
    "MAX_COOLDOWN_S",
    "MAX_WINDOW_MIN",
    "NO_NUL",
    "AlertKind",
    "AlertRule",
    "AlertSpec",
    "NoParams",
    "OrderFilledSpec",
    "PctMoveParams",
    "PctMoveSpec",
    "PriceAboveSpec",
    "PriceBelowSpec",
    "PriceParams",
    "RiskHaltSpec",
    "ViSpec",
    "VolumeSpikeParams",
    "VolumeSpikeSpec",
    "apply_patch",
    "parse_spec",
]

DEFAULT_COOLDOWN_S: Final = 300
"""A rule fires at most once per this many seconds unless it says otherwise."""
MAX_COOLDOWN_S: Final = 7 * 86_400
MAX_PRICE: Final = 100_000_000
"""Sanity bound on a threshold, KRW (the dearest KRX shares trade far below it)."""
NO_NUL: Final = r"^[^\x00]*$"
"""PostgreSQL text cannot hold NUL characters: refused at the edge, not as a 500."""
MAX_WINDOW_MIN: Final = 390
"""A regular KRX session is 390 minutes (09:00-15:30): no window can be longer."""


class AlertKind(StrEnum):
    """The kinds, as written in `kind` (the specs spell them as plain string literals so a
    wrong kind is answered with the plain names)."""

    PRICE_ABOVE = "price_above"
    PRICE_BELOW = "price_below"
    PCT_MOVE = "pct_move"
    VOLUME_SPIKE = "volume_spike"
    VI = "vi"
    ORDER_FILLED = "order_filled"
    RISK_HALT = "risk_halt"


def _symbol(value: object) -> str:
    """Accept codes as people and brokers write them ("a005930", " 005930 ")."""
    if not isinstance(value, str):
        raise ValueError('must be a 6-character KRX code such as "005930"')
    try:
        return normalize_symbol(value)
    except InvalidSymbol as exc:
        raise ValueError(exc.problem) from None


Symbol = Annotated[str, BeforeValidator(_symbol)]
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class PriceParams(BaseModel):
    model_config = _FROZEN
    price: int = Field(gt=0, le=MAX_PRICE, description="Threshold price, KRW.")


class PctMoveParams(BaseModel):
    model_config = _FROZEN
    pct: float = Field(
        gt=0, le=100, allow_inf_nan=False, description="Move in percent either way (5 = ±5%)."
    )
    base: Literal["prev_close", "open"] = Field(
        default="prev_close", description="Measured from the previous close or today's open."
    )


class VolumeSpikeParams(BaseModel):
    model_config = _FROZEN
    multiple: float = Field(
        default=3.0,
        gt=1,
        le=1_000,
        allow_inf_nan=False,
        description="The last minute's volume must be at least this many times the average.",
    )
    window_min: int = Field(
        default=20, ge=1, le=MAX_WINDOW_MIN, description="Minutes averaged before the last one."
    )


class NoParams(BaseModel):
    """Kinds whose condition is the event itself take no parameters."""

    model_config = _FROZEN


class _Spec(BaseModel):
    model_config = _FROZEN
    enabled: bool = True
    cooldown_s: int = Field(
        default=DEFAULT_COOLDOWN_S,
        ge=0,
        le=MAX_COOLDOWN_S,
        description="Fires at most once per this many seconds.",
    )
    note: str = Field(
        default="",
        max_length=200,
        pattern=NO_NUL,
        description="Free text shown with the alert.",
    )


class PriceAboveSpec(_Spec):
    """The last trade reaches `price` or more; fires on the crossing, re-arms below it."""

    kind: Literal["price_above"] = "price_above"
    symbol: Symbol
    params: PriceParams


class PriceBelowSpec(_Spec):
    """The last trade reaches `price` or less; fires on the crossing, re-arms above it."""

    kind: Literal["price_below"] = "price_below"
    symbol: Symbol
    params: PriceParams


class PctMoveSpec(_Spec):
    """|last − base| ≥ pct % of base, base the previous close or today's open."""

    kind: Literal["pct_move"] = "pct_move"
    symbol: Symbol
    params: PctMoveParams


class VolumeSpikeSpec(_Spec):
    """A minute's volume ≥ multiple × the average of the `window_min` minutes before it."""

    kind: Literal["volume_spike"] = "volume_spike"
    symbol: Symbol
    params: VolumeSpikeParams = VolumeSpikeParams()


class ViSpec(_Spec):
    """A volatility interruption (static or dynamic VI) starts on the symbol."""

    kind: Literal["vi"] = "vi"
    symbol: Symbol
    params: NoParams = NoParams()


class OrderFilledSpec(_Spec):
    """Any fill of the user's orders, of `symbol` only when given.

    Cooldown defaults to 0 here: each fill is news, and a 5-minute silence after one order's
    fill would hide the next order's. Fills of one order replace each other on screen anyway
    (same notification tag).
    """

    kind: Literal["order_filled"] = "order_filled"
    symbol: Symbol | None = None
    params: NoParams = NoParams()
    cooldown_s: int = Field(default=0, ge=0, le=MAX_COOLDOWN_S)


class RiskHaltSpec(_Spec):
    """The trading node halted: a risk limit was breached or the kill switch pressed."""

    kind: Literal["risk_halt"] = "risk_halt"
    symbol: None = None
    params: NoParams = NoParams()

    @field_validator("symbol", mode="before")
    @classmethod
    def _no_symbol(cls, value: object) -> None:
        if value is not None:
            raise ValueError("risk_halt concerns the whole trading node and takes no symbol")
        return None


AlertSpec = Annotated[
    PriceAboveSpec
    | PriceBelowSpec
    | PctMoveSpec
    | VolumeSpikeSpec
    | ViSpec
    | OrderFilledSpec
    | RiskHaltSpec,
    Field(discriminator="kind"),
]
"""What a user asks for: one of the kinds above, told apart by `kind`."""

_SPEC: TypeAdapter[AlertSpec] = TypeAdapter(AlertSpec)


def parse_spec(data: Mapping[str, Any]) -> AlertSpec:
    """Validate JSON-like data into a spec; raises `pydantic.ValidationError`."""
    return _SPEC.validate_python(data)


def apply_patch(spec: AlertSpec, changes: Mapping[str, Any]) -> AlertSpec:
    """`spec` with `changes` applied and validated again as a whole.

    `params` merges key by key, so `{"params": {"price": 71000}}` keeps the other
    parameters; everything else replaces. Raises `pydantic.ValidationError`.
    """
    data = spec.model_dump(mode="json")
    for key, value in changes.items():
        if key == "params" and isinstance(value, Mapping):
            data["params"] = {**data["params"], **value}
        else:
            data[key] = value
    return parse_spec(data)


@dataclass(frozen=True, slots=True)
class AlertRule:
    """A stored rule: its owner, the spec, and when it last fired (ns UTC, None: never)."""

    id: int
    user_id: int
    spec: AlertSpec
    created_ns: int = 0
    last_fired_ns: int | None = None

    @property
    def kind(self) -> AlertKind:
        return AlertKind(self.spec.kind)

    @property
    def symbol(self) -> str | None:
        return self.spec.symbol

    @property
    def enabled(self) -> bool:
        return self.spec.enabled

    @property
    def cooldown_ns(self) -> int:
        return self.spec.cooldown_s * 1_000_000_000
