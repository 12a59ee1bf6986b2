"""Channel names: each family's grammar, delivery and who may read it (one case per row)."""

from __future__ import annotations

import pytest

from jts.gateway.auth.principal import Principal, Role, Scope
from jts.gateway.realtime.channels import Delivery, default_authorize, family_of

VIEWER = Principal(user_id=1, username="v", role=Role.VIEWER)
TRADE_ONLY_KEY = Principal(
    user_id=1, username="v", role=Role.TRADER, scopes=frozenset({Scope.TRADE}), key_id="k1"
)


@pytest.mark.parametrize(
    ("channel", "delivery"),
    [
        ("quotes:005930", Delivery.CONFLATED),
        ("quotes:0001A0", Delivery.CONFLATED),
        ("bars:005930:1m", Delivery.CONFLATED),
        ("bars:28513K:1d", Delivery.CONFLATED),
        ("orders", Delivery.RELIABLE),
        ("fills", Delivery.RELIABLE),
        ("positions", Delivery.CONFLATED),
        ("pnl", Delivery.CONFLATED),
        ("alerts", Delivery.RELIABLE),
        ("jobs", Delivery.RELIABLE),
        ("system", Delivery.CONFLATED),
    ],
)
def test_valid_channel_names_have_their_familys_delivery(channel: str, delivery: Delivery) -> None:
    family = family_of(channel)
    assert family is not None
    assert family.delivery is delivery


@pytest.mark.parametrize(
    "channel",
    [
        "",
        "quotes",
        "quotes:",
        "quotes:5930",
        "quotes:005930x",
        "quotes:00593a",  # codes are upper case
        "quotes:005930:1m",
        "bars:005930",
        "bars:005930:2m",
        "bars:005930:1m:x",
        "orders:005930",
        "order",
        "Orders",
    ],
)
def test_malformed_channel_names_have_no_family(channel: str) -> None:
    assert family_of(channel) is None


@pytest.mark.parametrize(
    ("channel", "viewer", "trade_only_key"),
    [
        ("quotes:005930", True, True),
        ("bars:005930:5m", True, True),
        ("orders", True, False),
        ("fills", True, False),
        ("positions", True, False),
        ("pnl", True, False),
        ("alerts", True, True),
        ("jobs", True, True),
        ("system", True, True),
        ("nonsense", False, False),
    ],
)
def test_default_authorization_needs_the_read_scope_for_account_channels(
    channel: str, viewer: bool, trade_only_key: bool
) -> None:
    assert default_authorize(VIEWER, channel) is viewer
    assert default_authorize(TRADE_ONLY_KEY, channel) is trade_only_key
