"""What comes in from Strava and from athletes connecting: the webhook receiver (with its group
committing inbox writer), the push subscription's management, and the OAuth connect flow.

Others use only what ``__all__`` names: the routers for the app, the inbox writer the app builds
into its context, the body cap for the request guard, and the subscription calls for the CLI."""

from __future__ import annotations

from fastapi import APIRouter

from stravasync.web.intake import connect, webhooks
from stravasync.web.intake.connect import STATE_COOKIE
from stravasync.web.intake.inbox_writer import EventRefused, InboxWriter
from stravasync.web.intake.subscription import (
    SubscriptionError,
    SubscriptionInfo,
    check_callback,
    list_subscriptions,
    subscribe,
    unsubscribe,
)
from stravasync.web.intake.webhooks import MAX_BODY_BYTES as WEBHOOK_MAX_BODY_BYTES

__all__ = [
    "STATE_COOKIE",
    "WEBHOOK_MAX_BODY_BYTES",
    "EventRefused",
    "InboxWriter",
    "SubscriptionError",
    "SubscriptionInfo",
    "check_callback",
    "list_subscriptions",
    "routers",
    "subscribe",
    "unsubscribe",
]


def routers() -> list[APIRouter]:
    """The webhook receiver's and the OAuth connect flow's routes."""
    return [webhooks.router, connect.router]
