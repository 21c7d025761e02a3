"""Managing Strava's push subscription (one per application) and remembering its id.

The receiver stores events only for the subscription id kept in app_settings, so a stray or old
subscription's events are acknowledged and ignored.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import httpx

from stravasync.errors import StravaSyncError
from stravasync.store import Database
from stravasync.store.operator import admin as admin_q
from stravasync.strava.client import StravaClient
from stravasync.strava.errors import Deferred
from stravasync.sync.settings import WEBHOOK_CALLBACK_KEY, WEBHOOK_SUBSCRIPTION_KEY

T = TypeVar("T")

GUARD_PATIENCE_S = 5.0
"""An operator's one-off request that the budget defers by at most this long (the guard around a
quarter-hour reset is a second or two) waits and is sent, instead of failing at that instant."""


def _patient(client: StravaClient, request: Callable[[], T]) -> T:
    try:
        return request()
    except Deferred as exc:
        clock = client.transport.clock
        wait = (exc.retry_at - clock.now()).total_seconds()
        if wait > GUARD_PATIENCE_S:
            raise
        clock.sleep(max(wait, 0.0) + 0.01)
        return request()


class SubscriptionError(StravaSyncError):
    """The subscription could not be created or removed; ``reason`` says why in plain words."""

    def __init__(self, callback_url: str | None, reason: str) -> None:
        where = f" for {callback_url}" if callback_url else ""
        super().__init__(f"webhook subscription{where}: {reason}")
        self.callback_url = callback_url
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SubscriptionInfo:
    id: int
    callback_url: str | None
    created_at: str | None
    stored: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "callback_url": self.callback_url,
            "created_at": self.created_at,
            "stored": self.stored,
        }


def check_callback(callback_url: str, verify_token: str, *, timeout: float = 5.0) -> None:
    """Do what Strava will do: GET the callback with a challenge; raise unless it echoes it."""
    challenge = secrets.token_urlsafe(12)
    params = {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge}
    try:
        resp = httpx.get(callback_url, params=params, timeout=timeout)
    except httpx.HTTPError as exc:
        raise SubscriptionError(
            callback_url,
            f"the callback does not answer ({type(exc).__name__}); is the service "
            "running and reachable at that URL?",
        ) from None
    if resp.status_code == 403:
        raise SubscriptionError(
            callback_url,
            "the callback refused the verify token: STRAVASYNC_WEBHOOK_VERIFY_TOKEN "
            "differs between this command and the running service",
        )
    try:
        echoed = resp.json().get("hub.challenge") if resp.status_code == 200 else None
    except ValueError:
        echoed = None
    if echoed != challenge:
        raise SubscriptionError(
            callback_url,
            f"the callback answered HTTP {resp.status_code} without echoing "
            "hub.challenge; point it at /webhooks/strava of this service",
        )


def subscribe(
    db: Database,
    client: StravaClient,
    *,
    callback_url: str,
    verify_token: str,
    now: datetime,
    precheck: bool = True,
    replace: bool = False,
) -> int:
    """Create the subscription on Strava and store its id; returns the id.

    Strava allows one subscription per application: with ``replace`` the existing one is
    deleted, but only after the new callback answered our own hub challenge (``precheck``),
    so a wrong URL leaves the working subscription in place; if Strava then refuses the new
    one, the old one is created again. Without ``replace``, a refusal because one exists says
    so (its id and callback) and how to replace it, instead of Strava's bare "Bad Request"."""
    if precheck:  # before anything is deleted: a bad URL must cost nothing
        check_callback(callback_url, verify_token)
    removed: list[Any] = []
    if replace:
        for existing in _patient(client, client.list_push_subscriptions):
            unsubscribe(db, client, existing.id)
            removed.append(existing)
    try:
        sub_id = _patient(
            client, lambda: client.create_push_subscription(callback_url, verify_token)
        )
    except StravaSyncError as exc:
        if removed:
            restored = _restore(db, client, removed, verify_token, now)
            raise SubscriptionError(callback_url, f"Strava refused it: {exc}; {restored}") from None
        try:
            existing_subs = [] if replace else _patient(client, client.list_push_subscriptions)
        except StravaSyncError:
            existing_subs = []
        if existing_subs:
            sub = existing_subs[0]
            raise SubscriptionError(
                callback_url,
                f"a subscription already exists (id {sub.id}, callback {sub.callback_url}); "
                "Strava allows one per application: replace it with `stravasync webhooks "
                f"subscribe --replace`, or `stravasync webhooks unsubscribe --id {sub.id}` first",
            ) from None
        raise SubscriptionError(callback_url, f"Strava refused it: {exc}") from None
    _remember(db, sub_id, callback_url, now)
    return sub_id


def _remember(db: Database, sub_id: int, callback_url: str, now: datetime) -> None:
    with db.transaction() as conn:
        admin_q.put_setting(conn, WEBHOOK_SUBSCRIPTION_KEY, sub_id, now=now)
        admin_q.put_setting(conn, WEBHOOK_CALLBACK_KEY, callback_url, now=now)


def _restore(
    db: Database, client: StravaClient, removed: list[Any], verify_token: str, now: datetime
) -> str:
    """Create again the subscription ``--replace`` deleted before Strava refused the new one;
    returns what happened, in words for the error."""
    url = removed[0].callback_url
    if not url:
        return "the old subscription was deleted and its callback is unknown: run subscribe again"
    try:
        sub_id = _patient(client, lambda: client.create_push_subscription(url, verify_token))
    except StravaSyncError as exc:
        return (
            f"the old subscription ({url}) was deleted and could not be created "
            f"again ({exc}): the engine polls until a subscribe succeeds"
        )
    _remember(db, sub_id, url, now)
    return f"the old subscription to {url} was created again (id {sub_id})"


def list_subscriptions(db: Database, client: StravaClient) -> list[SubscriptionInfo]:
    with db.engine.connect() as conn:
        stored = admin_q.get_setting(conn, WEBHOOK_SUBSCRIPTION_KEY)
    return [
        SubscriptionInfo(
            id=s.id, callback_url=s.callback_url, created_at=s.created_at, stored=s.id == stored
        )
        for s in _patient(client, client.list_push_subscriptions)
    ]


def unsubscribe(db: Database, client: StravaClient, subscription_id: int | None = None) -> int:
    """Delete the subscription (the stored one by default) and forget it; returns its id."""
    with db.engine.connect() as conn:
        stored = admin_q.get_setting(conn, WEBHOOK_SUBSCRIPTION_KEY)
    target = subscription_id if subscription_id is not None else stored
    if target is None:
        raise SubscriptionError(None, "no subscription is stored; pass --id")
    try:
        _patient(client, lambda: client.delete_push_subscription(int(target)))
    except StravaSyncError as exc:
        raise SubscriptionError(None, f"Strava refused to delete {target}: {exc}") from None
    if stored is not None and int(stored) == int(target):
        with db.transaction() as conn:
            admin_q.delete_setting(conn, WEBHOOK_SUBSCRIPTION_KEY)
            admin_q.delete_setting(conn, WEBHOOK_CALLBACK_KEY)
    return int(target)
