"""Delivering firings: Web Push (RFC 8030) with encrypted payloads (RFC 8291) and VAPID.

pywebpush encrypts and POSTs with `requests`, which blocks, so each delivery runs in a small
thread pool and the event loop — which carries the market stream — never waits on a push
service. The evaluator hands firings over with `submit` (no await on the tick path); each
becomes a task that sends to every browser the user subscribed, then records the firing on
the rule.

A push service answering 404 or 410 says the subscription is gone for good (the user
revoked the permission, the browser dropped it): the subscription is deleted. Any other
failure — a 429, a 5xx, a timeout — is logged and counted and the notification dropped: an
alert retried minutes later is stale, and the next firing tries again anyway.
"""

from __future__ import annotations

import asyncio
import json
import string
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final
from urllib.parse import urlsplit

import requests
import structlog
from pywebpush import WebPushException, webpush  # type: ignore[import-untyped]

from jts.core.clock import Clock, LiveClock
from jts.core.errors import InvalidInput, ServiceError
from jts.core.lifecycle import Service
from jts.gateway.alerts.config import AlertsConfig
from jts.gateway.alerts.notifications import Firing
from jts.gateway.alerts.store import AlertStore, PushSubscription
from jts.gateway.alerts.vapid import VapidKeys

__all__ = ["Delivery", "PushSender", "SendReport"]

MAX_PAYLOAD_BYTES: Final = 3_000
"""Push services accept 4,096 bytes of ciphertext; this leaves room for the encryption
header and padding, and the body is shortened to fit."""
MAX_PENDING: Final = 1_000
"""Firings waiting to be sent; beyond it new ones are dropped (and counted) rather than
queued without bound behind an unreachable push service."""
_GONE: Final = frozenset({404, 410})
_BASE64URL: Final = frozenset(string.ascii_letters + string.digits + "-_")

_log = structlog.get_logger(__name__)


class Delivery(StrEnum):
    SENT = "sent"
    EXPIRED = "expired"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class SendReport:
    """What became of one firing: subscriptions tried, and how many of each outcome."""

    subscriptions: int = 0
    sent: int = 0
    expired: int = 0
    failed: int = 0


class PushSender(Service):
    """Sends firings to the push subscriptions of their users (a `Service`: started with
    the app; stopping waits for sends under way)."""

    def __init__(
        self,
        store: AlertStore,
        vapid: VapidKeys,
        config: AlertsConfig | None = None,
        *,
        clock: Clock | None = None,
    ) -> None:
        super().__init__("push")
        self._store = store
        self._vapid = vapid
        self._signer = vapid.signer()
        self._config = config or AlertsConfig()
        self._clock = clock or LiveClock()
        self._executor = ThreadPoolExecutor(self._config.max_workers, "push")
        self._sessions = threading.local()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[SendReport]] = set()
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()

    @property
    def vapid(self) -> VapidKeys:
        return self._vapid

    def stats(self) -> dict[str, int]:
        """Counters: firings, deliveries by outcome (and failures by HTTP status), firings
        dropped for a full backlog, sends still under way."""
        with self._counts_lock:
            return {**self._counts, "pending": len(self._tasks)}

    def check_endpoint(self, endpoint: str) -> str:
        """`endpoint` when the server may POST to it, else `InvalidInput`: https (http only
        when configured) to a host in `push_hosts` — a subscription is a URL a user hands
        the server, which must not become a way to call hosts inside the network."""
        parts = urlsplit(endpoint)
        schemes = {"https", "http"} if self._config.allow_insecure_endpoints else {"https"}
        if parts.scheme not in schemes or not parts.hostname:
            raise InvalidInput("endpoint", f"must be an {' or '.join(sorted(schemes))} URL")
        host, allowed = parts.hostname.lower(), self._config.push_hosts
        if allowed and not any(host == h or host.endswith(f".{h}") for h in allowed):
            raise InvalidInput("endpoint", f"{host} is not a known browser push service")
        return endpoint

    def submit(self, firing: Firing) -> None:
        """Queue `firing` without waiting (the evaluator's sink). Callable from the event
        loop or, once started, from any thread."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            self._spawn(firing)
        elif self._loop is not None:
            self._loop.call_soon_threadsafe(self._spawn, firing)
        else:
            raise ServiceError("push sender: submit from a thread needs start() first")

    async def send(self, firing: Firing) -> SendReport:
        """Deliver `firing` to each of its user's subscriptions; never raises for a push
        service's failure. Records the firing on its rule (not for test firings)."""
        self._count("firings")
        loop = asyncio.get_running_loop()
        try:
            subscriptions = await loop.run_in_executor(
                self._executor, self._store.list_subscriptions, firing.user_id
            )
            payload = _payload(firing)
            outcomes = await asyncio.gather(
                *(
                    loop.run_in_executor(self._executor, self._deliver, item, payload, firing.tag)
                    for item in subscriptions
                )
            )
            if firing.rule_id:
                await loop.run_in_executor(
                    self._executor, self._store.mark_fired, firing.rule_id, firing.ts_ns
                )
        except Exception:  # the database, most likely: logged, the stream goes on
            self._count("errors")
            _log.exception("push send failed", rule_id=firing.rule_id, user_id=firing.user_id)
            return SendReport()
        counts = Counter(outcomes)
        return SendReport(
            subscriptions=len(subscriptions),
            sent=counts[Delivery.SENT],
            expired=counts[Delivery.EXPIRED],
            failed=counts[Delivery.FAILED],
        )

    async def send_test(self, user_id: int) -> SendReport:
        """A test notification to every browser of `user_id`."""
        return await self.send(Firing.test(user_id, self._clock.now_ns()))

    async def flush(self) -> None:
        """Wait until every submitted firing has been sent (or given up on)."""
        while pending := [task for task in self._tasks if not task.done()]:
            await asyncio.gather(*pending, return_exceptions=True)

    async def _on_start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def _on_stop(self) -> None:
        await self.flush()
        self._executor.shutdown(wait=True)
        self._executor = ThreadPoolExecutor(self._config.max_workers, "push")  # for a restart
        self._loop = None

    def _health_details(self) -> dict[str, Any]:
        return self.stats()

    def _spawn(self, firing: Firing) -> None:
        if len(self._tasks) >= MAX_PENDING:
            self._count("dropped")
            _log.warning("push backlog full, firing dropped", rule_id=firing.rule_id)
            return
        task = asyncio.create_task(self.send(firing))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _count(self, key: str) -> None:
        with self._counts_lock:  # worker threads count too
            self._counts[key] += 1

    def _deliver(self, subscription: PushSubscription, payload: str, tag: str) -> Delivery:
        """One POST to one push service (in a worker thread)."""
        host = urlsplit(subscription.endpoint).hostname
        try:
            webpush(
                subscription.info(),
                data=payload,
                vapid_private_key=self._signer,
                vapid_claims=self._vapid.claims(),
                ttl=self._config.ttl_s,
                timeout=self._config.timeout_s,
                headers={"Urgency": self._config.urgency, "Topic": _topic(tag)},
                requests_session=self._session(),
            )
        except WebPushException as exc:
            status = exc.status_code
            if status in _GONE:
                self._store.forget_endpoint(subscription.endpoint)
                self._count(Delivery.EXPIRED.value)
                _log.info("push subscription expired", host=host, status=status)
                return Delivery.EXPIRED
            return self._failed(host, status=status, error=exc.message)
        except requests.RequestException as exc:
            return self._failed(host, error=f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # a bad key in a row, a library bug: never crash the sender
            _log.exception("push delivery crashed", host=host)
            return self._failed(host, error=f"{type(exc).__name__}: {exc}")
        self._count(Delivery.SENT.value)
        return Delivery.SENT

    def _failed(self, host: str | None, *, status: int | None = None, error: str) -> Delivery:
        self._count(Delivery.FAILED.value)
        if status is not None:
            self._count(f"failed_{status}")
        _log.warning("push delivery failed", host=host, status=status, error=error)
        return Delivery.FAILED

    def _session(self) -> requests.Session:
        """One keep-alive session per worker thread (`requests.Session` is not shared)."""
        session: requests.Session | None = getattr(self._sessions, "session", None)
        if session is None:
            session = self._sessions.session = requests.Session()
        return session


def _payload(firing: Firing) -> str:
    """The JSON the service worker reads: `ts` in ms since the epoch (what
    `showNotification`'s `timestamp` takes), `tag` to replace older alerts of the rule."""
    data: dict[str, Any] = {
        "title": firing.title,
        "body": firing.body,
        "url": firing.url,
        "tag": firing.tag,
        "ts": firing.ts_ns // 1_000_000,
        "kind": firing.kind,
        "symbol": firing.symbol,
        "rule_id": firing.rule_id,
    }
    text = json.dumps(data, ensure_ascii=False)
    while len(text.encode()) > MAX_PAYLOAD_BYTES and len(data["body"]) > 1:
        data["body"] = data["body"][: len(data["body"]) * 3 // 4].rstrip() + "…"
        text = json.dumps(data, ensure_ascii=False)
    return text


def _topic(tag: str) -> str:
    """RFC 8030 Topic (≤ 32 base64url characters): an undelivered older alert of the same
    rule is replaced at the push service instead of delivered late."""
    return "".join(c for c in tag if c in _BASE64URL)[:32]
