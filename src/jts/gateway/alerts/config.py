"""Settings of Web Push alerts: the VAPID identity, how long and how urgently a push service
should hold a notification, and which push services the server may be asked to call.

`push_hosts` exists because a subscription's endpoint is a URL a signed-in user hands us and
the server then POSTs to it: without a list, any viewer could make the gateway call hosts on
its private network. The defaults are the push services of Chrome/Edge/Opera/Samsung (FCM),
Firefox (Mozilla autopush), Safari (Apple) and legacy Edge (WNS).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_PUSH_HOSTS: tuple[str, ...] = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)
"""Host suffixes of the browsers' push services (a host matches itself or any subdomain)."""


class AlertsConfig(BaseModel):
    """The `[alerts]` section; frozen, unknown keys rejected (a typo names the key)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    vapid_key_file: Path = Path("vapid_private.pem")
    """PEM file of the server's VAPID private key, created (0600) on first run; a relative
    path is taken inside the data directory by whoever builds the app."""
    vapid_subject: str = "mailto:admin@localhost"
    """Contact of this server for push services (RFC 8292 `sub`): a mailto: or https: URL."""
    ttl_s: int = Field(default=3_600, ge=0, le=28 * 86_400)
    """Seconds a push service keeps a notification for an offline browser (0: drop it)."""
    urgency: Literal["very-low", "low", "normal", "high"] = "high"
    """RFC 8030 Urgency: "high" lets phones wake from power saving for a price alert."""
    timeout_s: float = Field(default=10.0, gt=0, le=120)
    """Per-request timeout towards a push service, seconds."""
    max_workers: int = Field(default=4, ge=1, le=64)
    """Threads sending pushes (pywebpush blocks on `requests`)."""
    push_hosts: tuple[str, ...] = DEFAULT_PUSH_HOSTS
    """Endpoint hosts accepted for subscriptions; empty accepts any https host."""
    allow_insecure_endpoints: bool = False
    """Accept http:// endpoints too (tests, a local push service); hosts are still checked."""
