"""AES-256-CBC of KIS execution notices (KIS.md §6.6).

A successful subscribe reply carries a 32-character `key` and a 16-character `iv`; the notice
frames of that subscription are base64(AES-256-CBC(UTF-8 text, key, iv)) with PKCS#7 padding,
key and iv used as their UTF-8 bytes. One class does both directions so that the simulator
and the adapter cannot disagree.
"""

from __future__ import annotations

import base64
import binascii
import random
import string
from typing import Final

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = ["KEY_CHARS", "NoticeCipher", "NoticeDecryptError", "new_key_iv"]

KEY_CHARS: Final = string.ascii_letters + string.digits
_KEY_LEN: Final = 32
_IV_LEN: Final = 16


class NoticeDecryptError(ValueError):
    """A notice payload that is not valid base64 AES-CBC under this key (wrong key, torn
    frame, bad padding)."""


class NoticeCipher:
    """AES-256-CBC with the key and iv of one subscribe reply."""

    def __init__(self, key: str, iv: str) -> None:
        key_bytes, iv_bytes = key.encode(), iv.encode()
        if len(key_bytes) != _KEY_LEN or len(iv_bytes) != _IV_LEN:
            raise ValueError(
                f"AES-256-CBC needs a 32-byte key and a 16-byte iv, got {len(key_bytes)} "
                f"and {len(iv_bytes)}"
            )
        self.key = key
        self.iv = iv
        self._cipher = Cipher(algorithms.AES(key_bytes), modes.CBC(iv_bytes))

    def encrypt(self, text: str) -> str:
        """base64 of the padded, encrypted UTF-8 `text`."""
        padder = padding.PKCS7(128).padder()
        plain = padder.update(text.encode()) + padder.finalize()
        encryptor = self._cipher.encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, payload: str) -> str:
        """The text of a base64 payload; `NoticeDecryptError` when it does not decrypt."""
        try:
            raw = base64.b64decode(payload, validate=True)
            decryptor = self._cipher.decryptor()
            padded = decryptor.update(raw) + decryptor.finalize()
            unpadder = padding.PKCS7(128).unpadder()
            return (unpadder.update(padded) + unpadder.finalize()).decode()
        except (binascii.Error, ValueError) as exc:
            raise NoticeDecryptError(f"notice payload does not decrypt: {exc}") from None


def new_key_iv(rng: random.Random) -> tuple[str, str]:
    """A fresh (32-char key, 16-char iv) of letters and digits, as a subscribe reply carries."""
    key = "".join(rng.choice(KEY_CHARS) for _ in range(_KEY_LEN))
    iv = "".join(rng.choice(KEY_CHARS) for _ in range(_IV_LEN))
    return key, iv
