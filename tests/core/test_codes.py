from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.core import InvalidSymbol, is_valid_symbol, normalize_symbol, validate_symbol

CODE_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@pytest.mark.parametrize("code", ["005930", "0037T0", "0013V0", "0126Z0", "28513K", "000660"])
def test_alphanumeric_six_character_codes_are_valid(code: str) -> None:
    assert validate_symbol(code) == code


@pytest.mark.parametrize("code", ["5930", "0059300", "00593a", "005 30", "", 5930, None, "A005930"])
def test_anything_else_is_rejected_with_the_value_named(code: object) -> None:
    assert not is_valid_symbol(code)
    with pytest.raises(InvalidSymbol, match="symbol"):
        validate_symbol(code)


@pytest.mark.parametrize(
    ("raw", "code"),
    [("A005930", "005930"), (" 0037t0 ", "0037T0"), ("Q500001", "500001"), ("005930", "005930")],
)
def test_normalize_strips_broker_prefix_spaces_and_case(raw: str, code: str) -> None:
    assert normalize_symbol(raw) == code


def test_normalize_keeps_leading_zeros() -> None:
    assert normalize_symbol("000020") == "000020"


@given(st.text(alphabet=CODE_CHARS, min_size=6, max_size=6))
def test_every_six_character_code_round_trips(code: str) -> None:
    assert normalize_symbol(code) == code
    assert normalize_symbol("A" + code) == code
