"""Random streams are keyed by (seed, stream, symbol, date) and independent of call order."""

from __future__ import annotations

import numpy as np
import pytest

from jts.core.errors import InvalidInput
from jts.marketdata.synth.keys import RowStreams, Stream, check_seed, philox_key, unit16


def test_a_rekeyed_stream_equals_a_fresh_philox_whatever_was_drawn_before() -> None:
    streams = RowStreams(42, Stream.MINUTE)
    streams.raw(3, 739_000, 7)  # leave the shared generator mid-buffer
    fresh = np.random.Philox(key=philox_key(42, Stream.MINUTE, 5, 739_001)).random_raw(10)
    assert np.array_equal(streams.raw(5, 739_001, 10), fresh)


@pytest.mark.parametrize(
    "other",
    [
        (43, Stream.MINUTE, 5, 1),
        (42, Stream.TICKS, 5, 1),
        (42, Stream.MINUTE, 6, 1),
        (42, Stream.MINUTE, 5, 2),
    ],
)
def test_streams_differ_by_seed_stream_symbol_and_date(other: tuple[int, Stream, int, int]) -> None:
    base = RowStreams(42, Stream.MINUTE).raw(5, 1, 4)
    seed, stream, index, ordinal = other
    assert not np.array_equal(RowStreams(seed, stream).raw(index, ordinal, 4), base)


@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, True])
def test_a_seed_outside_0_to_2_64_is_rejected(seed: object) -> None:
    with pytest.raises(InvalidInput):
        check_seed(seed)  # type: ignore[arg-type]


def test_16_bit_uniforms_lie_strictly_inside_0_and_1() -> None:
    values = unit16(np.array([0, 65_535], dtype=np.uint16))
    assert 0.0 < values[0] < values[1] < 1.0
    u = RowStreams(1, Stream.BOOKS).uniforms(0, 0, 1_001)
    assert len(u) == 1_001
    assert 0.45 < u.mean() < 0.55
