"""Property: whatever the interleaving of publishes, stalls and a late subscriber, each client
ends up with the last value of every conflated (channel, key) it may see, and with every
reliable message meant for it exactly once, in publish order."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from jts.gateway.realtime import HubConfig, RealtimeHub
from jts.gateway.realtime.connection import Connection
from tests.gateway.realtime.conftest import ALICE, BOB, FakeSink, until

CONFLATED = ("quotes:000001", "quotes:000002", "positions")
CHANNELS = [*CONFLATED, "orders"]
USERS = (None, ALICE.user_id, BOB.user_id)

publish_state = st.tuples(
    st.just("state"),
    st.sampled_from(CONFLATED),
    st.sampled_from(["a", "b"]),
    st.sampled_from(USERS),
)
publish_event = st.tuples(st.just("event"), st.sampled_from(USERS))
other = st.sampled_from([("yield",), ("stall",), ("late",)])
operations = st.lists(st.one_of(publish_state, publish_event, other), max_size=60)

State = dict[tuple[str, str | None], Any]


def view(sink: FakeSink) -> tuple[State, list[Any]]:
    """(state, events) as a client author would rebuild them from the frames received."""
    state: State = {}
    events: list[Any] = []
    for frame in sink.frames:
        for message in frame.get("messages", []):
            if message["channel"] == "orders":
                events.append(message["data"])
            else:
                state[(message["channel"], message.get("key"))] = message["data"]
    return state, events


class Run:
    """Alice subscribed from the start (and sometimes stops reading); Bob joins on "late"."""

    def __init__(self, hub: RealtimeHub) -> None:
        self.hub = hub
        self.sinks = {ALICE.user_id: FakeSink(), BOB.user_id: FakeSink()}
        self.joined = {ALICE.user_id}
        self.state: dict[int, State] = {ALICE.user_id: {}, BOB.user_id: {}}
        self.events: dict[int, list[Any]] = {ALICE.user_id: [], BOB.user_id: []}
        self.join(ALICE.user_id)
        self.joined.discard(BOB.user_id)

    def join(self, user_id: int) -> Connection:
        principal = ALICE if user_id == ALICE.user_id else BOB
        conn = self.hub.connect(principal, self.sinks[user_id])
        self.hub.subscribe(conn, CHANNELS)
        self.joined.add(user_id)
        return conn

    async def apply(self, n: int, op: tuple[Any, ...]) -> None:
        if op[0] == "state":
            _, channel, key, user = op
            key = key if channel == "positions" else None  # one quote per symbol channel
            self.hub.publish(channel, n, key=key, user_id=user)
            for uid in self.state:
                if user in (None, uid):
                    self.state[uid][(channel, key)] = n
        elif op[0] == "event":
            self.hub.publish("orders", n, user_id=op[1])
            for uid in self.joined:
                if op[1] in (None, uid):
                    self.events[uid].append(n)
        elif op[0] == "yield":
            await asyncio.sleep(0)
        elif op[0] == "stall":
            reading = self.sinks[ALICE.user_id].reading
            reading.clear() if reading.is_set() else reading.set()
        elif BOB.user_id not in self.joined:
            self.join(BOB.user_id)

    async def finish(self) -> None:
        """Let Alice read again, make sure Bob joined, and wait until both got an "end"."""
        self.sinks[ALICE.user_id].reading.set()
        if BOB.user_id not in self.joined:
            self.join(BOB.user_id)
        self.hub.publish("orders", "end")
        await until(lambda: all(view(s)[1][-1:] == ["end"] for s in self.sinks.values()))


async def run(ops: list[tuple[Any, ...]]) -> None:
    hub = RealtimeHub(HubConfig(batch_ms=0, idle_timeout_s=0))
    await hub.start()
    scenario = Run(hub)
    for n, op in enumerate(ops):
        await scenario.apply(n, op)
    await scenario.finish()
    for uid, sink in scenario.sinks.items():
        state, events = view(sink)
        assert state == scenario.state[uid]
        assert events[:-1] == scenario.events[uid]
    await hub.stop()


@given(operations)
def test_clients_see_the_last_state_and_every_event_once_in_order(
    ops: list[tuple[Any, ...]],
) -> None:
    asyncio.run(run(ops))
