"""The VAPID key: created once (0600, atomically), reused after, refused when unusable."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from jts.core.errors import ConfigError
from jts.gateway.alerts.vapid import VapidKeys, _write_new
from tests.gateway.alerts.push_service import unb64url


def test_the_key_is_created_on_first_run_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "data" / "vapid_private.pem"
    keys = VapidKeys.load_or_create(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left
    assert keys.subject == "mailto:admin@localhost"


def test_the_same_key_is_used_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "vapid.pem"
    first = VapidKeys.load_or_create(path)
    written = path.read_bytes()
    again = VapidKeys.load_or_create(path, "https://jts.example.com")
    assert again.public_key_b64url == first.public_key_b64url
    assert path.read_bytes() == written
    assert again.subject == "https://jts.example.com"


def test_a_key_written_meanwhile_by_another_process_wins(tmp_path: Path) -> None:
    path = tmp_path / "vapid.pem"
    theirs = VapidKeys.generate()
    assert _write_new(path, theirs.private_pem())
    assert not _write_new(path, VapidKeys.generate().private_pem())
    assert VapidKeys.load_or_create(path).public_key_b64url == theirs.public_key_b64url


def test_the_public_key_is_the_uncompressed_point_in_base64url_without_padding() -> None:
    keys = VapidKeys.generate()
    text = keys.public_key_b64url
    assert "=" not in text
    raw = unb64url(text)
    assert (len(raw), raw[0]) == (65, 4)
    ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)


def test_the_signer_makes_an_es256_jwt_the_public_key_verifies() -> None:
    keys = VapidKeys.generate("mailto:ops@example.com")
    claims = {**keys.claims(), "aud": "https://fcm.googleapis.com", "exp": 4_000_000_000}
    header = keys.signer().sign(claims)["Authorization"]
    scheme, params = header.split(" ", 1)
    parts = dict(item.split("=", 1) for item in params.split(","))
    assert (scheme, parts["k"]) == ("vapid", keys.public_key_b64url)
    decoded = jwt.decode(
        parts["t"],
        keys.private_key.public_key(),
        algorithms=["ES256"],
        audience="https://fcm.googleapis.com",
    )
    assert decoded["sub"] == "mailto:ops@example.com"


def test_claims_are_a_fresh_dict_each_time() -> None:
    keys = VapidKeys.generate()
    keys.claims()["aud"] = "https://one.example"
    assert keys.claims() == {"sub": "mailto:admin@localhost"}


@pytest.mark.parametrize("subject", ["admin@localhost", "mailto:nobody", "http://x.example", ""])
def test_a_subject_push_services_would_refuse_fails_at_start(subject: str) -> None:
    with pytest.raises(ConfigError, match=r"alerts\.vapid_subject"):
        VapidKeys.generate(subject)


def test_a_file_that_is_not_a_p256_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vapid.pem"
    path.write_text("not a key")
    with pytest.raises(ConfigError, match="not a usable PEM key"):
        VapidKeys.load_or_create(path)
    other_curve = ec.generate_private_key(ec.SECP384R1())
    with pytest.raises(ConfigError, match="P-256"):
        VapidKeys(other_curve)
