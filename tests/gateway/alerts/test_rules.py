"""Rule validation: each kind's parameters, symbols, what each kind may carry, patches."""

from __future__ import annotations

import math
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from jts.gateway.alerts.rules import (
    MAX_PRICE,
    MAX_WINDOW_MIN,
    AlertKind,
    AlertSpec,
    PctMoveSpec,
    PriceAboveSpec,
    apply_patch,
    parse_spec,
)


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_spec(data)
    return str(caught.value)


def test_every_kind_is_one_spec_tagged_by_its_name() -> None:
    union = get_args(get_args(AlertSpec)[0])
    tags = {spec.model_fields["kind"].default for spec in union}
    assert tags == {kind.value for kind in AlertKind}


@given(st.integers(min_value=1, max_value=MAX_PRICE))
def test_any_positive_price_up_to_the_bound_is_a_threshold(price: int) -> None:
    spec = parse_spec({"kind": "price_below", "symbol": "005930", "params": {"price": price}})
    assert spec.params.price == price  # type: ignore[union-attr]


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=MAX_PRICE + 1)))
def test_a_price_outside_the_bounds_is_refused_naming_the_field(price: int) -> None:
    message = _error({"kind": "price_above", "symbol": "005930", "params": {"price": price}})
    assert "price_above.params.price" in message


@given(
    st.floats(min_value=0, max_value=100, exclude_min=True), st.sampled_from(["prev_close", "open"])
)
def test_a_percent_move_takes_any_positive_percent_from_either_base(pct: float, base: str) -> None:
    spec = parse_spec(
        {"kind": "pct_move", "symbol": "005930", "params": {"pct": pct, "base": base}}
    )
    assert isinstance(spec, PctMoveSpec)
    assert (spec.params.pct, spec.params.base) == (pct, base)


@given(
    st.one_of(st.floats(max_value=0), st.floats(min_value=100, exclude_min=True), st.just(math.nan))
)
def test_a_percent_that_is_not_in_0_to_100_is_refused(pct: float) -> None:
    assert "pct_move.params.pct" in _error(
        {"kind": "pct_move", "symbol": "005930", "params": {"pct": pct}}
    )


def test_a_percent_move_from_an_unknown_base_is_refused() -> None:
    message = _error({"kind": "pct_move", "symbol": "005930", "params": {"pct": 3, "base": "vwap"}})
    assert "params.base" in message
    assert "prev_close" in message


@given(
    st.floats(min_value=1, max_value=1_000, exclude_min=True),
    st.integers(min_value=1, max_value=MAX_WINDOW_MIN),
)
def test_a_volume_spike_takes_a_multiple_over_one_and_a_window_in_the_session(
    multiple: float, window: int
) -> None:
    data = {"multiple": multiple, "window_min": window}
    spec = parse_spec({"kind": "volume_spike", "symbol": "005930", "params": data})
    assert spec.params.model_dump() == data


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"multiple": 1}, "multiple"),
        ({"multiple": 0.5}, "multiple"),
        ({"window_min": 0}, "window_min"),
        ({"window_min": MAX_WINDOW_MIN + 1}, "window_min"),
    ],
)
def test_a_volume_spike_with_a_useless_multiple_or_window_is_refused(
    params: dict[str, Any], field: str
) -> None:
    message = _error({"kind": "volume_spike", "symbol": "005930", "params": params})
    assert f"volume_spike.params.{field}" in message


def test_volume_spike_params_have_defaults() -> None:
    spec = parse_spec({"kind": "volume_spike", "symbol": "005930"})
    assert spec.params.model_dump() == {"multiple": 3.0, "window_min": 20}


@pytest.mark.parametrize("raw", ["005930", "a005930", " 005930 ", "0037t0"])
def test_symbols_are_normalized_as_brokers_write_them(raw: str) -> None:
    spec = parse_spec({"kind": "vi", "symbol": raw})
    assert spec.symbol == raw.strip().upper().removeprefix("A")


@pytest.mark.parametrize("raw", ["5930", "SAMSUNG", 5930, ""])
def test_a_symbol_that_is_not_a_krx_code_is_refused(raw: object) -> None:
    assert "vi.symbol" in _error({"kind": "vi", "symbol": raw})


@pytest.mark.parametrize("kind", ["price_above", "price_below", "pct_move", "volume_spike", "vi"])
def test_market_rules_need_a_symbol(kind: str) -> None:
    message = _error({"kind": kind, "params": {"price": 1, "pct": 1}})
    assert f"{kind}.symbol" in message
    assert "Field required" in message


def test_order_filled_takes_an_optional_symbol_and_fires_on_every_fill_by_default() -> None:
    assert parse_spec({"kind": "order_filled"}).symbol is None
    spec = parse_spec({"kind": "order_filled", "symbol": "005930"})
    assert (spec.symbol, spec.cooldown_s) == ("005930", 0)


def test_risk_halt_takes_no_symbol() -> None:
    assert parse_spec({"kind": "risk_halt"}).cooldown_s == 300
    assert "takes no symbol" in _error({"kind": "risk_halt", "symbol": "005930"})


def test_an_unknown_kind_lists_the_known_ones() -> None:
    message = _error({"kind": "moon", "symbol": "005930"})
    assert "'moon'" in message
    assert "'price_above'" in message
    assert "'risk_halt'" in message


def test_unknown_fields_are_refused_rather_than_ignored() -> None:
    assert "Extra inputs" in _error(
        {"kind": "price_above", "symbol": "005930", "params": {"price": 1, "prise": 2}}
    )
    assert "Extra inputs" in _error({"kind": "vi", "symbol": "005930", "cooldown": 5})


@given(st.integers(min_value=-10_000, max_value=10 * 86_400))
def test_a_cooldown_is_zero_to_seven_days(cooldown: int) -> None:
    data = {"kind": "vi", "symbol": "005930", "cooldown_s": cooldown}
    if 0 <= cooldown <= 7 * 86_400:
        assert parse_spec(data).cooldown_s == cooldown
    else:
        assert "vi.cooldown_s" in _error(data)


def test_a_note_is_at_most_200_characters() -> None:
    assert parse_spec({"kind": "vi", "symbol": "005930", "note": "가" * 200}).note == "가" * 200
    assert "vi.note" in _error({"kind": "vi", "symbol": "005930", "note": "x" * 201})


def test_a_patch_merges_params_and_revalidates_the_whole_rule() -> None:
    spec = parse_spec(
        {"kind": "pct_move", "symbol": "005930", "params": {"pct": 3, "base": "open"}}
    )
    patched = apply_patch(spec, {"params": {"pct": 5}, "note": "n"})
    assert isinstance(patched, PctMoveSpec)
    assert (patched.params.pct, patched.params.base, patched.note) == (5, "open", "n")
    with pytest.raises(ValidationError, match=r"pct_move\.params\.pct"):
        apply_patch(spec, {"params": {"pct": -1}})


def test_specs_can_be_built_in_python_without_repeating_the_kind() -> None:
    spec = PriceAboveSpec(symbol="005930", params={"price": 70_000})  # type: ignore[arg-type]
    assert parse_spec(spec.model_dump()) == spec
