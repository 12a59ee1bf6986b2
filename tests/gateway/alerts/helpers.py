"""Small builders shared by the alert tests: users in the database, rules, KST instants."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jts.core.clock import kst_ns
from jts.gateway.alerts.rules import AlertRule, parse_spec
from jts.storage.models import UserRow

DAY = dt.date(2026, 11, 27)
SYMBOL = "005930"
_ids = itertools.count(1)


def add_user(engine: Engine, role: str = "viewer") -> int:
    """Insert a user (rules and subscriptions reference users.id) under a unique name."""
    name = f"alerts-{uuid.uuid4().hex[:12]}"
    with Session(engine) as session, session.begin():
        row = UserRow(username=name, password_hash="-", role=role, handle=name, created_ns=0)
        session.add(row)
        session.flush()
        return row.id


def at(hour: int, minute: int, second: int = 0, day: dt.date = DAY) -> int:
    """The instant hh:mm:ss KST on `day`, ns UTC."""
    return kst_ns(day, dt.time(hour, minute, second))


def rule(kind: str, user_id: int = 1, rule_id: int | None = None, **fields: Any) -> AlertRule:
    """A rule as the store would return it; `symbol` defaults to 005930 for market kinds."""
    data: dict[str, Any] = {"kind": kind, **fields}
    if kind not in ("order_filled", "risk_halt"):
        data.setdefault("symbol", SYMBOL)
    return AlertRule(id=rule_id or next(_ids), user_id=user_id, spec=parse_spec(data))
