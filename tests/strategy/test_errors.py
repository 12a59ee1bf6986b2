"""Errors: position, the line with a caret, expected tokens in words, collected type errors."""

from __future__ import annotations

import re

import pytest

from jts.core.errors import InvalidInput
from jts.strategy.lang import (
    Diagnostic,
    DslError,
    DslSyntaxError,
    DslTypeError,
    compile_program,
    parse,
)
from jts.strategy.lang.limits import MAX_DEPTH, MAX_ERRORS, MAX_SOURCE_CHARS

HEADER = 'strategy "t"\nuniverse all\ntimeframe 1m\n'
_LARK_NAMES = re.compile(r"\b(NAME|NUMBER|__ANON\w*|LPAR|RPAR|COLON|\$END|CMP|MINUS)\b")


def syntax_error(text: str) -> DslSyntaxError:
    with pytest.raises(DslSyntaxError) as info:
        parse(text)
    return info.value


def test_syntax_error_names_line_column_and_expected_words() -> None:
    error = syntax_error(HEADER + "when close > 3 buy 10 shares")
    assert (error.line, error.column) == (4, 16)
    assert error.source_line == "when close > 3 buy 10 shares"
    assert "':'" in error.expected
    assert "an operator" in error.expected
    message = error.diagnostics[0].message
    assert message.startswith("unexpected 'buy'; expected ")
    assert not _LARK_NAMES.search(message)


def test_rendered_like_a_compiler_with_a_caret_under_the_token() -> None:
    error = syntax_error(HEADER + "when close > 3 buy 10 shares")
    lines = error.render("sma.jts").splitlines()
    assert lines[0].startswith("sma.jts:4:16: error: unexpected 'buy'")
    assert lines[1] == "    when close > 3 buy 10 shares"
    assert lines[2] == "    " + " " * 15 + "^~~"


def test_caret_keeps_tabs_so_it_lines_up() -> None:
    diagnostic = Diagnostic(line=1, column=3, message="m", source_line="\t\tx", width=1)
    assert diagnostic.caret() == "\t\t^"


def test_unexpected_end_points_just_after_the_last_token() -> None:
    error = syntax_error("when close >\n\n")
    assert (error.line, error.column) == (1, 13)
    assert error.diagnostics[0].message.startswith("unexpected end of the program; expected")
    assert "a name" in error.expected


def test_unterminated_string() -> None:
    error = syntax_error('strategy "sma')
    assert "unterminated string" in error.diagnostics[0].message


def test_single_equals_in_a_condition_gets_a_hint() -> None:
    error = syntax_error("when close = 3: close")
    assert error.diagnostics[0].message.endswith("(to compare, write ==)")


def test_unknown_character() -> None:
    error = syntax_error("when close > $5: close")
    assert error.diagnostics[0].message.startswith("unexpected character '$'")
    assert error.column == 14


def test_wrong_statement_start_lists_statements_in_words() -> None:
    error = syntax_error('strategy "x"\nbuy 10 shares')
    assert "a new statement (when, let, param, ...)" in error.expected


def test_bad_code_in_universe_list() -> None:
    error = syntax_error("universe [005930, 5930]")
    assert error.expected == ("a 6-character code like 005930",)


def test_limits_checked_while_parsing_are_syntax_errors() -> None:
    assert "program too long" in str(syntax_error("#" * (MAX_SOURCE_CHARS + 1)))
    deep = "let a = " + "-" * (MAX_DEPTH + 1) + "1"
    assert "nested too deeply" in str(syntax_error(deep))
    assert "number too long" in str(syntax_error("let a = " + "9" * 40))


def test_type_errors_are_collected_and_sorted() -> None:
    with pytest.raises(DslTypeError) as info:
        compile_program(HEADER + "when foo > 1: buy 10\nlet b = sma(close, 0)")
    lines = [(d.line, d.column) for d in info.value.diagnostics]
    assert lines == sorted(lines)
    assert len(lines) == 3


def test_type_errors_are_capped() -> None:
    body = "".join(f"let a{i} = nope{i}\n" for i in range(MAX_ERRORS + 5))
    with pytest.raises(DslTypeError) as info:
        compile_program(HEADER + body + "when true: close")
    assert len(info.value.diagnostics) == MAX_ERRORS


def test_type_error_underlines_the_whole_faulty_expression() -> None:
    with pytest.raises(DslTypeError) as info:
        compile_program(HEADER + "when rsi(close) < 30%: close")
    rendered = info.value.render("r.jts").splitlines()
    assert rendered[0].startswith("r.jts:4:6: error: cannot compare points (0-100) and a percent")
    assert rendered[2] == "    " + " " * 5 + "^" + "~" * 15


def test_dsl_errors_are_invalid_input_with_a_short_message() -> None:
    error = syntax_error("when")
    assert isinstance(error, DslError)
    assert isinstance(error, InvalidInput)
    assert str(error).startswith("strategy: 1:5: unexpected end of the program")
    assert error.kind == "syntax"


def test_diagnostic_as_dict_for_json() -> None:
    error = syntax_error("when x")
    assert error.diagnostics[0].to_dict()["line"] == 1
