"""Hard limits of the strategy language: a program is data, and evaluating it is bounded.

The parser enforces the size of the text, the length of literals and the nesting depth (so no
later pass can overflow the Python stack); the checker enforces everything else. Each limit is
named in the error that reports it and listed in docs/strategy-language.md.
"""

from __future__ import annotations

from typing import Final

MAX_SOURCE_CHARS: Final = 100_000
"""Characters in one program file."""

MAX_DEPTH: Final = 64
"""Nesting depth of one expression (operators, calls, parentheses, lookbacks)."""

MAX_NUMBER_DIGITS: Final = 18
"""Digits in one numeric literal (underscores not counted)."""

MAX_NUMBER: Final = 10**15
"""Largest magnitude of a numeric literal: 1,000 trillion (KRW amounts included)."""

MAX_STRING_CHARS: Final = 500
"""Characters in a quoted string (name, description, version, index file)."""

MAX_NAME_CHARS: Final = 64
"""Characters in a name (`param`, `let`)."""

MAX_NODES: Final = 20_000
"""Expression nodes in the whole program."""

MAX_PARAMS: Final = 32
MAX_LETS: Final = 200
MAX_RULES: Final = 100
MAX_CODES: Final = 3_000
"""Codes in an explicit `universe [...]` list."""

MAX_LOOKBACK: Final = 10_000
"""Largest lookback `x[n]`, indicator period or `every n bars`, in bars."""

MAX_SELECT: Final = 1_000
"""Largest `select top n`."""

MAX_GRID_POINTS: Final = 1_000_000
"""Parameter combinations a sweep over every ranged param may produce."""

MAX_INTERVAL_MINUTES: Final = 390
"""Longest intraday bar, in minutes (09:00-15:30 is 390 minutes)."""

MAX_ERRORS: Final = 20
"""Type errors reported at once; the rest are counted, not listed."""
