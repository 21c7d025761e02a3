"""Strava's webhook endpoint: subscription validation (GET) and events (POST) into the inbox.

POST answers within milliseconds: it validates the body, commits one inbox row and returns.
Processing happens later in a worker (store.event_claims), so a slow sync never makes Strava
time out and redeliver. Events are not signed, so a stored event is only a hint that the worker
confirms with Strava (sync.events). Every well-formed event gets the same answer, whether it
was stored, a redelivery, or for another subscription (told apart in the log only: the
metrics count them all as ``accepted``).
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import SecretStr, ValidationError

from stravasync.store.pending import inbox
from stravasync.web.deps import AUTH_RESPONSES, Ctx, secret_ok
from stravasync.web.failures import DB_RETRY_AFTER_S
from stravasync.web.intake.inbox_writer import EventRefused
from stravasync.web.schemas import Challenge, Problem, WebhookAck, WebhookEvent

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024
"""Strava's events are a few hundred bytes; anything past this is refused unread (413)."""

router = APIRouter(tags=["webhooks"])
RECEIVED = WebhookAck(status="received")


@router.get(
    "/webhooks/strava",
    response_model=Challenge,
    response_model_by_alias=True,
    summary="Subscription validation: echo hub.challenge when hub.verify_token matches",
    responses={
        403: {"model": Problem, "description": "wrong verify token"},
        429: AUTH_RESPONSES[429],
    },
)
async def validate_subscription(
    request: Request,
    ctx: Ctx,
    hub_mode: Annotated[str, Query(alias="hub.mode", max_length=64)] = "",
    hub_verify_token: Annotated[str, Query(alias="hub.verify_token", max_length=512)] = "",
    hub_challenge: Annotated[str, Query(alias="hub.challenge", max_length=512)] = "",
) -> Challenge:
    expected: SecretStr | None = ctx.settings.webhook_verify_token
    ok = secret_ok(request, ctx, hub_verify_token, expected, "verify")
    if not ok or hub_mode != "subscribe" or not hub_challenge:
        ctx.metrics.webhook_events.labels("validation_refused").inc()
        raise HTTPException(status.HTTP_403_FORBIDDEN, "verify token does not match")
    return Challenge(hub_challenge=hub_challenge)


async def _read_limited(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "body too large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "body too large")
    return bytes(body)


def _inbox_event(event: WebhookEvent) -> inbox.InboxEvent:
    return inbox.InboxEvent(
        object_type=event.object_type,
        object_id=event.object_id,
        aspect_type=event.aspect_type,
        owner_id=event.owner_id,
        subscription_id=event.subscription_id,
        event_time=event.event_time,
        updates=event.updates,
    )


@router.post(
    "/webhooks/strava",
    response_model=WebhookAck,
    summary="Receive one Strava webhook event into the inbox",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/WebhookEvent"}}
            },
        }
    },
    responses={
        400: {"model": Problem, "description": "malformed or unstorable event; nothing stored"},
        413: {"model": Problem, "description": "body too large; nothing stored"},
        503: {"model": Problem, "description": "database unavailable; Strava will retry"},
    },
)
async def receive_event(request: Request, ctx: Ctx) -> WebhookAck:
    body = await _read_limited(request)
    try:
        event = WebhookEvent.model_validate_json(body)
    except ValidationError as exc:
        ctx.metrics.webhook_events.labels("rejected").inc()
        errors = exc.errors()
        where = ".".join(str(p) for p in errors[0]["loc"]) if errors else ""
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"invalid webhook event at {where or 'body'}"
        ) from None
    try:
        outcome = await ctx.inbox.submit(_inbox_event(event))
    except EventRefused as exc:
        ctx.metrics.webhook_events.labels("rejected").inc()
        log.warning("webhook event refused by the database: %s", exc.reason)
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    except Exception:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "could not store the event; retry",
            headers={"Retry-After": str(DB_RETRY_AFTER_S)},
        ) from None
    # one label for stored, redelivered and not ours: /metrics must not tell a right
    # subscription id from a wrong one (docs/security.md)
    ctx.metrics.webhook_events.labels("accepted").inc()
    if outcome == "ignored":
        log.info("webhook event for unknown subscription %s ignored", event.subscription_id)
    elif outcome == "stored" and ctx.services.wake is not None:
        ctx.services.wake()
    return RECEIVED
