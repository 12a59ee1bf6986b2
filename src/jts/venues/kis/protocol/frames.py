"""KIS WebSocket data frames: `<enc>|<tr_id>|<count>|<payload>` (KIS.md §6.5).

`enc` is `0` (plain) or `1` (AES, see `crypto`); `count` the number of records, zero-padded to
three digits; the payload all fields of all records joined by `^` in one flat list. Only the
first three `|` separate: the payload may contain `|`. Fields may be empty (`^^`) and may not
contain `^`. A text frame starting with `{` is a control message instead (`control`).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from jts.venues.kis.protocol.crypto import NoticeCipher
from jts.venues.kis.protocol.fields import FIELDS

__all__ = [
    "DataFrame",
    "FrameError",
    "format_frame",
    "is_data_frame",
    "parse_frame",
    "records_of",
]

_MAX_COUNT = 999


class FrameError(ValueError):
    """A text that is not a well-formed data frame (or records that cannot make one)."""


class DataFrame(msgspec.Struct, frozen=True):
    """One data frame as received: `payload` still encrypted when `encrypted`."""

    encrypted: bool
    tr_id: str
    count: int
    payload: str


def is_data_frame(text: str) -> bool:
    """Data frames start with `0` or `1`; control JSON with `{` (the dispatch rule)."""
    return text[:1] in ("0", "1")


def format_frame(
    tr_id: str, records: Sequence[Sequence[str]], *, cipher: NoticeCipher | None = None
) -> str:
    """The frame text of `records` (each a full record of `tr_id`'s layout when it has one).

    With `cipher` the joined payload is encrypted and the frame marked `1`.
    """
    if not 1 <= len(records) <= _MAX_COUNT:
        raise FrameError(f"a frame holds 1..{_MAX_COUNT} records, got {len(records)}")
    width = len(FIELDS[tr_id]) if tr_id in FIELDS else len(records[0])
    flat: list[str] = []
    for record in records:
        if len(record) != width:
            raise FrameError(f"{tr_id} records have {width} fields, got {len(record)}")
        for value in record:
            if "^" in value:
                raise FrameError(f"field {value!r} contains the separator '^'")
        flat.extend(record)
    payload = "^".join(flat)
    if cipher is not None:
        return f"1|{tr_id}|{len(records):03d}|{cipher.encrypt(payload)}"
    return f"0|{tr_id}|{len(records):03d}|{payload}"


def parse_frame(text: str) -> DataFrame:
    """Split a frame on its first three `|` (never more); `FrameError` when it is not one."""
    parts = text.split("|", 3)
    if len(parts) != 4 or parts[0] not in ("0", "1"):
        raise FrameError(f"not a data frame: {text[:40]!r}")
    enc, tr_id, count, payload = parts
    if not (count.isdigit() and len(count) == 3 and int(count) >= 1):
        raise FrameError(f"bad record count {count!r} in frame of {tr_id}")
    return DataFrame(enc == "1", tr_id, int(count), payload)


def records_of(
    frame: DataFrame, *, cipher: NoticeCipher | None = None, width: int | None = None
) -> list[tuple[str, ...]]:
    """The frame's records as tuples of `width` fields (default: the TR's layout; without a
    known layout, `count` equal records). An encrypted frame needs the `cipher` of its
    subscription. `FrameError` when the field count is not `count × width`."""
    payload = frame.payload
    if frame.encrypted:
        if cipher is None:
            raise FrameError(f"frame of {frame.tr_id} is encrypted and no cipher was given")
        payload = cipher.decrypt(payload)
    items = payload.split("^")
    if width is None:
        layout = FIELDS.get(frame.tr_id)
        width = len(layout) if layout is not None else len(items) // frame.count
    if width < 1 or len(items) != frame.count * width:
        raise FrameError(
            f"{frame.tr_id} frame of {frame.count} records has {len(items)} fields, "
            f"expected {frame.count} x {width}"
        )
    return [tuple(items[i * width : (i + 1) * width]) for i in range(frame.count)]
