"""The one entry point: program text (and parameter overrides) → a checked, bound `Program`."""

from __future__ import annotations

from collections.abc import Mapping

from jts.strategy.lang.ast import Program
from jts.strategy.lang.checker import check
from jts.strategy.lang.parser import parse


def compile_program(text: str, *, params: Mapping[str, object] | None = None) -> Program:
    """Parse, check and bind `text`; overrides must lie in each param's range.

    Raises `DslSyntaxError`, `DslTypeError` or `DslParamError` (all `DslError`), never
    anything else, whatever the text.
    """
    program = check(parse(text), text)
    return program.bind(params) if params else program
