"""Passkeys end to end against the service, with a software authenticator: registration and
sign-in (allow-list and discoverable), and every refusal a forged, replayed, stale, copied or
misdirected answer must meet."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from jts.core.clock import SimulatedClock
from jts.gateway.auth.passkeys import (
    CeremonyError,
    PasskeyError,
    PasskeyInfo,
    PasskeyNotFound,
    PasskeyService,
)
from jts.storage.models import UserRow
from tests.gateway.auth.conftest import START_NS, AddUser
from tests.gateway.auth.softauthn import (
    InvalidStateError,
    SoftAuthenticator,
    b64url,
    unb64url,
)


def register(
    service: PasskeyService,
    authenticator: SoftAuthenticator,
    user_id: int,
    name: str = "laptop",
    **create: Any,
) -> PasskeyInfo:
    begun = service.registration_options(user_id)
    credential = authenticator.create(begun["options"], **create)
    return service.verify_registration(user_id, begun["ceremony_id"], credential, name)


def login(
    service: PasskeyService,
    authenticator: SoftAuthenticator,
    username: str | None = None,
    **get: Any,
) -> int:
    begun = service.authentication_options(username)
    credential = authenticator.get(begun["options"], **get)
    return service.verify_authentication(begun["ceremony_id"], credential)


# --- the happy paths ---


def test_a_registered_passkey_signs_in_with_the_users_allow_list(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    alice = add_user("alice")
    info = register(service, authenticator, alice, "iPhone")
    begun = service.authentication_options("alice")
    assert [item["id"] for item in begun["options"]["allowCredentials"]] == [info.credential_id]
    assert service.verify_authentication(begun["ceremony_id"], authenticator.get(begun["options"]))
    assert login(service, authenticator, "alice") == alice


def test_a_discoverable_passkey_signs_in_without_a_username(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    add_user("alice")
    bob = add_user("bob")
    register(service, authenticator, bob)
    begun = service.authentication_options(None)
    assert begun["options"]["allowCredentials"] == []
    assert begun["options"]["rpId"] == "localhost"
    assert login(service, authenticator) == bob


def test_registration_options_carry_the_hex_handle_and_exclude_registered_passkeys(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser, engine: Engine
) -> None:
    alice = add_user("alice")
    first = service.registration_options(alice)["options"]
    with Session(engine) as session:
        handle = session.get_one(UserRow, alice).handle
    assert unb64url(first["user"]["id"]) == bytes.fromhex(handle)
    assert first["user"]["name"] == "alice"
    assert first["rp"] == {"name": "JTS", "id": "localhost"}
    assert first["authenticatorSelection"]["residentKey"] == "preferred"
    assert first["authenticatorSelection"]["userVerification"] == "preferred"
    assert first["excludeCredentials"] == []
    info = register(service, authenticator, alice)
    again = service.registration_options(alice)["options"]
    assert [item["id"] for item in again["excludeCredentials"]] == [info.credential_id]
    with pytest.raises(InvalidStateError):
        authenticator.create(again)


def test_packed_self_attestation_and_extensions_are_accepted(
    service: PasskeyService, add_user: AddUser
) -> None:
    alice = add_user("alice")
    authenticator = SoftAuthenticator(attestation="packed", extensions={"credProtect": 2})
    register(service, authenticator, alice)
    assert login(service, authenticator, "alice") == alice


def test_sign_in_updates_the_counter_and_last_use(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser, clock: Any
) -> None:
    alice = add_user("alice")
    register(service, authenticator, alice)
    assert service.list(alice)[0].last_used_ns is None
    clock.advance(10)
    login(service, authenticator)
    assert service.list(alice)[0].last_used_ns == START_NS + 10 * 1_000_000_000


# --- answers from elsewhere ---


@pytest.mark.parametrize("ceremony", ["register", "login"])
@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"origin": "http://evil.localhost:8000"}, "origin"),
        ({"origin": "https://localhost:8000"}, "origin"),
        ({"rp_id": "evil.example"}, "RP ID"),
        ({"cross_origin": True}, "embedded"),
    ],
)
def test_an_answer_from_another_site_is_refused(
    service: PasskeyService,
    authenticator: SoftAuthenticator,
    add_user: AddUser,
    ceremony: str,
    changes: dict[str, Any],
    complaint: str,
) -> None:
    alice = add_user("alice")
    if ceremony == "login":
        register(service, authenticator, alice)
        # The stored credential was made for the real RP id; follow the page's lie at sign-in.
        for credential in authenticator.credentials:
            credential.rp_id = changes.get("rp_id", credential.rp_id)
    for key, value in changes.items():
        setattr(authenticator, key, value)
    with pytest.raises(PasskeyError, match=complaint):
        _attempt(ceremony, service, authenticator, alice)


def _attempt(
    ceremony: str, service: PasskeyService, authenticator: SoftAuthenticator, user_id: int
) -> object:
    if ceremony == "register":
        return register(service, authenticator, user_id)
    return login(service, authenticator)


# --- ceremonies ---


def test_a_ceremony_can_be_answered_once(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    register(service, authenticator, add_user("alice"))
    begun = service.authentication_options(None)
    answer = authenticator.get(begun["options"])
    service.verify_authentication(begun["ceremony_id"], answer)
    with pytest.raises(CeremonyError, match="already used"):
        service.verify_authentication(begun["ceremony_id"], answer)


def test_an_unknown_ceremony_is_refused(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    alice = add_user("alice")
    begun = service.registration_options(alice)
    credential = authenticator.create(begun["options"])
    with pytest.raises(CeremonyError, match="unknown"):
        service.verify_registration(alice, "no-such-ceremony", credential, "laptop")


def test_a_ceremony_expires_after_five_minutes(
    service: PasskeyService,
    authenticator: SoftAuthenticator,
    add_user: AddUser,
    clock: SimulatedClock,
) -> None:
    alice = add_user("alice")
    begun = service.registration_options(alice)
    clock.advance(5 * 60)
    with pytest.raises(CeremonyError, match="expired"):
        service.verify_registration(
            alice, begun["ceremony_id"], authenticator.create(begun["options"]), "laptop"
        )
    begun = service.registration_options(alice)
    clock.advance(5 * 60 - 0.001)
    credential = authenticator.create(begun["options"])
    assert service.verify_registration(alice, begun["ceremony_id"], credential, "laptop")


def test_a_registration_ceremony_cannot_be_answered_as_a_login(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    alice = add_user("alice")
    register(service, authenticator, alice)
    begun = service.registration_options(alice)
    answer = authenticator.get({"rpId": "localhost", "challenge": begun["options"]["challenge"]})
    with pytest.raises(CeremonyError, match="begun for register"):
        service.verify_authentication(begun["ceremony_id"], answer)


def test_a_registration_ceremony_is_the_beginners_own(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    alice, bob = add_user("alice"), add_user("bob")
    begun = service.registration_options(alice)
    credential = authenticator.create(begun["options"])
    with pytest.raises(CeremonyError, match="another user"):
        service.verify_registration(bob, begun["ceremony_id"], credential, "laptop")


def test_an_answer_to_another_challenge_is_refused(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    register(service, authenticator, add_user("alice"))
    first = service.authentication_options(None)
    second = service.authentication_options(None)
    answer = authenticator.get(first["options"])
    with pytest.raises(PasskeyError, match="challenge"):
        service.verify_authentication(second["ceremony_id"], answer)


# --- the credential and its owner ---


def test_a_copied_authenticator_is_refused_when_its_counter_goes_back(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    register(service, authenticator, add_user("alice"))
    copy = authenticator.clone()
    login(service, authenticator)
    login(service, authenticator)  # the original is now at 2, the copy still at 0
    with pytest.raises(PasskeyError, match="copied"):
        login(service, copy)  # says 1
    copy.credentials[0].sign_count = 1
    with pytest.raises(PasskeyError, match="copied"):
        login(service, copy)  # says 2, as the last accepted answer did


def test_a_counter_that_stays_zero_is_accepted(service: PasskeyService, add_user: AddUser) -> None:
    alice = add_user("alice")
    synced = SoftAuthenticator(counter_step=0)
    register(service, synced, alice)
    assert [login(service, synced) for _ in range(3)] == [alice] * 3


def test_a_counter_that_returns_to_zero_is_refused(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    register(service, authenticator, add_user("alice"))
    login(service, authenticator)
    authenticator.counter_step = 0
    authenticator.credentials[0].sign_count = 0
    with pytest.raises(PasskeyError, match="stored 1, got 0"):
        login(service, authenticator)


def test_another_users_passkey_cannot_sign_in_as_that_user(
    service: PasskeyService, add_user: AddUser
) -> None:
    add_user("alice")
    bob = add_user("bob")
    bobs = SoftAuthenticator()
    register(service, bobs, bob)
    begun = service.authentication_options("alice")
    answer = bobs.get({**begun["options"], "allowCredentials": []})  # ignore the allow-list
    with pytest.raises(PasskeyError, match="not registered to that user"):
        service.verify_authentication(begun["ceremony_id"], answer)


def test_a_user_handle_naming_someone_else_is_refused(
    service: PasskeyService, add_user: AddUser, engine: Engine
) -> None:
    alice, bob = add_user("alice"), add_user("bob")
    bobs = SoftAuthenticator()
    register(service, bobs, bob)
    with Session(engine) as session:
        alice_handle = bytes.fromhex(session.get_one(UserRow, alice).handle)
    begun = service.authentication_options(None)
    answer = bobs.get(begun["options"])
    answer["response"]["userHandle"] = b64url(alice_handle)  # not covered by the signature
    with pytest.raises(PasskeyError, match="user handle does not match"):
        service.verify_authentication(begun["ceremony_id"], answer)


def test_a_discoverable_answer_must_name_its_user(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    register(service, authenticator, add_user("alice"))
    begun = service.authentication_options(None)
    answer = authenticator.get(begun["options"])
    answer["response"]["userHandle"] = None
    with pytest.raises(PasskeyError, match="no user handle"):
        service.verify_authentication(begun["ceremony_id"], answer)


def test_an_unknown_passkey_is_refused(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    alice = add_user("alice")
    info = register(service, authenticator, alice)
    service.delete(alice, info.credential_id)
    with pytest.raises(PasskeyError, match="unknown passkey"):
        login(service, authenticator)


def test_a_disabled_user_cannot_sign_in(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser, engine: Engine
) -> None:
    alice = add_user("alice")
    register(service, authenticator, alice)
    with Session(engine) as session:
        session.execute(update(UserRow).where(UserRow.id == alice).values(disabled=True))
        session.commit()
    assert service.authentication_options("alice")["options"]["allowCredentials"] == []
    with pytest.raises(PasskeyError, match="disabled"):
        login(service, authenticator)
    with pytest.raises(PasskeyError, match="no active user"):
        service.registration_options(alice)


def test_login_options_do_not_reveal_whether_a_user_exists(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    register(service, authenticator, add_user("alice"))
    unknown = service.authentication_options("nobody")["options"]
    without = service.authentication_options("alice")["options"]
    assert unknown.keys() == without.keys()
    assert unknown["allowCredentials"] == []
    with pytest.raises(PasskeyError, match="not registered to that user"):
        login(service, authenticator, "nobody")


def test_user_verification_is_required_when_configured(
    engine: Engine, clock: SimulatedClock, add_user: AddUser
) -> None:
    alice = add_user("alice")
    strict = PasskeyService(engine, clock=clock, require_user_verification=True)
    lenient = PasskeyService(engine, clock=clock)
    key = SoftAuthenticator(user_verified=False)
    with pytest.raises(PasskeyError, match="verification"):
        register(strict, key, alice)
    key.credentials.clear()  # the refused one
    register(lenient, key, alice)
    with pytest.raises(PasskeyError, match="verification"):
        login(strict, key)
    assert login(lenient, key) == alice


def test_the_same_passkey_cannot_be_registered_twice(
    service: PasskeyService, add_user: AddUser
) -> None:
    alice, bob = add_user("alice"), add_user("bob")
    register(service, SoftAuthenticator(), alice, credential_id=b"same-id")
    with pytest.raises(PasskeyError, match="already registered"):
        register(service, SoftAuthenticator(), bob, credential_id=b"same-id")


# --- listing and deleting ---


def test_passkeys_are_listed_and_deleted_by_their_owner_only(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser
) -> None:
    alice, bob = add_user("alice"), add_user("bob")
    laptop = register(service, authenticator, alice, "  laptop  ")
    phone = register(service, SoftAuthenticator(), alice, "phone")
    assert [(p.name, p.created_ns) for p in service.list(alice)] == [
        ("laptop", START_NS),
        ("phone", START_NS),
    ]
    assert service.list(bob) == []
    with pytest.raises(PasskeyNotFound):
        service.delete(bob, laptop.credential_id)
    service.delete(alice, laptop.credential_id)
    assert service.list(alice) == [phone]
    with pytest.raises(PasskeyNotFound):
        service.delete(alice, laptop.credential_id)


@pytest.mark.parametrize("name", ["", "   ", "x" * 65])
def test_a_passkey_name_is_one_to_sixty_four_characters(
    service: PasskeyService, authenticator: SoftAuthenticator, add_user: AddUser, name: str
) -> None:
    with pytest.raises(PasskeyError, match="name"):
        register(service, authenticator, add_user("alice"), name)
