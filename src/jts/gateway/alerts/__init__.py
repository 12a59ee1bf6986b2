"""Web Push price alerts: rules evaluated on the live stream, sent to the user's browsers.

    rules.py          the seven rule kinds and their parameters (validated once, at the edge)
    evaluator.py      when a rule fires: indexed by symbol, edge-triggered, cooldowns
    notifications.py  what a firing says (Korean + English, KST times) and where a tap goes
    sender.py         Web Push delivery (pywebpush in a thread pool; expired browsers dropped)
    vapid.py          the server's VAPID key pair, made on first run and kept (0600)
    store.py          rules and push subscriptions in the gateway database
    schemas.py        request/response bodies of the routes
    routes.py         /api/v1/alerts (CRUD) and /api/v1/push (key, subscriptions, test)
    config.py         the [alerts] settings

Wiring (in `jts.app`): `VapidKeys.load_or_create` → `AlertStore(engine)` →
`PushSender(store, vapid, config)` → `AlertEvaluator(sink=sender.submit)` loaded with
`store.all_rules()` and fed from the bus (`evaluator.handle`) → `alerts_router(...)`.
"""

from jts.gateway.alerts.config import AlertsConfig
from jts.gateway.alerts.evaluator import AccountOwners, AlertEvaluator, FiringSink
from jts.gateway.alerts.notifications import Firing
from jts.gateway.alerts.routes import PrincipalDependency, alerts_router
from jts.gateway.alerts.rules import AlertKind, AlertRule, AlertSpec, apply_patch, parse_spec
from jts.gateway.alerts.sender import PushSender, SendReport
from jts.gateway.alerts.store import AlertNotFound, AlertStore, PushSubscription, TooManyAlerts
from jts.gateway.alerts.vapid import VapidKeys

__all__ = [
    "AccountOwners",
    "AlertEvaluator",
    "AlertKind",
    "AlertNotFound",
    "AlertRule",
    "AlertSpec",
    "AlertStore",
    "AlertsConfig",
    "Firing",
    "FiringSink",
    "PrincipalDependency",
    "PushSender",
    "PushSubscription",
    "SendReport",
    "TooManyAlerts",
    "VapidKeys",
    "alerts_router",
    "apply_patch",
    "parse_spec",
]
