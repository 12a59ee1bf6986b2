"""Deterministic random streams keyed by (seed, stream, symbol index, date).

The generator uses Philox, a counter-based bit generator: its 128-bit key *is* the stream, so
the numbers of one symbol-day never depend on which other symbols or days are generated, nor in
which order. The key is `(seed, stream << 56 | symbol index << 24 | date ordinal)`: no hashing
is needed because Philox scrambles any two distinct keys into unrelated streams.

Re-keying a fresh `Philox` object costs ~7 µs; the minute generator re-keys once per
symbol-day (hundreds of thousands of times per run), so `RowStreams` re-keys one object by
setting its state, which costs a tenth of that and yields the identical stream.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Final

import numpy as np

from jts.core.errors import InvalidInput

Array = np.ndarray[Any, Any]

MAX_SEED: Final = 2**64 - 1
_MAX_INDEX: Final = 2**32 - 1
_MAX_ORDINAL: Final = 2**24 - 1
_UNIT16: Final = 1.0 / 65_536.0


class Stream(IntEnum):
    """What a stream is used for; part of the key, so streams never overlap."""

    UNIVERSE = 1  # names, codes, markets of make_universe
    PROFILE = 2  # per-symbol anchors, volatility, liquidity (one stream per universe)
    SHOCK = 3  # per date: market factor, per-symbol shocks and limit events
    DAY = 4  # per date: open gap, high/low reach, volume noise
    MINUTE = 5  # per symbol-day: the intraday path
    TICKS = 6  # per symbol-day: trades inside the minute bars
    BOOKS = 7  # per symbol-day: order-book snapshots


def check_seed(seed: int) -> int:
    """`seed` when it is a whole number in [0, 2**64); raises InvalidInput otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InvalidInput("seed", f"{seed!r} is not a whole number in [0, 2**64)")
    return seed


def philox_key(seed: int, stream: Stream, index: int = 0, ordinal: int = 0) -> Array:
    """The two 64-bit key words of the stream for (seed, stream, symbol index, date ordinal)."""
    if not 0 <= index <= _MAX_INDEX or not 0 <= ordinal <= _MAX_ORDINAL:
        raise InvalidInput("index", f"stream position ({index}, {ordinal}) out of range")
    word = (int(stream) << 56) | (index << 24) | ordinal
    return np.array([check_seed(seed), word], dtype=np.uint64)


def generator(seed: int, stream: Stream, index: int = 0, ordinal: int = 0) -> np.random.Generator:
    """A fresh Generator on the keyed stream (for the few per-date and per-universe draws)."""
    return np.random.Generator(np.random.Philox(key=philox_key(seed, stream, index, ordinal)))


class RowStreams:
    """Raw 64-bit words from many keyed streams through one re-keyed Philox (not thread-safe)."""

    __slots__ = ("_bitgen", "_seed", "_stream")

    def __init__(self, seed: int, stream: Stream) -> None:
        self._seed = check_seed(seed)
        self._stream = stream
        self._bitgen = np.random.Philox(key=0)

    def raw(self, index: int, ordinal: int, count: int) -> Array:
        """The first `count` words of the stream of symbol `index` on date `ordinal`."""
        self._bitgen.state = {
            "bit_generator": "Philox",
            "state": {
                "counter": np.zeros(4, np.uint64),
                "key": philox_key(self._seed, self._stream, index, ordinal),
            },
            "buffer": np.zeros(4, np.uint64),
            "buffer_pos": 4,
            "has_uint32": 0,
            "uinteger": 0,
        }
        words: Array = self._bitgen.random_raw(count)
        return words

    def uniforms(self, index: int, ordinal: int, count: int) -> Array:
        """`count` uniforms in (0, 1) with 16-bit resolution (4 per raw word), float64."""
        words = self.raw(index, ordinal, -(-count // 4))
        return unit16(words.view(np.uint16)[:count])


def unit16(fields: Array) -> Array:
    """16-bit unsigned fields as uniforms strictly inside (0, 1): (k + 0.5) / 65,536."""
    return (fields + 0.5) * _UNIT16
