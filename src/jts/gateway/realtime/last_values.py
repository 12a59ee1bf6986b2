"""The newest value of every (channel, user, key) of conflated channels: a subscriber's snapshot.

Kept whether or not anyone subscribes, so that a client (re)subscribing gets the current quote
of a symbol at once instead of waiting for its next trade. Each channel keeps at most its
family's `snapshot_keys` keys per addressee (everyone, or one user), evicting the least
recently updated one, so a channel keyed by something unbounded (bars by their start time)
cannot grow without limit.
"""

from __future__ import annotations

from operator import itemgetter

import msgspec

_Stamped = tuple[int, msgspec.Raw]  # (update number, message): orders values across addressees


class LastValues:
    __slots__ = ("_channels", "_updates")

    def __init__(self) -> None:
        self._channels: dict[str, dict[int | None, dict[str | None, _Stamped]]] = {}
        self._updates = 0

    def put(
        self,
        channel: str,
        key: str | None,
        user_id: int | None,
        message: msgspec.Raw,
        limit: int,
    ) -> None:
        """Remember `message` as the newest of (channel, user_id, key); None is everyone."""
        users = self._channels.get(channel)
        if users is None:
            users = self._channels[channel] = {}
        slots = users.get(user_id)
        if slots is None:
            slots = users[user_id] = {}
        self._updates += 1
        if limit > 1:
            slots.pop(key, None)  # re-inserted last: most recently updated
        slots[key] = (self._updates, message)
        if len(slots) > limit:
            del slots[next(iter(slots))]

    def of(self, channel: str, user_id: int) -> list[msgspec.Raw]:
        """The channel's newest values that `user_id` may see, least recently updated first
        (so a client applying them in order ends with the newest of a key)."""
        users = self._channels.get(channel)
        if not users:
            return []
        found = [*users.get(None, {}).values(), *users.get(user_id, {}).values()]
        found.sort(key=itemgetter(0))
        return [message for _, message in found]

    def __len__(self) -> int:
        return sum(len(slots) for users in self._channels.values() for slots in users.values())
