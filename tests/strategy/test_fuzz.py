"""Fuzzing: random text, token soup and mutated examples raise only `DslError`, never hang.

Inputs are bounded (a few hundred tokens), so each compile takes milliseconds; any other
exception, or a diagnostic whose position and source line disagree with the text, fails.
Mutants that still compile must survive the printer round trip.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jts.strategy.lang import DslError, compile_program, format_program
from jts.strategy.lang.builtins import FUNCTIONS, SERIES
from jts.strategy.lang.parser import keywords

EXAMPLES = sorted((Path(__file__).parents[2] / "examples" / "strategies").glob("*.jts"))
TEXTS = [p.read_text(encoding="utf-8") for p in EXAMPLES]
_TOKEN = re.compile(r'"[^"\n]*"|[0-9]{2}:[0-9]{2}|[A-Za-z0-9_.%]+|[=<>!]=|\.\.|\S|\s+')
VOCABULARY = sorted(
    {*keywords(), *FUNCTIONS, *SERIES}
    | {"(", ")", "[", "]", ",", ":", ".", "..", "=", "==", "<", ">=", "+", "-", "*", "/"}
    | {"5", "0", "2.5", "3%", "1_000 KRW", "09:05", "25:99", "5m", "005930", '"x"', "#c"}
    | {"99999999999999999999", "\n", "\t", "$", '"', "é", "\x00", "٣"}
)
SETTINGS = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def compile_or_dsl_error(text: str) -> None:
    try:
        program = compile_program(text)
    except DslError as error:
        lines = text.split("\n")
        for d in error.diagnostics:
            assert 1 <= d.line <= len(lines)
            assert d.column >= 1
            assert d.source_line == lines[d.line - 1].rstrip("\r")
            assert d.message
        return
    assert compile_program(format_program(program)) == program


@SETTINGS
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    compile_or_dsl_error(text)


@settings(SETTINGS, max_examples=1000)
@given(st.lists(st.sampled_from(VOCABULARY), max_size=80), st.sampled_from([" ", "\n", ""]))
def test_token_soup(tokens: list[str], separator: str) -> None:
    compile_or_dsl_error(separator.join(tokens))


@st.composite
def mutants(draw: st.DrawFn) -> str:
    tokens = _TOKEN.findall(draw(st.sampled_from(TEXTS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(tokens) - 1))
        operation = draw(st.sampled_from(["delete", "duplicate", "swap", "insert"]))
        if operation == "delete" and len(tokens) > 1:
            del tokens[at]
        elif operation == "duplicate":
            tokens.insert(at, tokens[at])
        elif operation == "swap":
            other = draw(st.integers(0, len(tokens) - 1))
            tokens[at], tokens[other] = tokens[other], tokens[at]
        else:
            garbage = draw(st.sampled_from(VOCABULARY) | st.text(min_size=1, max_size=5))
            tokens.insert(at, f" {garbage} ")
    return "".join(tokens)


@settings(SETTINGS, max_examples=2000)
@given(mutants())
def test_mutated_examples(text: str) -> None:
    compile_or_dsl_error(text)
