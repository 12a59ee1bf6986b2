"""Wires the services of one JTS process and runs them (`jts run`).

This is the one place that chooses backends and plugs parts together (STYLE.md: backtest, paper
and live differ only in what is plugged in here). Services start in order and stop in reverse;
if one fails to start, those already started are stopped again before the error surfaces.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import structlog
from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp

from jts.bus import InProcBus
from jts.config import Settings
from jts.config.settings import DatabaseSettings, RateLimitConfig
from jts.core.clock import Clock, LiveClock, kst_today, to_kst
from jts.core.lifecycle import Health, Lifecycle
from jts.core.models import Fill, Tick
from jts.gateway import GatewayParts, GatewayService, create_app
from jts.gateway.alerts import (
    AlertEvaluator,
    AlertsConfig,
    AlertStore,
    Firing,
    PushSender,
    VapidKeys,
    alerts_router,
)
from jts.gateway.auth.guard import Authenticator
from jts.gateway.auth.passkey_routes import passkey_router
from jts.gateway.auth.passkeys import PasskeyService
from jts.gateway.auth.principal import Role, Scope
from jts.gateway.auth.tokens import TokenService
from jts.gateway.auth.users import UserStore
from jts.gateway.bootstrap import ensure_cli_key, first_admin
from jts.gateway.brokers import CredentialStore, SecretBox
from jts.gateway.errors import ApiError
from jts.gateway.keyfile import load_or_create_key
from jts.gateway.ratelimit import (
    MemoryLimiter,
    RateLimiter,
    RateLimitMiddleware,
    RateLimitSettings,
    RedisLimiter,
)
from jts.gateway.realtime import RealtimeHub, websocket_router
from jts.gateway.routes.jobs import jobs_router
from jts.jobs import InProcConfig, InProcJobs, JobInfo, SqlJobStore
from jts.jobs.kinds import KindsConfig, builtin_handlers
from jts.krx import phase_at, sessions
from jts.storage import open_database
from jts.storage.strategies import StrategyLibrary
from jts.trading.control import TradingService
from jts.trading.feeds import LiveFeeds
from jts.trading.interest import ShownSymbols
from jts.trading.node import TradingHalted
from jts.trading.views import TradingViews

log = structlog.get_logger(__name__)


class JtsApp:
    """An ordered set of services with one start, one stop and one health view."""

    def __init__(self, settings: Settings, services: Sequence[Lifecycle]) -> None:
        self.settings = settings
        self.services = list(services)
        self._started: list[Lifecycle] = []

    async def start(self) -> None:
        for service in self.services:
            log.info("service.starting", service=service.name)
            try:
                await service.start()
            except Exception:
                await self.stop()
                raise
            self._started.append(service)
        log.info("jts.started", services=[s.name for s in self._started])

    async def stop(self) -> None:
        while self._started:
            service = self._started.pop()
            try:
                await service.stop()
            except Exception as exc:  # keep stopping the others
                log.error("service.stop_failed", service=service.name, error=str(exc))
            else:
                log.info("service.stopped", service=service.name)

    def health(self) -> list[Health]:
        return [service.health() for service in self.services]

    async def run_until_signalled(self, stop: asyncio.Event | None = None) -> None:
        """Start, wait for SIGINT/SIGTERM (or `stop` being set), then stop everything."""
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await self.start()
        try:
            await stop.wait()
        finally:
            log.info("jts.stopping")
            await self.stop()


def market_status(clock: Clock) -> dict[str, Any]:
    """Today's KRX phase and schedule, for the health answer and the start-up banner."""
    now = clock.now_ns()
    today = kst_today(clock)
    schedule = sessions(today)
    return {
        "market": {
            "date": today.isoformat(),
            "trading_day": bool(schedule),
            "phase": str(phase_at(to_kst(now))),
            "sessions": [
                {"phase": str(s.phase), "start": s.start.isoformat(), "end": s.end.isoformat()}
                for s in schedule
            ],
        }
    }


def gateway_database_url(settings: Settings, var: Path) -> str:
    """The database of users, strategies and jobs: `database.url` when configured, else the
    paper session's SQLite file in `var` (one file for a one-machine install)."""
    url = settings.database.url.get_secret_value()
    if url == DatabaseSettings().url.get_secret_value():
        return f"sqlite:///{(var / 'jts.db').resolve()}"
    return url


def build_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    trading: TradingService | None = None,
    var: Path | None = None,
    announce: Callable[[str], None] | None = None,
) -> JtsApp:
    """The all-in-one process on embedded defaults; `trading` adds a trading service: paper
    trading on the simulated KRX exchange (the demo of `jts run`) or a broker's venue. `var`
    holds the database and keys (a temporary directory when None); `announce` shows the first
    start's admin password."""
    clock = clock or LiveClock()
    var = var if var is not None else Path(tempfile.mkdtemp(prefix="jts-var-"))
    services: list[Lifecycle] = [InProcBus()]
    views = TradingViews(
        lambda: trading.node if trading is not None else None,
        trading.book if trading is not None else None,
    )
    if trading is not None:
        services += [trading, views]
    engine = open_database(gateway_database_url(settings, var))
    users = UserStore(engine, clock=clock)
    tokens = TokenService(
        load_or_create_key(var / "secrets" / "jwt.key", env="JTS_JWT_SECRET"), clock=clock
    )
    password = first_admin(users)
    if password is not None and announce is not None:
        announce(password)
    ensure_cli_key(users, var)
    auth = Authenticator(users, tokens)
    box = SecretBox(load_or_create_key(var / "secrets" / "master.key", env="JTS_SECRET_KEY"))
    jobs = InProcJobs(
        builtin_handlers(_kinds(settings, var)),
        SqlJobStore(engine),
        InProcConfig(workers=settings.gateway.job_workers),
        clock=clock,
    )
    hub = RealtimeHub()
    alerts = _alerts(settings, var, engine, users, clock, hub)
    services += [jobs, alerts.sender, hub]
    if trading is not None:
        feeds = LiveFeeds(views, hub.publish, system=lambda: _system(services, hub))
        services.append(feeds)
        hub.register_snapshot("orders", lambda _p: feeds.snapshot_orders())
        hub.register_snapshot("positions", lambda _p: feeds.snapshot_positions())
        hub.register_snapshot("pnl", lambda _p: feeds.snapshot_pnl())
        services.append(ShownSymbols(lambda: _shown(hub), trading.show))
    _publish_jobs(jobs, hub, users)
    limiter_refusals: list[RateLimitMiddleware | None] = [None]
    passkeys = _passkeys(settings, engine, clock)
    parts = GatewayParts(
        auth=auth,
        health_source=lambda: [service.health() for service in services],
        clock=clock,
        extra=lambda: market_status(clock),
        desk=views.desk if trading is not None else None,
        control=trading,
        library=StrategyLibrary(engine),
        credentials=CredentialStore(engine, box, clock),
        status=lambda: _status(trading, hub, jobs, limiter_refusals),
        routers=[
            jobs_router(jobs, auth.requires(Scope.READ), auth.requires(Scope.TRADE)),
            alerts_router(alerts.store, alerts.evaluator, alerts.sender, auth.requires()),
            passkey_router(passkeys, auth.requires(), _token_issuer(auth)),
            websocket_router(hub, auth.check_async),
        ],
        web_dir=web_dir(),
    )
    views.observers.append(_alert_feed(alerts.evaluator, trading))
    views.fill_listeners.append(alerts.evaluator.on_fill_event)
    http = create_app(parts)
    limited = _rate_limited(http, settings.gateway.rate_limit, auth)
    if isinstance(limited, RateLimitMiddleware):
        limiter_refusals[0] = limited
    services.append(
        GatewayService(http, host=settings.server.host, port=settings.server.port, serve=limited)
    )
    return JtsApp(settings, services)


@dataclass(frozen=True)
class _Alerts:
    store: AlertStore
    evaluator: AlertEvaluator
    sender: PushSender


def _alerts(
    settings: Settings, var: Path, engine: Engine, users: UserStore, clock: Clock, hub: RealtimeHub
) -> _Alerts:
    gateway = settings.gateway
    fields: dict[str, object] = {
        "vapid_subject": gateway.vapid_subject,
        "allow_insecure_endpoints": gateway.allow_insecure_push,
    }
    if gateway.push_hosts is not None:
        fields["push_hosts"] = gateway.push_hosts
    config = AlertsConfig.model_validate(fields)
    vapid = VapidKeys.load_or_create(var / "secrets" / "vapid.pem", config.vapid_subject)
    store = AlertStore(engine, clock=clock)
    sender = PushSender(store, vapid, config, clock=clock)
    # One account per install: every user may follow its fills (rules decide who is told).

    def sink(firing: Firing) -> None:
        sender.submit(firing)  # Web Push to the user's browsers, and the open dashboards:
        hub.publish("alerts", dataclasses.asdict(firing), user_id=firing.user_id or None)

    evaluator = AlertEvaluator(
        sink=sink, account_owners=lambda _account: [u.id for u in users.all()], clock=clock
    )
    evaluator.load(store.all_rules())
    return _Alerts(store, evaluator, sender)


def _alert_feed(
    evaluator: AlertEvaluator, trading: TradingService | None
) -> Callable[[object], None]:
    """Market events and halts of the trading node into the alert rules (fills come from the
    order manager instead: only booked fills count)."""

    def feed(event: object) -> None:
        node = trading.node if trading is not None else None
        if isinstance(event, Tick):
            base = node.base_prices.get(event.symbol) if node is not None else None
            evaluator.on_tick(event.symbol, event.price, event.ts_ns, prev_close=base)
        elif isinstance(event, TradingHalted):
            evaluator.on_risk_halt(event.reason, event.ts_ns)
        elif not isinstance(event, Fill):
            evaluator.handle(event)

    return feed


def _shown(hub: RealtimeHub) -> set[str]:
    """Symbols an open symbol page charts (`bars:<code>:<timeframe>` channels)."""
    return {channel.split(":")[1] for channel in hub.subscribed("bars:")}


def _publish_jobs(jobs: InProcJobs, hub: RealtimeHub, users: UserStore) -> None:
    """Job progress to its owner's `jobs` channel (jobs name owners by username)."""
    ids: dict[str, int | None] = {}

    def publish(info: JobInfo) -> None:
        if info.owner not in ids:
            user = users.by_username(info.owner)
            ids[info.owner] = user.id if user is not None else None
        user_id = ids[info.owner]
        if user_id is not None:
            data = {k: v for k, v in info.to_dict().items() if k != "params"}
            hub.publish("jobs", data, key=info.job_id, user_id=user_id)

    jobs.listen(publish)


def _status(
    trading: TradingService | None,
    hub: RealtimeHub,
    jobs: InProcJobs,
    limiter: list[RateLimitMiddleware | None],
) -> dict[str, Any]:
    """`GET /api/v1/system`: what the monitoring page shows beside each service's health."""
    status = trading.venue_status() if trading is not None else None
    venues = [status] if status is not None else []
    middleware = limiter[0]
    return {
        "venues": venues,
        "realtime": hub.stats(),
        "jobs": jobs.health().details,
        "rate_limit": {"refusals": middleware.refusals if middleware is not None else 0},
    }


def _system(services: Sequence[Lifecycle], hub: RealtimeHub) -> dict[str, Any]:
    """The `system` channel: each service's health and the push hub's counters."""
    health = [service.health() for service in services]
    return {
        "status": "ok" if all(h.healthy for h in health) else "degraded",
        "services": [msgspec.to_builtins(h) for h in health],
        "realtime": hub.stats(),
    }


def _passkeys(settings: Settings, engine: Engine, clock: Clock) -> PasskeyService:
    config = settings.gateway.passkeys
    return PasskeyService(
        engine,
        rp_id=config.rp_id,
        rp_name=config.rp_name,
        origins=config.origins,
        clock=clock,
        require_user_verification=config.require_user_verification,
    )


def _token_issuer(auth: Authenticator) -> Callable[[int], Awaitable[dict[str, Any]]]:
    """The login answer for a user a passkey just proved (the same as a password login's)."""

    async def issue(user_id: int) -> dict[str, Any]:
        user = await run_in_threadpool(auth.users.get, user_id)
        if user is None or user.disabled:
            raise ApiError(401, "unauthorized", "the account is disabled")
        return await run_in_threadpool(auth.issue, user)

    return issue


def _kinds(settings: Settings, var: Path) -> KindsConfig:
    examples = Path(__file__).resolve().parents[2] / "examples" / "strategies"
    return KindsConfig(
        data_dir=settings.data_dir,
        reports_dir=var / "reports",
        strategy_dir=examples if examples.is_dir() else None,
        commission_rate=settings.krx.commission_rate,
    )


def _rate_limited(app: FastAPI, config: RateLimitConfig, auth: Authenticator) -> ASGIApp:
    """`app` behind the rate limiter the settings ask for (or as it is when disabled)."""
    if not config.enabled:
        return app
    limits = RateLimitSettings(
        backend=config.backend,
        redis_url=config.redis_url,
        redis_prefix=config.redis_prefix,
        window_s=config.window_s,
        default_limit=config.default_limit,
        role_limits={Role(role): limit for role, limit in config.role_limits.items()},
        anonymous_limit=config.anonymous_limit,
        trust_proxy=config.trust_proxy,
    )
    limiter: RateLimiter = MemoryLimiter()
    if limits.backend == "redis" and limits.redis_url is not None:
        limiter = RedisLimiter.from_url(
            limits.redis_url.get_secret_value(), prefix=limits.redis_prefix
        )
    return RateLimitMiddleware(app, limiter, limits.policy(), auth.identify)


WEB_DIR = Path(__file__).resolve().parents[2] / "web" / "out"
"""The dashboard's static build in a source checkout (`make run` builds it when Node is there)."""


def web_dir() -> Path:
    """The dashboard build to serve: `$JTS_WEB_DIR` when set, else the checkout's web/out."""
    override = os.environ.get("JTS_WEB_DIR")
    return Path(override) if override else WEB_DIR
