"""Measured staleness of polled quotes: how old each symbol's quote got before its refresh.

A multi-price answer describes the market at some moment between sending the request and
receiving the answer; we take the send time as the quote's "as of" (the conservative end).
Just before a refresh lands, the quote the system held was `received − previous as_of` old:
the worst age over that interval. Those peaks are the samples kept, per symbol, in a fixed
histogram (50 ms buckets up to 120 s, then one overflow bucket) so that a whole trading day of
samples costs a few kilobytes per symbol and percentiles come out without storing them.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from jts.core.clock import NS_PER_SECOND

__all__ = ["BUCKET_NS", "StalenessStats", "StalenessTracker"]

BUCKET_NS = 50_000_000
"""Histogram resolution: 50 ms."""

_BUCKETS = 120 * NS_PER_SECOND // BUCKET_NS  # the last index is the overflow bucket


@dataclass(frozen=True, slots=True)
class StalenessStats:
    """Peak-age figures of one symbol (seconds); `p95_s` is a bucket's upper edge, so it errs
    high by up to 50 ms. `samples` counts refreshes that had a previous one to compare with."""

    samples: int
    worst_s: float
    p95_s: float


class _Symbol:
    __slots__ = ("active", "as_of_ns", "counts", "samples", "worst_ns")

    def __init__(self, as_of_ns: int) -> None:
        self.active = True
        self.as_of_ns = as_of_ns
        self.counts: array[int] | None = None
        self.samples = 0
        self.worst_ns = 0


class StalenessTracker:
    """Per-symbol "as of" times of the latest quotes and the peak ages seen so far."""

    def __init__(self) -> None:
        self._symbols: dict[str, _Symbol] = {}

    def start(self, codes: Iterable[str], now_ns: int) -> None:
        """Begin tracking `codes` as fresh at `now_ns` (they just came from a stream or a
        snapshot); codes already tracked are left as they are. History is kept across a
        stop and a start, so the day's figures cover every stretch a symbol was polled."""
        for code in codes:
            symbol = self._symbols.get(code)
            if symbol is None:
                self._symbols[code] = _Symbol(now_ns)
            elif not symbol.active:
                symbol.active = True
                symbol.as_of_ns = now_ns

    def stop(self, codes: Iterable[str]) -> None:
        """Stop tracking `codes` (they moved to a stream or left the universe)."""
        for code in codes:
            symbol = self._symbols.get(code)
            if symbol is not None:
                symbol.active = False

    def refreshed(self, codes: Iterable[str], sent_ns: int, received_ns: int) -> None:
        """Quotes for `codes`, requested at `sent_ns`, arrived at `received_ns`."""
        for code in codes:
            symbol = self._symbols.get(code)
            if symbol is None or not symbol.active:
                continue
            peak = received_ns - symbol.as_of_ns
            if peak > symbol.worst_ns:
                symbol.worst_ns = peak
            if symbol.counts is None:
                symbol.counts = array("I", bytes(4 * (_BUCKETS + 1)))
            symbol.counts[min(max(peak, 0) // BUCKET_NS, _BUCKETS)] += 1
            symbol.samples += 1
            symbol.as_of_ns = max(symbol.as_of_ns, sent_ns)

    def as_of_ns(self, code: str) -> int | None:
        """When the quote held for `code` was true (ns), or None if not tracked."""
        symbol = self._symbols.get(code)
        return None if symbol is None or not symbol.active else symbol.as_of_ns

    def codes(self) -> list[str]:
        """The codes tracked now."""
        return [code for code, symbol in self._symbols.items() if symbol.active]

    def stats(self, code: str) -> StalenessStats | None:
        """Figures of `code` over every stretch it was polled; None if it never was."""
        symbol = self._symbols.get(code)
        if symbol is None:
            return None
        return StalenessStats(
            samples=symbol.samples,
            worst_s=symbol.worst_ns / NS_PER_SECOND,
            p95_s=_percentile(symbol.counts, symbol.samples, 0.95),
        )

    def pooled(self) -> StalenessStats:
        """Figures over the samples of all symbols together."""
        total = array("I", bytes(4 * (_BUCKETS + 1)))
        samples = worst = 0
        for symbol in self._symbols.values():
            if symbol.counts is None:
                continue
            for index, count in enumerate(symbol.counts):
                total[index] += count
            samples += symbol.samples
            worst = max(worst, symbol.worst_ns)
        return StalenessStats(samples, worst / NS_PER_SECOND, _percentile(total, samples, 0.95))


def _percentile(counts: array[int] | None, samples: int, q: float) -> float:
    """Upper edge (s) of the bucket holding the q-quantile; 0 with no samples."""
    if counts is None or samples == 0:
        return 0.0
    rank = q * samples
    seen = 0
    for index, count in enumerate(counts):
        seen += count
        if seen >= rank:
            return (index + 1) * BUCKET_NS / NS_PER_SECOND
    return (len(counts)) * BUCKET_NS / NS_PER_SECOND
