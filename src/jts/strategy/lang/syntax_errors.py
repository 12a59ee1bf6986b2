"""Turning lark's parse failures into `DslSyntaxError`s a trader can act on.

Terminal names become words (`NAME` → "a name", keywords and symbols quoted as written);
when many operators or many statement keywords are acceptable they are folded into
"an operator" / "a new statement", so the list stays short.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr, TerminalDef

from jts.strategy.lang.errors import DslSyntaxError, diagnostic
from jts.strategy.lang.grammar import FRIENDLY, OPERATORS, STATEMENT_KEYWORDS


def syntax_error(
    text: str, exc: UnexpectedInput, terminals: Collection[TerminalDef]
) -> DslSyntaxError:
    """The `DslSyntaxError` for a lark failure on `text`, in words."""
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        token = exc.token
        accepts = exc.accepts if exc.interactive_parser is not None else set()
        names = accepts or exc.expected
        expected = expected_words(terminals, names)
        what, hint = _describe(token, "CMP" in names)
        line, column, width = token.line or 1, token.column or 1, len(token)
    elif isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        char = text[pos] if pos < len(text) else ""
        expected = expected_words(terminals, exc.allowed or ())
        what, hint = f"character {char!r}", ""
        if char == '"':
            what, hint = "unterminated string", ' (a string ends with " on the same line)'
        line, column, width = exc.line, exc.column, 1
    else:
        expected = expected_words(terminals, getattr(exc, "expected", None) or ())
        what, hint = "end of the program", ""
        line, column = _end_position(text)
        width = 1
    message = f"unexpected {what}"
    if expected:
        message += f"; expected {_join_or(expected)}"
    return DslSyntaxError(
        [diagnostic(text, line, column, message + hint, expected=expected, width=width)]
    )


def _describe(token: Token, comparison_expected: bool) -> tuple[str, str]:
    value = str(token)
    shown = value if len(value) <= 24 else value[:21] + "..."
    hint = " (to compare, write ==)" if value == "=" and comparison_expected else ""
    if token.type == "NAME":
        return f"name {shown!r}", hint
    if token.type == "NUMBER":
        return f"number {shown}", hint
    if token.type == "STRING":
        return f"string {shown}", hint
    return repr(shown), hint


def expected_words(terminals: Collection[TerminalDef], names: Iterable[str]) -> tuple[str, ...]:
    """Terminal names → friendly words, operators and statement keywords folded together."""
    by_name = {t.name: t for t in terminals}
    words: set[str] = set()
    operators = statements = 0
    for name in set(names):
        terminal = by_name.get(name)
        pattern = terminal.pattern if terminal is not None else None
        literal = pattern.value if isinstance(pattern, PatternStr) else None
        if name in OPERATORS or literal in OPERATORS:
            operators += 1
        elif literal in STATEMENT_KEYWORDS:
            statements += 1
        words.add(FRIENDLY.get(name) or (f"'{literal}'" if literal else name.lower()))
    folded = sorted(words, key=lambda w: (w.startswith("'"), w))
    if operators >= 3:
        folded = [w for w in folded if not _is_operator(w)] + ["an operator"]
    if statements >= 4:
        folded = [w for w in folded if w.strip("'") not in STATEMENT_KEYWORDS]
        folded.append("a new statement (when, let, param, ...)")
    return tuple(folded)


_OPERATOR_WORDS = frozenset({"'+'", "'-'", "'*'", "'/'", "'between'", "'['", "'.'"})


def _is_operator(word: str) -> bool:
    return word in _OPERATOR_WORDS or word.startswith("a comparison")


def _join_or(words: tuple[str, ...]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _end_position(text: str) -> tuple[int, int]:
    """Just after the last non-blank character (1, 1 for an empty program)."""
    body = text.rstrip()
    if not body:
        return 1, 1
    line = body.count("\n") + 1
    return line, len(body) - (body.rfind("\n") + 1) + 1
