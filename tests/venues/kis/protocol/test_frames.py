"""Data frames `0|TR|NNN|f^f^…` and AES notices: round trips and the split rules."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jts.venues.kis.protocol import (
    BOOK_FIELDS,
    FIELDS,
    NOTICE_FIELDS,
    NXT_BOOK_FIELDS,
    TRADE_FIELDS,
    FrameError,
    NoticeCipher,
    NoticeDecryptError,
    format_frame,
    is_data_frame,
    new_key_iv,
    parse_frame,
    records_of,
)

_field = st.text(alphabet=st.characters(blacklist_characters="^", codec="utf-8"), max_size=12)


def _records(width: int) -> st.SearchStrategy[list[list[str]]]:
    return st.lists(st.lists(_field, min_size=width, max_size=width), min_size=1, max_size=8)


def test_field_counts_match_the_documented_layouts() -> None:
    assert (len(TRADE_FIELDS), len(BOOK_FIELDS), len(NOTICE_FIELDS)) == (46, 59, 26)
    assert len(NXT_BOOK_FIELDS) == 65
    assert len(set(TRADE_FIELDS)) == 46
    assert len(set(BOOK_FIELDS)) == 59
    assert FIELDS["H0NXCNT0"][21] == "CNTG_CLS_CODE"
    assert TRADE_FIELDS[21] == "CCLD_DVSN"
    assert BOOK_FIELDS[3] == "ASKP1"
    assert BOOK_FIELDS[13] == "BIDP1"
    assert NOTICE_FIELDS[13] == "CNTG_YN"


@given(_records(len(TRADE_FIELDS)))
def test_plain_trade_frames_round_trip(records: list[list[str]]) -> None:
    text = format_frame("H0STCNT0", records)
    frame = parse_frame(text)
    assert frame.tr_id == "H0STCNT0"
    assert not frame.encrypted
    assert frame.count == len(records)
    assert text.split("|")[2] == f"{len(records):03d}"
    assert records_of(frame) == [tuple(r) for r in records]


@given(_records(len(NOTICE_FIELDS)), st.randoms(use_true_random=False))
def test_encrypted_notice_frames_round_trip(records: list[list[str]], rng: random.Random) -> None:
    cipher = NoticeCipher(*new_key_iv(rng))
    text = format_frame("H0STCNI9", records, cipher=cipher)
    frame = parse_frame(text)
    assert frame.encrypted
    assert text.startswith(f"1|H0STCNI9|{len(records):03d}|")
    assert records_of(frame, cipher=cipher) == [tuple(r) for r in records]


@given(st.text(max_size=300), st.randoms(use_true_random=False))
def test_aes_round_trips_any_text(text: str, rng: random.Random) -> None:
    key, iv = new_key_iv(rng)
    assert (len(key), len(iv)) == (32, 16)
    cipher = NoticeCipher(key, iv)
    assert cipher.decrypt(cipher.encrypt(text)) == text


def test_aes_with_another_key_fails_loudly() -> None:
    rng = random.Random(1)
    payload = NoticeCipher(*new_key_iv(rng)).encrypt("홍길동^12345678^0000000001")
    with pytest.raises(NoticeDecryptError):
        NoticeCipher(*new_key_iv(rng)).decrypt(payload)


def test_payload_splits_only_on_the_first_three_bars() -> None:
    frame = parse_frame("0|H0STCNT0|001|a|b^c")
    assert frame.payload == "a|b^c"
    assert records_of(frame, width=2) == [("a|b", "c")]


def test_empty_fields_survive() -> None:
    record = ["005930", "", *[""] * 44]
    frame = parse_frame(format_frame("H0STCNT0", [record]))
    assert "^^" in frame.payload
    assert records_of(frame)[0] == tuple(record)


@pytest.mark.parametrize(
    "text", ["2|H0STCNT0|001|x", "0|H0STCNT0|1|x", "0|H0STCNT0|000|x", "0|H0STCNT0", "{}"]
)
def test_malformed_frames_are_refused(text: str) -> None:
    with pytest.raises(FrameError):
        parse_frame(text)


def test_a_short_record_is_refused_both_ways() -> None:
    with pytest.raises(FrameError):
        format_frame("H0STCNT0", [["005930"]])
    with pytest.raises(FrameError):
        records_of(parse_frame("0|H0STCNT0|002|" + "^".join(["x"] * 47)))


def test_separator_inside_a_field_is_refused() -> None:
    with pytest.raises(FrameError):
        format_frame("H0STCNT0", [["a^b", *[""] * 45]])


def test_dispatch_rule_tells_frames_from_control_json() -> None:
    assert is_data_frame("0|H0STCNT0|001|x")
    assert is_data_frame("1|H0STCNI0|001|x")
    assert not is_data_frame('{"header":{}}')
