"""What the KIS WebSocket session should be subscribed to, independent of any one socket.

KIS forgets every registration when a session ends, so the client keeps the wanted set here
and replays it after each reconnect. The set is capped client-side (KIS answers the 42nd
registration of a session with `OPSP0008`; the official sample stops at 40), so a caller
learns at once that a symbol does not fit rather than after a round trip. Each registration is
one `(tr_id, tr_key)` pair: trades, book and notices all count.
"""

from __future__ import annotations

from collections.abc import Iterator

from jts.core.errors import ConfigError
from jts.venues.kis.protocol.crypto import NoticeCipher

__all__ = ["DEFAULT_MAX_REGISTRATIONS", "Registration", "SubscriptionRegistry"]

DEFAULT_MAX_REGISTRATIONS = 40
"""Registrations per session we allow ourselves: one below the 41 KIS accepts (KIS.md §3.4)."""

Registration = tuple[str, str]
"""(tr_id, tr_key): `H0STCNT0` + stock code, or the notice TR + HTS user id."""


class SubscriptionRegistry:
    """The wanted registrations, in the order they were asked for, and the AES key of each
    encrypted TR (keyed by TR id: a data frame names its TR but not its key)."""

    def __init__(self, max_registrations: int = DEFAULT_MAX_REGISTRATIONS) -> None:
        if max_registrations < 1:
            raise ConfigError("kis.ws.max_registrations", f"must be >= 1, got {max_registrations}")
        self.max_registrations = max_registrations
        self._wanted: dict[Registration, None] = {}
        self._ciphers: dict[str, NoticeCipher] = {}

    def __contains__(self, registration: object) -> bool:
        return registration in self._wanted

    def __iter__(self) -> Iterator[Registration]:
        return iter(list(self._wanted))

    def __len__(self) -> int:
        return len(self._wanted)

    @property
    def free(self) -> int:
        """Registrations still available in a session."""
        return self.max_registrations - len(self._wanted)

    def fits(self, registration: Registration) -> bool:
        """Whether adding `registration` stays within the cap (a repeat always fits)."""
        return registration in self._wanted or self.free > 0

    def add(self, registration: Registration) -> bool:
        """Want `registration`; False (and nothing changes) when the cap is reached. Adding
        one already wanted is a no-op that answers True."""
        if not self.fits(registration):
            return False
        self._wanted[registration] = None
        return True

    def discard(self, registration: Registration) -> None:
        self._wanted.pop(registration, None)

    def trs(self) -> set[str]:
        """TR ids with at least one registration."""
        return {tr_id for tr_id, _ in self._wanted}

    def set_cipher(self, tr_id: str, key: str, iv: str) -> None:
        """Remember the AES key and iv a subscribe reply gave for `tr_id`'s frames."""
        current = self._ciphers.get(tr_id)
        if current is None or (current.key, current.iv) != (key, iv):
            self._ciphers[tr_id] = NoticeCipher(key, iv)

    def cipher(self, tr_id: str) -> NoticeCipher | None:
        return self._ciphers.get(tr_id)

    def forget_ciphers(self) -> None:
        """A new session brings new keys: the old ones must not decrypt its frames."""
        self._ciphers.clear()
