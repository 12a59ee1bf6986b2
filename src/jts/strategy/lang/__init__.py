"""The JTS strategy language front-end: text → checked, typed `Program` (the executors' input).

    program = compile_program(text, params={"fast": 7})
    for values in program.param_grid(): ...

The language is documented for users in docs/strategy-language.md; the intermediate form in
`jts.strategy.lang.ast`; the built-in names in `jts.strategy.lang.builtins`.
"""

from jts.strategy.lang.ast import Program
from jts.strategy.lang.checker import check
from jts.strategy.lang.compiler import compile_program
from jts.strategy.lang.errors import (
    Diagnostic,
    DslError,
    DslParamError,
    DslSyntaxError,
    DslTypeError,
)
from jts.strategy.lang.parser import parse
from jts.strategy.lang.printer import format_program
from jts.strategy.lang.warmup import warmup_bars

__all__ = [
    "Diagnostic",
    "DslError",
    "DslParamError",
    "DslSyntaxError",
    "DslTypeError",
    "Program",
    "check",
    "compile_program",
    "format_program",
    "parse",
    "warmup_bars",
]
