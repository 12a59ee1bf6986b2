"""Whatever a client sends as a credential, the service answers with a `PasskeyError` (a clear
400/401), never another exception (a 500 with a trace): arbitrary JSON, and valid answers with
one field replaced by junk."""

from __future__ import annotations

import contextlib
import itertools
import json
from typing import Any

import cbor2
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jts.gateway.auth.passkeys import PasskeyError, PasskeyService
from tests.gateway.auth.conftest import AddUser
from tests.gateway.auth.softauthn import SoftAuthenticator, b64url

_FIXTURES = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])

junk: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=40)
    | st.binary(max_size=80).map(b64url),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)

encoded_junk: st.SearchStrategy[str] = st.one_of(
    junk.map(lambda value: b64url(json.dumps(value).encode())),
    junk.map(lambda value: b64url(cbor2.dumps(value))),
)
"""Junk inside the base64url wrapping: JSON where clientDataJSON is, CBOR where the
attestation object is."""

values = junk | encoded_junk

_NUMBERS = itertools.count()

_KEYS = ["id", "rawId", "type", "response", "authenticatorAttachment", "clientExtensionResults"]
_RESPONSE_KEYS = [
    "clientDataJSON",
    "attestationObject",
    "authenticatorData",
    "signature",
    "userHandle",
    "transports",
]

credentials = st.fixed_dictionaries(
    {},
    optional={
        **{key: junk for key in _KEYS},
        "response": st.fixed_dictionaries({}, optional={key: junk for key in _RESPONSE_KEYS}),
    },
)


def _replace(answer: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """`answer` with `key` (top level, or in `response`) set to `value`."""
    if key in _RESPONSE_KEYS:
        return {**answer, "response": {**answer["response"], key: value}}
    return {**answer, key: value}


def _settles(call: Any, *args: Any) -> None:
    with contextlib.suppress(PasskeyError):
        call(*args)


@_FIXTURES
@given(credential=credentials)
def test_arbitrary_json_is_refused_with_a_passkey_error(
    service: PasskeyService, add_user: AddUser, credential: dict[str, Any]
) -> None:
    user_id = _user(add_user)
    begun = service.registration_options(user_id)
    _settles(service.verify_registration, user_id, begun["ceremony_id"], credential, "k")
    begun = service.authentication_options(None)
    _settles(service.verify_authentication, begun["ceremony_id"], credential)


@_FIXTURES
@given(key=st.sampled_from(_KEYS + _RESPONSE_KEYS), value=values)
def test_a_registration_with_one_junk_field_settles_cleanly(
    service: PasskeyService, add_user: AddUser, key: str, value: Any
) -> None:
    user_id = _user(add_user)
    begun = service.registration_options(user_id)
    answer = _replace(SoftAuthenticator().create(begun["options"]), key, value)
    _settles(service.verify_registration, user_id, begun["ceremony_id"], answer, "k")


@_FIXTURES
@given(key=st.sampled_from(_KEYS + _RESPONSE_KEYS), value=values)
def test_a_login_with_one_junk_field_settles_cleanly(
    service: PasskeyService, add_user: AddUser, key: str, value: Any
) -> None:
    user_id = _user(add_user)
    authenticator = SoftAuthenticator(counter_step=0)
    begun = service.registration_options(user_id)
    credential = authenticator.create(begun["options"])
    service.verify_registration(user_id, begun["ceremony_id"], credential, "k")
    begun = service.authentication_options(None)
    answer = _replace(authenticator.get(begun["options"]), key, value)
    _settles(service.verify_authentication, begun["ceremony_id"], answer)


def _user(add_user: AddUser) -> int:
    """A new user per example: hypothesis reuses the fixture's database."""
    return add_user(f"user{next(_NUMBERS)}")
