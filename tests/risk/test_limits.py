from __future__ import annotations

import dataclasses

import pytest

from jts.core import ConfigError
from jts.risk import RiskLimits


def test_defaults_set_no_numeric_limit_and_keep_the_venue_rules_on() -> None:
    limits = RiskLimits()
    numeric = [
        limits.max_order_qty,
        limits.max_order_value,
        limits.max_position_qty,
        limits.max_gross_exposure,
        limits.fat_finger_pct,
        limits.max_orders_per_second,
        limits.max_orders_per_minute,
        limits.daily_loss_limit,
    ]
    assert numeric == [None] * 8
    assert limits.check_cash
    assert limits.prevent_self_cross
    assert not limits.allow_short
    assert not limits.block_identical_orders


def test_limits_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        RiskLimits().max_order_qty = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "key", "problem"),
    [
        ({"max_order_qty": 0}, "risk.max_order_qty", "must be positive"),
        ({"max_order_value": -1}, "risk.max_order_value", "must be positive"),
        ({"max_position_qty": 1.5}, "risk.max_position_qty", "whole number"),
        ({"max_orders_per_second": True}, "risk.max_orders_per_second", "whole number"),
        ({"daily_loss_limit": -5_000_000}, "risk.daily_loss_limit", "must be positive"),
        ({"fat_finger_pct": 0}, "risk.fat_finger_pct", "above 0"),
        ({"fat_finger_pct": "5"}, "risk.fat_finger_pct", "must be a number"),
        ({"check_cash": 1}, "risk.check_cash", "true or false"),
    ],
)
def test_invalid_limits_are_refused_naming_the_key(
    changes: dict[str, object], key: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem) as caught:
        RiskLimits(**changes)  # type: ignore[arg-type]
    assert caught.value.key == key


def test_validate_returns_the_limits_when_valid() -> None:
    limits = RiskLimits(max_order_qty=10, fat_finger_pct=2.5, max_orders_per_minute=60)
    assert limits.validate() is limits


def test_from_mapping_builds_limits_and_refuses_unknown_keys() -> None:
    assert RiskLimits.from_mapping({"max_order_qty": 5}) == RiskLimits(max_order_qty=5)
    with pytest.raises(ConfigError, match="unknown key") as caught:
        RiskLimits.from_mapping({"max_order_qtty": 5})
    assert caught.value.key == "risk.max_order_qtty"
