"""Passkey configuration browsers would refuse is refused at start, naming the key; the
in-memory ceremony store hands each ceremony out once and stays bounded."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import Engine

from jts.core.errors import ConfigError
from jts.gateway.auth.passkeys import (
    CEREMONY_TTL_NS,
    DEFAULT_ORIGINS,
    DEFAULT_RP_ID,
    Ceremony,
    MemoryChallengeStore,
    PasskeyService,
)


def test_the_defaults_serve_http_localhost_8000(engine: Engine) -> None:
    service = PasskeyService(engine)
    assert (DEFAULT_RP_ID, DEFAULT_ORIGINS) == ("localhost", ("http://localhost:8000",))
    assert (service.rp_id, service.origins) == (DEFAULT_RP_ID, DEFAULT_ORIGINS)


@pytest.mark.parametrize(
    ("rp_id", "origins"),
    [
        ("jts.example", ["https://jts.example"]),
        ("jts.example", ["https://app.jts.example:8443", "https://jts.example"]),
        ("localhost", ["http://localhost:8000", "https://localhost:8443"]),
        ("localhost", ["http://trade.localhost:8000"]),
    ],
)
def test_a_domain_with_its_origins_is_accepted(
    engine: Engine, rp_id: str, origins: Sequence[str]
) -> None:
    assert PasskeyService(engine, rp_id=rp_id, origins=origins).origins == tuple(origins)


@pytest.mark.parametrize(
    ("rp_id", "origins", "key", "complaint"),
    [
        ("127.0.0.1", ["http://127.0.0.1:8000"], "rp_id", "IP address"),
        ("::1", ["http://[::1]:8000"], "rp_id", "IP address"),
        ("Localhost", ["http://localhost:8000"], "rp_id", "lowercase"),
        ("", ["http://localhost:8000"], "rp_id", "lowercase"),
        ("jtsbox", ["https://jtsbox"], "rp_id", "single-label"),
        ("localhost", ["http://127.0.0.1:8000"], "origins", "not on the RP id"),
        ("localhost", ["http://notlocalhost:8000"], "origins", "not on the RP id"),
        ("localhost", ["ftp://localhost"], "origins", "scheme://host"),
        ("jts.example", ["http://jts.example"], "origins", "http on localhost only"),
        ("jts.example", ["https://evil-jts.example"], "origins", "not on the RP id"),
        ("localhost", ["http://localhost:8000/app"], "origins", "scheme://host"),
        ("localhost", ["localhost:8000"], "origins", "scheme://host"),
        ("localhost", [], "origins", "at least one"),
    ],
)
def test_a_configuration_browsers_would_refuse_is_refused(
    engine: Engine, rp_id: str, origins: Sequence[str], key: str, complaint: str
) -> None:
    with pytest.raises(ConfigError, match=complaint) as refused:
        PasskeyService(engine, rp_id=rp_id, origins=origins)
    assert refused.value.key == f"passkeys.{key}"


def _ceremony(created_ns: int) -> Ceremony:
    return Ceremony("login", b"c", created_ns, created_ns + CEREMONY_TTL_NS)


def test_the_memory_store_hands_a_ceremony_out_once() -> None:
    store = MemoryChallengeStore()
    store.put("a", _ceremony(0))
    assert store.take("a") == _ceremony(0)
    assert store.take("a") is None


def test_the_memory_store_drops_expired_ceremonies_then_the_oldest() -> None:
    store = MemoryChallengeStore(max_size=3)
    store.put("old", _ceremony(0))
    store.put("a", _ceremony(CEREMONY_TTL_NS))  # "old" expires as this one is made
    assert store.take("old") is None
    store.put("b", _ceremony(CEREMONY_TTL_NS + 1))
    store.put("c", _ceremony(CEREMONY_TTL_NS + 2))
    store.put("d", _ceremony(CEREMONY_TTL_NS + 3))
    assert store.take("a") is None  # the oldest, dropped to keep 3
    assert [store.take(key) is not None for key in "bcd"] == [True, True, True]
