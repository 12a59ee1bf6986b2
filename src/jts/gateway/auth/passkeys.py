"""WebAuthn passkeys: a user registers a device's key, then signs in with it instead of a password.

A passkey is a key pair made by an authenticator (a phone, a laptop's fingerprint reader, a
security key); the server keeps only the public key, so a database leak gives nothing to replay,
and the browser binds every signature to the site's origin, so a phishing page gets nothing
usable either. Each sign-in ("ceremony") has two steps: the server sends options with a random
challenge, the browser asks the authenticator to sign it, and the server checks the answer with
the `webauthn` library. The challenge is kept server-side under a random ceremony id for five
minutes, and can be answered once.

Choices made here, each for a reason:

* The WebAuthn user handle is `UserRow.handle` hex-decoded (16 random bytes): opaque, so an
  authenticator never stores the username, and stable across renames. A discoverable login
  returns it, and it must match the owner of the credential used.
* The signature counter must grow unless it is 0 on both sides (synced passkeys always say 0);
  a counter that goes back or stands still means a copied authenticator, and is refused after
  the signature is verified, so the refusal cannot be provoked without the key.
* Asking for login options never reveals whether a username exists: an unknown user simply gets
  an empty allow-list, and no credential will be accepted for that ceremony.
* Ceremonies live in a `ChallengeStore`. `MemoryChallengeStore` serves one gateway process;
  several processes behind a load balancer need a shared store (Redis: SET with a TTL, GETDEL),
  since the answer may reach another process than the one that sent the challenge.

Methods are synchronous (SQLAlchemy sessions): routes call them from FastAPI's thread pool.
"""

from __future__ import annotations

import builtins
import contextlib
import ipaddress
import secrets
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol
from urllib.parse import urlsplit

import webauthn
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    options_to_json_dict,
    parse_client_data_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from jts.core.clock import Clock, LiveClock
from jts.core.errors import ConfigError, InvalidInput
from jts.storage.models import PasskeyRow, UserRow

DEFAULT_RP_ID: Final = "localhost"
"""The relying-party id: the site's domain. An IP address is not a valid one, so JTS's default
server (127.0.0.1:8000) is reached as http://localhost:8000 for passkeys (docs/passkeys.md)."""

DEFAULT_ORIGINS: Final = ("http://localhost:8000",)
"""Pages allowed to run the ceremonies: scheme, host and port exactly as the browser shows them."""

DEFAULT_RP_NAME: Final = "JTS"

CEREMONY_TTL_NS: Final = 5 * 60 * 1_000_000_000
"""How long a challenge can be answered, in ns (5 minutes; also the browser's timeout hint)."""

NAME_MAX: Final = 64
"""Longest passkey name, in characters (the `passkeys.name` column)."""

Purpose = Literal["register", "login"]


class PasskeyError(InvalidInput):
    """A passkey request was refused; `problem` is safe to show (no internals, no trace)."""

    def __init__(self, problem: str, field: str = "credential") -> None:
        super().__init__(field, problem)


class CeremonyError(PasskeyError):
    """The ceremony id is unknown, already used, expired or of the other kind: start again."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem, "ceremony_id")


class PasskeyNotFound(PasskeyError):
    """No such passkey (or not the caller's: the two are not told apart)."""

    def __init__(self, credential_id: str) -> None:
        super().__init__(f"no passkey {credential_id!r} of yours", "credential_id")


@dataclass(frozen=True, slots=True)
class Ceremony:
    """One begun registration or login: the challenge sent and who may answer, until when.

    `user_id` is the registering user; `username` the user a login was asked for (None for a
    discoverable login, where the authenticator chooses). Times are ns UTC.
    """

    purpose: Purpose
    challenge: bytes
    created_ns: int
    expires_ns: int
    user_id: int | None = None
    username: str | None = None


@dataclass(frozen=True, slots=True)
class PasskeyInfo:
    """What a user sees of a passkey; `credential_id` is base64url, times ns UTC."""

    credential_id: str
    name: str
    created_ns: int
    last_used_ns: int | None


class ChallengeStore(Protocol):
    """Where begun ceremonies wait for their answer (see the module docstring for why)."""

    def put(self, ceremony_id: str, ceremony: Ceremony) -> None: ...

    def take(self, ceremony_id: str) -> Ceremony | None:
        """Remove and return it: an id can be answered once. None if unknown or taken."""
        ...


class MemoryChallengeStore:
    """Ceremonies in a dict, for one gateway process. At most `max_size` wait at once, so that
    requests for options (which need no sign-in) cannot fill memory: expired ones are dropped
    first, then the oldest."""

    def __init__(self, max_size: int = 10_000) -> None:
        self._max_size = max_size
        self._items: dict[str, Ceremony] = {}
        self._lock = threading.Lock()  # routes run in FastAPI's thread pool

    def put(self, ceremony_id: str, ceremony: Ceremony) -> None:
        with self._lock:
            # Insertion order is expiry order (one TTL), so stale ones sit at the front.
            while self._items:
                oldest_id, oldest = next(iter(self._items.items()))
                expired = oldest.expires_ns <= ceremony.created_ns
                if not expired and len(self._items) < self._max_size:
                    break
                del self._items[oldest_id]
            self._items[ceremony_id] = ceremony

    def take(self, ceremony_id: str) -> Ceremony | None:
        with self._lock:
            return self._items.pop(ceremony_id, None)


class PasskeyService:
    """Registers, lists, deletes and signs in with passkeys of the users in `engine`.

    `rp_id` is the site's domain, `origins` the exact origins of the pages that run the
    ceremonies (each must be https, or http on localhost, and on `rp_id` or a subdomain);
    `require_user_verification` refuses authenticators that did not check a PIN or biometric.
    Raises `ConfigError` for a configuration browsers would refuse.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        rp_id: str = DEFAULT_RP_ID,
        rp_name: str = DEFAULT_RP_NAME,
        origins: Sequence[str] = DEFAULT_ORIGINS,
        clock: Clock | None = None,
        store: ChallengeStore | None = None,
        require_user_verification: bool = False,
    ) -> None:
        _check_config(rp_id, rp_name, origins)
        self._engine = engine
        self.rp_id = rp_id
        self.rp_name = rp_name
        self.origins = tuple(origins)
        self._clock = clock or LiveClock()
        self._store = store if store is not None else MemoryChallengeStore()
        self._require_uv = require_user_verification

    # --- registration (the user is signed in) ---

    def registration_options(self, user_id: int) -> dict[str, Any]:
        """`{"ceremony_id", "options"}`: options are PublicKeyCredentialCreationOptionsJSON for
        navigator.credentials.create(), excluding the user's registered passkeys."""
        with Session(self._engine) as session:
            user = session.get(UserRow, user_id)
            if user is None or user.disabled:
                raise PasskeyError(f"no active user {user_id}", "user_id")
            registered = session.scalars(
                select(PasskeyRow.credential_id).where(PasskeyRow.user_id == user_id)
            ).all()
            username, handle = user.username, _handle_bytes(user.handle)
        options = webauthn.generate_registration_options(
            rp_id=self.rp_id,
            rp_name=self.rp_name,
            user_name=username,
            user_id=handle,
            user_display_name=username,
            timeout=CEREMONY_TTL_NS // 1_000_000,
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.PREFERRED,
                user_verification=UserVerificationRequirement.PREFERRED,
            ),
            exclude_credentials=_descriptors(registered),
        )
        return self._begin("register", options.challenge, options_to_json_dict(options), user_id)

    def verify_registration(
        self, user_id: int, ceremony_id: str, credential_json: dict[str, Any], name: str
    ) -> PasskeyInfo:
        """Check the authenticator's answer to `registration_options` and keep its public key
        under `name` (1-64 characters, shown in the user's list)."""
        name = name.strip()
        if not 1 <= len(name) <= NAME_MAX:
            raise PasskeyError(f"1 to {NAME_MAX} characters", "name")
        ceremony = self._take(ceremony_id, "register")
        if ceremony.user_id != user_id:
            raise CeremonyError("this ceremony was begun by another user")
        with _foreign_errors("passkey not registered"):
            verified = webauthn.verify_registration_response(
                credential=credential_json,
                expected_challenge=ceremony.challenge,
                expected_rp_id=self.rp_id,
                expected_origin=list(self.origins),
                require_user_verification=self._require_uv,
            )
        _refuse_cross_origin(credential_json)
        row = PasskeyRow(
            credential_id=bytes_to_base64url(verified.credential_id),
            user_id=user_id,
            public_key=bytes_to_base64url(verified.credential_public_key),
            sign_count=verified.sign_count,
            name=name,
            created_ns=self._clock.now_ns(),
            last_used_ns=None,
        )
        with Session(self._engine) as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                raise PasskeyError("this passkey is already registered") from None
            return _info(row)

    # --- login (no one is signed in) ---

    def authentication_options(self, username: str | None) -> dict[str, Any]:
        """`{"ceremony_id", "options"}`: options are PublicKeyCredentialRequestOptionsJSON for
        navigator.credentials.get(). With a username, its passkeys are the allow-list (empty
        for an unknown or disabled user, to not reveal which exist); without, the
        authenticator offers its discoverable passkeys for this site."""
        registered: Sequence[str] = []
        if username is not None:
            with Session(self._engine) as session:
                registered = session.scalars(
                    select(PasskeyRow.credential_id)
                    .join(UserRow, UserRow.id == PasskeyRow.user_id)
                    .where(UserRow.username == username, UserRow.disabled.is_(False))
                ).all()
        options = webauthn.generate_authentication_options(
            rp_id=self.rp_id,
            timeout=CEREMONY_TTL_NS // 1_000_000,
            allow_credentials=_descriptors(registered),
            user_verification=UserVerificationRequirement.PREFERRED,
        )
        json_options = options_to_json_dict(options)
        return self._begin("login", options.challenge, json_options, username=username)

    def verify_authentication(self, ceremony_id: str, credential_json: dict[str, Any]) -> int:
        """The id of the user the answer to `authentication_options` proves; the passkey's
        counter and last use are updated. Raises `PasskeyError` saying why it was refused."""
        ceremony = self._take(ceremony_id, "login")
        with Session(self._engine) as session:
            passkey, user = _owner(session, credential_json, ceremony.username)
            with _foreign_errors("passkey not accepted"):
                verified = webauthn.verify_authentication_response(
                    credential=credential_json,
                    expected_challenge=ceremony.challenge,
                    expected_rp_id=self.rp_id,
                    expected_origin=list(self.origins),
                    credential_public_key=base64url_to_bytes(passkey.public_key),
                    credential_current_sign_count=0,  # checked below, after the signature
                    require_user_verification=self._require_uv,
                )
            _refuse_cross_origin(credential_json)
            _check_counter(passkey.sign_count, verified.new_sign_count)
            if user.disabled:
                raise PasskeyError("this account is disabled")
            self._record_use(session, passkey, verified.new_sign_count)
            return user.id

    # --- the user's own passkeys ---

    def list(self, user_id: int) -> builtins.list[PasskeyInfo]:
        """The user's passkeys, oldest first."""
        with Session(self._engine) as session:
            rows = session.scalars(
                select(PasskeyRow).where(PasskeyRow.user_id == user_id).order_by(PasskeyRow.id)
            )
            return [_info(row) for row in rows]

    def delete(self, user_id: int, credential_id: str) -> None:
        """Forget one of the user's passkeys; `PasskeyNotFound` if it is not theirs."""
        with Session(self._engine) as session:
            result = session.execute(
                delete(PasskeyRow).where(
                    PasskeyRow.user_id == user_id, PasskeyRow.credential_id == credential_id
                )
            )
            if result.rowcount == 0:
                raise PasskeyNotFound(credential_id)
            session.commit()

    # --- ceremonies ---

    def _begin(
        self,
        purpose: Purpose,
        challenge: bytes,
        options: dict[str, Any],
        user_id: int | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        now = self._clock.now_ns()
        ceremony = Ceremony(purpose, challenge, now, now + CEREMONY_TTL_NS, user_id, username)
        ceremony_id = secrets.token_urlsafe(24)
        self._store.put(ceremony_id, ceremony)
        return {"ceremony_id": ceremony_id, "options": options}

    def _take(self, ceremony_id: str, purpose: Purpose) -> Ceremony:
        ceremony = self._store.take(ceremony_id)
        if ceremony is None:
            raise CeremonyError("unknown or already used ceremony: start again")
        if ceremony.purpose != purpose:
            raise CeremonyError(f"this ceremony was begun for {ceremony.purpose}, not {purpose}")
        if self._clock.now_ns() >= ceremony.expires_ns:
            raise CeremonyError("ceremony expired (it lasts 5 minutes): start again")
        return ceremony

    def _record_use(self, session: Session, passkey: PasskeyRow, sign_count: int) -> None:
        """Store the new counter, only if no concurrent login stored one meanwhile."""
        result = session.execute(
            update(PasskeyRow)
            .where(PasskeyRow.id == passkey.id, PasskeyRow.sign_count == passkey.sign_count)
            .values(sign_count=sign_count, last_used_ns=self._clock.now_ns())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise PasskeyError("this passkey was used by another login at the same time")
        session.commit()


def _check_config(rp_id: str, rp_name: str, origins: Sequence[str]) -> None:
    """Refuse what browsers would refuse, here at start instead of at the first sign-in."""
    if _is_ip_address(rp_id):
        raise ConfigError(
            "passkeys.rp_id",
            f"{rp_id!r}: an IP address cannot be a WebAuthn RP id; use 'localhost' "
            "(and open http://localhost:<port>) or the site's domain name",
        )
    if not rp_id or rp_id != rp_id.lower() or "/" in rp_id or ":" in rp_id:
        raise ConfigError("passkeys.rp_id", f"{rp_id!r} is not a lowercase domain name")
    if "." not in rp_id and rp_id != "localhost":
        raise ConfigError(
            "passkeys.rp_id", f"{rp_id!r}: Chromium refuses single-label names but 'localhost'"
        )
    if not rp_name:
        raise ConfigError("passkeys.rp_name", "must not be empty")
    if not origins:
        raise ConfigError("passkeys.origins", "list at least one origin (https://host[:port])")
    for origin in origins:
        _check_origin(origin, rp_id)


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _check_origin(origin: str, rp_id: str) -> None:
    parts = urlsplit(origin)
    host = parts.hostname or ""
    local = host == "localhost" or host.endswith(".localhost")
    if parts.scheme not in ("https", "http") or parts.path or parts.query or not host:
        raise ConfigError("passkeys.origins", f"{origin!r} is not scheme://host[:port]")
    if host != rp_id and not host.endswith("." + rp_id):
        raise ConfigError(
            "passkeys.origins",
            f"{origin!r} is not on the RP id {rp_id!r} (its host must be it or a subdomain)",
        )
    if parts.scheme == "http" and not local:
        raise ConfigError("passkeys.origins", f"{origin!r}: browsers allow http on localhost only")


def _handle_bytes(handle: str) -> bytes:
    """The WebAuthn user handle of a user: its hex `UserRow.handle`, decoded."""
    try:
        return bytes.fromhex(handle)
    except ValueError:
        raise PasskeyError("this account's handle is not hex", "handle") from None


def _descriptors(credential_ids: Sequence[str]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in credential_ids]


def _owner(
    session: Session, credential_json: dict[str, Any], username: str | None
) -> tuple[PasskeyRow, UserRow]:
    """The passkey an answer names and its owner, who must be the user the login was asked
    for (`username`), and whom the returned user handle must name."""
    credential_id = credential_json.get("id")
    if not isinstance(credential_id, str) or not credential_id:
        raise PasskeyError("the credential has no id")
    found = session.execute(
        select(PasskeyRow, UserRow)
        .join(UserRow, UserRow.id == PasskeyRow.user_id)
        .where(PasskeyRow.credential_id == credential_id)
    ).one_or_none()
    if found is None:
        raise PasskeyError("unknown passkey (deleted, or registered elsewhere)")
    passkey, user = found._tuple()
    if username is not None and user.username != username:
        raise PasskeyError("this passkey is not registered to that user")
    _check_user_handle(credential_json, user, required=username is None)
    return passkey, user


def _check_user_handle(credential_json: dict[str, Any], user: UserRow, *, required: bool) -> None:
    """The handle an authenticator returns names the credential's owner, or the answer is
    someone else's; a discoverable login must return one (it is how the user is chosen)."""
    response = credential_json.get("response")
    given = response.get("userHandle") if isinstance(response, dict) else None
    if not given:
        if required:
            raise PasskeyError("the authenticator returned no user handle: enter your username")
        return
    with _foreign_errors("malformed user handle"):
        handle = base64url_to_bytes(given)
    if handle != _handle_bytes(user.handle):
        raise PasskeyError("the user handle does not match the passkey's owner")


def _check_counter(stored: int, given: int) -> None:
    if (stored or given) and given <= stored:
        raise PasskeyError(
            f"sign counter did not increase (stored {stored}, got {given}): this passkey may "
            "have been copied, so it was refused"
        )


def _refuse_cross_origin(credential_json: dict[str, Any]) -> None:
    """JTS is never embedded in another site's frame, so such an answer is refused."""
    with _foreign_errors("malformed clientDataJSON"):
        client_data = parse_client_data_json(
            base64url_to_bytes(credential_json["response"]["clientDataJSON"])
        )
    if client_data.cross_origin:
        raise PasskeyError("passkeys cannot be used from a page embedded in another site")


@contextlib.contextmanager
def _foreign_errors(action: str) -> Iterator[None]:
    """The webauthn library's failures (and base64, CBOR, key parsing) as `PasskeyError`."""
    try:
        yield
    except PasskeyError:
        raise
    except WebAuthnException as exc:
        detail = str(exc).replace(" See __cause__ for more info", "").strip() or "invalid"
        raise PasskeyError(f"{action}: {detail}") from exc
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        raise PasskeyError(f"{action}: malformed credential") from exc


def _info(row: PasskeyRow) -> PasskeyInfo:
    return PasskeyInfo(row.credential_id, row.name, row.created_ns, row.last_used_ns)
