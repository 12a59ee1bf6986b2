"""The wanted-registrations set: cap, order, repeats, AES keys per TR."""

from __future__ import annotations

import pytest

from jts.core.errors import ConfigError
from jts.venues.kis.stream_subs import SubscriptionRegistry

KEY, IV = "k" * 32, "i" * 16


def test_registrations_keep_their_order_and_repeats_are_free() -> None:
    registry = SubscriptionRegistry(3)
    assert registry.add(("H0STCNT0", "005930"))
    assert registry.add(("H0STASP0", "005930"))
    assert registry.add(("H0STCNT0", "005930"))
    assert list(registry) == [("H0STCNT0", "005930"), ("H0STASP0", "005930")]
    assert registry.free == 1


def test_the_cap_refuses_one_more_and_changes_nothing() -> None:
    registry = SubscriptionRegistry(2)
    registry.add(("H0STCNT0", "005930"))
    registry.add(("H0STCNT0", "000660"))
    assert not registry.add(("H0STCNT0", "035420"))
    assert ("H0STCNT0", "035420") not in registry
    assert len(registry) == 2
    assert registry.add(("H0STCNT0", "000660"))  # a repeat still fits


def test_discarding_frees_a_slot() -> None:
    registry = SubscriptionRegistry(1)
    registry.add(("H0STCNT0", "005930"))
    registry.discard(("H0STCNT0", "005930"))
    assert registry.add(("H0STCNT0", "000660"))
    assert registry.trs() == {"H0STCNT0"}


def test_ciphers_are_kept_per_tr_and_forgotten_with_the_session() -> None:
    registry = SubscriptionRegistry()
    registry.set_cipher("H0STCNI9", KEY, IV)
    cipher = registry.cipher("H0STCNI9")
    assert cipher is not None
    assert cipher.decrypt(cipher.encrypt("a^b")) == "a^b"
    registry.forget_ciphers()
    assert registry.cipher("H0STCNI9") is None


def test_a_cap_below_one_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError):
        SubscriptionRegistry(0)
