"""Alert rules and push subscriptions in the gateway database (`alert_rules`,
`push_subscriptions`; SQLite or PostgreSQL through `jts.storage.open_database`).

Every rule method takes the caller's `user_id` and matches on it: another user's rule is
"not found", never "forbidden", so ids cannot be probed. Params are stored as the JSON of
the validated spec and validated again on the way out, so a row can never feed the
evaluator something the API would have refused.

Calls block on the database; async callers run them in a thread (FastAPI does so for plain
`def` routes, the sender through its executor).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

import structlog
from pydantic import ValidationError
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from jts.core.clock import Clock, LiveClock
from jts.core.errors import InvalidInput
from jts.gateway.alerts.rules import AlertRule, AlertSpec, parse_spec
from jts.storage.models import AlertRuleRow, PushSubscriptionRow

__all__ = [
    "MAX_RULES_PER_USER",
    "MAX_SUBSCRIPTIONS_PER_USER",
    "AlertNotFound",
    "AlertStore",
    "PushSubscription",
    "TooManyAlerts",
]

MAX_RULES_PER_USER: Final = 200
"""Bounds one user's share of the evaluator's work."""
MAX_SUBSCRIPTIONS_PER_USER: Final = 20
"""Browsers and devices per user; a 21st subscription drops the oldest."""

_log = structlog.get_logger(__name__)


class AlertNotFound(InvalidInput):
    """No rule with this id belongs to the caller."""

    def __init__(self, rule_id: int) -> None:
        super().__init__("rule_id", f"no alert rule {rule_id}")
        self.rule_id = rule_id


class TooManyAlerts(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "alerts", f"at most {MAX_RULES_PER_USER} alert rules per user; delete some first"
        )


@dataclass(frozen=True, slots=True)
class PushSubscription:
    """A browser's subscription: where to POST (`endpoint`) and its keys (base64url):
    `p256dh` the browser's P-256 public key, `auth` its 16-byte authentication secret."""

    id: int
    user_id: int
    endpoint: str
    p256dh: str
    auth: str
    created_ns: int

    def info(self) -> dict[str, object]:
        """The `subscription_info` shape pywebpush takes (the browser's `toJSON()`)."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class AlertStore:
    """CRUD of alert rules and push subscriptions on `engine`."""

    def __init__(self, engine: Engine, *, clock: Clock | None = None) -> None:
        self._engine = engine
        self._clock = clock or LiveClock()

    # --- rules -------------------------------------------------------------------------

    def list_rules(self, user_id: int) -> list[AlertRule]:
        """The user's rules, oldest first."""
        query = select(AlertRuleRow).where(AlertRuleRow.user_id == user_id)
        with Session(self._engine) as session:
            return [_rule(row) for row in session.scalars(query.order_by(AlertRuleRow.id))]

    def all_rules(self) -> list[AlertRule]:
        """Every user's rules, for loading the evaluator at start. A row that no longer
        validates (written by an older version) is logged and skipped, not fatal."""
        rules: list[AlertRule] = []
        with Session(self._engine) as session:
            for row in session.scalars(select(AlertRuleRow).order_by(AlertRuleRow.id)):
                try:
                    rules.append(_rule(row))
                except ValidationError as exc:
                    _log.warning("alert rule skipped", rule_id=row.id, error=str(exc))
        return rules

    def get_rule(self, user_id: int, rule_id: int) -> AlertRule:
        with Session(self._engine) as session:
            return _rule(_owned(session, user_id, rule_id))

    def create_rule(self, user_id: int, spec: AlertSpec) -> AlertRule:
        """Store a new rule; raises `TooManyAlerts` past `MAX_RULES_PER_USER`."""
        with Session(self._engine) as session, session.begin():
            count = session.scalar(
                select(func.count())
                .select_from(AlertRuleRow)
                .where(AlertRuleRow.user_id == user_id)
            )
            if (count or 0) >= MAX_RULES_PER_USER:
                raise TooManyAlerts
            row = AlertRuleRow(user_id=user_id, created_ns=self._clock.now_ns(), last_fired_ns=None)
            _write(row, spec)
            session.add(row)
            session.flush()
            return _rule(row)

    def update_rule(self, user_id: int, rule_id: int, spec: AlertSpec) -> AlertRule:
        """Replace the rule's spec (id, creation and last firing kept)."""
        with Session(self._engine) as session, session.begin():
            row = _owned(session, user_id, rule_id)
            _write(row, spec)
            session.flush()
            return _rule(row)

    def set_enabled(self, user_id: int, rule_id: int, enabled: bool) -> AlertRule:
        with Session(self._engine) as session, session.begin():
            row = _owned(session, user_id, rule_id)
            row.enabled = enabled
            session.flush()
            return _rule(row)

    def delete_rule(self, user_id: int, rule_id: int) -> None:
        with Session(self._engine) as session, session.begin():
            session.delete(_owned(session, user_id, rule_id))

    def mark_fired(self, rule_id: int, ts_ns: int) -> None:
        """Record a firing (for the API and for cooldowns across restarts); a rule deleted
        meanwhile is ignored."""
        with Session(self._engine) as session, session.begin():
            row = session.get(AlertRuleRow, rule_id)
            if row is not None:
                row.last_fired_ns = max(ts_ns, row.last_fired_ns or ts_ns)

    # --- push subscriptions ------------------------------------------------------------

    def add_subscription(
        self, user_id: int, endpoint: str, p256dh: str, auth: str
    ) -> PushSubscription:
        """Store a subscription, or renew it: an endpoint is one browser profile, so a
        second subscribe (new keys, or another user signing in on it) replaces the row."""
        with Session(self._engine) as session, session.begin():
            row = session.scalars(
                select(PushSubscriptionRow).where(PushSubscriptionRow.endpoint == endpoint)
            ).one_or_none()
            if row is None:
                row = PushSubscriptionRow(endpoint=endpoint)
                session.add(row)
            row.user_id, row.p256dh, row.auth = user_id, p256dh, auth
            row.created_ns = self._clock.now_ns()
            session.flush()
            _drop_oldest(session, user_id)
            return _subscription(row)

    def list_subscriptions(self, user_id: int) -> list[PushSubscription]:
        query = select(PushSubscriptionRow).where(PushSubscriptionRow.user_id == user_id)
        with Session(self._engine) as session:
            return [
                _subscription(row)
                for row in session.scalars(query.order_by(PushSubscriptionRow.id))
            ]

    def delete_subscription(self, user_id: int, endpoint: str) -> bool:
        """The user unsubscribed a browser; False when the user had no such endpoint."""
        return self._delete_endpoint(endpoint, user_id)

    def forget_endpoint(self, endpoint: str) -> bool:
        """The push service says the subscription is gone (404/410): whoever owned it."""
        return self._delete_endpoint(endpoint, None)

    def _delete_endpoint(self, endpoint: str, user_id: int | None) -> bool:
        statement = delete(PushSubscriptionRow).where(PushSubscriptionRow.endpoint == endpoint)
        if user_id is not None:
            statement = statement.where(PushSubscriptionRow.user_id == user_id)
        with Session(self._engine) as session, session.begin():
            deleted = session.execute(statement).rowcount
        return bool(deleted)


def _owned(session: Session, user_id: int, rule_id: int) -> AlertRuleRow:
    row = session.get(AlertRuleRow, rule_id)
    if row is None or row.user_id != user_id:
        raise AlertNotFound(rule_id)
    return row


def _write(row: AlertRuleRow, spec: AlertSpec) -> None:
    row.kind = spec.kind
    row.symbol = spec.symbol
    row.params = spec.params.model_dump_json()
    row.enabled = spec.enabled
    row.cooldown_s = spec.cooldown_s
    row.note = spec.note


def _rule(row: AlertRuleRow) -> AlertRule:
    spec = parse_spec(
        {
            "kind": row.kind,
            "symbol": row.symbol,
            "params": json.loads(row.params),
            "enabled": row.enabled,
            "cooldown_s": row.cooldown_s,
            "note": row.note,
        }
    )
    return AlertRule(
        id=row.id,
        user_id=row.user_id,
        spec=spec,
        created_ns=row.created_ns,
        last_fired_ns=row.last_fired_ns,
    )


def _subscription(row: PushSubscriptionRow) -> PushSubscription:
    return PushSubscription(
        id=row.id,
        user_id=row.user_id,
        endpoint=row.endpoint,
        p256dh=row.p256dh,
        auth=row.auth,
        created_ns=row.created_ns,
    )


def _drop_oldest(session: Session, user_id: int) -> None:
    ids = session.scalars(
        select(PushSubscriptionRow.id)
        .where(PushSubscriptionRow.user_id == user_id)
        .order_by(PushSubscriptionRow.created_ns.desc(), PushSubscriptionRow.id.desc())
        .offset(MAX_SUBSCRIPTIONS_PER_USER)
    ).all()
    if ids:
        session.execute(delete(PushSubscriptionRow).where(PushSubscriptionRow.id.in_(ids)))
