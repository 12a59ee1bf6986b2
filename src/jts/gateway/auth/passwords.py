"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile).

A login for an unknown user still spends one hash verification (`verify_dummy`), so response
time does not tell an attacker which usernames exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from jts.core.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 256

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a real password, only spends the time of a check")


def check_password_rules(password: str) -> None:
    """Refuse passwords too short to resist guessing or long enough to be a hashing DoS."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput("password", f"must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput("password", f"must be at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_dummy(password: str) -> None:
    """Spend the time of a verification for a user that does not exist."""
    verify_password(_DUMMY, password[:MAX_LENGTH])


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's defaults."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
