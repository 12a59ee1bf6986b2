"""Strategies: the JTS strategy language (`jts.strategy.lang`) and, beside it, the indicator
kernels and executors that run compiled programs.

Importing this package loads only the language front-end (no NumPy kernels).
"""

from jts.strategy.lang import (
    Diagnostic,
    DslError,
    DslParamError,
    DslSyntaxError,
    DslTypeError,
    Program,
    compile_program,
    format_program,
)

__all__ = [
    "Diagnostic",
    "DslError",
    "DslParamError",
    "DslSyntaxError",
    "DslTypeError",
    "Program",
    "compile_program",
    "format_program",
]
