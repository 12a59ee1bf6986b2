"""Price alerts CRUD (/api/v1/alerts) and Web Push subscriptions (/api/v1/push).

Alerts are personal: every route acts on the caller's own rules and browsers only, and
viewers may keep alerts too, so every route needs the READ scope and nothing more — except
the VAPID public key, which is public. A rule
of another user answers 404, exactly like a missing one. A rule created, changed or deleted
here reaches the evaluator before the answer is sent. Routes touching the database are
plain `def`: FastAPI runs them in its thread pool, off the event loop that carries the
market stream.
"""

# No `from __future__ import annotations` here: FastAPI reads the annotations of the route
# functions at run time, and `Caller` below exists only inside `alerts_router`.

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from jts.core.errors import InvalidInput
from jts.gateway.alerts.evaluator import AlertEvaluator
from jts.gateway.alerts.rules import AlertRule, AlertSpec, apply_patch
from jts.gateway.alerts.schemas import (
    URL_TEXT,
    AlertRuleOut,
    AlertRulePatch,
    PushTestResult,
    SubscriptionIn,
    SubscriptionOut,
    VapidPublicKey,
)
from jts.gateway.alerts.sender import PushSender
from jts.gateway.alerts.store import AlertNotFound, AlertStore, TooManyAlerts
from jts.gateway.auth.principal import Principal, Scope
from jts.gateway.errors import ERROR_RESPONSES

__all__ = ["PrincipalDependency", "alerts_router"]

PrincipalDependency = Callable[..., Any]
"""A FastAPI dependency (sync or async, with its own dependencies) returning a `Principal`."""

CallerDependency = Callable[..., Awaitable[Principal]]
RuleId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The rule's id.")]


def alerts_router(
    store: AlertStore,
    evaluator: AlertEvaluator,
    sender: PushSender,
    principal_dependency: PrincipalDependency,
) -> APIRouter:
    """The routes under /api/v1/alerts and /api/v1/push; `principal_dependency`
    authenticates the caller (the VAPID key and the test sends come from `sender`)."""

    async def caller(principal: Annotated[Principal, Depends(principal_dependency)]) -> Principal:
        if not principal.allows(Scope.READ):
            raise HTTPException(status_code=403, detail="alerts need the read scope")
        return principal

    router = APIRouter(responses=ERROR_RESPONSES)
    _rule_reads(router, store, caller)
    _rule_writes(router, store, evaluator, caller)
    _push_routes(router, store, sender, caller)
    return router


def _owned(store: AlertStore, principal: Principal, rule_id: int) -> AlertRule:
    try:
        return store.get_rule(principal.user_id, rule_id)
    except AlertNotFound as exc:
        raise HTTPException(status_code=404, detail=exc.problem) from None


def _rule_reads(router: APIRouter, store: AlertStore, caller: CallerDependency) -> None:
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 (a type alias)

    @router.get("/api/v1/alerts", tags=["alerts"])
    def list_alerts(principal: Caller) -> list[AlertRuleOut]:
        """The caller's alert rules, oldest first."""
        return [AlertRuleOut.from_rule(rule) for rule in store.list_rules(principal.user_id)]

    @router.get("/api/v1/alerts/{rule_id}", tags=["alerts"])
    def get_alert(rule_id: RuleId, principal: Caller) -> AlertRuleOut:
        """One of the caller's rules (404 for anyone else's)."""
        return AlertRuleOut.from_rule(_owned(store, principal, rule_id))


def _rule_writes(
    router: APIRouter, store: AlertStore, evaluator: AlertEvaluator, caller: CallerDependency
) -> None:
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 (a type alias)

    def publish(rule: AlertRule) -> AlertRuleOut:
        evaluator.upsert(rule)
        return AlertRuleOut.from_rule(rule)

    @router.post("/api/v1/alerts", status_code=201, tags=["alerts"])
    def create_alert(spec: AlertSpec, principal: Caller) -> AlertRuleOut:
        """Create a rule; it is live at once. 422 when a parameter is wrong or the caller
        already has the maximum number of rules."""
        try:
            return publish(store.create_rule(principal.user_id, spec))
        except TooManyAlerts as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None

    @router.put("/api/v1/alerts/{rule_id}", tags=["alerts"])
    def replace_alert(rule_id: RuleId, spec: AlertSpec, principal: Caller) -> AlertRuleOut:
        """Replace a rule whole (its kind may change); id and last firing are kept."""
        _owned(store, principal, rule_id)
        return publish(store.update_rule(principal.user_id, rule_id, spec))

    @router.patch("/api/v1/alerts/{rule_id}", tags=["alerts"])
    def patch_alert(rule_id: RuleId, patch: AlertRulePatch, principal: Caller) -> AlertRuleOut:
        """Change some fields (`{"enabled": false}` pauses the rule); the result is
        validated as a whole, 422 naming the field when it no longer makes sense."""
        rule = _owned(store, principal, rule_id)
        try:
            spec = apply_patch(rule.spec, patch.model_dump(exclude_unset=True))
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False)
            raise RequestValidationError(
                [{**error, "loc": ("body", *error["loc"])} for error in errors]
            ) from None
        return publish(store.update_rule(principal.user_id, rule_id, spec))

    @router.delete("/api/v1/alerts/{rule_id}", status_code=204, tags=["alerts"])
    def delete_alert(rule_id: RuleId, principal: Caller) -> None:
        """Delete a rule; it stops firing at once."""
        try:
            store.delete_rule(principal.user_id, rule_id)
        except AlertNotFound as exc:
            raise HTTPException(status_code=404, detail=exc.problem) from None
        evaluator.remove(rule_id)


def _push_routes(
    router: APIRouter, store: AlertStore, sender: PushSender, caller: CallerDependency
) -> None:
    Caller = Annotated[Principal, Depends(caller)]  # noqa: N806 (a type alias)

    @router.get("/api/v1/push/vapid-public-key", tags=["push"])
    def vapid_public_key() -> VapidPublicKey:
        """The server's public key, for `pushManager.subscribe({applicationServerKey})`.
        Public (no credential): it is a public key, and the service worker may need it to
        re-subscribe on `pushsubscriptionchange` without a signed-in page."""
        return VapidPublicKey(public_key=sender.vapid.public_key_b64url)

    @router.get("/api/v1/push/subscriptions", tags=["push"])
    def list_subscriptions(principal: Caller) -> list[SubscriptionOut]:
        """The caller's subscribed browsers."""
        items = store.list_subscriptions(principal.user_id)
        return [SubscriptionOut.from_subscription(item) for item in items]

    @router.post("/api/v1/push/subscriptions", status_code=201, tags=["push"])
    def subscribe(subscription: SubscriptionIn, principal: Caller) -> SubscriptionOut:
        """Register this browser's push subscription (its `toJSON()`); subscribing again
        renews it. 422 unless the endpoint is a known push service."""
        try:
            endpoint = sender.check_endpoint(subscription.endpoint)
        except InvalidInput as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        keys = subscription.keys
        item = store.add_subscription(principal.user_id, endpoint, keys.p256dh, keys.auth)
        return SubscriptionOut.from_subscription(item)

    @router.delete("/api/v1/push/subscriptions", status_code=204, tags=["push"])
    def unsubscribe(
        principal: Caller,
        endpoint: Annotated[
            str, Query(max_length=2048, pattern=URL_TEXT, description="The endpoint to forget.")
        ],
    ) -> None:
        """Stop pushing to a browser (after `subscription.unsubscribe()` there)."""
        if not store.delete_subscription(principal.user_id, endpoint):
            raise HTTPException(status_code=404, detail="no such push subscription")

    @router.post("/api/v1/push/test", tags=["push"])
    async def send_test(principal: Caller) -> PushTestResult:
        """Send a test notification to each of the caller's browsers; 409 when there is
        none (enable notifications first)."""
        report = await sender.send_test(principal.user_id)
        if report.subscriptions == 0:
            raise HTTPException(
                status_code=409, detail="no push subscription: enable notifications first"
            )
        return PushTestResult.from_report(report)
