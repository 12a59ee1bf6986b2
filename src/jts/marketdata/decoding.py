"""Raw Arrow cells → typed NumPy columns, flagging each cell that cannot be decoded.

Vectorized with Arrow compute: a bad cell never fails the whole column; it is flagged in a
boolean mask (and its value left as 0) so validation can report it by row and column.

Accepted spellings (the import format in docs/data.md):
- symbol: 6 characters 0-9/A-Z after trimming and upper-casing; a broker type prefix on a
  7-character code ("A005930") is dropped. Integers are never zero-padded: a lost leading zero
  is an error, not a guess.
- integers (prices, volume, qty, value): optional sign, up to 18 digits, an all-zero fraction
  ("70000.0") is accepted; thousands separators are not. Float Parquet columns must hold
  whole numbers.
- ts: int64 ns UTC; ISO 8601 "YYYY-MM-DD[(T| )HH:MM[:SS[.fff]]][Z|±HH:MM|±HHMM]" where a
  missing zone means KST; a date alone is midnight KST. Parquet timestamps (naive = KST) and
  dates are accepted too.
- side: buy/b/+1/1, sell/s/-1, empty/unknown/0 (case-insensitive) → +1, -1, 0.
- auction: true/false, t/f, yes/no, y/n, 1/0, empty (false).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jts.core.clock import NS_PER_SECOND
from jts.marketdata.readers import Kind, RawChunk, type_family
from jts.marketdata.schema import SIDE_CODES, SYMBOL_DTYPE

Array = np.ndarray[Any, Any]
Mask = np.ndarray[Any, np.dtype[np.bool_]]
KST_OFFSET_NS: Final = 9 * 3_600 * NS_PER_SECOND
DAY_NS: Final = 86_400 * NS_PER_SECOND

_INT_TEXT = r"^[+-]?[0-9]{1,18}(\.0*)?$"
_NS_TEXT = r"^[+-]?[0-9]{1,19}$"
_INT64_MAX_TEXT = str(np.iinfo(np.int64).max)
_ISO = (
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:[T ](?P<hm>[0-9]{2}:[0-9]{2})(?::(?P<sec>[0-9]{2})(?:[.,](?P<frac>[0-9]{1,9}))?)?)?"
    r" *(?P<zone>[Zz]|[+-][0-9]{2}:?[0-9]{2})?$"
)
_WALL = "%Y-%m-%dT%H:%M:%S"
_FLOAT_EXACT = 2.0**53
_SIDE_TEXT: Final = {**SIDE_CODES, "+1": 1, "1": 1, "-1": -1, "0": 0}
_TRUE_TEXT: Final = ("true", "t", "yes", "y", "1")
_FALSE_TEXT: Final = ("false", "f", "no", "n", "0", "")

EXPECTED: Final = {
    "symbol": "a 6-character KRX code (0-9, A-Z)",
    "ts": "a timestamp (ISO 8601, naive = KST, or int ns UTC)",
    "side": "a side (buy/sell/b/s/+1/-1/0 or empty)",
    "auction": "a bool (true/false/1/0)",
}
"""What a cell of each column must be; integer columns use `EXPECTED_INT`."""
EXPECTED_INT: Final = "a whole number"


@dataclass(frozen=True)
class Decoded:
    """Typed columns of one chunk and, per column, which cells could not be decoded."""

    kind: Kind
    rows: np.ndarray[Any, np.dtype[np.int64]]
    columns: dict[str, Array]
    bad: dict[str, Mask]
    raw: dict[str, pa.Array[Any]]

    def __len__(self) -> int:
        return len(self.rows)

    def cell(self, column: str, index: int) -> str:
        """The cell as the file holds it, for messages."""
        raw = self.raw.get(column)
        if raw is None:
            return ""
        value = raw[index].as_py()
        return "" if value is None else str(value)


def decode(chunk: RawChunk, kind: Kind) -> Decoded:
    """Decode every column of `chunk`; optional columns missing from the file get defaults."""
    n = len(chunk)
    columns: dict[str, Array] = {}
    bad: dict[str, Mask] = {}
    for name, array in chunk.columns.items():
        columns[name], bad[name] = _DECODERS.get(name, decode_int)(array)
    defaults = {"value": np.int64, "side": np.int8, "auction": np.bool_}
    for name, dtype in defaults.items():
        if name not in columns and (name == "value") == (kind is Kind.BARS):
            columns[name], bad[name] = np.zeros(n, dtype), np.zeros(n, np.bool_)
    return Decoded(kind, chunk.rows, columns, bad, dict(chunk.columns))


# -- helpers --------------------------------------------------------------------------------------


def _np(array: Any, fill: Any) -> Array:
    """An Arrow array (any compute result) as NumPy, nulls replaced by `fill`."""
    return np.asarray(pc.fill_null(array, fill).to_numpy(zero_copy_only=False))


def _mask(array: Any) -> Mask:
    return np.asarray(_np(array, False), np.bool_)


def _text(array: pa.Array[Any]) -> pa.StringArray:
    """Any string-like, integer or null array as trimmed strings (null stays null)."""
    text = pc.cast(array, pa.string()) if not pa.types.is_string(array.type) else array
    assert isinstance(text, pa.StringArray)
    return pc.utf8_trim_whitespace(text)


def _equal(array: pa.Array[Any], value: str | int) -> pa.BooleanArray:
    return pc.equal(array, pa.scalar(value))


def _ints_from_text(text: pa.StringArray, pattern: str) -> tuple[Array, Mask]:
    """Integers from text cells matching `pattern`; 19-digit cells must fit int64."""
    cleaned = pc.replace_substring_regex(text, r"^\+|\.0*$", "")
    digits = pc.utf8_ltrim(cleaned, characters="-")
    overflow = pc.and_(
        _equal(pc.utf8_length(digits), 19), pc.greater(digits, pa.scalar(_INT64_MAX_TEXT))
    )
    ok = _mask(pc.match_substring_regex(text, pattern)) & ~_mask(overflow)
    values = _np(pc.cast(pc.if_else(pa.array(ok), cleaned, "0"), pa.int64()), 0)
    return np.asarray(values, np.int64), ~ok


# -- decoders -------------------------------------------------------------------------------------


def decode_int(array: pa.Array[Any]) -> tuple[Array, Mask]:
    """Whole numbers (prices KRW, quantities shares) from integer, float or text cells."""
    family = type_family(array.type)
    if family == "integer":
        nulls = _mask(pc.is_null(array))
        return np.asarray(_np(pc.cast(array, pa.int64()), 0), np.int64), nulls
    if family == "floating":
        values = np.asarray(_np(pc.cast(array, pa.float64()), np.nan), np.float64)
        whole = np.isfinite(values) & (np.abs(values) < _FLOAT_EXACT)
        whole[whole] &= values[whole] == np.floor(values[whole])
        return np.where(whole, values, 0).astype(np.int64), ~whole
    text = _text(array)
    values, bad = _ints_from_text(text, _INT_TEXT)
    return values, bad


def decode_symbol(array: pa.Array[Any]) -> tuple[Array, Mask]:
    text = pc.utf8_upper(_text(array))
    prefixed = pc.match_substring_regex(text, r"^[AQJU][0-9A-Z]{6}$")
    text = pc.if_else(
        pc.fill_null(prefixed, pa.scalar(False)), pc.utf8_slice_codeunits(text, 1), text
    )
    ok = _mask(pc.match_substring_regex(text, r"^[0-9A-Z]{6}$"))
    values = np.asarray(_np(text, "").astype(str), SYMBOL_DTYPE)
    values[~ok] = ""
    return values, ~ok


def decode_side(array: pa.Array[Any]) -> tuple[Array, Mask]:
    """Aggressor side codes +1/-1/0 from integer or text cells."""
    if type_family(array.type) == "integer":
        values = np.asarray(_np(pc.cast(array, pa.int64()), 99), np.int64)
        ok = np.isin(values, (-1, 0, 1))
        return np.where(ok, values, 0).astype(np.int8), ~ok
    keys = list(_SIDE_TEXT)
    codes = np.asarray([_SIDE_TEXT[k] for k in keys], np.int8)
    text = pc.fill_null(pc.utf8_lower(_text(array)), pa.scalar(""))  # a null side is unknown
    index = np.asarray(_np(pc.index_in(text, pa.array(keys)), -1))
    ok = index >= 0
    return np.where(ok, codes[np.where(ok, index, 0)], 0).astype(np.int8), ~ok


def decode_bool(array: pa.Array[Any]) -> tuple[Array, Mask]:
    family = type_family(array.type)
    if family == "boolean":  # a null flag is false
        return _mask(array), np.zeros(len(array), np.bool_)
    if family == "integer":
        values = np.asarray(_np(pc.cast(array, pa.int64()), -1), np.int64)
        return values == 1, ~np.isin(values, (0, 1))
    text = pc.utf8_lower(_text(array))
    true = _mask(pc.is_in(text, pa.array(_TRUE_TEXT)))
    false = _mask(pc.is_in(text, pa.array(_FALSE_TEXT)))
    return true, ~(true | false)


def decode_ts(array: pa.Array[Any]) -> tuple[Array, Mask]:
    """Instants as int64 ns UTC."""
    family = type_family(array.type)
    if family == "timestamp":
        return _ts_from_timestamps(array)
    if family == "date":
        days = np.asarray(_np(pc.cast(pc.cast(array, pa.date32()), pa.int32()), 0), np.int64)
        return days * DAY_NS - KST_OFFSET_NS, _mask(pc.is_null(array))
    if family == "integer":
        nulls = _mask(pc.is_null(array))
        return np.asarray(_np(pc.cast(array, pa.int64()), 0), np.int64), nulls
    return _ts_from_text(_text(array))


def _ts_from_timestamps(array: pa.Array[Any]) -> tuple[Array, Mask]:
    zone = array.type.tz
    as_ns = pc.cast(array, pa.timestamp("ns", tz=zone))
    values = np.asarray(_np(pc.cast(as_ns, pa.int64()), 0), np.int64)
    if zone is None:  # naive: KST wall time
        values = values - KST_OFFSET_NS
    return values, _mask(pc.is_null(array))


def _ts_from_text(text: pa.StringArray) -> tuple[Array, Mask]:
    fast = _uniform_iso(text)
    if fast is not None:
        return fast
    numeric, not_numeric = _ints_from_text(text, _NS_TEXT)
    if not not_numeric.any():
        return numeric, not_numeric
    iso, iso_bad = _iso_ns(text)
    return np.where(not_numeric, iso, numeric), not_numeric & iso_bad


def _uniform_iso(text: pa.StringArray) -> tuple[Array, Mask] | None:
    """Arrow's own ISO 8601 cast, when every cell has a zone (or none has): the common case."""
    for data_type, shift in ((pa.timestamp("ns", "UTC"), 0), (pa.timestamp("ns"), KST_OFFSET_NS)):
        try:
            parsed = pc.cast(text, data_type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        values = np.asarray(_np(pc.cast(parsed, pa.int64()), 0), np.int64) - shift
        return values, _mask(pc.is_null(parsed))
    return None


def _iso_ns(text: pa.StringArray) -> tuple[Array, Mask]:
    parts = pc.extract_regex(text, _ISO)
    matched = _mask(pc.is_valid(parts))

    def part(name: str) -> pa.StringArray:
        found = pc.fill_null(pc.struct_field(parts, name), pa.scalar(""))
        assert isinstance(found, pa.StringArray)
        return found

    hm = pc.if_else(_equal(part("hm"), ""), "00:00", part("hm"))
    sec = pc.if_else(_equal(part("sec"), ""), "00", part("sec"))
    wall = pc.binary_join_element_wise(part("date"), "T", hm, ":", sec, "")
    parsed = pc.strptime(wall, format=_WALL, unit="ns", error_is_null=True)
    # strptime rolls impossible dates over (Feb 30 → Mar 2): only exact round trips are valid
    again = pc.strftime(pc.cast(parsed, pa.timestamp("s")), format=_WALL)
    ok = matched & _mask(pc.equal(again, wall))
    seconds = np.asarray(_np(pc.cast(parsed, pa.int64()), 0), np.int64)
    frac = _np(pc.cast(pc.utf8_rpad(part("frac"), width=9, padding="0"), pa.int64()), 0)
    values = seconds + np.asarray(frac, np.int64) - _zone_offset_ns(part("zone"))
    return np.where(ok, values, 0), ~ok


def _zone_offset_ns(zone: pa.StringArray) -> Array:
    """UTC offsets of "Z"/"±HH:MM"/"±HHMM" cells in ns; an empty zone is KST."""
    digits = pc.replace_substring(zone, ":", "")
    aware = _mask(_equal(pc.utf8_length(digits), 5))
    safe = pc.if_else(pa.array(aware), digits, "+0000")
    hours = _np(pc.cast(pc.utf8_slice_codeunits(safe, 1, 3), pa.int64()), 0)
    minutes = _np(pc.cast(pc.utf8_slice_codeunits(safe, 3, 5), pa.int64()), 0)
    sign = np.where(_np(pc.utf8_slice_codeunits(safe, 0, 1), "+") == "-", -1, 1)
    offset = sign * (np.asarray(hours, np.int64) * 3_600 + np.asarray(minutes, np.int64) * 60)
    utc = _mask(pc.is_in(zone, pa.array(["Z", "z"])))
    naive = ~aware & ~utc
    return np.where(naive, KST_OFFSET_NS, offset * NS_PER_SECOND).astype(np.int64)


_DECODERS: Final[dict[str, Callable[[pa.Array[Any]], tuple[Array, Mask]]]] = {
    "symbol": decode_symbol,
    "ts": decode_ts,
    "side": decode_side,
    "auction": decode_bool,
}
