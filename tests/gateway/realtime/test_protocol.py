"""Client operations decode (or fail with a message), and the resume history answers exactly."""

from __future__ import annotations

import msgspec
import pytest

from jts.gateway.realtime.history import History
from jts.gateway.realtime.protocol import (
    AuthOp,
    ErrorCode,
    PingOp,
    ProtocolError,
    SubscribeOp,
    UnsubscribeOp,
    decode_op,
    encode_message,
)


@pytest.mark.parametrize(
    ("raw", "op"),
    [
        ('{"op":"auth","token":"t"}', AuthOp("t")),
        ('{"op":"subscribe","channels":["orders"]}', SubscribeOp(["orders"])),
        (
            '{"op":"subscribe","channels":["orders"],"resume":{"orders":7},"epoch":"e"}',
            SubscribeOp(["orders"], {"orders": 7}, "e"),
        ),
        ('{"op":"unsubscribe","channels":[]}', UnsubscribeOp([])),
        ('{"op":"ping"}', PingOp()),
        (b'{"op":"ping","id":1}', PingOp()),  # unknown fields are ignored; bytes accepted
    ],
)
def test_client_operations_decode(raw: str, op: object) -> None:
    assert decode_op(raw) == op


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "{}",
        '{"op":"dance"}',
        '{"op":"subscribe"}',
        '{"op":"subscribe","channels":"orders"}',
        '{"op":"subscribe","channels":["orders"],"resume":{"orders":-1}}',
        "[1,2]",
    ],
)
def test_malformed_operations_are_bad_requests_with_a_reason(raw: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_op(raw)
    assert caught.value.code is ErrorCode.BAD_REQUEST
    assert caught.value.message


def test_a_message_is_encoded_without_absent_key_and_seq() -> None:
    raw = encode_message("quotes:005930", {"price": 1}, None, None)
    assert msgspec.json.decode(raw) == {"channel": "quotes:005930", "data": {"price": 1}}
    raw = encode_message("orders", [1], "x", 4)
    assert msgspec.json.decode(raw) == {"channel": "orders", "key": "x", "seq": 4, "data": [1]}


def _history(capacity: int, count: int) -> History:
    history = History(capacity)
    for seq in range(1, count + 1):
        history.append(seq, seq % 2 or None, msgspec.Raw(str(seq).encode()))
    return history


def test_history_replays_what_followed_a_seq_for_one_user() -> None:
    history = _history(capacity=10, count=8)
    missed = history.since(3, user_id=1)
    assert missed is not None
    assert [seq for seq, _ in missed] == [4, 5, 6, 7, 8]  # odd seqs are user 1's, even everyone's
    assert [seq for seq, _ in history.since(3, user_id=2) or []] == [4, 6, 8]
    assert history.since(8, user_id=1) == []


def test_history_cannot_replay_from_before_its_oldest_or_from_the_future() -> None:
    history = _history(capacity=5, count=20)  # holds 16..20
    assert history.since(15, user_id=1) is not None
    assert history.since(14, user_id=1) is None
    assert history.since(21, user_id=1) is None
    assert History(5).since(0, user_id=1) == []
