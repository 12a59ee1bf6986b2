"""KRX short codes: 6 characters of 0-9 and A-Z, treated as opaque strings.

Since 2024 KRX issues codes with letters (e.g. "0037T0"); older preferred shares end in a letter
("28513K"). A code is never an int and never tested with `isdigit()`. Broker feeds prefix a type
letter ("A005930" for stocks, "Q" for ETNs, "J" ELW, "U" index): `normalize_symbol` strips it.
"""

from __future__ import annotations

import re

from jts.core.errors import InvalidSymbol

_CODE = re.compile(r"[0-9A-Z]{6}")
_BROKER_PREFIXES = frozenset("AQJU")


def is_valid_symbol(code: object) -> bool:
    """True when `code` is a 6-character KRX short code."""
    return isinstance(code, str) and _CODE.fullmatch(code) is not None


def validate_symbol(code: object) -> str:
    """Return `code` unchanged when it is a valid short code, else raise `InvalidSymbol`."""
    if not is_valid_symbol(code):
        raise InvalidSymbol(code)
    assert isinstance(code, str)
    return code


def normalize_symbol(raw: str) -> str:
    """Turn a code as users and brokers write it into the canonical 6-character form.

    Accepts surrounding spaces, lowercase letters and a leading broker type letter
    ("A005930" → "005930"). Raises `InvalidSymbol` for anything else.
    """
    code = raw.strip().upper()
    if len(code) == 7 and code[0] in _BROKER_PREFIXES:
        code = code[1:]
    return validate_symbol(code)
