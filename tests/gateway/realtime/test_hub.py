"""The hub's promises, with fake clients: batching, conflation, reliable order, per-user
delivery, snapshots, resume, and what happens to slow, idle and departing clients."""

from __future__ import annotations

import asyncio

import pytest

from jts.core.errors import ConfigError, InvalidInput
from jts.gateway.auth.principal import Principal, Role, Scope
from jts.gateway.realtime import CloseCode, HubConfig, RealtimeHub
from tests.gateway.realtime.conftest import ALICE, BOB, FakeSink, client, settle, until


async def test_a_burst_of_publishes_goes_out_as_one_frame(hub: RealtimeHub) -> None:
    conn, sink = client(hub)
    symbols = [f"{n:06d}" for n in range(50)]
    hub.subscribe(conn, [f"quotes:{s}" for s in symbols])
    await settle(hub)
    for n, symbol in enumerate(symbols):
        hub.publish(f"quotes:{symbol}", {"price": 1_000 + n})
    await settle(hub)
    (batch,) = sink.of("batch")
    assert [m["data"]["price"] for m in batch["messages"]] == [1_000 + n for n in range(50)]


async def test_a_quiet_client_gets_the_first_message_at_once_and_the_rest_batched() -> None:
    hub = RealtimeHub(HubConfig(batch_ms=200, idle_timeout_s=0))
    await hub.start()
    conn, sink = client(hub)
    hub.subscribe(conn, ["quotes:005930", "quotes:000660"])
    await asyncio.sleep(0.25)  # quiet for longer than one batch interval
    hub.publish("quotes:005930", {"price": 1})
    await until(lambda: len(sink.of("batch")) == 1, timeout=0.1)
    for price in (2, 3, 4):
        hub.publish("quotes:000660", {"price": price})
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    assert len(sink.of("batch")) == 1  # the rest waits for the interval to end ...
    await until(lambda: len(sink.of("batch")) == 2, timeout=0.3)
    assert [m["data"]["price"] for m in sink.of("batch")[1]["messages"]] == [4]  # ... conflated
    await hub.stop()


async def test_a_hundred_quotes_of_one_symbol_in_a_batch_arrive_as_the_latest(
    hub: RealtimeHub,
) -> None:
    conn, sink = client(hub)
    hub.subscribe(conn, ["quotes:005930"])
    await settle(hub)
    for price in range(100):
        hub.publish("quotes:005930", {"price": price})
    await settle(hub)
    assert sink.messages() == [{"channel": "quotes:005930", "data": {"price": 99}}]
    assert hub.stats()["conflated"] == 99


async def test_conflated_keys_of_one_channel_do_not_replace_each_other(hub: RealtimeHub) -> None:
    conn, sink = client(hub)
    hub.subscribe(conn, ["positions"])
    await settle(hub)
    for qty in range(3):
        hub.publish("positions", {"qty": qty}, key="005930")
        hub.publish("positions", {"qty": -qty}, key="000660")
    await settle(hub)
    assert [(m["key"], m["data"]["qty"]) for m in sink.messages()] == [
        ("005930", 2),
        ("000660", -2),
    ]


async def test_reliable_messages_are_never_dropped_and_stay_in_order(hub: RealtimeHub) -> None:
    conn, sink = client(hub)
    hub.subscribe(conn, ["orders", "quotes:005930"])
    for n in range(1_000):
        hub.publish("orders", {"n": n})
        hub.publish("quotes:005930", {"price": n})
        if n % 100 == 0:
            await asyncio.sleep(0.005)
    await settle(hub)
    orders = sink.messages("orders")
    assert [m["data"]["n"] for m in orders] == list(range(1_000))
    assert [m["seq"] for m in orders] == list(range(1, 1_001))
    assert sink.messages("quotes:005930")[-1]["data"] == {"price": 999}


async def test_a_message_for_one_user_reaches_only_that_users_connections(
    hub: RealtimeHub,
) -> None:
    (a1, alice1), (a2, alice2), (b, bob) = client(hub, ALICE), client(hub, ALICE), client(hub, BOB)
    for conn in (a1, a2, b):
        hub.subscribe(conn, ["fills", "pnl"])
    hub.publish("fills", {"fill": "alice's"}, user_id=ALICE.user_id)
    hub.publish("pnl", {"krw": -5}, user_id=BOB.user_id)
    hub.publish("fills", {"fill": "everyone's"})
    await settle(hub)
    for sink in (alice1, alice2):
        assert [m["data"] for m in sink.messages()] == [{"fill": "alice's"}, {"fill": "everyone's"}]
    assert [m["data"] for m in bob.messages()] == [{"krw": -5}, {"fill": "everyone's"}]


async def test_subscribing_gives_a_snapshot_of_the_last_quote(hub: RealtimeHub) -> None:
    hub.publish("quotes:005930", {"price": 70_000})
    hub.publish("quotes:005930", {"price": 70_100})
    hub.publish("bars:005930:1m", {"close": 1}, key="09:00")
    hub.publish("bars:005930:1m", {"close": 2}, key="09:01")
    hub.publish("bars:005930:1m", {"close": 3}, key="09:02")
    conn, sink = client(hub)
    hub.subscribe(conn, ["quotes:005930", "bars:005930:1m", "quotes:000660"])
    await settle(hub)
    assert [f["type"] for f in sink.frames] == ["ready", "subscribed", "snapshot"]
    assert sink.of("snapshot")[0]["messages"] == [
        {"channel": "quotes:005930", "data": {"price": 70_100}},
        {"channel": "bars:005930:1m", "key": "09:01", "data": {"close": 2}},  # two bars kept
        {"channel": "bars:005930:1m", "key": "09:02", "data": {"close": 3}},
    ]


async def test_subscribing_to_a_reliable_channel_tells_its_current_seq(hub: RealtimeHub) -> None:
    for n in range(3):
        hub.publish("alerts", {"n": n})
    conn, sink = client(hub)
    hub.subscribe(conn, ["alerts", "quotes:005930"])
    await settle(hub)
    assert sink.of("subscribed")[0]["seq"] == {"alerts": 3}  # resume from here next time
    assert not sink.of("snapshot")  # no provider, no quote yet


async def test_a_snapshot_provider_answers_a_reliable_subscription(hub: RealtimeHub) -> None:
    hub.register_snapshot("orders", lambda p: {"open_orders_of": p.username})
    hub.publish("orders", {"n": 1})
    hub.publish("orders", {"n": 2})
    conn, sink = client(hub, BOB)
    hub.subscribe(conn, ["orders"])
    hub.publish("orders", {"n": 3})
    await settle(hub)
    (snapshot,) = sink.of("snapshot")
    assert snapshot["messages"] == [
        {"channel": "orders", "seq": 2, "data": {"open_orders_of": "bob"}}
    ]
    assert sink.of("subscribed")[0]["seq"] == {"orders": 2}
    assert [m["seq"] for m in sink.messages()] == [3]


async def test_a_failing_snapshot_provider_is_reported_and_the_subscription_stands(
    hub: RealtimeHub,
) -> None:
    def broken(principal: Principal) -> object:
        raise RuntimeError("database down")

    hub.register_snapshot("jobs", broken)
    conn, sink = client(hub)
    hub.subscribe(conn, ["jobs"])
    hub.publish("jobs", {"job": 1})
    await settle(hub)
    assert sink.of("error")[0]["code"] == "snapshot_failed"
    assert sink.of("subscribed")[0]["channels"] == ["jobs"]
    assert [m["data"] for m in sink.messages()] == [{"job": 1}]


async def test_resume_delivers_exactly_the_missed_messages(hub: RealtimeHub) -> None:
    hub.register_snapshot("orders", lambda p: "snapshot")
    conn, sink = client(hub, ALICE)
    hub.subscribe(conn, ["orders"])
    for n in range(5):
        hub.publish("orders", {"n": n})
    await settle(hub)
    last_seen = sink.messages()[-1]["seq"]
    hub.disconnect(conn)
    for n in range(5, 10):
        hub.publish("orders", {"n": n}, user_id=ALICE.user_id)
        hub.publish("orders", {"n": -n}, user_id=BOB.user_id)
    again, sink2 = client(hub, ALICE)
    hub.subscribe(again, ["orders"], resume={"orders": last_seen}, epoch=hub.epoch)
    hub.publish("orders", {"n": 10})
    await settle(hub)
    assert sink2.of("subscribed")[0]["resumed"] == {"orders": 5}
    assert "seq" not in sink2.of("subscribed")[0]  # it advances with the replayed messages
    assert not sink2.of("snapshot")
    assert [m["data"]["n"] for m in sink2.messages()] == [5, 6, 7, 8, 9, 10]


async def test_a_resume_too_old_for_the_history_gets_a_snapshot_and_a_reset() -> None:
    hub = RealtimeHub(HubConfig(history_size=10, max_pending_reliable=10, idle_timeout_s=0))
    await hub.start()
    hub.register_snapshot("fills", lambda p: ["today's fills"])
    for n in range(30):
        hub.publish("fills", {"n": n})
    conn, sink = client(hub)
    hub.subscribe(conn, ["fills"], resume={"fills": 5}, epoch=hub.epoch)
    await settle(hub)
    (snapshot,) = sink.of("snapshot")
    assert snapshot["reset"] == ["fills"]
    assert snapshot["messages"] == [{"channel": "fills", "seq": 30, "data": ["today's fills"]}]
    assert not sink.messages()
    await hub.stop()


async def test_a_resume_from_another_epoch_is_reset(hub: RealtimeHub) -> None:
    hub.publish("alerts", {"n": 1})
    conn, sink = client(hub)
    hub.subscribe(conn, ["alerts"], resume={"alerts": 0}, epoch="an-earlier-run")
    await settle(hub)
    assert sink.of("snapshot")[0]["reset"] == ["alerts"]
    assert not sink.messages()


async def test_resume_of_a_channel_not_being_subscribed_is_an_error(hub: RealtimeHub) -> None:
    conn, sink = client(hub)
    hub.subscribe(conn, ["orders", "quotes:005930"], resume={"quotes:005930": 1, "fills": 2})
    await settle(hub)
    (error,) = sink.of("error")
    assert (error["code"], error["channels"]) == ("bad_resume", ["quotes:005930", "fills"])
    assert sink.of("subscribed")[0]["channels"] == ["orders", "quotes:005930"]


async def test_a_slow_client_is_closed_with_a_reason_and_the_others_are_unaffected() -> None:
    hub = RealtimeHub(HubConfig(batch_ms=5, max_pending_reliable=100, idle_timeout_s=0))
    await hub.start()
    (slow, slow_sink), (fast, fast_sink) = client(hub), client(hub, BOB)
    for conn in (slow, fast):
        hub.subscribe(conn, ["fills"])
    await settle(hub)
    slow_sink.reading.clear()  # the client stops reading: its writer blocks in send
    for n in range(300):
        hub.publish("fills", {"n": n})
        if n % 10 == 0:
            await asyncio.sleep(0.002)
    await settle(hub)
    await until(lambda: slow_sink.closed is not None)
    assert slow_sink.closed is not None
    assert slow_sink.closed[0] == CloseCode.SLOW_CONSUMER
    assert slow_sink.closed[1].startswith("slow consumer: ")
    assert [m["data"]["n"] for m in fast_sink.messages()] == list(range(300))
    assert hub.stats()["slow_disconnects"] == 1
    assert hub.stats()["clients"] == 1
    await hub.stop()


async def test_a_client_stuck_in_one_send_is_closed_after_the_send_timeout() -> None:
    hub = RealtimeHub(HubConfig(batch_ms=5, send_timeout_s=0.2, idle_timeout_s=0))
    await hub.start()
    conn, sink = client(hub)
    hub.subscribe(conn, ["quotes:005930"])
    await settle(hub)
    sink.reading.clear()
    hub.publish("quotes:005930", {"price": 1})
    await until(lambda: sink.closed is not None, timeout=1.0)
    assert sink.closed == (CloseCode.SLOW_CONSUMER, "slow consumer: a frame waited over 0.2 s")
    await hub.stop()


async def test_unsubscribe_stops_messages_and_drops_unsent_ones(hub: RealtimeHub) -> None:
    conn, sink = client(hub)
    hub.subscribe(conn, ["quotes:005930", "quotes:000660"])
    await settle(hub)
    hub.publish("quotes:005930", {"price": 1})
    hub.publish("quotes:000660", {"price": 2})
    hub.unsubscribe(conn, ["quotes:005930", "quotes:999999"])
    hub.publish("quotes:005930", {"price": 3})
    await settle(hub)
    assert sink.of("unsubscribed")[0]["channels"] == ["quotes:005930"]
    assert sink.messages() == [{"channel": "quotes:000660", "data": {"price": 2}}]
    assert hub.stats()["subscriptions"] == 1


async def test_unknown_forbidden_and_excess_channels_get_error_frames() -> None:
    hub = RealtimeHub(HubConfig(max_channels=2, idle_timeout_s=0))
    await hub.start()
    bot = Principal(user_id=3, username="bot", role=Role.ADMIN, scopes=frozenset({Scope.TRADE}))
    conn, sink = client(hub, bot)
    hub.subscribe(conn, ["quotes:5930", "orders", "bars:005930:2m", "system", "alerts", "jobs"])
    await settle(hub)
    errors = {e["code"]: e["channels"] for e in sink.of("error")}
    assert errors == {
        "unknown_channel": ["quotes:5930", "bars:005930:2m"],
        "forbidden": ["orders"],
        "too_many_channels": ["jobs"],
    }
    assert sink.of("subscribed")[0]["channels"] == ["system", "alerts"]
    await hub.stop()


async def test_subscribing_again_is_acknowledged_without_a_second_snapshot(
    hub: RealtimeHub,
) -> None:
    hub.publish("quotes:005930", {"price": 1})
    conn, sink = client(hub)
    hub.subscribe(conn, ["quotes:005930"])
    hub.subscribe(conn, ["quotes:005930"])
    await settle(hub)
    assert [f["channels"] for f in sink.of("subscribed")] == [["quotes:005930"]] * 2
    assert len(sink.of("snapshot")) == 1


async def test_a_frame_read_after_the_connection_closed_changes_nothing(hub: RealtimeHub) -> None:
    conn, _ = client(hub)
    hub.subscribe(conn, ["orders"])
    hub.disconnect(conn)
    hub.subscribe(conn, ["quotes:005930"])
    hub.publish("quotes:005930", {"price": 1})
    assert (hub.stats()["clients"], hub.stats()["subscriptions"]) == (0, 0)


async def test_heartbeats_arrive_and_a_silent_client_is_closed_as_idle() -> None:
    hub = RealtimeHub(HubConfig(heartbeat_s=0.05, idle_timeout_s=0.3))
    await hub.start()
    _, sink = client(hub)
    await until(lambda: len(sink.of("heartbeat")) >= 3)
    await until(lambda: sink.closed is not None)
    assert sink.closed == (CloseCode.IDLE, "idle: nothing received for 0.3 s")
    assert hub.stats()["idle_disconnects"] == 1
    await hub.stop()


async def test_stop_sends_what_is_pending_then_closes_every_client_as_going_away() -> None:
    hub = RealtimeHub(HubConfig(batch_ms=1_000, idle_timeout_s=0))
    await hub.start()
    (a, sink_a), (_, sink_b) = client(hub), client(hub, BOB)
    hub.subscribe(a, ["orders"])
    await asyncio.sleep(0.01)
    hub.publish("orders", {"n": 1})  # waits for the 1 s interval ...
    await hub.stop()  # ... but goes out before the close
    assert [m["data"] for m in sink_a.messages()] == [{"n": 1}]
    assert sink_a.closed == sink_b.closed == (CloseCode.GOING_AWAY, "server stopping")
    assert hub.stats()["clients"] == 0


async def test_publishing_to_a_malformed_channel_is_refused(hub: RealtimeHub) -> None:
    with pytest.raises(InvalidInput, match="not a realtime channel"):
        hub.publish("quote:005930", {})
    with pytest.raises(InvalidInput, match="fixed channel"):
        hub.register_snapshot("quotes:005930", lambda p: None)


async def test_connecting_to_a_hub_that_is_not_running_is_refused() -> None:
    hub = RealtimeHub()
    with pytest.raises(Exception, match="not running"):
        hub.connect(ALICE, FakeSink())


async def test_stats_count_what_went_out(hub: RealtimeHub) -> None:
    conn, sink = client(hub)
    hub.subscribe(conn, ["system"])
    hub.publish("system", {"ok": True}, key="feed")
    await settle(hub)
    stats = hub.stats()
    assert stats["clients"] == 1
    assert stats["published"] == stats["messages_sent"] == 1
    assert stats["frames_sent"] == len(sink.frames)
    assert hub.health().healthy
    assert hub.health().details["epoch"] == hub.epoch


@pytest.mark.parametrize(
    "fields",
    [{"heartbeat_s": 0}, {"batch_ms": -1}, {"idle_timeout_s": 10}, {"history_size": 10}],
)
def test_config_rejects_values_that_cannot_work(fields: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        HubConfig(**fields)  # type: ignore[arg-type]
