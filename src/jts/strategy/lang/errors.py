"""Errors of the strategy language: where (line, column, the line itself) and what was expected.

    InvalidInput (jts.core.errors)
    └── DslError               any problem with a program; carries one or more `Diagnostic`s
        ├── DslSyntaxError     the text does not parse (or exceeds a parse-time limit)
        ├── DslTypeError       it parses but names, types, arity, units or limits are wrong
        └── DslParamError      a parameter value given at compile time is out of its range

A syntax error stops at the first problem; the checker collects every type error it can find
(up to `limits.MAX_ERRORS`). Lines and columns count from 1; a tab counts as one column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from jts.core.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One error at one place: `width` characters from `column` are underlined."""

    line: int
    column: int
    message: str
    source_line: str = ""
    expected: tuple[str, ...] = ()
    width: int = 1

    def caret(self) -> str:
        """Spaces (tabs kept, so it lines up) then `^~~` under the faulty text."""
        prefix = self.source_line[: max(self.column - 1, 0)]
        pad = "".join(ch if ch == "\t" else " " for ch in prefix)
        room = max(len(self.source_line) - len(prefix), 1)
        return pad + "^" + "~" * (min(max(self.width, 1), room) - 1)

    def render(self, filename: str = "<program>") -> str:
        """Compiler style: `file:3:14: error: ...`, the line, then the caret."""
        head = f"{filename}:{self.line}:{self.column}: error: {self.message}"
        if not self.source_line and self.line <= 0:
            return head
        return f"{head}\n    {self.source_line}\n    {self.caret()}"

    def to_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "expected": list(self.expected),
            "source_line": self.source_line,
        }


class DslError(InvalidInput):
    """A program is wrong; `diagnostics` lists every problem found (the first one is the key)."""

    kind = "error"

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        if not diagnostics:
            raise ValueError("a DslError needs at least one diagnostic")
        self.diagnostics = tuple(diagnostics)
        first = self.diagnostics[0]
        more = len(self.diagnostics) - 1
        tail = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        super().__init__("strategy", f"{first.line}:{first.column}: {first.message}{tail}")

    @property
    def line(self) -> int:
        return self.diagnostics[0].line

    @property
    def column(self) -> int:
        return self.diagnostics[0].column

    @property
    def expected(self) -> tuple[str, ...]:
        return self.diagnostics[0].expected

    @property
    def source_line(self) -> str:
        return self.diagnostics[0].source_line

    def render(self, filename: str = "<program>") -> str:
        """Every diagnostic, compiler style, separated by newlines."""
        return "\n".join(d.render(filename) for d in self.diagnostics)


class DslSyntaxError(DslError):
    kind = "syntax"


class DslTypeError(DslError):
    kind = "type"


class DslParamError(DslError):
    kind = "param"


def source_line(source: str, line: int) -> str:
    """Line `line` (1-based) of `source` without its line ending; "" when out of range."""
    lines = source.split("\n")
    if 1 <= line <= len(lines):
        return lines[line - 1].rstrip("\r")
    return ""


def diagnostic(
    source: str,
    line: int,
    column: int,
    message: str,
    *,
    expected: Sequence[str] = (),
    width: int = 1,
) -> Diagnostic:
    """A `Diagnostic` with the faulty line taken from `source`."""
    return Diagnostic(line, column, message, source_line(source, line), tuple(expected), width)
