"""The venue contract: the template satisfies it, VenueCaps is a strict frozen table."""

from __future__ import annotations

import inspect
from pathlib import Path

import msgspec
import pytest

import jts
from jts.core.enums import OrderType
from jts.core.errors import ConfigError
from jts.venues._template.venue import TemplateVenue
from jts.venues.base import FeedKind, Venue, VenueCaps

_CONTRACT = [
    name
    for name, member in inspect.getmembers(Venue)
    if inspect.isfunction(member) and not name.startswith("_")
]


def test_the_template_satisfies_the_venue_protocol() -> None:
    venue: Venue = TemplateVenue()  # checked structurally by mypy
    assert isinstance(venue, Venue)  # and at run time (runtime_checkable: names only)


def test_the_template_stubs_every_method_of_the_contract() -> None:
    assert set(_CONTRACT) <= set(vars(TemplateVenue))
    for name in _CONTRACT:
        ours = inspect.signature(getattr(TemplateVenue, name))
        assert ours == inspect.signature(getattr(Venue, name)), name


@pytest.mark.parametrize("name", [n for n in _CONTRACT if n != "events"])
async def test_each_template_method_says_what_to_implement(name: str) -> None:
    method = getattr(TemplateVenue(), name)
    arguments = {
        "subscribe": (["005930"], {FeedKind.TRADES}),
        "submit": (None,),
        "modify": ("1",),
        "cancel": ("1",),
        "fills_since": (0,),
    }.get(name, ())
    with pytest.raises(NotImplementedError, match=f"^{name}: "):
        await method(*arguments)


def test_template_events_says_what_to_implement() -> None:
    with pytest.raises(NotImplementedError, match=r"^events: "):
        TemplateVenue().events()


def test_the_app_never_imports_the_template() -> None:
    src = Path(jts.__file__).parent
    importers = [
        path.relative_to(src)
        for path in src.rglob("*.py")
        if "jts.venues._template" in path.read_text(encoding="utf-8")
        and "_template" not in path.parts
    ]
    assert importers == []


def test_venue_caps_default_to_every_order_type_and_no_rate_limit() -> None:
    caps = VenueCaps(name="sim")
    assert caps.order_types == frozenset(OrderType)
    assert (caps.orders_per_second, caps.paper, caps.supports_modify) == (0.0, False, True)


def test_venue_caps_are_frozen() -> None:
    caps = VenueCaps(name="sim")
    with pytest.raises(AttributeError):
        caps.paper = True  # type: ignore[misc]


def test_venue_caps_reject_unknown_keys() -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field `supports_shorting`"):
        msgspec.convert({"name": "kis", "supports_shorting": True}, VenueCaps)


def test_venue_caps_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        VenueCaps("kis")  # type: ignore[call-arg]


def test_venue_caps_decode_from_configuration() -> None:
    caps = msgspec.convert(
        {"name": "kis", "orders_per_second": 20, "order_types": ["limit", "market"]}, VenueCaps
    )
    assert caps.order_types == {OrderType.LIMIT, OrderType.MARKET}
    assert caps.orders_per_second == 20.0


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"name": " "}, "venue.caps.name"),
        ({"name": "kis", "orders_per_second": -1}, "orders_per_second"),
    ],
)
def test_venue_caps_refuse_an_empty_name_or_a_negative_rate(
    fields: dict[str, object], key: str
) -> None:
    with pytest.raises(ConfigError, match=key):
        VenueCaps(**fields)  # type: ignore[arg-type]


def test_feed_kinds_are_lowercase_strings() -> None:
    assert [kind.value for kind in FeedKind] == ["trades", "book", "expected", "status", "orders"]
