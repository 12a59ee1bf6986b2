"""A software passkey authenticator, with the browser's part, for tests.

`SoftAuthenticator.create(options)` and `.get(options)` take the options JSON the server sends
and return the credential JSON a browser's navigator.credentials.create() / .get() would hand
the page (`credential.toJSON()`): clientDataJSON, an attestation object ("none", or "packed"
self-attestation) or authenticator data plus an ES256 signature, all base64url. Keys are P-256,
written as COSE EC2 keys with cbor2.

Everything a real client would refuse to do is configurable, so the server's checks can be
tested: the origin written into clientDataJSON, the RP id hashed into authenticator data, the
user-verified flag, how the signature counter moves, and `clone()` for a copied authenticator.
"""

from __future__ import annotations

import hashlib
import json
import os
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT, ED = 0x01, 0x04, 0x40, 0x80
"""Authenticator-data flag bits: user present, user verified, attested data, extensions."""

AAGUID = bytes.fromhex("6a75747374657374736f667461757468")  # "jtstestsoftauth"

Attestation = Literal["none", "packed"]


class NotAllowedError(Exception):
    """What the browser raises when no credential can answer (none for this site)."""


class InvalidStateError(Exception):
    """What the browser raises when creating a credential the site excluded."""


def b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class SoftCredential:
    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


@dataclass
class SoftAuthenticator:
    """A platform authenticator holding discoverable credentials.

    `origin` goes into clientDataJSON; `rp_id`, when set, is hashed instead of the RP id of the
    options (as if the page lied about its site); `counter_step` is added to a credential's
    counter at each use (0: always zero, like synced passkeys); `cross_origin` marks answers as
    coming from an embedded frame; `extensions` (a CBOR map) sets the ED flag.
    """

    origin: str = "http://localhost:8000"
    rp_id: str | None = None
    user_verified: bool = True
    counter_step: int = 1
    attestation: Attestation = "none"
    cross_origin: bool = False
    extensions: dict[str, Any] | None = None
    credentials: list[SoftCredential] = field(default_factory=list)

    def create(
        self, options: dict[str, Any], *, credential_id: bytes | None = None
    ) -> dict[str, Any]:
        """navigator.credentials.create({publicKey: options}), as JSON; `credential_id` fixes
        the new credential's id (random otherwise)."""
        rp_id = self.rp_id or options["rp"]["id"]
        excluded = {unb64url(item["id"]) for item in options.get("excludeCredentials", [])}
        if any(c.credential_id in excluded for c in self.credentials if c.rp_id == rp_id):
            raise InvalidStateError("this authenticator already holds an excluded credential")
        key = ec.generate_private_key(ec.SECP256R1())
        credential = SoftCredential(
            credential_id or os.urandom(32), key, rp_id, unb64url(options["user"]["id"])
        )
        self.credentials.append(credential)
        client_data = self._client_data("webauthn.create", options["challenge"])
        attested = (
            AAGUID
            + len(credential.credential_id).to_bytes(2, "big")
            + credential.credential_id
            + cbor2.dumps(cose_key(key.public_key()))
        )
        auth_data = self._auth_data(rp_id, AT, credential.sign_count, attested)
        statement: dict[str, Any] = {}
        if self.attestation == "packed":
            statement = {"alg": -7, "sig": _sign(key, auth_data, client_data)}
        attestation_object = {"fmt": self.attestation, "attStmt": statement, "authData": auth_data}
        return _public_key_credential(
            credential.credential_id,
            {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(cbor2.dumps(attestation_object)),
                "transports": ["internal"],
            },
        )

    def get(self, options: dict[str, Any], *, pick: bytes | None = None) -> dict[str, Any]:
        """navigator.credentials.get({publicKey: options}), as JSON. With an empty allow-list
        the first discoverable credential for the site answers, or the one `pick` names."""
        credential = self._choose(options, pick)
        credential.sign_count += self.counter_step
        client_data = self._client_data("webauthn.get", options["challenge"])
        auth_data = self._auth_data(credential.rp_id, 0, credential.sign_count, b"")
        return _public_key_credential(
            credential.credential_id,
            {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(_sign(credential.private_key, auth_data, client_data)),
                "userHandle": b64url(credential.user_handle),
            },
        )

    def clone(self) -> SoftAuthenticator:
        """A copy holding the same keys and counters, which then move on independently."""
        copies = [replace(credential) for credential in self.credentials]
        return replace(self, credentials=copies)

    def _choose(self, options: dict[str, Any], pick: bytes | None) -> SoftCredential:
        rp_id = self.rp_id or options["rpId"]
        allowed = {unb64url(item["id"]) for item in options.get("allowCredentials", [])}
        for credential in self.credentials:
            if credential.rp_id != rp_id:
                continue
            if allowed and credential.credential_id not in allowed:
                continue
            if pick is None or credential.credential_id == pick:
                return credential
        raise NotAllowedError(f"no credential for {rp_id!r}")

    def _client_data(self, kind: str, challenge: str) -> bytes:
        data: dict[str, Any] = {"type": kind, "challenge": challenge, "origin": self.origin}
        data["crossOrigin"] = self.cross_origin
        return json.dumps(data, separators=(",", ":")).encode()

    def _auth_data(self, rp_id: str, flags: int, sign_count: int, attested: bytes) -> bytes:
        flags |= UP | (UV if self.user_verified else 0) | (ED if self.extensions else 0)
        data = hashlib.sha256(rp_id.encode()).digest() + bytes([flags])
        data += sign_count.to_bytes(4, "big") + attested
        if self.extensions:
            data += cbor2.dumps(self.extensions)
        return data


def cose_key(public_key: ec.EllipticCurvePublicKey) -> dict[int, Any]:
    """A P-256 public key as a COSE_Key map: kty EC2, alg ES256, crv P-256, x, y."""
    numbers = public_key.public_numbers()
    return {
        1: 2,
        3: -7,
        -1: 1,
        -2: numbers.x.to_bytes(32, "big"),
        -3: numbers.y.to_bytes(32, "big"),
    }


def _sign(key: ec.EllipticCurvePrivateKey, auth_data: bytes, client_data: bytes) -> bytes:
    """ES256 (DER-encoded ECDSA over SHA-256) of authData || SHA-256(clientDataJSON)."""
    signed = auth_data + hashlib.sha256(client_data).digest()
    return key.sign(signed, ec.ECDSA(hashes.SHA256()))


def _public_key_credential(credential_id: bytes, response: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": b64url(credential_id),
        "rawId": b64url(credential_id),
        "type": "public-key",
        "response": response,
        "authenticatorAttachment": "platform",
        "clientExtensionResults": {},
    }
