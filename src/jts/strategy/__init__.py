"""Strategies: the JTS strategy language (`jts.strategy.lang`) and, beside it, the indicator
kernels and executors that run compiled programs.

Importing this package loads only the language front-end and the Python Strategy API (no
NumPy kernels). Executors: `jts.strategy.execute` (language programs) and
`jts.strategy.python_runtime` (Python strategies); both share `jts.strategy.engine`.
"""

from jts.strategy.api import API_VERSION, Strategy, StrategyContext
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
    "API_VERSION",
    "Diagnostic",
    "DslError",
    "DslParamError",
    "DslSyntaxError",
    "DslTypeError",
    "Program",
    "Strategy",
    "StrategyContext",
    "compile_program",
    "format_program",
]
